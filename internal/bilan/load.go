package bilan

import (
	"bytes"
	"context"
	"time"

	"github.com/retours/retours/internal/retours"
)

// Store is what Compute, Load and Current read: answers and notes,
// snapshots, moderation and coverage, the previous edition and the count of
// recent changes. The aggregation itself (Aggregator) does no I/O; these
// functions only feed it.
type Store interface {
	retours.AnswerStore
	retours.SnapshotStore
	retours.ModerationStore
	retours.SeriesStore
	retours.ChangeFeed
}

// Compute reads every answer and note of e and returns its bilan in lang,
// set beside the previous edition of its series when there is one, and the
// coverage it was computed from.
func Compute(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time) (*Bilan, retours.Coverage, error) {
	b, cov, err := compute(ctx, st, e, lang, now)
	if err != nil {
		return nil, cov, err
	}
	prev, err := st.PreviousEdition(ctx, e)
	switch retours.ErrorCode(err) {
	case "":
		pb, err := load(ctx, st, prev, lang, now)
		if err != nil {
			return nil, cov, err
		}
		b.Comparison = Compare(b, pb)
	case retours.ENOTFOUND:
	default:
		return nil, cov, err
	}
	return b, cov, nil
}

func compute(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time) (*Bilan, retours.Coverage, error) {
	// The moderation count is read first: a change made while answers are
	// read makes the result look stale, never up to date.
	var before retours.Coverage
	moderation, err := st.Moderation(ctx, e.ID)
	if err != nil {
		return nil, before, err
	}
	before.Moderation = moderation
	// Answers written up to a request's length before now may still be
	// arriving: the coverage counts what came after a safe margin before.
	since := now.Add(-SnapshotMargin).UTC()
	after := 0
	agg := New(e, lang)
	err = st.Answers(ctx, e.ID, func(a *retours.Answer) error {
		if a.CreatedAt.After(since) {
			after++
		}
		agg.AddAnswer(a)
		return nil
	})
	if err != nil {
		return nil, before, err
	}
	err = st.Notes(ctx, e.ID, func(n *retours.Note) error {
		if n.CreatedAt.After(since) {
			after++
		}
		agg.AddNote(n)
		return nil
	})
	if err != nil {
		return nil, before, err
	}
	cov := agg.Coverage()
	cov.Moderation = before.Moderation
	cov.Since, cov.After = since, after
	return agg.Bilan(now), cov, nil
}

// Load returns the bilan of e in lang: the stored snapshot when it covers
// every current answer, note and moderation change (fromSnapshot is then
// true), else a fresh Compute. Both give the same bilan.
func Load(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time) (b *Bilan, fromSnapshot bool, err error) {
	snap, err := st.Snapshot(ctx, e.ID, lang)
	if err == nil {
		current, err := Current(ctx, st, e, snap, now)
		if err != nil {
			return nil, false, err
		}
		if current {
			if b, err := ReadJSON(snap.Data); err == nil && b.Version == Version {
				b.GeneratedAt = snap.CreatedAt
				return b, true, nil
			}
		}
	} else if retours.ErrorCode(err) != retours.ENOTFOUND {
		return nil, false, err
	}
	b, _, err = Compute(ctx, st, e, lang, now)
	return b, false, err
}

// SnapshotMargin is how long before a computation an answer may have been
// written and still be arriving: longer than any request.
const SnapshotMargin = time.Minute

// Current reports whether snap still covers every answer, note and
// moderation change of e: no moderation since, and as many answers and
// notes written since its Since as it counted. Answers cannot be written
// once every answer window has closed, so an old snapshot of a closed event
// costs one GetItem to check.
func Current(ctx context.Context, st Store, e *retours.Event, snap *retours.Snapshot, now time.Time) (bool, error) {
	mod, err := st.Moderation(ctx, e.ID)
	if err != nil || mod != snap.Coverage.Moderation {
		return false, err
	}
	since := snap.Coverage.Since
	if since.IsZero() {
		cov, err := st.Coverage(ctx, e.ID)
		return err == nil && cov.Answers == snap.Coverage.Answers && cov.Notes == snap.Coverage.Notes, err
	}
	until := now
	if last := lastClose(e); last.Before(until) {
		until = last
	}
	after := 0
	if until.After(since) {
		if after, err = st.CountSince(ctx, e, since, until); err != nil {
			return false, err
		}
	}
	return after == snap.Coverage.After, nil
}

// lastClose is when the last answer window of e closes.
func lastClose(e *retours.Event) time.Time {
	last := e.ClosesAt
	for _, s := range e.Sessions {
		if _, closes := e.Window(s.ID); closes.After(last) {
			last = closes
		}
	}
	return last
}

// load is Load without the comparison, for the previous edition.
func load(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time) (*Bilan, error) {
	if snap, err := st.Snapshot(ctx, e.ID, lang); err == nil {
		if b, err := ReadJSON(snap.Data); err == nil && b.Version == Version {
			return b, nil
		}
	}
	b, _, err := compute(ctx, st, e, lang, now)
	return b, err
}

// NewSnapshot returns the snapshot that stores b, computed from cov.
func NewSnapshot(e *retours.Event, b *Bilan, cov retours.Coverage, now time.Time) (*retours.Snapshot, error) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, b); err != nil {
		return nil, err
	}
	return &retours.Snapshot{EventID: e.ID, Lang: b.Lang, Coverage: cov, CreatedAt: now.UTC(), Expires: e.ExpiresAt(), Data: buf.Bytes()}, nil
}
