// Command testreport runs the tests as make test does and says how long each
// step, package and fuzz target took, so that a slow test is visible:
//
//	go run ./infra/testreport [-vet] [-fuzz 'pkg:Target …'] [-fuzztime 5s] [packages]
//
// It runs go vet (with -vet), then go test -json on the packages, printing
// one line per package and the output of every failing test in full (as go
// test does), then each fuzz target for -fuzztime, and ends with the time
// each package, its slowest tests and each fuzz target took. It exits 1 if
// anything failed.
//
// The fuzz targets run from one instrumented test binary per package, built
// in the background from the start: instrumentation compiles every
// dependency again, and vet and the tests leave a core idle much of the
// time.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

func main() {
	goCmd := flag.String("go", "go", "the go command")
	vet := flag.Bool("vet", false, "run go vet on the packages first; go test then runs none of its own")
	fuzz := flag.String("fuzz", "", "fuzz targets to run after the tests, as package:Target separated by spaces")
	fuzzTime := flag.Duration("fuzztime", 5*time.Second, "how long each fuzz target runs")
	flag.Parse()

	start := time.Now()
	r := &report{goCmd: *goCmd, out: os.Stdout}
	ok := r.run(flag.Args(), *vet, strings.Fields(*fuzz), *fuzzTime)
	r.summary(time.Since(start))
	if !ok {
		os.Exit(1)
	}
}

// run runs vet, the tests and the fuzz targets, stopping at the first step
// that fails.
func (r *report) run(pkgs []string, vet bool, targets []string, fuzzTime time.Duration) bool {
	var fuzzers *fuzzBuild
	if len(targets) > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		var err error
		if fuzzers, err = r.buildFuzzers(ctx, targets); err != nil {
			cancel()
			fmt.Fprintln(r.out, "testreport:", err)
			return false
		}
		defer func() {
			cancel() // a build still running when a test failed
			fuzzers.remove()
		}()
	}
	if vet && len(pkgs) > 0 && !r.vet(pkgs) {
		return false
	}
	if len(pkgs) > 0 && !r.test(pkgs, vet) {
		return false
	}
	return fuzzers == nil || r.fuzz(fuzzers, fuzzTime)
}

// vet runs go vet on pkgs.
func (r *report) vet(pkgs []string) bool {
	start := time.Now()
	cmd := exec.Command(r.goCmd, append([]string{"vet"}, pkgs...)...)
	cmd.Stdout, cmd.Stderr = r.out, os.Stderr
	err := cmd.Run()
	r.steps = append(r.steps, step{"go vet", time.Since(start)})
	if err != nil {
		fmt.Fprintln(r.out, "FAIL\tgo vet:", err)
		return false
	}
	return true
}

// event is one line of go test -json (see go doc test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output and build-fail
	Test       string
	Elapsed    float64
	Output     string
}

type pkgResult struct {
	name    string
	action  string // pass, fail
	elapsed time.Duration
	tests   []testResult
}

type testResult struct {
	name    string
	elapsed time.Duration
}

type fuzzResult struct {
	pkg, target string
	elapsed     time.Duration
	last        string // the fuzzer's last progress line
}

type step struct {
	name    string
	elapsed time.Duration
}

type report struct {
	goCmd string
	out   io.Writer
	steps []step
	pkgs  []pkgResult
	fuzzs []fuzzResult
}

