// Package erase runs the erasure of an event as a job, so that erasing a
// large event never depends on one request finishing in time.
//
// Start marks the event at once (retours.ErasureStore): from then on the
// participants' and organisers' routes find it gone, and nothing derived
// from it is written. It then has a run of the job started elsewhere (a
// Trigger): on AWS, an asynchronous invocation of the erase function
// (internal/lambdainvoke); locally, a goroutine (InProcess). Run deletes
// the event's items batch after batch, waits until no participant's
// request can still store an answer from a copy of the event read before
// the start (Grace), sweeps once more and finishes. A run that comes near
// its deadline stops between batches and returns ErrUnfinished, so that
// Lambda retries it; Resume, run every hour, takes up any erasure whose
// progress stopped. Each step is idempotent: a run may die anywhere, and
// the next one carries on.
package erase

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/retours/retours/internal/retours"
)

// DefaultBatch is how many items a run deletes, and counts in the
// erasure's progress, per step: 40 batches of 25, sent 8 at a time.
const DefaultBatch = 1000

// DefaultStall is how long an erasure may go without progress before
// Resume takes it up: longer than a run of the erase function lasts (its
// 15-minute timeout), so that Resume never doubles a run under way.
const DefaultStall = 20 * time.Minute

// deadlineMargin is what a run keeps before its context's deadline: it
// starts no step after that, and returns ErrUnfinished.
const deadlineMargin = 30 * time.Second

// ErrUnfinished is returned by Run when its time ran out first: the
// erasure goes on with the next run (Lambda's retry, or Resume).
var ErrUnfinished = errors.New("erase: the time of this run ran out before the erasure finished")

// Trigger has a run of the job started elsewhere for an event.
type Trigger interface {
	Trigger(ctx context.Context, eventID string) error
}

// Job erases events. Store is required.
type Job struct {
	Store retours.ErasureStore
	// Trigger starts a run for an erasure Start begins; nil leaves it to
	// Resume.
	Trigger Trigger
	// Grace is how long after the start a participant's request may still
	// store an answer or a note from a copy of the event read before
	// (retours.ErasureGrace): the last sweep begins after it.
	Grace time.Duration
	// Batch is how many items a step deletes (DefaultBatch); Stall, how
	// long an erasure goes without progress before Resume takes it up
	// (DefaultStall).
	Batch int
	Stall time.Duration
	// Now is the clock; Sleep waits for d or until ctx ends (a timer by
	// default).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *slog.Logger
}

func (j *Job) now() time.Time {
	if j.Now == nil {
		return time.Now()
	}
	return j.Now()
}

func (j *Job) log() *slog.Logger {
	if j.Log == nil {
		return slog.Default()
	}
	return j.Log
}

func (j *Job) batch() int {
	if j.Batch <= 0 {
		return DefaultBatch
	}
	return j.Batch
}

func (j *Job) stall() time.Duration {
	if j.Stall <= 0 {
		return DefaultStall
	}
	return j.Stall
}

// Start erases the event: it marks it at once and has a run started, and
// returns the erasure's progress. Started again, it returns the progress of
// the erasure under way, or of the finished one (for retours.ErasureKept),
// and starts a run again only for an erasure that stalled. A run that could
// not be started is logged: the erasure is under way all the same, and
// Resume takes it up. ENOTFOUND "event.not_found" when there is no such
// event.
func (j *Job) Start(ctx context.Context, eventID string) (*retours.Erasure, error) {
	now := j.now()
	er, err := j.Store.StartErasure(ctx, eventID, now)
	if err != nil || er.Done() {
		return er, err
	}
	fresh := !er.StartedAt.Before(now.UTC().Truncate(time.Millisecond))
	if j.Trigger != nil && (fresh || er.Progress.Before(now.Add(-j.stall()))) {
		if err := j.Trigger.Trigger(ctx, eventID); err != nil {
			j.log().LogAttrs(ctx, slog.LevelError, "erasure run not started", slog.String("event", eventID),
				slog.String("code", retours.ErrorCode(err)), slog.String("error", err.Error()))
		}
	}
	if fresh {
		j.log().LogAttrs(ctx, slog.LevelInfo, "erasure started", slog.String("event", eventID))
	}
	return er, nil
}

// Progress returns the erasure of the event: under way, or finished within
// retours.ErasureKept. ENOTFOUND "erasure.not_found" otherwise.
func (j *Job) Progress(ctx context.Context, eventID string) (*retours.Erasure, error) {
	return j.Store.Erasure(ctx, eventID)
}

