package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/retours"
)

// journeyCSV is the organisers' programme, as a French spreadsheet saves it.
const journeyCSV = "\ufefftitre;date;début;fin;type;salle;intervenants\r\n" +
	"Plénière d'ouverture;13/10/2026;09:30;10:15;plénière;Amphithéâtre;Claire Moreau\r\n" +
	"Atelier médiation;13/10/2026;11:00;12:30;atelier;Salle 2;Léa Martin\r\n" +
	"Table ronde ruralité;13/10/2026;16:00;17:30;table ronde;Amphithéâtre;\r\n"

// TestOrganiserJourneyInChromium runs infra/e2e/organiser.mjs on DynamoDB
// Local: the administrator creates an event; the organiser logs in,
// imports the programme, moves a session, adds a question with its help,
// prints a poster; a participant answers; the organiser corrects the
// label, cancels a session and shares one with its speaker; the bilan and
// the speaker's page show the answer. axe-core checks every editing page
// in French and English; see that script for the list.
func TestOrganiserJourneyInChromium(t *testing.T) {
	b := startBrowserTest(t, "")
	csv := filepath.Join(t.TempDir(), "programme.csv")
	if err := os.WriteFile(csv, []byte(journeyCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	output := b.run(t, "organiser.mjs", "admin="+adminToken, "csv="+csv)
	m := regexp.MustCompile(`journey-event (\S+)`).FindSubmatch(output)
	if m == nil {
		t.Fatal("organiser.mjs did not say which event the administrator created")
	}
	id := string(m[1])
	st := b.store

	// What the journey left in the table: the event as the administrator
	// typed it, then as the organiser changed it.
	e, err := st.Event(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if e.Title != "Numérique En Commun[s] Auvergne" || e.Place != "Clermont-Ferrand" || e.Series != "nec-auvergne" || e.Edition != 3 ||
		e.StartsAt.Format(time.RFC3339) != "2026-10-13T07:00:00Z" || e.EndsAt.Format(time.RFC3339) != "2026-10-13T15:30:00Z" ||
		e.ClosesAt.Format(time.RFC3339) != "2026-11-30T22:59:00Z" ||
		fmt.Sprint(e.Languages) != "[fr en]" || fmt.Sprint(e.OrganiserEmails) != "[orga@tiers-lieu.example.org]" ||
		len(e.Accesses) != 1 || e.Accesses[0].Name != "Tiers-lieu" {
		t.Errorf("event as created on /admin/nouveau: %+v", e)
	}
	if len(e.Sessions) != 3 || !e.Sessions[2].Cancelled || e.Sessions[1].StartsAt.Format("15:04") != "08:45" || e.AnonymityThreshold != 1 {
		t.Errorf("event after the journey: %+v", e)
	}
	ours := slices.IndexFunc(e.Questionnaire.Questions, func(q retours.Question) bool { return q.Label["fr"] == "Qu'avez-vous pensé du lieu et de l'accueil ?" })
	if ours < 0 || e.Questionnaire.Questions[ours].Help["fr"] != "Facultatif : l'accès, la salle, le confort" {
		t.Errorf("our question after the journey: %+v", e.Questionnaire.Questions)
	}
	var answers []*retours.Answer
	if err := st.Answers(t.Context(), id, func(a *retours.Answer) error { answers = append(answers, a); return nil }); err != nil {
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

// startBrowserTest starts the server, with baseURL as the deployment's
// address when not empty, or skips, loudly, where node or Chromium is
// missing.
func startBrowserTest(t *testing.T, baseURL string) *browserTest {
	t.Helper()
	node, root := browserTools(t)
	st, ts := serve(t, baseURL)
	return &browserTest{node: node, root: root, store: st, url: ts.URL}
}

// run runs the script of infra/e2e with args, screenshots going to
// $RETOURS_E2E_SCREENSHOTS when set, and fails with its output when it
// fails; it returns the output.
func (b *browserTest) run(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	if out := os.Getenv("RETOURS_E2E_SCREENSHOTS"); out != "" {
		args = append(args, "out="+out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, append([]string{filepath.Join(b.root, "infra", "e2e", script), b.url}, args...)...)
	cmd.Dir = b.root
	output, err := cmd.CombinedOutput()
	t.Logf("%s:\n%s", script, output)
	if err != nil {
		t.Fatalf("browser test failed: %v (output above)", err)
	}
	return output
}
