package retours

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Status says where an event stands, from its dates and answer windows.
type Status string

// Statuses of an event.
const (
	StatusUpcoming Status = "upcoming" // à venir: before it starts
	StatusRunning  Status = "running"  // en cours: between its start and end
	StatusOpen     Status = "open"     // réponses ouvertes: ended, answers still accepted
	StatusClosed   Status = "closed"   // closes: no answer accepted any more
)

// Status returns where the event stands at now. Answers stay open while the
// event's window or any session's own window is.
func (e *Event) Status(now time.Time) Status {
	switch {
	case now.Before(e.StartsAt):
		return StatusUpcoming
	case now.Before(e.EndsAt):
		return StatusRunning
	case now.Before(e.LastClose()):
		return StatusOpen
	}
	return StatusClosed
}

// LastClose returns when the last answer window of the event closes.
func (e *Event) LastClose() time.Time {
	last := e.ClosesAt
	for _, s := range e.Sessions {
		if s.ClosesAt.After(last) && !s.Cancelled {
			last = s.ClosesAt
		}
	}
	return last
}

// Matches reports whether the event's title or series contains q, whatever
// their case and accents.
func (e *Event) Matches(q string) bool {
	q = fold(q)
	return q == "" || strings.Contains(fold(e.Title), q) || strings.Contains(fold(e.Series), q)
}

// fold lower-cases s and removes the accents of French and its
// neighbours. The participants' function links the domain: no Unicode
// tables for this.
func fold(s string) string { return accents.Replace(strings.ToLower(strings.TrimSpace(s))) }

var accents = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "á", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i", "ô", "o", "ö", "o", "ó", "o", "ù", "u", "û", "u", "ü", "u", "ú", "u", "ÿ", "y", "ñ", "n",
	"œ", "oe", "æ", "ae", "·", "")

// EventCursor is a position in the list of events, which is in order of
// closing date, latest first, then id. It travels as an opaque string
// (Encode): clients cannot read store keys in it, nor forge one.
type EventCursor struct {
	ClosesAt time.Time
	ID       string
}

// Encode returns the cursor as clients see it.
func (c EventCursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte("e1." + strconv.FormatInt(c.ClosesAt.Unix(), 10) + "." + c.ID))
}

// ParseEventCursor reads a cursor Encode wrote. EINVALID ("cursor.invalid")
// for anything else.
func ParseEventCursor(s string) (EventCursor, error) {
	bad := &Error{Code: EINVALID, Key: "cursor.invalid", Fields: map[string]string{"cursor": FieldInvalid}}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return EventCursor{}, bad
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 3 || parts[0] != "e1" || !ValidID(parts[2]) {
		return EventCursor{}, bad
	}
	sec, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || sec < 0 || sec > 1<<40 {
		return EventCursor{}, bad
	}
	return EventCursor{ClosesAt: time.Unix(sec, 0).UTC(), ID: parts[2]}, nil
}

// EventQuery asks for a page of the deployment's events.
type EventQuery struct {
	// After is where the previous page ended; nil starts at the latest
	// closing.
	After *EventCursor
	// Limit is the most events a page holds.
	Limit int
	// Match keeps the events it returns true for; nil keeps all.
	Match func(*Event) bool
	// MaxScan bounds the events read for one page when Match leaves many
	// out: the page may then hold fewer than Limit, with a Next to go on.
	MaxScan int
}

// EventPage is one page of events.
type EventPage struct {
	Events []*Event
	// Next is where the next page begins; nil after the last.
	Next *EventCursor
}

// EventLister lists the deployment's events, for its administrator.
type EventLister interface {
	// ListEvents returns the page of events q asks for, latest closing
	// first. EUNAVAILABLE when the database is overloaded.
	ListEvents(ctx context.Context, q EventQuery) (*EventPage, error)
}

// CursorOf returns the position of e in the list of events.
func CursorOf(e *Event) EventCursor {
	return EventCursor{ClosesAt: e.ClosesAt.UTC().Truncate(time.Second), ID: e.ID}
}
