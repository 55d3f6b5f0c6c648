package digest_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/ses"
	"github.com/retours/retours/internal/webtest"
)

// routesEnv is the digest function's routes on an in-memory store, with
// the digests written into Dir, on the clock of the tests' event.
type routesEnv struct {
	*webtest.Env
	Mem *memstore.Store
	Dir string
}

// newRoutesEnv serves the digest's routes; with runner set, they run the
// weekly digest.
func newRoutesEnv(t *testing.T, runner bool) *routesEnv {
	t.Helper()
	st, c, dir := memstore.New(), webtest.NewClock(webtest.T0.Add(3*time.Hour)), t.TempDir()
	srv := &digest.Server{AdminToken: webtest.AdminToken, Now: c.Now, Runs: st, Logger: slog.New(slog.DiscardHandler)}
	if runner {
		folder, err := ses.NewFolder(dir, "retours <digest@retours.example.org>", c.Now)
		if err != nil {
			t.Fatal(err)
		}
		srv.Runner = digest.New(digest.Config{
			Events: st, Answers: st, Digests: st, Changes: st, Sender: folder,
			BaseURL: webtest.BaseURL, Secret: []byte(secret), Now: c.Now, Logger: slog.New(slog.DiscardHandler),
		})
	}
	return &routesEnv{Env: webtest.NewEnv(t, st, c, srv.Service()), Mem: st, Dir: dir}
}

func TestDigestRunAndUnsubscribe(t *testing.T) {
	env := newRoutesEnv(t, true)
	ce, token := webtest.CreateEvent(t, env.Store, webtest.NECDayInput())
	env.PutAnswers(ce.ID, ce.Sessions[0].ID, 2, "")
	admin := []string{"Authorization", "Bearer " + webtest.AdminToken}

	for _, tc := range []struct {
		name, target string
		header       []string
		want         int
	}{
		{"no token", "/api/digests/run", nil, http.StatusUnauthorized},
		{"organiser token", "/api/digests/run", []string{"Authorization", "Bearer " + token}, http.StatusForbidden},
		{"bad instant", "/api/digests/run?now=monday", admin, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := env.Do("POST", tc.target, nil, tc.header...); rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}

	// The Monday after the event, 08:00 in Paris, once the answers are
	// counted.
	if err := env.Mem.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	run := env.runDigests("2026-10-19T08:00:00%2B02:00")
	if run.State != "done" || run.Week != "2026-W43" || run.Sent != 1 || run.Skipped != 0 || run.Failed != 0 || run.FinishedAt == nil {
		t.Fatalf("run = %+v, want one digest sent", run)
	}
	files, _ := filepath.Glob(filepath.Join(env.Dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d .eml files, want 1", len(files))
	}
	raw, _ := os.ReadFile(files[0])
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	unsub := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	path, ok := strings.CutPrefix(unsub, webtest.BaseURL)
	if !ok || !strings.HasPrefix(path, "/unsubscribe/") {
		t.Fatalf("List-Unsubscribe = %q", unsub)
	}

	// Again: already sent this week.
	if run := env.runDigests("2026-10-19T09:00:00%2B02:00"); run.State != "done" || run.Sent != 0 || run.Skipped != 1 {
		t.Errorf("second run = %+v, want nothing sent", run)
	}

	// The link shows a confirmation and changes nothing...
	rec := env.Do("GET", path, nil)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "Numérique En Commun[s] Auvergne") || !strings.Contains(body, `<form method="post"`) {
		t.Fatalf("unsubscribe page = %d %s", rec.Code, body)
	}
	// ...the one-click POST of mail clients unsubscribes.
	rec = env.Do("POST", path, strings.NewReader("List-Unsubscribe=One-Click"), "Content-Type", "application/x-www-form-urlencoded")
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "Vous ne recevrez plus") || strings.Contains(body, "<form") {
		t.Fatalf("one-click unsubscribe = %d %s", rec.Code, body)
	}
	unsubscribed, err := env.Mem.Unsubscribed(t.Context(), ce.ID)
	if err != nil || len(unsubscribed) != 1 {
		t.Errorf("unsubscribed = %v, %v; want one organiser", unsubscribed, err)
	}

	for _, tc := range []struct{ name, method, path string }{
		{"forged link", "GET", "/unsubscribe/" + strings.Repeat("a", 32) + "." + ce.ID + ".c2lnbmF0dXJl"},
		{"forged one-click", "POST", "/unsubscribe/" + strings.Repeat("a", 32) + "." + ce.ID + ".c2lnbmF0dXJl"},
		{"truncated link", "GET", path[:len(path)-5]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do(tc.method, tc.path, nil)
			if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "lien de désabonnement n&#39;est pas valide") {
				t.Errorf("status = %d, want 404 with a message: %s", rec.Code, rec.Body)
			}
		})
	}
}

// digestRun is the JSON of a run started on demand.
type digestRun struct {
	ID, State, Week, URL  string
	Sent, Skipped, Failed int
	FinishedAt            *time.Time `json:"finished_at"`
}

// runDigests starts a run of the digests as of now (RFC 3339, escaped),
// checks that the route answers at once, and follows the run until it is
// over.
func (env *routesEnv) runDigests(now string) digestRun {
	env.TB.Helper()
	admin := []string{"Authorization", "Bearer " + webtest.AdminToken}
	rec := env.Do("POST", "/api/digests/run?now="+now, nil, admin...)
	var run digestRun
	webtest.MustJSON(env.TB, rec.Body.Bytes(), &run)
	if rec.Code != http.StatusAccepted || run.URL != "/api/digests/runs/"+run.ID || len(run.ID) != 26 {
		env.TB.Fatalf("run = %d %s, want 202 with where to look", rec.Code, rec.Body)
	}
	for deadline := time.Now().Add(10 * time.Second); run.State == "running"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			env.TB.Fatalf("the run did not finish: %+v", run)
		}
		rec = env.Do("GET", run.URL, nil, admin...)
		if rec.Code != http.StatusOK {
			env.TB.Fatalf("GET %s = %d %s", run.URL, rec.Code, rec.Body)
		}
		webtest.MustJSON(env.TB, rec.Body.Bytes(), &run)
	}
	return run
}

func TestDigestRoutesOffWithoutConfiguration(t *testing.T) {
	env := newRoutesEnv(t, false)
	if rec := env.Do("POST", "/api/digests/run", nil, "Authorization", "Bearer "+webtest.AdminToken); rec.Code != http.StatusForbidden {
		t.Errorf("run without digests = %d, want 403: %s", rec.Code, rec.Body)
	}
	if rec := env.Do("GET", "/unsubscribe/x.y.z", nil); rec.Code != http.StatusNotFound {
		t.Errorf("unsubscribe without digests = %d, want 404", rec.Code)
	}
}

// TestScheduledWithoutSender: with no sender (DIGEST_FROM unset), the
// Monday schedule's run sends nothing and succeeds, so that Lambda does not
// retry it.
func TestScheduledWithoutSender(t *testing.T) {
	st := memstore.New()
	r := digest.New(digest.Config{Events: st, Answers: st, Digests: st, Changes: st,
		BaseURL: webtest.BaseURL, Secret: []byte(secret), Logger: slog.New(slog.DiscardHandler)})
	if out, err := r.Scheduled(t.Context()); out != nil || err != nil {
		t.Errorf("Scheduled() = %v, %v; want nothing sent and no error", out, err)
	}
}
