package e2e_test

import (
	"context"
	"log/slog"
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

// journeyEvent is the event the administrator creates, with no programme
// yet: the organisers import it.
const journeyEvent = `{
  "title": "Numérique En Commun[s] Auvergne",
  "place": "Clermont-Ferrand",
  "starts_at": "2026-10-13T09:00:00+02:00",
  "ends_at": "2026-10-13T17:30:00+02:00",
  "series": "nec-auvergne", "edition": 3
}`

// journeyCSV is the organisers' programme, as a French spreadsheet saves it.
const journeyCSV = "\ufefftitre;date;début;fin;type;salle;intervenants\r\n" +
	"Plénière d'ouverture;13/10/2026;09:30;10:15;plénière;Amphithéâtre;Claire Moreau\r\n" +
	"Atelier médiation;13/10/2026;11:00;12:30;atelier;Salle 2;Léa Martin\r\n" +
	"Table ronde ruralité;13/10/2026;16:00;17:30;table ronde;Amphithéâtre;\r\n"

// TestOrganiserJourneyInChromium runs infra/e2e/organiser.mjs on DynamoDB
// Local: the administrator creates an event; the organiser logs in,
// imports the programme, moves a session, adds a question, prints a
// poster; a participant answers; the organiser corrects the label, cancels
// a session and shares one with its speaker; the bilan and the speaker's
// page show the answer. axe-core checks every editing page in French and
// English; see that script for the list.
func TestOrganiserJourneyInChromium(t *testing.T) {
	b := startBrowserTest(t)
	// The administrator's step, through the API.
	ev := mustCreate(t, b.url, journeyEvent)
	csv := filepath.Join(t.TempDir(), "programme.csv")
	if err := os.WriteFile(csv, []byte(journeyCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	b.run(t, "organiser.mjs", "event="+ev.ID, "token="+ev.OrganiserToken, "csv="+csv)
	st := b.store

	// What the journey left in the table.
	e, err := st.Event(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Sessions) != 3 || !e.Sessions[2].Cancelled || e.Sessions[1].StartsAt.Format("15:04") != "08:45" || e.AnonymityThreshold != 1 {
		t.Errorf("event after the journey: %+v", e)
	}
	var answers []*retours.Answer
	if err := st.Answers(t.Context(), ev.ID, func(a *retours.Answer) error { answers = append(answers, a); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(answers) != 1 || answers[0].SessionID != e.Sessions[1].ID || answers[0].Values["satisfaction"].Number != 5 {
		t.Errorf("answers after the journey: %+v", answers)
	}
}

// browserTest is the real handler of every function over DynamoDB Local,
// served on the loopback address for a script of infra/e2e to drive
// Chromium through.
type browserTest struct {
	node, root string
	store      *dynamo.Store
	url        string
}

// startBrowserTest starts the server, or skips, loudly, where node or
// Chromium is missing.
func startBrowserTest(t *testing.T) *browserTest {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		skipLoudly(t, "node is not installed (Debian: apt-get install nodejs npm)")
	}
	if _, err := os.Stat(chromium); err != nil {
		skipLoudly(t, chromium+" is not installed (Debian: apt-get install chromium)")
	}
	root, err := samtemplate.Root()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"playwright-core", "axe-core"} {
		if _, err := os.Stat(filepath.Join(root, "infra", "node_modules", pkg, "package.json")); err != nil {
			t.Fatalf("infra/node_modules/%s is missing: run `npm ci` in infra/ (%v)", pkg, err)
		}
	}
	st := dynamotest.NewStore(t)
	handler, err := stack.New(stack.Config{Store: st, AdminToken: adminToken, Now: func() time.Time { return now },
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)
	if !strings.HasPrefix(ts.URL, "http://127.0.0.1:") {
		t.Fatalf("test server on %s, want the loopback address", ts.URL)
	}
	return &browserTest{node: node, root: root, store: st, url: ts.URL}
}

// run runs the script of infra/e2e with args, screenshots going to
// $RETOURS_E2E_SCREENSHOTS when set, and fails with its output when it
// fails.
func (b *browserTest) run(t *testing.T, script string, args ...string) {
	t.Helper()
	out := os.Getenv("RETOURS_E2E_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, append([]string{filepath.Join(b.root, "infra", "e2e", script), b.url}, append(args, "out="+out)...)...)
	cmd.Dir = b.root
	output, err := cmd.CombinedOutput()
	t.Logf("%s:\n%s", script, output)
	if err != nil {
		t.Fatalf("browser test failed: %v (output above)", err)
	}
}
