package digest_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/ses"
	"github.com/retours/retours/internal/webtest"
)

// triggers records the runs the route has carried out elsewhere, as the
// digest function's asynchronous invocations of itself.
type triggers struct {
	reqs []digest.Request
	err  error
}

func (tr *triggers) Trigger(_ context.Context, req digest.Request) error {
	tr.reqs = append(tr.reqs, req)
	return tr.err
}

// flaky fails its first sends, as SES asking to slow down would.
type flaky struct {
	ses.Sender
	failures int
}

func (f *flaky) Send(ctx context.Context, m *ses.Message) (string, error) {
	if f.failures > 0 {
		f.failures--
		return "", retours.NewError(retours.EUNAVAILABLE, "unavailable")
	}
	return f.Sender.Send(ctx, m)
}

// TestDigestRunOnDemandOutsideTheRequest: POST /api/digests/run sends
// nothing within the request: it records the run and has it carried out by
// an invocation of the function (its payload dispatched by Handle), which
// records the outcome; a run that could not send every digest is recorded
// as failed and fails, so that Lambda retries it, and the retry records its
// own outcome.
func TestDigestRunOnDemandOutsideTheRequest(t *testing.T) {
	st, c, dir := memstore.New(), webtest.NewClock(webtest.T0.Add(3*time.Hour)), t.TempDir()
	folder, err := ses.NewFolder(dir, "retours <digest@retours.example.org>", c.Now)
	if err != nil {
		t.Fatal(err)
	}
	sender := &flaky{Sender: folder, failures: 1}
	tr := &triggers{}
	srv := &digest.Server{AdminToken: webtest.AdminToken, Now: c.Now, Runs: st, Trigger: tr, Logger: slog.New(slog.DiscardHandler)}
	srv.Runner = digest.New(digest.Config{
		Events: st, Answers: st, Digests: st, Changes: st, Sender: sender, BaseURL: webtest.BaseURL, Secret: []byte(secret),
		Now: c.Now, Sleep: func(context.Context, time.Duration) error { return nil }, Logger: slog.New(slog.DiscardHandler),
	})
	env := &routesEnv{Env: webtest.NewEnv(t, st, c, srv.Service()), Mem: st, Dir: dir}
	ce, _ := webtest.CreateEvent(t, env.Store, webtest.NECDayInput())
	env.PutAnswers(ce.ID, ce.Sessions[0].ID, 2, "")
	if err := st.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	admin := []string{"Authorization", "Bearer " + webtest.AdminToken}
	status := func() digestRun {
		t.Helper()
		var run digestRun
		rec := env.Do("GET", "/api/digests/runs/"+tr.reqs[0].Run, nil, admin...)
		webtest.MustJSON(t, rec.Body.Bytes(), &run)
		if rec.Code != http.StatusOK {
			t.Fatalf("status = %d %s", rec.Code, rec.Body)
		}
		return run
	}
	emails := func() int {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		return len(files)
	}

	rec := env.Do("POST", "/api/digests/run?now=2026-10-19T08:00:00%2B02:00", nil, admin...)
	if rec.Code != http.StatusAccepted || len(tr.reqs) != 1 || !tr.reqs[0].Until.Equal(time.Date(2026, 10, 19, 6, 0, 0, 0, time.UTC)) {
		t.Fatalf("run = %d %s, %+v: want 202 and one run carried out elsewhere", rec.Code, rec.Body, tr.reqs)
	}
	if run := status(); run.State != "running" || emails() != 0 {
		t.Fatalf("before the invocation: %+v, %d e-mails; want a run under way, nothing sent", run, emails())
	}
	payload, _ := json.Marshal(tr.reqs[0])
	if _, err := srv.Handle(t.Context(), payload); !errors.Is(err, digest.ErrFailed) {
		t.Fatalf("the invocation, SES refusing = %v, want ErrFailed for Lambda to retry", err)
	}
	if run := status(); run.State != "failed" || run.Failed != 1 || run.Week != "2026-W43" || run.FinishedAt == nil {
		t.Errorf("after a failed invocation: %+v", run)
	}
	// Lambda's retry, a minute later.
	c.Set(c.Now().Add(time.Minute))
	if _, err := srv.Handle(t.Context(), payload); err != nil {
		t.Fatalf("the retry = %v", err)
	}
	if run := status(); run.State != "done" || run.Sent != 1 || run.Failed != 0 || emails() != 1 {
		t.Errorf("after the retry: %+v, %d e-mails; want one digest sent", run, emails())
	}

	t.Run("any other payload is the schedule's", func(t *testing.T) {
		out, err := srv.Handle(t.Context(), json.RawMessage(`{"source":"retours.digest.schedule"}`))
		if _, ok := out.(*digest.Report); !ok || err != nil {
			t.Errorf("Handle(schedule) = %T %v", out, err)
		}
	})
	t.Run("a run that cannot be started", func(t *testing.T) {
		tr.err = retours.NewError(retours.EUNAVAILABLE, "unavailable")
		defer func() { tr.err = nil }()
		if rec := env.Do("POST", "/api/digests/run", nil, admin...); rec.Code != http.StatusServiceUnavailable {
			t.Errorf("= %d %s, want 503", rec.Code, rec.Body)
		}
		last := tr.reqs[len(tr.reqs)-1]
		if got, err := st.DigestRun(t.Context(), last.Run); err != nil || got.State != retours.DigestRunFailed {
			t.Errorf("its record = %+v, %v; want failed", got, err)
		}
	})
	for _, tc := range []struct {
		name, path string
		header     []string
		want       int
	}{
		{"no token", "/api/digests/runs/" + tr.reqs[0].Run, nil, http.StatusUnauthorized},
		{"not a run's id", "/api/digests/runs/zzzz", admin, http.StatusNotFound},
		{"no such run", "/api/digests/runs/aaaaaaaaaaaaaaaaaaaaaaaaaa", admin, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := env.Do("GET", tc.path, nil, tc.header...); rec.Code != tc.want {
				t.Errorf("= %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
		})
	}
}
