package retours

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/retours/retours/internal/i18n"
)

// Activity is what an event has received, counted from the table's change
// stream rather than by reading its answers: the organisers' live counts, the
// events that changed for the hourly snapshots and the weekly digest, and
// the version a stored bilan is checked against. It lags the answers by the
// stream's delay (about a second, at most the consumer's batching window).
type Activity struct {
	EventID string
	// Answers and Notes count every answer and note of the event.
	Answers, Notes int
	// Sessions counts the answers by session; "" is the event as a whole.
	Sessions map[string]int
	// Days counts answers and notes by day in Paris ("2026-10-15"), for the
	// ActivityDays days up to the latest one.
	Days map[string]DayActivity
	// Moderation counts the hide and show changes made to the event's texts
	// (written with the change itself, without the stream's delay).
	Moderation int
	// LastWrite is the latest time the activity moved: the creation of the
	// last answer or note counted, or the last moderation change.
	LastWrite time.Time
	// Seq is the stream sequence number of the last change counted, "" before
	// any: changes at or below it are counted already.
	Seq string
}

// DayActivity is one day of an event's activity.
type DayActivity struct {
	Answers, Notes int
	// First and Last are the creation times of the day's first and last
	// answer or note.
	First, Last time.Time
}

// ActivityDays is how many days, up to its latest, an activity keeps by day:
// the digest's week and a margin. Older days stay in the totals only.
const ActivityDays = 15

// Change is an answer or a note stored, as the table's stream reports it to
// the activity.
type Change struct {
	// Seq is the change's stream sequence number: an event's changes come in
	// increasing order, and one delivered again has the same.
	Seq       string
	Note      bool // a note; else an answer
	SessionID string
	CreatedAt time.Time
	// Expires is when the answer or note is erased: the activity lasts as
	// long as what it counts.
	Expires time.Time
}

// ActivityDay returns the day of t in Paris, as Activity.Days keys it.
func ActivityDay(t time.Time) string { return t.In(i18n.Paris).Format(time.DateOnly) }

// SeqLess reports whether stream sequence number a comes before b. Sequence
// numbers are decimal strings of up to 40 digits, with or without leading
// zeros, too long for an integer.
func SeqLess(a, b string) bool {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// Apply counts the changes that come after a.Seq, skipping those counted
// already, and returns how many it counted. changes must be in stream order.
func (a *Activity) Apply(changes []Change) int {
	if a.Sessions == nil {
		a.Sessions = map[string]int{}
	}
	if a.Days == nil {
		a.Days = map[string]DayActivity{}
	}
	applied := 0
	for _, c := range changes {
		if a.Seq != "" && !SeqLess(a.Seq, c.Seq) {
			continue // counted by an earlier delivery
		}
		a.Seq = c.Seq
		applied++
		at := c.CreatedAt.UTC()
		key := ActivityDay(at)
		d := a.Days[key]
		if c.Note {
			a.Notes++
			d.Notes++
		} else {
			a.Answers++
			d.Answers++
			a.Sessions[c.SessionID]++
		}
		if d.First.IsZero() || at.Before(d.First) {
			d.First = at
		}
		if at.After(d.Last) {
			d.Last = at
		}
		a.Days[key] = d
		if at.After(a.LastWrite) {
			a.LastWrite = at
		}
	}
	a.prune()
	return applied
}

// prune forgets the days more than ActivityDays before the latest.
func (a *Activity) prune() {
	if len(a.Days) <= ActivityDays {
		return
	}
	days := slices.Sorted(maps.Keys(a.Days))
	for _, d := range days[:len(days)-ActivityDays] {
		delete(a.Days, d)
	}
}

// ActiveIn reports whether the activity counts an answer or a note created
// in [from, to). It is exact unless from and to fall on the same day, on
// which an answer came before from and another at or after to: that day
// counts as active. A period that starts before the days kept counts as
// active when anything came since its start.
func (a *Activity) ActiveIn(from, to time.Time) bool {
	if a == nil || a.LastWrite.Before(from) || !from.Before(to) {
		return false
	}
	first, last := ActivityDay(from), ActivityDay(to)
	if len(a.Days) > 0 {
		if oldest := slices.Min(slices.Collect(maps.Keys(a.Days))); first < oldest && len(a.Days) == ActivityDays {
			return a.LastWrite.After(from) || a.LastWrite.Equal(from)
		}
	}
	for key, d := range a.Days {
		switch {
		case key < first || key > last || d.Answers+d.Notes == 0:
		case key > first && key < last:
			return true
		case key == first && key == last:
			if !d.Last.Before(from) && d.First.Before(to) {
				return true
			}
		case key == first:
			if !d.Last.Before(from) {
				return true
			}
		default: // to's day
			if d.First.Before(to) {
				return true
			}
		}
	}
	return false
}
