package retours

import (
	"context"
	"time"
)

// ChangeFeed says which events changed over a period, and how much, without
// reading every event: what the scheduled snapshots, the weekly digest and a
// bilan's freshness check ask. Times are those the items carry: an answer's
// or a note's CreatedAt, a moderation change's now.
type ChangeFeed interface {
	// ChangedEvents returns, each once and in no particular order, the ids of
	// the events that had an answer, a note or a moderation change written
	// on a UTC day from since's to until's (from the start of since's day: a
	// caller gets a few more events, never fewer), and of the events whose
	// answers closed between since and until, to the second. An event's
	// moderation changes count on the day of its latest one only.
	ChangedEvents(ctx context.Context, since, until time.Time) ([]string, error)
	// ActiveEvents returns, each once and in no particular order, the ids of
	// the events that received an answer or a note created in [from, to).
	ActiveEvents(ctx context.Context, from, to time.Time) ([]string, error)
	// CountSince counts e's answers and notes created after since and up to
	// until.
	CountSince(ctx context.Context, e *Event, since, until time.Time) (int, error)
}