// test runs go test -json on pkgs and reports as it goes; noVet turns off
// the vet go test runs by itself, when go vet ran. It returns false if a
// test or a build failed.
func (r *report) test(pkgs []string, noVet bool) bool {
	start := time.Now()
	defer func() { r.steps = append(r.steps, step{"go test", time.Since(start)}) }()
	args := []string{"test", "-json", "-count=1"}
	if noVet {
		args = append(args, "-vet=off")
	}
	cmd := exec.Command(r.goCmd, append(args, pkgs...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(r.out, "testreport:", err)
		return false
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(r.out, "testreport:", err)
		return false
	}
	failed := r.read(stdout)
	if err := cmd.Wait(); err != nil && !failed {
		fmt.Fprintln(r.out, "testreport: go test:", err)
		failed = true
	}
	return !failed
}

// read reads go test -json events, printing what go test would print without
// -v: a line per package, and the output of failures.
func (r *report) read(in io.Reader) (failed bool) {
	// Output is kept per package and test until the test passes.
	output := map[string]map[string]*bytes.Buffer{}
	results := map[string]*pkgResult{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			fmt.Fprintln(r.out, sc.Text())
			continue
		}
		switch e.Action {
		case "build-output":
			fmt.Fprint(r.out, e.Output)
			continue
		case "build-fail":
			failed = true
			continue
		}
		if output[e.Package] == nil {
			output[e.Package] = map[string]*bytes.Buffer{}
			results[e.Package] = &pkgResult{name: e.Package}
		}
		buf := output[e.Package][e.Test]
		if buf == nil {
			buf = &bytes.Buffer{}
			output[e.Package][e.Test] = buf
		}
		res := results[e.Package]
		elapsed := time.Duration(e.Elapsed * float64(time.Second))
		switch {
		case e.Action == "output":
			buf.WriteString(e.Output)
		case e.Test != "" && e.Action == "fail":
			failed = true
			r.out.Write(buf.Bytes())
			delete(output[e.Package], e.Test)
		case e.Test != "" && (e.Action == "pass" || e.Action == "skip"):
			if !strings.Contains(e.Test, "/") {
				res.tests = append(res.tests, testResult{e.Test, elapsed})
			}
			delete(output[e.Package], e.Test)
		case e.Test == "" && e.Action == "skip":
			// No test files.
		case e.Test == "" && (e.Action == "pass" || e.Action == "fail"):
			res.action, res.elapsed = e.Action, elapsed
			if e.Action == "fail" {
				failed = true
				// What is left: tests that never ended (a panic, a
				// timeout), then what the package printed outside its
				// tests, which ends with go test's FAIL line.
				tests := slices.Sorted(maps.Keys(output[e.Package]))
				for _, t := range append(slices.DeleteFunc(tests, func(t string) bool { return t == "" }), "") {
					if b := output[e.Package][t]; b != nil {
						r.out.Write(b.Bytes())
					}
				}
			} else {
				fmt.Fprintf(r.out, "ok  \t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
			r.pkgs = append(r.pkgs, *res)
			delete(output, e.Package)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(r.out, "testreport: reading go test:", err)
		failed = true
	}
	return failed
}

// fuzzBuild is the background build of the fuzz targets' test binaries.
type fuzzBuild struct {
	dir     string
	targets []fuzzTarget
	done    chan struct{}
	err     error // set before done is closed
	elapsed time.Duration
}

type fuzzTarget struct {
	pkg, importPath, dir, name string
	binary                     string
}

// buildFuzzers starts building one instrumented test binary per package of
// targets ("package:Target"), one package at a time.
func (r *report) buildFuzzers(ctx context.Context, targets []string) (*fuzzBuild, error) {
	dir, err := os.MkdirTemp("", "testreport-")
	if err != nil {
		return nil, err
	}
	fb := &fuzzBuild{dir: dir, done: make(chan struct{})}
	binaries := map[string]string{} // package → test binary
	for _, t := range targets {
		pkg, name, ok := strings.Cut(t, ":")
		if !ok {
			fb.remove()
			return nil, fmt.Errorf("fuzz target %q is not package:Target", t)
		}
		info, err := r.goOutput("list", "-f", "{{.ImportPath}}\n{{.Dir}}", pkg)
		if err != nil {
			fb.remove()
			return nil, err
		}
		importPath, pkgDir, _ := strings.Cut(info, "\n")
		if binaries[pkg] == "" {
			binaries[pkg] = filepath.Join(dir, fmt.Sprintf("fuzz%d.test", len(binaries)))
		}
		fb.targets = append(fb.targets, fuzzTarget{pkg: pkg, importPath: importPath, dir: pkgDir, name: name, binary: binaries[pkg]})
	}
	go func() {
		defer close(fb.done)
		start := time.Now()
		built := map[string]bool{}
		for _, t := range fb.targets {
			if built[t.binary] {
				continue
			}
			built[t.binary] = true
			cmd := exec.CommandContext(ctx, r.goCmd, "test", "-c", "-fuzz=.", "-o", t.binary, t.pkg)
			if msg, err := cmd.CombinedOutput(); err != nil {
				fb.err = fmt.Errorf("%sFAIL\t%s [fuzz build failed]", msg, t.importPath)
				return
			}
		}
		fb.elapsed = time.Since(start)
	}()
	return fb, nil
}

func (fb *fuzzBuild) remove() { os.RemoveAll(fb.dir) }

// fuzz waits for the fuzz binaries, then runs each target for d, and returns
// false at the first failure: the fuzzer has then written the input that
// broke the target to the package's testdata/fuzz/<Target>.
func (r *report) fuzz(fb *fuzzBuild, d time.Duration) bool {
	wait := time.Now()
	<-fb.done
	r.steps = append(r.steps, step{"building the fuzz targets (in the background)", fb.elapsed})
	if waited := time.Since(wait); waited >= 100*time.Millisecond {
		r.steps = append(r.steps, step{"waiting for the fuzz binaries", waited})
	}
	if fb.err != nil {
		fmt.Fprintln(r.out, fb.err)
		return false
	}
	cacheDir, err := r.goOutput("env", "GOCACHE")
	if err != nil {
		fmt.Fprintln(r.out, "testreport:", err)
		return false
	}
	for _, t := range fb.targets {
		fmt.Fprintf(r.out, "fuzz %s for %s\n", t.name, d)
		// The binary runs in the package's directory, as go test runs it:
		// its seed corpus and failing inputs are in testdata/fuzz, and what
		// it finds interesting goes where go test keeps it.
		cmd := exec.Command(t.binary, "-test.paniconexit0", "-test.timeout=10m0s", "-test.run=^$",
			"-test.fuzz=^"+regexp.QuoteMeta(t.name)+"$", "-test.fuzztime="+d.String(),
			"-test.fuzzcachedir="+filepath.Join(cacheDir, "fuzz", t.importPath))
		cmd.Dir = t.dir
		start := time.Now()
		out, err := cmd.CombinedOutput()
		res := fuzzResult{pkg: t.importPath, target: t.name, elapsed: time.Since(start), last: lastProgress(out)}
		r.fuzzs = append(r.fuzzs, res)
		if err != nil {
			r.out.Write(out)
			fmt.Fprintf(r.out, "FAIL\t%s %s\t%.3fs\n", t.importPath, t.name, res.elapsed.Seconds())
			return false
		}
		fmt.Fprintf(r.out, "ok  \t%s %s\t%.3fs\t%s\n", t.importPath, t.name, res.elapsed.Seconds(), res.last)
	}
	return true
}

// lastProgress returns the last "fuzz: elapsed: …" line of a fuzzer's
// output, without its prefix.
func lastProgress(out []byte) string {
	last := ""
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "fuzz: elapsed: "); ok {
			last = rest
		}
	}
	return last
}

func (r *report) goOutput(args ...string) (string, error) {
	out, err := exec.Command(r.goCmd, args...).Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", r.goCmd, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// slowTest is how long a test runs before the summary names it.
const slowTest = time.Second

// summary prints the time each package and fuzz target took, slowest first,
// with each package's tests of a second or more.
func (r *report) summary(total time.Duration) {
	if len(r.steps) == 0 {
		return
	}
	fmt.Fprintln(r.out)
	if len(r.steps) > 0 {
		fmt.Fprintf(r.out, "Time per step:\n")
		for _, s := range r.steps {
			fmt.Fprintf(r.out, "%8.1fs  %s\n", s.elapsed.Seconds(), s.name)
		}
	}
	if len(r.pkgs) > 0 {
		fmt.Fprintf(r.out, "Time per package (running its tests; packages run in parallel, builds not counted):\n")
	}
	slices.SortStableFunc(r.pkgs, func(a, b pkgResult) int { return cmp.Compare(b.elapsed, a.elapsed) })
	for _, p := range r.pkgs {
		var slow []string
		slices.SortStableFunc(p.tests, func(a, b testResult) int { return cmp.Compare(b.elapsed, a.elapsed) })
		for _, t := range p.tests {
			if t.elapsed >= slowTest {
				slow = append(slow, fmt.Sprintf("%s %.1fs", t.name, t.elapsed.Seconds()))
			}
		}
		mark := ""
		if p.action == "fail" {
			mark = " FAIL"
		}
		fmt.Fprintf(r.out, "%8.1fs  %s%s", p.elapsed.Seconds(), p.name, mark)
		if len(slow) > 0 {
			fmt.Fprintf(r.out, "  (%s)", strings.Join(slow, ", "))
		}
		fmt.Fprintln(r.out)
	}
	if len(r.fuzzs) > 0 {
		fmt.Fprintf(r.out, "Time per fuzz target (fuzzing and its start):\n")
		for _, f := range r.fuzzs {
			fmt.Fprintf(r.out, "%8.1fs  %s %s\n", f.elapsed.Seconds(), f.pkg, f.target)
		}
	}
	fmt.Fprintf(r.out, "All took %s.\n", total.Round(100*time.Millisecond))
}
