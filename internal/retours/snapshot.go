package retours

import (
	"context"
	"time"
)

// Coverage says which answers and notes a bilan covers: how many there were
// and how many moderation changes had been made. A stored bilan stands for
// the current answers only when its coverage equals the current one.
type Coverage struct {
	Answers    int `json:"answers"`
	Notes      int `json:"notes"`
	Moderation int `json:"moderation"`
	// After of the answers and notes were written after Since: a stored
	// bilan is current when the store still has that many since then, which
	// costs a look at recent items only, not a count of them all.
	Since time.Time `json:"since,omitzero"`
	After int       `json:"after,omitempty"`
}

// Snapshot is a bilan computed on schedule and stored, so that downloads
// need not read every answer again.
type Snapshot struct {
	EventID   string
	Lang      string
	Coverage  Coverage
	CreatedAt time.Time
	// Expires is when the snapshot is erased, with the event's answers.
	Expires time.Time
	// Data is the bilan in its versioned JSON shape.
	Data []byte
}

// TextRef names a piece of participant text an organiser can hide from the
// bilan: a note, or the answer to one text question of an event.
type TextRef struct {
	SubmissionID string
	// Question is the text question of an answer, "" for a note.
	Question string
}

// BilanStore stores what the bilan needs beyond answers and notes.
type BilanStore interface {
	// PutSnapshot stores s, replacing the event's snapshot in s.Lang.
	PutSnapshot(ctx context.Context, s *Snapshot) error
	// Snapshot returns the stored snapshot of the event in lang. ENOTFOUND if
	// there is none.
	Snapshot(ctx context.Context, eventID, lang string) (*Snapshot, error)
	// Coverage returns the event's current coverage.
	Coverage(ctx context.Context, eventID string) (Coverage, error)
	// CountSince counts e's answers and notes written after since and up to
	// until, from the day partitions of GSI1.
	CountSince(ctx context.Context, e *Event, since, until time.Time) (int, error)
	// Moderation returns the number of moderation changes made to the
	// event's texts: Coverage.Moderation alone, without counting answers.
	Moderation(ctx context.Context, eventID string) (int, error)
	// PreviousEdition returns the event of the same series with the highest
	// edition below e's. ENOTFOUND if there is none.
	PreviousEdition(ctx context.Context, e *Event) (*Event, error)
	// SetHidden hides (or shows again) a note or a text answer of e in the
	// bilan, and counts the change in e's coverage. ENOTFOUND if there is no
	// such note, answer or text.
	SetHidden(ctx context.Context, e *Event, ref TextRef, hidden bool, now time.Time) error
	// ChangedEvents returns the ids of events that had an answer, a note or
	// a moderation change written on or after since, or whose answers closed
	// between since and until.
	ChangedEvents(ctx context.Context, since, until time.Time) ([]string, error)
}
