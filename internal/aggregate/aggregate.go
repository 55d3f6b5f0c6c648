// Package aggregate computes and stores the bilan snapshots of the events
// that changed: the work of the scheduled aggregate function.
package aggregate

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
)

// Store is what a run reads and writes.
type Store interface {
	retours.EventStore
	bilan.Store
}

// Runner runs the scheduled aggregation.
type Runner struct {
	Store Store
	Now   func() time.Time
	Log   *slog.Logger
	// Period is the time between two runs (the schedule's rate). Each run
	// looks back two periods and a margin, so that the next run covers a
	// run that was late or failed, whose events it finds current when the
	// failed run did store their snapshots.
	Period time.Duration
}

// Margin is how much further than one period a run looks back.
const Margin = 15 * time.Minute

// Result counts what a run did.
type Result struct {
	Events    int // events that changed or closed
	Snapshots int // snapshots written
	Current   int // snapshots already up to date
}

// Run stores a fresh snapshot, in each of its languages, of every event whose
// activity moved (an answer or a note counted, a moderation change) in the
// last two periods, or whose answers closed since then, unless its snapshot
// already covers it.
// An event whose answers closed gets one more snapshot after closing. A
// failing event does not stop the others; the errors are returned together.
func (r *Runner) Run(ctx context.Context) (Result, error) {
	now := r.Now().UTC()
	period := r.Period
	if period <= 0 {
		period = time.Hour
	}
	since := now.Add(-2*period - Margin)
	var res Result
	ids, err := r.Store.ChangedEvents(ctx, since, now)
	if err != nil {
		return res, err
	}
	var errs []error
	for _, id := range ids {
		e, err := r.Store.Event(ctx, id)
		if retours.ErrorCode(err) == retours.ENOTFOUND {
			continue // erased meanwhile
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		res.Events++
		if err := r.event(ctx, e, now, &res); err != nil {
			r.Log.LogAttrs(ctx, slog.LevelError, "aggregate failed", slog.String("event", e.ID), slog.String("code", retours.ErrorCode(err)), slog.String("error", err.Error()))
			errs = append(errs, err)
		}
	}
	r.Log.LogAttrs(ctx, slog.LevelInfo, "aggregate done", slog.Int("events", res.Events), slog.Int("snapshots", res.Snapshots), slog.Int("current", res.Current))
	return res, errors.Join(errs...)
}

func (r *Runner) event(ctx context.Context, e *retours.Event, now time.Time, res *Result) error {
	closed := !now.Before(e.ClosesAt)
	for _, lang := range e.Languages {
		snap, err := r.Store.Snapshot(ctx, e.ID, lang)
		switch retours.ErrorCode(err) {
		case "":
			// Up to date, and taken after closing if the answers are closed.
			if !closed || !snap.CreatedAt.Before(e.ClosesAt) {
				current, err := bilan.Current(ctx, r.Store, e, snap)
				if err != nil {
					return err
				}
				if current {
					res.Current++
					continue
				}
			}
		case retours.ENOTFOUND:
		default:
			return err
		}
		b, got, err := bilan.Compute(ctx, r.Store, e, lang, now)
		if err != nil {
			return err
		}
		snap, err = bilan.NewSnapshot(e, b, got, now)
		if err != nil {
			return err
		}
		if err := r.Store.PutSnapshot(ctx, snap); err != nil {
			switch retours.ErrorCode(err) {
			case retours.EINVALID:
				// Too large to store: downloads compute it instead.
				r.Log.LogAttrs(ctx, slog.LevelWarn, "snapshot too large", slog.String("event", e.ID), slog.Int("bytes", len(snap.Data)))
				continue
			case retours.ENOTFOUND:
				// Erased, or being erased, since it was read: the store
				// refuses its snapshot, which would bring its notes and
				// quotes back.
				r.Log.LogAttrs(ctx, slog.LevelInfo, "event erased during its aggregation", slog.String("event", e.ID))
				return nil
			}
			return err
		}
		res.Snapshots++
		r.Log.LogAttrs(ctx, slog.LevelInfo, "snapshot stored", slog.String("event", e.ID), slog.String("lang", lang),
			slog.Int("answers", got.Answers), slog.Int("notes", got.Notes))
	}
	return nil
}