// Run carries the event's erasure on to its end: it deletes its items step
// by step, waits for the grace after the start, sweeps once more and
// finishes. It returns the finished erasure, ErrUnfinished with the
// progress when its context's deadline comes first, and ENOTFOUND
// "erasure.not_found" when the event is not being erased.
func (j *Job) Run(ctx context.Context, eventID string) (*retours.Erasure, error) {
	er, err := j.Store.Erasure(ctx, eventID)
	if err != nil || er.Done() {
		return er, err
	}
	graceEnd := er.StartedAt.Add(j.Grace)
	for {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < deadlineMargin {
			if cur, err := j.Store.Erasure(ctx, eventID); err == nil {
				er = cur
			}
			return er, ErrUnfinished
		}
		at := j.now()
		n, err := j.Store.EraseItems(ctx, eventID, j.batch(), at)
		switch {
		case retours.ErrorCode(err) == retours.ENOTFOUND:
			// Finished by another run meanwhile.
			return j.Store.Erasure(ctx, eventID)
		case err != nil:
			return nil, err
		case n > 0:
			continue
		case at.Before(graceEnd):
			// Nothing left for now; a participant's request may still store
			// an answer until the grace ends: sweep again after it.
			if err := j.sleep(ctx, graceEnd.Sub(at)); err != nil {
				return nil, err
			}
			continue
		}
		// A sweep begun after the grace found nothing: finish.
		done, err := j.Store.FinishErasure(ctx, eventID, j.now())
		if retours.ErrorCode(err) == retours.ECONFLICT {
			continue // an item came in between: sweep again
		}
		if err != nil {
			return nil, err
		}
		j.log().LogAttrs(ctx, slog.LevelInfo, "event erased", slog.String("event", eventID), slog.Int("items", done.Items),
			slog.Duration("took", done.FinishedAt.Sub(done.StartedAt)))
		return done, nil
	}
}

// Resume runs each erasure whose progress stopped for longer than Stall,
// one after the other, and returns how many it finished. It stops with
// ErrUnfinished when its deadline comes; the other errors are returned
// together, after every erasure was tried.
func (j *Job) Resume(ctx context.Context) (int, error) {
	ids, err := j.Store.StalledErasures(ctx, j.now().Add(-j.stall()))
	if err != nil {
		return 0, err
	}
	finished := 0
	var errs []error
	for _, id := range ids {
		j.log().LogAttrs(ctx, slog.LevelInfo, "erasure resumed", slog.String("event", id))
		_, err := j.Run(ctx, id)
		switch {
		case errors.Is(err, ErrUnfinished):
			return finished, err
		case err != nil:
			j.log().LogAttrs(ctx, slog.LevelError, "erasure failed", slog.String("event", id),
				slog.String("code", retours.ErrorCode(err)), slog.String("error", err.Error()))
			errs = append(errs, err)
		default:
			finished++
		}
	}
	return finished, errors.Join(errs...)
}

func (j *Job) sleep(ctx context.Context, d time.Duration) error {
	if j.Sleep != nil {
		return j.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return retours.NewError(retours.EUNAVAILABLE, "unavailable")
	}
}

// Request is the payload of an invocation of the erase function for one
// event; any other payload (its hourly schedule's) runs Resume.
type Request struct {
	Event string `json:"erase_event"`
}

// Handle is the erase function's Lambda handler. A Request, which the
// organiser function sends when an erasure starts, carries that event's
// erasure on to its end; anything else is the hourly schedule, which
// resumes the erasures whose progress stopped. A run whose time ran out
// (ErrUnfinished), or that failed, returns its error, so that Lambda
// retries it; the retry carries on where it stopped.
func (j *Job) Handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var req Request
	if json.Unmarshal(raw, &req) == nil && req.Event != "" {
		er, err := j.Run(ctx, req.Event)
		if retours.ErrorCode(err) == retours.ENOTFOUND {
			// Not being erased (an invocation delivered twice after the
			// end, or a mistaken one): nothing to retry.
			j.log().LogAttrs(ctx, slog.LevelWarn, "no erasure to run", slog.String("event", req.Event))
			return nil, nil
		}
		return er, err
	}
	n, err := j.Resume(ctx)
	return map[string]int{"finished": n}, err
}

// Invoker invokes the erase function asynchronously with a payload
// (internal/lambdainvoke).
type Invoker interface {
	InvokeAsync(ctx context.Context, payload any) error
}

// Invoke returns the Trigger that has the erase function run an erasure:
// an asynchronous invocation with a Request, which Lambda retries when the
// run fails or its time runs out.
func Invoke(inv Invoker) Trigger { return invokeTrigger{inv} }

type invokeTrigger struct{ inv Invoker }

func (t invokeTrigger) Trigger(ctx context.Context, eventID string) error {
	return t.inv.InvokeAsync(ctx, Request{Event: eventID})
}

// InProcess returns the Trigger of the local server: a run in a goroutine
// of this process, as long as it takes. Its failure is logged; Resume takes
// the erasure up.
func InProcess(j *Job) Trigger { return inProcess{j} }

type inProcess struct{ j *Job }

func (p inProcess) Trigger(ctx context.Context, eventID string) error {
	go func() {
		ctx := context.WithoutCancel(ctx)
		if _, err := p.j.Run(ctx, eventID); err != nil {
			p.j.log().LogAttrs(ctx, slog.LevelError, "erasure failed", slog.String("event", eventID),
				slog.String("code", retours.ErrorCode(err)), slog.String("error", err.Error()))
		}
	}()
	return nil
}
