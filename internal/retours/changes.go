package retours

import (
	"context"
	"time"
)

// ChangeFeed says which events changed over a period, and how much, from
// their activity, without reading their answers: what the scheduled
// snapshots, the weekly digest, a bilan's freshness check and the
// organisers' live counts ask. It sees answers and notes once the stream
// consumer has counted them (ActivityStore), and moderation changes at once.
type ChangeFeed interface {
	// ChangedEvents returns, each once and in no particular order, the ids of
	// the events whose activity moved at or after since (an answer or a
	// note counted, created then or later, or a moderation change), and of
	// the events whose answers closed between since and until, to the
	// second.
	ChangedEvents(ctx context.Context, since, until time.Time) ([]string, error)
	// ActiveEvents returns, each once and in no particular order, the ids of
	// the events whose activity counts an answer or a note created in
	// [from, to) (see Activity.ActiveIn for how exact that is).
	ActiveEvents(ctx context.Context, from, to time.Time) ([]string, error)
	// Activity returns the event's activity, in one read. An event without
	// any, or unknown, has an empty one (EventID set, no error).
	// EUNAVAILABLE if the database is overloaded.
	Activity(ctx context.Context, eventID string) (*Activity, error)
}

// ActivityStore counts answers and notes into their event's activity: what
// the consumer of the table's change stream writes, with one write per event
// for each batch of changes it receives.
type ActivityStore interface {
	// ApplyChanges counts changes, all of one event and in stream order,
	// into the event's activity in one write, skipping those at or below
	// the last sequence number it counted, so that a batch delivered again,
	// whole or in part, counts once. Changes of an event that no longer
	// exists (erased) are dropped, and create nothing. It returns how many
	// changes it counted. EUNAVAILABLE if the database is overloaded.
	ApplyChanges(ctx context.Context, eventID string, changes []Change) (applied int, err error)
}
