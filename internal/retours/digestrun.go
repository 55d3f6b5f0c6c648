package retours

import (
	"context"
	"time"
)

// States of a digest run started on demand.
const (
	DigestRunRunning = "running" // started, its outcome not recorded yet
	DigestRunDone    = "done"    // every digest due was sent, by it or before
	DigestRunFailed  = "failed"  // some digests were not sent: Lambda's retry, or the next run, sends them
)

// DigestRunKept is how long the record of a digest run started on demand
// is kept.
const DigestRunKept = 7 * 24 * time.Hour

// DigestRun is the record of a run of the weekly digests started on demand:
// the route that starts it answers at once, and the run, outside the
// request, records its outcome here. It names no organiser: counts only.
type DigestRun struct {
	ID    string
	Until time.Time // the end of the week the run reports on
	State string    // DigestRunRunning, DigestRunDone or DigestRunFailed
	// Week is the ISO week of the digests, once the run has recorded its
	// outcome.
	Week       string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	// Sent, Skipped and Failed count the digests the run sent, found sent
	// already, and could not send.
	Sent, Skipped, Failed int
}

// DigestRunStore keeps the records of digest runs started on demand, each
// for DigestRunKept.
type DigestRunStore interface {
	// PutDigestRun stores r, replacing the record of the same ID: a run
	// records its outcome over its start, and a retry over a failure.
	PutDigestRun(ctx context.Context, r *DigestRun) error
	// DigestRun returns the record of the run. ENOTFOUND
	// "digest.run_not_found" when there is none.
	DigestRun(ctx context.Context, id string) (*DigestRun, error)
}
