package iamcheck

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/retours/retours/internal/samtemplate"
)

// The calls of a test binary, one Recorder per function. The tests of a
// package that runs a function's code build that function's clients with
// For(function); after the package's tests, Settle checks what they recorded
// against the function's policy and against the package's ledger,
// testdata/calls/<package>.json here, which holds the calls each of its
// functions made. The packages' tests run in separate processes, in any
// order: the ledgers let this package's TestLedgersMatchPolicies hold each
// policy to every call its function makes, whichever package's tests made
// it — and fail for a grant none of them needs.

var (
	mu        sync.Mutex
	recorders = map[string]*Recorder{}
)

// For returns the recorder of the function's calls (its logical id in
// template.yaml, "OrganiserFunction") in this test binary.
func For(function string) *Recorder {
	mu.Lock()
	defer mu.Unlock()
	r, ok := recorders[function]
	if !ok {
		r = NewRecorder()
		recorders[function] = r
	}
	return r
}

// Ledger maps a function's logical id to the calls it made.
type Ledger map[string][]Call

// Table is the name ledgers give the table: each test makes its own
// (retours-<n>-<test>), and World{Names: {"Table": Table}} resolves them.
const Table = "retours"

var testTable = regexp.MustCompile(`^retours-\d+-`)

// normal returns c with a test's table named Table.
func normal(c Call) Call {
	if testTable.MatchString(c.Table) {
		c.Table = Table
	}
	c.Items = slices.Clone(c.Items)
	for i := range c.Items {
		if testTable.MatchString(c.Items[i].Table) {
			c.Items[i].Table = Table
		}
	}
	return c
}

// recorded returns what this binary's recorders hold, normalised.
func recorded() Ledger {
	mu.Lock()
	defer mu.Unlock()
	l := Ledger{}
	for fn, r := range recorders {
		seen := map[string]bool{}
		for _, c := range r.Calls() {
			c = normal(c)
			if !seen[c.String()] {
				seen[c.String()] = true
				l[fn] = append(l[fn], c)
			}
		}
		slices.SortFunc(l[fn], func(a, b Call) int { return strings.Compare(a.String(), b.String()) })
	}
	return l
}

// LedgerWorld is the world the ledgers' calls live in: the tests' table
// is Table, the secrets' ARNs are those internal/app/secrets' tests serve,
// the bucket, the functions and the stack have the names this package's
// tests give them.
var LedgerWorld = World{
	Names: map[string]string{
		"Table":             Table,
		"AdminTokenSecret":  "arn:aws:secretsmanager:eu-west-3:123456789012:secret:AdminTokenSecret-a1B2c3",
		"DigestSecret":      "arn:aws:secretsmanager:eu-west-3:123456789012:secret:DigestSecret-d4E5f6",
		"DownloadsBucket":   "retours-downloads",
		"EraseFunction":     "retours-erase",
		"AggregateFunction": "retours-aggregate",
		"AWS::StackName":    "retours",
	},
	Parameters: map[string]string{"DigestIdentity": "example.org"},
}

// Main runs a package's tests, then Settle, for a TestMain that needs
// nothing else (dynamotest.Main settles too).
func Main(m *testing.M) {
	code := m.Run()
	if err := Settle(code); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// UpdateEnv, set to 1, makes Settle write the package's ledger from the
// calls its tests made, instead of comparing them.
const UpdateEnv = "RETOURS_UPDATE_IAM_LEDGER"

// Settle is for TestMain, after m.Run, in a package whose tests record
// calls with For. It fails (with every call named by function, action and
// resource) when a recorded call is not allowed by its function's policy
// in template.yaml, when one is missing from the package's ledger, or —
// after a run of all the package's tests — when the ledger holds a call
// none of them made any more. With RETOURS_UPDATE_IAM_LEDGER=1 it writes
// the ledger instead. It does nothing when no test recorded a call; after
// failed tests (code is m.Run's), it checks the calls against the policies
// only, as the run may have stopped before some.
func Settle(code int) error {
	got := recorded()
	if len(got) == 0 {
		return nil
	}
	tmpl, err := samtemplate.LoadDefault()
	if err != nil {
		return err
	}
	var errs []error
	for _, fn := range sortedKeys(got) {
		p, err := FunctionPolicy(tmpl, fn, LedgerWorld)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := Evaluate(p, got[fn], LedgerWorld).Failures(false); err != nil {
			errs = append(errs, err)
		}
	}
	if code != 0 {
		return errors.Join(errs...)
	}
	path, err := ledgerPath()
	if err != nil {
		return err
	}
	if os.Getenv(UpdateEnv) == "1" {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			return err
		}
		return errors.Join(append(errs, os.WriteFile(path, append(b, '\n'), 0o644))...)
	}
	want, err := readLedger(path)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("%w (write it with %s=1 go test)", err, UpdateEnv))...)
	}
	complete := !testingShort() && flagValue("test.run") == "" && flagValue("test.skip") == ""
	errs = append(errs, compare(got, want, filepath.Base(path), complete)...)
	if len(errs) > 0 {
		errs = append(errs, fmt.Errorf("iamcheck: fix template.yaml, then rewrite the ledger with %s=1 go test", UpdateEnv))
	}
	return errors.Join(errs...)
}

// compare returns what differs between the calls a run recorded and its
// ledger: a call missing from the ledger, and, after a complete run, a call
// in the ledger no test made.
func compare(got, want Ledger, name string, complete bool) []error {
	var errs []error
	for _, fn := range sortedKeys(union(got, want)) {
		g, w := callSet(got[fn]), callSet(want[fn])
		for _, k := range sortedKeys(g) {
			if !w[k] {
				errs = append(errs, fmt.Errorf("%s made a call its ledger %s lacks: %s", fn, name, k))
			}
		}
		if complete {
			for _, k := range sortedKeys(w) {
				if !g[k] {
					errs = append(errs, fmt.Errorf("%s's ledger %s holds a call no test made: %s", fn, name, k))
				}
			}
		}
	}
	return errs
}

func union(a, b Ledger) Ledger {
	u := Ledger{}
	for k := range a {
		u[k] = nil
	}
	for k := range b {
		u[k] = nil
	}
	return u
}

func callSet(calls []Call) map[string]bool {
	s := map[string]bool{}
	for _, c := range calls {
		s[c.String()] = true
	}
	return s
}

func testingShort() bool { return flagValue("test.short") == "true" }

func flagValue(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// ledgerPath returns the ledger of the package whose tests run: go test
// runs them in the package's directory.
func ledgerPath() (string, error) {
	root, err := samtemplate.Root()
	if err != nil {
		return "", err
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("iamcheck: tests run outside the repository (%s)", wd)
	}
	name := strings.ReplaceAll(filepath.ToSlash(rel), "/", "_") + ".json"
	return filepath.Join(root, "internal", "iamcheck", "testdata", "calls", name), nil
}

func readLedger(path string) (Ledger, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("iamcheck: no ledger: %w", err)
	}
	var l Ledger
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("iamcheck: %s: %w", path, err)
	}
	return l, nil
}

// Ledgers returns every package's ledger, merged by function.
func Ledgers() (Ledger, error) {
	root, err := samtemplate.Root()
	if err != nil {
		return nil, err
	}
	paths, err := filepath.Glob(filepath.Join(root, "internal", "iamcheck", "testdata", "calls", "*.json"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("iamcheck: no ledgers (%v)", err)
	}
	all := Ledger{}
	for _, p := range paths {
		l, err := readLedger(p)
		if err != nil {
			return nil, err
		}
		for fn, calls := range l {
			all[fn] = append(all[fn], calls...)
		}
	}
	return all, nil
}
