package e2e_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
)

// TestWallInChromium runs infra/e2e/wall.mjs on the closing wall of an event
// with an approved note, a note approved then hidden, and one never
// approved, shown through a read-only link: see that script for the checks.
// RETOURS_E2E_SCREENSHOTS=docs keeps its screenshots (docs/wall-*.png).
func TestWallInChromium(t *testing.T) {
	node, root := browserTools(t)
	st, ts := serve(t, "")
	ce := mustCreate(t, ts.URL, necDay)
	ev, err := st.Event(t.Context(), ce.ID)
	if err != nil {
		t.Fatal(err)
	}

	// Answers for the figures and themes, and notes to moderate.
	for i := range 12 {
		a, err := retours.NewAnswer(ev, retours.AnswerInput{SubmissionID: uuid(t), Lang: "fr", Raw: map[string][]string{
			"satisfaction": {[]string{"4", "5", "3"}[i%3]}, "nps": {"9"},
			"commentaire": {[]string{"Les ateliers pratiques étaient utiles", "Très bons ateliers pratiques, merci", "Rencontres entre élus et associations"}[i%3]},
		}}, rand.Reader, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.PutAnswer(t.Context(), a, ev.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
	}
	texts := map[string]string{
		"approved":   "Autant d'élus que d'associations autour de la table : on n'avait jamais vu ça dans le département.",
		"hidden":     "Le nom de ma voisine au troisième rang, qu'il ne faut pas afficher.",
		"unapproved": "Une note que personne n'a encore relue.",
	}
	refs := map[string]string{}
	for _, k := range []string{"hidden", "unapproved", "approved"} {
		n, err := retours.NewNote(ev, retours.NoteInput{SubmissionID: uuid(t), Kind: retours.NoteEtonnement, Text: texts[k], Lang: "fr"}, rand.Reader, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.PutNote(t.Context(), n, ev.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
		refs[k] = "n." + n.SubmissionID
	}
	put := func(ref, body string) {
		t.Helper()
		req, _ := http.NewRequest("PUT", ts.URL+"/api/events/"+ce.ID+"/texts/"+ref, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+ce.OrganiserToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %s %s: %v %v", ref, body, resp, err)
		}
		resp.Body.Close()
	}
	put(refs["hidden"], `{"on_wall": true}`)
	put(refs["approved"], `{"on_wall": true}`)
	put(refs["hidden"], `{"hidden": true}`)

	// The stream's consumer counts the answers, as Lambda does on AWS.
	if err := dynamotest.NewPoller(t, st, nil, nil).Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The snapshot the scheduled function stores.
	agg := &aggregate.Runner{Store: st, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler), Period: time.Hour}
	if _, err := agg.Run(t.Context()); err != nil {
		t.Fatal(err)
	}

	// A read-only link for the room's computer, issued from its page.
	req, _ := http.NewRequest("POST", ts.URL+"/o/"+ce.ID+"/mur/liens", strings.NewReader(url.Values{"name": {"Grande salle"}}.Encode()))
	req.Header.Set("Authorization", "Bearer "+ce.OrganiserToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	link := regexp.MustCompile(`/mur/` + ce.ID + `/rto_[A-Za-z0-9_-]+`).FindString(string(page))
	if resp.StatusCode != http.StatusCreated || link == "" {
		t.Fatalf("wall link: %d\n%s", resp.StatusCode, page)
	}

	out := os.Getenv("RETOURS_E2E_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	} else if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(root, "infra", "e2e", "wall.mjs"), ts.URL,
		"event="+ce.ID, "link="+link, "token="+ce.OrganiserToken,
		"approved="+texts["approved"], "hidden="+texts["hidden"], "unapproved="+texts["unapproved"], "out="+out)
	cmd.Dir = root
	output, err := cmd.CombinedOutput()
	t.Logf("wall.mjs:\n%s", output)
	if err != nil {
		t.Fatalf("browser test failed: %v (output above)", err)
	}
}

func uuid(t *testing.T) string {
	t.Helper()
	id, err := retours.NewSubmissionID(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
