package retours

import (
	"context"
	"time"
)

// Coverage says which answers and notes a bilan covers: how many there were,
// how many moderation changes had been made, and which state of the event's
// activity it was computed after. A stored bilan stands for the current
// answers only while the activity has not moved since.
type Coverage struct {
	Answers    int `json:"answers"`
	Notes      int `json:"notes"`
	Moderation int `json:"moderation"`
	// Seq is the event's Activity.Seq read before the answers were: every
	// answer and note the activity had counted then is in the bilan, so the
	// bilan is current while the activity's Seq and Moderation are unchanged.
	Seq string `json:"seq,omitempty"`
	// Version is the event's version the bilan was computed with: an edit
	// (a title, a session, a question's label) makes it stale.
	Version int `json:"version,omitempty"`
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

// SnapshotStore keeps the bilan snapshots the scheduled aggregation computes,
// one per event and language, so that downloads need not read every answer.
type SnapshotStore interface {
	// PutSnapshot stores s, replacing the event's snapshot in s.Lang, to be
	// erased at s.Expires. EINVALID if s is too large to store (the bilan is
	// then computed on each download); EUNAVAILABLE if the database is
	// overloaded.
	PutSnapshot(ctx context.Context, s *Snapshot) error
	// Snapshot returns the stored snapshot of the event in lang. ENOTFOUND if
	// there is none.
	Snapshot(ctx context.Context, eventID, lang string) (*Snapshot, error)
}

// ModerationStore hides participants' texts from the bilan, and says what a
// bilan covers: the answers, the notes and the moderation changes.
type ModerationStore interface {
	// SetHidden hides (or shows again) a note or a text answer of e in the
	// bilan, and counts the change, even one that changes nothing, in e's
	// activity, and records edit (when not nil) in e's record of changes,
	// in the same write (Activity.Moderation, and LastWrite set to now).
	// ENOTFOUND if there is no such note, answer or text (a question of e
	// that is not a text question has none).
	SetHidden(ctx context.Context, e *Event, ref TextRef, hidden bool, now time.Time, edit *Edit) error
	// Moderation returns the number of moderation changes made to the
	// event's texts: Coverage.Moderation alone, without counting answers
	// (Activity.Moderation). 0 for an event without any, or unknown.
	Moderation(ctx context.Context, eventID string) (int, error)
	// Coverage returns the event's current coverage, counted from its items
	// rather than its activity: its answers, notes and moderation changes
	// (Seq is left empty). EUNAVAILABLE if the database is overloaded.
	Coverage(ctx context.Context, eventID string) (Coverage, error)
}

// SeriesStore finds the earlier editions of a series of events, which the
// bilan compares with.
type SeriesStore interface {
	// PreviousEdition returns the event of the same series with the highest
	// edition below e's, skipping erased ones and those of other owners
	// (SameOwners). ENOTFOUND if there is none, or e is in no series.
	PreviousEdition(ctx context.Context, e *Event) (*Event, error)
}
