// Package bilan aggregates an event's answers and notes into its bilan and
// writes it in each download format. It does no I/O of its own: answers flow
// through an Aggregator once, so memory depends on the number of questions
// and distinct values, not on the number of answers.
package bilan

import (
	"sort"
	"time"

	"github.com/retours/retours/internal/retours"
)

// Version is the version of the JSON shape of Bilan.
const Version = 1

// Bilan is the aggregate of an event's answers and notes.
type Bilan struct {
	Version     int              `json:"version"`
	Event       EventInfo        `json:"event"`
	GeneratedAt time.Time        `json:"generated_at"`
	Answers     int              `json:"answers"`
	Sessions    []SessionSummary `json:"sessions"`
	Questions   []QuestionStats  `json:"questions"`
	Notes       []NoteGroup      `json:"notes"`
}

// EventInfo describes the event a bilan is about.
type EventInfo struct {
	ID              string    `json:"id"`
	Title           string    `json:"title"`
	Place           string    `json:"place,omitempty"`
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	RegisteredCount int       `json:"registered_count,omitempty"`
}

// SessionSummary is the participation in one session. ID "" is the event as
// a whole (answers not tied to a session).
type SessionSummary struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Kind    string `json:"kind,omitempty"`
	Answers int    `json:"answers"`
}

// QuestionStats summarises the answers to one question.
type QuestionStats struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Count int    `json:"count"`
	// Mean is set for rating and nps questions.
	Mean float64 `json:"mean,omitempty"`
	// Distribution counts each value (number or choice id) in scale or choice order.
	Distribution []Bucket `json:"distribution,omitempty"`
}

// Bucket is one value of a distribution.
type Bucket struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// NoteGroup holds the notes of one kind.
type NoteGroup struct {
	Kind  string     `json:"kind"`
	Count int        `json:"count"`
	Notes []NoteItem `json:"notes"`
}

// NoteItem is one note as shown in a bilan.
type NoteItem struct {
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Aggregator accumulates answers and notes into a Bilan.
type Aggregator struct {
	event    *retours.Event
	lang     string
	answers  int
	sessions map[string]int
	counts   []map[string]int // per question: value → count
	totals   []int            // per question: answers
	sums     []int64          // per question: sum of numbers
	notes    map[string][]NoteItem
}

// New returns an Aggregator for e whose labels are in lang.
func New(e *retours.Event, lang string) *Aggregator {
	n := len(e.Questionnaire.Questions)
	a := &Aggregator{
		event: e, lang: lang,
		sessions: map[string]int{},
		counts:   make([]map[string]int, n),
		totals:   make([]int, n),
		sums:     make([]int64, n),
		notes:    map[string][]NoteItem{},
	}
	for i := range a.counts {
		a.counts[i] = map[string]int{}
	}
	return a
}

// AddAnswer adds one answer.
func (a *Aggregator) AddAnswer(ans *retours.Answer) {
	a.answers++
	a.sessions[ans.SessionID]++
	for i := range a.event.Questionnaire.Questions {
		q := &a.event.Questionnaire.Questions[i]
		v, ok := ans.Values[q.ID]
		if !ok {
			continue
		}
		a.totals[i]++
		switch q.Kind {
		case retours.QuestionRating, retours.QuestionNPS:
			a.sums[i] += int64(v.Number)
			a.counts[i][itoa(v.Number)]++
		case retours.QuestionSingle, retours.QuestionMulti:
			for _, c := range v.Choices {
				a.counts[i][c]++
			}
		}
	}
}

// AddNote adds one note. Hidden notes are left out.
func (a *Aggregator) AddNote(n *retours.Note) {
	if n.Hidden {
		return
	}
	a.notes[n.Kind] = append(a.notes[n.Kind], NoteItem{Text: n.Text, CreatedAt: n.CreatedAt})
}

// Bilan returns the aggregate of what was added, as of now.
func (a *Aggregator) Bilan(now time.Time) *Bilan {
	e := a.event
	b := &Bilan{
		Version: Version,
		Event: EventInfo{ID: e.ID, Title: e.Title, Place: e.Place, StartsAt: e.StartsAt, EndsAt: e.EndsAt,
			RegisteredCount: e.RegisteredCount},
		GeneratedAt: now.UTC(),
		Answers:     a.answers,
	}
	if n := a.sessions[""]; n > 0 {
		b.Sessions = append(b.Sessions, SessionSummary{Title: e.Title, Answers: n})
	}
	for _, s := range e.Sessions {
		b.Sessions = append(b.Sessions, SessionSummary{ID: s.ID, Title: s.Title, Kind: s.Kind, Answers: a.sessions[s.ID]})
	}
	for i := range e.Questionnaire.Questions {
		q := &e.Questionnaire.Questions[i]
		qs := QuestionStats{ID: q.ID, Kind: q.Kind, Label: q.Label.In(a.lang), Count: a.totals[i]}
		switch q.Kind {
		case retours.QuestionRating, retours.QuestionNPS:
			if a.totals[i] > 0 {
				qs.Mean = float64(a.sums[i]) / float64(a.totals[i])
			}
			lo, hi := q.Scale()
			for v := lo; v <= hi; v++ {
				qs.Distribution = append(qs.Distribution, Bucket{Value: itoa(v), Label: itoa(v), Count: a.counts[i][itoa(v)]})
			}
		case retours.QuestionSingle, retours.QuestionMulti:
			for _, c := range q.Choices {
				qs.Distribution = append(qs.Distribution, Bucket{Value: c.ID, Label: c.Label.In(a.lang), Count: a.counts[i][c.ID]})
			}
		}
		b.Questions = append(b.Questions, qs)
	}
	for _, k := range retours.NoteKinds {
		items := a.notes[k]
		sort.SliceStable(items, func(i, j int) bool { return items[i].CreatedAt.Before(items[j].CreatedAt) })
		b.Notes = append(b.Notes, NoteGroup{Kind: k, Count: len(items), Notes: items})
	}
	return b
}

func itoa(n int) string {
	if n >= 0 && n <= 10 {
		return smallInts[n]
	}
	return formatInt(n)
}

var smallInts = [...]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}
