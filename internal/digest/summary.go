package digest

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
)

// maxQuotes is how many of the week's notes a digest quotes per event.
const maxQuotes = 3

// Summary is what happened to one event during the digest's week.
type Summary struct {
	Event *retours.Event
	// Since and Until bound the week: [Since, Until).
	Since, Until time.Time
	NewAnswers   int
	Answers      int            // every answer up to Until
	Sessions     []SessionCount // sessions with new answers, in the event's order
	// Satisfaction and NPS are now (over every answer) and a week ago.
	Satisfaction, SatisfactionBefore Stat
	NPS, NPSBefore                   Stat
	NewNotes                         int
	Quotes                           []Quote
	// NewThemes are the bilan's themes that were not in the bilan of a week ago.
	NewThemes []string
}

// SessionCount is the number of new answers about one session; ID "" is the
// event as a whole.
type SessionCount struct {
	ID, Title string
	New       int
}

// Stat is one figure of the bilan with the number of answers behind it.
type Stat struct {
	Value float64
	Count int
	Max   int // top of the rating scale; 0 for NPS
}

// Quote is one of the week's notes. Session is the title of its session,
// left empty when the session has too few answers to be named.
type Quote struct {
	Kind, Text, Session string
	CreatedAt           time.Time
}

// Summarise reads the event's answers and notes once and returns what
// happened in [since, until). Items created at or after until are ignored,
// so that a run "as of" a past instant sees what it would have seen then.
func Summarise(ctx context.Context, st retours.AnswerStore, e *retours.Event, since, until time.Time) (*Summary, error) {
	now, before := bilan.New(e, "fr"), bilan.New(e, "fr")
	perSession := map[string]int{}
	s := &Summary{Event: e, Since: since, Until: until}
	err := st.Answers(ctx, e.ID, func(a *retours.Answer) error {
		if !a.CreatedAt.Before(until) {
			return nil
		}
		now.AddAnswer(a)
		if a.CreatedAt.Before(since) {
			before.AddAnswer(a)
		} else {
			s.NewAnswers++
			perSession[a.SessionID]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var notes []*retours.Note
	err = st.Notes(ctx, e.ID, func(n *retours.Note) error {
		if !n.CreatedAt.Before(until) {
			return nil
		}
		now.AddNote(n)
		if n.CreatedAt.Before(since) {
			before.AddNote(n)
		} else if !n.Hidden {
			notes = append(notes, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	bNow, bBefore := now.Bilan(until), before.Bilan(since)
	s.Answers = bNow.Answers

	answersPer := map[string]int{}
	for _, ss := range bNow.Sessions {
		answersPer[ss.ID] = ss.Answers
	}
	if n := perSession[""]; n > 0 {
		s.Sessions = append(s.Sessions, SessionCount{Title: e.Title, New: n})
	}
	for _, ss := range e.Sessions {
		if n := perSession[ss.ID]; n > 0 {
			s.Sessions = append(s.Sessions, SessionCount{ID: ss.ID, Title: ss.Title, New: n})
		}
	}

	if q, ok := e.Questionnaire.ByRole(retours.RoleSatisfaction); ok {
		_, hi := q.Scale()
		s.Satisfaction, s.SatisfactionBefore = mean(bNow, q.ID, hi), mean(bBefore, q.ID, hi)
	}
	for _, q := range e.Questionnaire.Questions {
		if q.Kind == retours.QuestionNPS {
			s.NPS, s.NPSBefore = nps(bNow, q.ID), nps(bBefore, q.ID)
			break
		}
	}

	s.NewNotes = len(notes)
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].CreatedAt.Before(notes[j].CreatedAt) })
	for _, n := range notes[:min(len(notes), maxQuotes)] {
		q := Quote{Kind: n.Kind, Text: n.Text, CreatedAt: n.CreatedAt}
		// Name the session only when it has enough answers that a quote
		// cannot be tied to one of a handful of people.
		if ss, ok := e.Session(n.SessionID); ok && answersPer[n.SessionID] >= threshold(e) {
			q.Session = ss.Title
		}
		s.Quotes = append(s.Quotes, q)
	}

	// Themes that appeared: in the top themes now, not a week ago.
	old := map[string]bool{}
	for _, t := range bBefore.Themes {
		old[strings.ToLower(t.Label)] = true
	}
	for _, t := range bNow.Themes {
		if !old[strings.ToLower(t.Label)] {
			s.NewThemes = append(s.NewThemes, t.Label)
		}
	}
	return s, nil
}

func question(b *bilan.Bilan, id string) (bilan.QuestionStats, bool) {
	for _, q := range b.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return bilan.QuestionStats{}, false
}

func mean(b *bilan.Bilan, id string, max int) Stat {
	q, ok := question(b, id)
	if !ok || q.Mean == nil {
		return Stat{}
	}
	return Stat{Value: *q.Mean, Count: q.Count, Max: max}
}

func nps(b *bilan.Bilan, id string) Stat {
	q, ok := question(b, id)
	if !ok || q.NPS == nil {
		return Stat{}
	}
	return Stat{Value: q.NPS.Score, Count: q.Count}
}

func threshold(e *retours.Event) int {
	if e.AnonymityThreshold > 0 {
		return e.AnonymityThreshold
	}
	return retours.DefaultAnonymityThreshold
}
