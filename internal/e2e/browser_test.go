package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/samtemplate"
	"github.com/retours/retours/internal/stack"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	chromium   = "/usr/bin/chromium"
	adminToken = "admin-token-for-the-browser-test-0123456789"
)

// now is 11:30 in Paris on the day of the test event: the two 11:00
// ateliers are in progress, the 16:00 table ronde is not open yet.
var now = time.Date(2026, 10, 13, 9, 30, 0, 0, time.UTC)

const necDay = `{
  "title": "Numérique En Commun[s] Auvergne",
  "place": "Clermont-Ferrand",
  "starts_at": "2026-10-13T09:00:00+02:00",
  "ends_at": "2026-10-13T17:30:00+02:00",
  "sessions": [
    {"title": "Plénière d'ouverture", "kind": "pleniere", "starts_at": "2026-10-13T09:30:00+02:00"},
    {"title": "Atelier inclusion numérique et accompagnement des démarches", "kind": "atelier", "starts_at": "2026-10-13T11:00:00+02:00"},
    {"title": "Atelier données", "kind": "atelier", "starts_at": "2026-10-13T11:00:00+02:00"},
    {"title": "Atelier tiers-lieux", "kind": "atelier", "starts_at": "2026-10-13T14:00:00+02:00"},
    {"title": "Table ronde ruralité", "kind": "table-ronde", "starts_at": "2026-10-13T16:00:00+02:00"}
  ]
}`

// lastYear's answers closed long ago.
const lastYear = `{
  "title": "Numérique En Commun[s] Auvergne 2025",
  "starts_at": "2025-10-14T09:00:00+02:00",
  "ends_at": "2025-10-14T17:30:00+02:00",
  "sessions": [{"title": "Atelier médiation", "kind": "atelier", "starts_at": "2025-10-14T11:00:00+02:00"}]
}`

type created struct {
	ID             string `json:"id"`
	OrganiserToken string `json:"organiser_token"`
	Sessions       []struct {
		ID string `json:"id"`
	} `json:"sessions"`
}

// TestSurveyInChromium runs infra/e2e/survey.mjs: the keyboard-only journey
// from a session's QR code URL to a note, axe-core on every page in French
// and English, and the reflow checks. See that script for the list.
func TestSurveyInChromium(t *testing.T) {
	node, root := browserTools(t)
	st, ts := serve(t, "")
	ev := mustCreate(t, ts.URL, necDay)
	old := mustCreate(t, ts.URL, lastYear)
	// An event being erased, for its organisers' page.
	gone := mustCreate(t, ts.URL, lastYear)
	req, _ := http.NewRequest("DELETE", ts.URL+"/api/events/"+gone.ID+"?confirm="+gone.ID, nil)
	req.Header.Set("Authorization", "Bearer "+gone.OrganiserToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("erase = %d", resp.StatusCode)
	}
	atelier := ev.Sessions[1].ID

	out := os.Getenv("RETOURS_E2E_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, "infra", "e2e", "survey.mjs"), ts.URL,
		"form=/e/"+ev.ID+"/"+atelier,
		"event=/e/"+ev.ID,
		"closed=/e/"+old.ID+"/"+old.Sessions[0].ID,
		"upcoming=/e/"+ev.ID+"/"+ev.Sessions[4].ID,
		"poster=/api/events/"+ev.ID+"/sessions/"+atelier+"/poster",
		"token="+ev.OrganiserToken,
		"organisers=/o/"+ev.ID,
		"erasure=/o/"+gone.ID, "erasuretoken="+gone.OrganiserToken,
		"out="+out)
	cmd.Dir = root
	output, err := cmd.CombinedOutput()
	t.Logf("survey.mjs:\n%s", output)
	if err != nil {
		t.Fatalf("browser test failed: %v (output above)", err)
	}

	// One answer and one note per language, with what was typed and chosen:
	// the thank-you page reloaded, which sent each answer twice, stored
	// nothing twice.
	var answers []*retours.Answer
	if err := st.Answers(t.Context(), ev.ID, func(a *retours.Answer) error { answers = append(answers, a); return nil }); err != nil {
		t.Fatal(err)
	}
	notes := 0
	if err := st.Notes(t.Context(), ev.ID, func(*retours.Note) error { notes++; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(answers) != 2 || notes != 2 {
		t.Fatalf("stored %d answers and %d notes, want 2 and 2 (one each per language, whatever the reloads)", len(answers), notes)
	}
	langs := map[string]bool{}
	for _, a := range answers {
		langs[a.Lang] = true
		v := a.Values
		if a.SessionID != atelier || v["satisfaction"].Number != 4 || v["nps"].Number != 9 ||
			fmt.Sprint(v["rencontres"].Choices) != "[oui]" || fmt.Sprint(v["profil"].Choices) != "[association]" || v["suites"].Text == "" {
			t.Errorf("stored answer %+v, want the atelier, 4, 9, oui, association and the texts typed", a)
		}
	}
	if !langs["fr"] || !langs["en"] {
		t.Errorf("answer languages %v, want fr and en", langs)
	}
}

// serve starts every function's handler on a fresh DynamoDB Local table, on
// the loopback address, until the test ends; baseURL, when not empty, is
// the deployment's address.
func serve(t *testing.T, baseURL string) (*dynamo.Store, *httptest.Server) {
	t.Helper()
	st := dynamotest.NewStore(t)
	// The wall reloads itself every 2 seconds rather than 10, so that the
	// wall's test sees it do so without waiting long.
	handler, err := stack.New(stack.Config{Store: st, AdminToken: adminToken, Now: func() time.Time { return now },
		BaseURL: baseURL, Logger: slog.New(slog.DiscardHandler), WallRefresh: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)
	if !strings.HasPrefix(ts.URL, "http://127.0.0.1:") {
		t.Fatalf("test server on %s, want the loopback address", ts.URL)
	}
	return st, ts
}

// browserTools returns the node command and the repository's root, where
// infra/e2e's scripts and infra/node_modules are, or skips loudly when the
// browser cannot run here.
func browserTools(t *testing.T) (node, root string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		skipLoudly(t, "node is not installed (Debian: apt-get install nodejs npm)")
	}
	if _, err := os.Stat(chromium); err != nil {
		skipLoudly(t, chromium+" is not installed (Debian: apt-get install chromium)")
	}
	if root, err = samtemplate.Root(); err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"playwright-core", "axe-core", "pdfjs-dist"} {
		if _, err := os.Stat(filepath.Join(root, "infra", "node_modules", pkg, "package.json")); err != nil {
			t.Fatalf("infra/node_modules/%s is missing: run `npm ci` in infra/ (%v)", pkg, err)
		}
	}
	return node, root
}

func mustCreate(t *testing.T, base, body string) *created {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/events = %d %s", resp.StatusCode, buf.String())
	}
	var c created
	if err := json.Unmarshal(buf.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// skipLoudly skips where the browser truly cannot run, saying so on stderr
// too, so that a green run without the browser test does not go unnoticed.
func skipLoudly(t *testing.T, why string) {
	t.Helper()
	msg := "SKIPPING THE BROWSER TEST: " + why + ". The participants' pages are NOT checked in a browser on this machine."
	fmt.Fprintln(os.Stderr, "\n*** "+msg+" ***\n")
	t.Skip(msg)
}
