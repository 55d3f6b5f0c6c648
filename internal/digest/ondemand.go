package digest

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// A run of the digests started on demand (POST /api/digests/run) takes as
// long as the weekly one: minutes for a large deployment, beyond API
// Gateway's 30 seconds. The route records the run, has it carried out
// outside the request (Trigger: an asynchronous invocation of the digest
// function itself on AWS, a goroutine locally) and answers 202 with where
// to look; the run records its outcome (retours.DigestRun), which GET
// /api/digests/runs/{id} shows.

// Request is the payload of the digest function's asynchronous invocation
// for a run started on demand; any other payload that is not an HTTP
// request is the Monday schedule's.
type Request struct {
	Run   string    `json:"digest_run"`
	Until time.Time `json:"until"`
}

// Trigger has a run started on demand carried out outside the request.
type Trigger interface {
	Trigger(ctx context.Context, req Request) error
}

// Invoker invokes the digest function asynchronously with a payload
// (internal/lambdainvoke).
type Invoker interface {
	InvokeAsync(ctx context.Context, payload any) error
}

// Invoke returns the Trigger of the digest function on AWS: an
// asynchronous invocation of itself with a Request, which Lambda retries
// when the run fails.
func Invoke(inv Invoker) Trigger { return invokeTrigger{inv} }

type invokeTrigger struct{ inv Invoker }

func (t invokeTrigger) Trigger(ctx context.Context, req Request) error {
	return t.inv.InvokeAsync(ctx, req)
}

// InProcess returns the Trigger of the local server: s carries the run out
// in a goroutine, as long as it takes.
func InProcess(s *Server) Trigger { return inProcess{s} }

type inProcess struct{ s *Server }

func (p inProcess) Trigger(ctx context.Context, req Request) error {
	go p.s.Carry(context.WithoutCancel(ctx), req)
	return nil
}

// runID encodes a run's random id: 26 lower-case base32 characters.
var runID = base32.StdEncoding.WithPadding(base32.NoPadding)

func newRunID(r io.Reader) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return strings.ToLower(runID.EncodeToString(b)), nil
}

func validRunID(id string) bool {
	_, err := runID.DecodeString(strings.ToUpper(id))
	return len(id) == 26 && err == nil && id == strings.ToLower(id)
}

// runView is the JSON of a run started on demand.
type runView struct {
	ID         string     `json:"id"`
	State      string     `json:"state"` // "running", then "done" or "failed"
	Until      time.Time  `json:"until"`
	Week       string     `json:"week,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Sent       int        `json:"sent"`
	Skipped    int        `json:"skipped"`
	Failed     int        `json:"failed"`
	// URL is where to follow the run.
	URL string `json:"url"`
}

func newRunView(r *retours.DigestRun) runView {
	v := runView{ID: r.ID, State: r.State, Until: r.Until.UTC(), Week: r.Week, StartedAt: r.StartedAt.UTC(),
		Sent: r.Sent, Skipped: r.Skipped, Failed: r.Failed, URL: "/api/digests/runs/" + r.ID}
	if !r.FinishedAt.IsZero() {
		at := r.FinishedAt.UTC()
		v.FinishedAt = &at
	}
	return v
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) trigger() Trigger {
	if s.Trigger != nil {
		return s.Trigger
	}
	return InProcess(s)
}

// run answers POST /api/digests/run[?now=…]: it starts what the Monday
// schedule runs, as of now or of ?now=, outside the request, and answers
// 202 with where to follow it.
func (s *Server) run(w http.ResponseWriter, r *http.Request) error {
	if err := web.CheckAdmin(r, s.AdminToken); err != nil {
		return err
	}
	if s.Runner == nil || s.Runs == nil || !s.Runner.Sends() {
		return retours.NewError(retours.EFORBIDDEN, "digest.not_configured")
	}
	until := s.now()
	if v := r.URL.Query().Get("now"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return &retours.Error{Code: retours.EINVALID, Key: "digest.now",
				Fields: map[string]string{"now": retours.FieldInvalid}}
		}
		until = t
	}
	rnd := s.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	id, err := newRunID(rnd)
	if err != nil {
		return err
	}
	rec := &retours.DigestRun{ID: id, Until: until.UTC().Truncate(time.Millisecond), State: retours.DigestRunRunning,
		StartedAt: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.Runs.PutDigestRun(r.Context(), rec); err != nil {
		return err
	}
	if err := s.trigger().Trigger(r.Context(), Request{Run: id, Until: rec.Until}); err != nil {
		// Not started: say so in its record, and to the caller.
		rec.State, rec.FinishedAt = retours.DigestRunFailed, s.now().UTC().Truncate(time.Millisecond)
		if perr := s.Runs.PutDigestRun(r.Context(), rec); perr != nil {
			return errors.Join(err, perr)
		}
		return err
	}
	s.log().LogAttrs(r.Context(), slog.LevelInfo, "digest run started", slog.String("run", id), slog.Time("until", rec.Until))
	web.WriteJSON(w, http.StatusAccepted, newRunView(rec))
	return nil
}

// runStatus answers GET /api/digests/runs/{id}: the run's state, and once
// it is over, its counts.
func (s *Server) runStatus(w http.ResponseWriter, r *http.Request) error {
	if err := web.CheckAdmin(r, s.AdminToken); err != nil {
		return err
	}
	id := r.PathValue("id")
	if s.Runs == nil || !validRunID(id) {
		return retours.NewError(retours.ENOTFOUND, "digest.run_not_found")
	}
	rec, err := s.Runs.DigestRun(r.Context(), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, newRunView(rec))
	return nil
}

// Carry carries out a run started on demand and records its outcome. It
// returns the run's error, so that Lambda retries a run that could not
// send every digest; the retry records its own outcome over it.
func (s *Server) Carry(ctx context.Context, req Request) (*Report, error) {
	rec, err := s.Runs.DigestRun(ctx, req.Run)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		rec = &retours.DigestRun{ID: req.Run, Until: req.Until, StartedAt: s.now().UTC().Truncate(time.Millisecond)}
	} else if err != nil {
		return nil, err
	}
	rep, err := s.Runner.Run(ctx, req.Until)
	rec.State, rec.Week, rec.FinishedAt = retours.DigestRunDone, Week(req.Until), s.now().UTC().Truncate(time.Millisecond)
	if rep != nil {
		rec.Week, rec.Sent, rec.Failed, rec.Skipped = rep.Week, rep.Sent, rep.Failed, 0
		for _, d := range rep.Digests {
			if d.Status == StatusSkipped {
				rec.Skipped++
			}
		}
	}
	if err != nil {
		rec.State = retours.DigestRunFailed
		s.log().LogAttrs(ctx, slog.LevelError, "digest run failed", slog.String("run", req.Run),
			slog.String("code", retours.ErrorCode(err)), slog.String("error", err.Error()))
	}
	if perr := s.Runs.PutDigestRun(ctx, rec); perr != nil {
		return rep, errors.Join(err, perr)
	}
	return rep, err
}

// Handle is the digest function's handler for what is not an HTTP
// request: a Request, which the route sends, carries that run out; any
// other payload is the Monday schedule's (Runner.Scheduled).
func (s *Server) Handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var req Request
	if json.Unmarshal(raw, &req) == nil && req.Run != "" {
		if s.Runner == nil || s.Runs == nil {
			return nil, retours.NewError(retours.EFORBIDDEN, "digest.not_configured")
		}
		return s.Carry(ctx, req)
	}
	return s.Runner.Scheduled(ctx)
}
