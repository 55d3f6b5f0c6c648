package httpapi_test

import (
	"bytes"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/httpapi"
	"github.com/retours/retours/internal/ses"
)

// withDigests gives env's server the weekly digest, writing mail into a folder.
func withDigests(t *testing.T, env *testEnv) (dir string) {
	t.Helper()
	dir = t.TempDir()
	folder, err := ses.NewFolder(dir, "retours <digest@retours.example.org>", env.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	runner := digest.New(digest.Config{
		Events: env.Store, Answers: env.Store, Digests: env.Store, Changes: env.Store, Sender: folder,
		BaseURL: "https://retours.example.org", Secret: []byte("digest-secret-for-tests-0123456789"), Now: env.Clock.Now,
	})
	env.Server = httpapi.New(httpapi.Config{
		Events: env.Store, Answers: env.Store, AdminToken: adminToken,
		BaseURL: "https://retours.example.org", Now: env.Clock.Now, Digests: runner,
	})
	env.Handler = env.Server.Handler("")
	return dir
}

func TestDigestRunAndUnsubscribe(t *testing.T) {
	env := newEnv(t)
	dir := withDigests(t, env)
	ce := env.mustCreateEvent(necDay)
	for _, s := range []string{"4", "5"} {
		rec := env.postJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+uuid(t)+`","session":"`+ce.Sessions[0].ID+`","answers":{"satisfaction":`+s+`}}`)
		if rec.Code != http.StatusCreated {
			t.Fatalf("answer = %d %s", rec.Code, rec.Body)
		}
	}
	admin := []string{"Authorization", "Bearer " + adminToken}

	for _, tc := range []struct {
		name, target string
		header       []string
		want         int
	}{
		{"no token", "/api/digests/run", nil, http.StatusUnauthorized},
		{"organiser token", "/api/digests/run", []string{"Authorization", "Bearer " + ce.OrganiserToken}, http.StatusForbidden},
		{"bad instant", "/api/digests/run?now=monday", admin, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := env.do("POST", tc.target, nil, tc.header...); rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}

	// The Monday after the event, 08:00 in Paris, once the answers are
	// counted.
	env.drain()
	rec := env.do("POST", "/api/digests/run?now=2026-10-19T08:00:00%2B02:00", nil, admin...)
	if rec.Code != http.StatusOK {
		t.Fatalf("run = %d %s", rec.Code, rec.Body)
	}
	var rep digest.Report
	mustJSON(t, rec.Body.Bytes(), &rep)
	if rep.Week != "2026-W43" || rep.Sent != 1 || len(rep.Digests) != 1 || rep.Digests[0].To != "orga@example.org" ||
		len(rep.Digests[0].Events) != 1 || rep.Digests[0].Events[0] != ce.ID {
		t.Fatalf("report = %s", rec.Body)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d .eml files, want 1", len(files))
	}
	raw, _ := os.ReadFile(files[0])
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	unsub := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	path, ok := strings.CutPrefix(unsub, "https://retours.example.org")
	if !ok || !strings.HasPrefix(path, "/unsubscribe/") {
		t.Fatalf("List-Unsubscribe = %q", unsub)
	}

	// Again: already sent this week.
	rec = env.do("POST", "/api/digests/run?now=2026-10-19T09:00:00%2B02:00", nil, admin...)
	mustJSON(t, rec.Body.Bytes(), &rep)
	if rep.Sent != 0 || rep.Digests[0].Status != digest.StatusSkipped {
		t.Errorf("second run = %s, want nothing sent", rec.Body)
	}

	// The link shows a confirmation and changes nothing...
	rec = env.do("GET", path, nil)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "Numérique En Commun[s] Auvergne") || !strings.Contains(body, `<form method="post"`) {
		t.Fatalf("unsubscribe page = %d %s", rec.Code, body)
	}
	// ...the one-click POST of mail clients unsubscribes.
	rec = env.do("POST", path, strings.NewReader("List-Unsubscribe=One-Click"), "Content-Type", "application/x-www-form-urlencoded")
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "Vous ne recevrez plus") || strings.Contains(body, "<form") {
		t.Fatalf("one-click unsubscribe = %d %s", rec.Code, body)
	}
	unsubscribed, err := env.Store.Unsubscribed(t.Context(), ce.ID)
	if err != nil || len(unsubscribed) != 1 {
		t.Errorf("unsubscribed = %v, %v; want one organiser", unsubscribed, err)
	}

	for _, tc := range []struct{ name, method, path string }{
		{"forged link", "GET", "/unsubscribe/" + strings.Repeat("a", 32) + "." + ce.ID + ".c2lnbmF0dXJl"},
		{"forged one-click", "POST", "/unsubscribe/" + strings.Repeat("a", 32) + "." + ce.ID + ".c2lnbmF0dXJl"},
		{"truncated link", "GET", path[:len(path)-5]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.do(tc.method, tc.path, nil)
			if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "lien de désabonnement n&#39;est pas valide") {
				t.Errorf("status = %d, want 404 with a message: %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestDigestRoutesOffWithoutConfiguration(t *testing.T) {
	env := newEnv(t)
	if rec := env.do("POST", "/api/digests/run", nil, "Authorization", "Bearer "+adminToken); rec.Code != http.StatusForbidden {
		t.Errorf("run without digests = %d, want 403: %s", rec.Code, rec.Body)
	}
	if rec := env.do("GET", "/unsubscribe/x.y.z", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unsubscribe without digests = %d, want 404", rec.Code)
	}
}
