package retours

import (
	"context"
	"time"
)

// Erasure states.
const (
	ErasureRunning = "erasing" // the event is marked, its items are being deleted
	ErasureDone    = "erased"  // nothing of the event is left but the erasure's record
)

// ErasureKept is how long the record of a finished erasure is kept, so that
// the event's organisers see it finish and a repeated request gets its
// outcome. It holds no data of the event: the number of items, the times
// and the hashes of the organisers' tokens.
const ErasureKept = 7 * 24 * time.Hour

// Erasure is the progress of an event's erasure. Erasing runs as a job: the
// event is marked at once, so that nobody reads it or writes anything
// derived from it any more, then its items are deleted in batches, by as
// many runs of the job as it takes, until none is left.
type Erasure struct {
	EventID string
	State   string // ErasureRunning or ErasureDone
	// Items counts the items deleted so far; a run that died after deleting
	// a batch and before counting it leaves them uncounted.
	Items      int
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	// Progress is when a run last deleted items (StartedAt before the
	// first): an erasure whose progress is older than a run can last has
	// stopped, and is resumed.
	Progress time.Time
	// AccessHashes are the token hashes of the event's organiser accesses
	// when the erasure started, so that each of its organisers follows the
	// erasure with their own token once the event is gone. The accesses
	// cannot change once it started: an access revoked before is not here.
	AccessHashes []string
}

// Done reports whether nothing of the event is left.
func (e *Erasure) Done() bool { return e.State == ErasureDone }

// CheckToken reports, in constant time, whether token is the token of one
// of the erased event's organiser accesses.
func (e *Erasure) CheckToken(token string) bool {
	return tokenIndex(token, len(e.AccessHashes), func(i int) string { return e.AccessHashes[i] }) >= 0
}

// ErasureStore erases events: at once from everyone's view, then item by
// item, in a job that may stop anywhere and resume.
//
// Once an erasure starts, Event returns ENOTFOUND "event.erasing" for the
// event, and every write derived from it (bilan snapshots, its activity,
// moderation, unsubscriptions, edits, accesses, shares, the record of
// changes) is refused with ENOTFOUND.
// Participants' answers and notes stay one unconditional write each: a
// request that read the event before the erasure started (the survey
// function keeps it a few seconds) may still store one, until ErasureGrace
// after the start. The job deletes items until none is left and finishes
// only after a sweep that began once that grace had passed.
type ErasureStore interface {
	// StartErasure marks the event as being erased at now, takes it out of
	// its series, and returns the erasure. Idempotent: for an event being
	// erased, or erased within ErasureKept, it returns that erasure.
	// ENOTFOUND "event.not_found" if there is no such event.
	StartErasure(ctx context.Context, eventID string, now time.Time) (*Erasure, error)
	// Erasure returns the event's erasure. ENOTFOUND "erasure.not_found"
	// when the event is not being erased and was not erased within
	// ErasureKept.
	Erasure(ctx context.Context, eventID string) (*Erasure, error)
	// EraseItems deletes up to max of the items of an event being erased,
	// the event's own item aside, in parallel batches, counts them in the
	// erasure's progress at now, and returns how many it deleted: 0 once
	// none is left. ENOTFOUND "erasure.not_found" when the event is not
	// being erased.
	EraseItems(ctx context.Context, eventID string, max int, now time.Time) (int, error)
	// FinishErasure deletes the event's own item and records the erasure as
	// done at now, kept ErasureKept. Idempotent: a finished erasure is
	// returned as it is. ECONFLICT "erasure.unfinished" while other items
	// of the event are left; ENOTFOUND "erasure.not_found" when the event
	// is not being erased.
	FinishErasure(ctx context.Context, eventID string, now time.Time) (*Erasure, error)
	// StalledErasures returns the ids of the events being erased whose
	// progress is older than before, in no particular order: erasures whose
	// job stopped before it finished.
	StalledErasures(ctx context.Context, before time.Time) ([]string, error)
}

// ErasureGrace returns how long after an erasure starts a participant's
// request may still store an answer or note from a copy of the event read
// before: what the participants' routes keep an event (cache), plus their
// longest request (timeout), plus a margin for the write in flight.
func ErasureGrace(cache, timeout time.Duration) time.Duration {
	return cache + timeout + 5*time.Second
}
