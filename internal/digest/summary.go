package digest

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/suppress"
)

// maxQuotes is how many of the week's notes a digest quotes per event.
const maxQuotes = 3

// Summary is what happened to one event during the digest's week, as the
// digest may tell it: a count or figure that could tell a small group of
// answers apart is not Shown (see Summarise).
type Summary struct {
	Event *retours.Event
	// Since and Until bound the week: [Since, Until).
	Since, Until time.Time
	NewAnswers   Count          // the week's answers
	Answers      Count          // every answer up to Until
	Sessions     []SessionCount // sessions with new answers that the bilan shows, in the event's order
	Satisfaction Figure
	NPS          Figure
	NewNotes     int
	Quotes       []Quote
	// NewThemes are the bilan's themes that were not in the bilan of a week ago.
	NewThemes []string
}

// Count is a number of answers, and whether the digest may give it.
type Count struct {
	N     int
	Shown bool
}

// SessionCount is the number of new answers about one session; ID "" is the
// event as a whole.
type SessionCount struct {
	ID, Title string
	New       Count
}

// Figure is one figure of the bilan now and a week ago, when the
// questionnaire Asked for it, and what the digest may say of it: the figure
// now when Shown, and its change over the week when Change (with no answer
// before the week, it is the first week).
type Figure struct {
	Now, Before          Stat
	Asked, Shown, Change bool
}

// Stat is one figure of the bilan with the number of answers behind it.
type Stat struct {
	Value float64
	Count int
	Max   int // top of the rating scale; 0 for NPS
}

// Quote is one of the week's notes. Session is the title of its session,
// left empty when the bilan does not show the session with answers.
type Quote struct {
	Kind, Text, Session string
	CreatedAt           time.Time
}

// tally counts one slot's answers (a session, or the event as a whole)
// before the week and during it: every answer, then those that answered
// the satisfaction question and the first nps question.
type tally [2][3]int

const (
	before, during    = 0, 1
	answers, sat, nps = 0, 1, 2
)

// Summarise reads the event's answers and notes once and returns what
// happened in [since, until). Items created at or after until are ignored,
// so that a run "as of" a past instant sees what it would have seen then.
//
// Its counts and figures keep the bilan's anonymity rule, read together
// with the bilan as of until: the sessions are a table whose columns are
// the answers before the week and during it (internal/suppress). The bilan
// gives each session's total; the digest the week's count of each session
// it shows, and of the event. A session the bilan hides is named nowhere,
// and a count that would tell apart fewer answers than the threshold (in a
// session or before the week, by difference) is not given. A figure's
// change over the week, which gives the figure a week ago and so that of
// the week's answers, is given only when the same table for that
// question's answers allows it.
func Summarise(ctx context.Context, st retours.AnswerStore, e *retours.Event, since, until time.Time) (*Summary, error) {
	aggNow, aggBefore := bilan.New(e, "fr"), bilan.New(e, "fr")
	slots := map[string]*tally{}
	satQ, hasSat := e.Questionnaire.ByRole(retours.RoleSatisfaction)
	npsQ := firstNPS(e)
	s := &Summary{Event: e, Since: since, Until: until}
	err := st.Answers(ctx, e.ID, func(a *retours.Answer) error {
		if !a.CreatedAt.Before(until) {
			return nil
		}
		aggNow.AddAnswer(a)
		when := during
		if a.CreatedAt.Before(since) {
			aggBefore.AddAnswer(a)
			when = before
		}
		slot := a.SessionID
		if _, ok := e.Session(slot); !ok {
			slot = ""
		}
		if slots[slot] == nil {
			slots[slot] = &tally{}
		}
		t := slots[slot]
		t[when][answers]++
		if _, ok := a.Values[satQ.ID]; hasSat && ok {
			t[when][sat]++
		}
		if _, ok := a.Values[npsQ.ID]; npsQ != nil && ok {
			t[when][nps]++
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
		aggNow.AddNote(n)
		if n.CreatedAt.Before(since) {
			aggBefore.AddNote(n)
		} else if !n.Hidden {
			notes = append(notes, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	bNow, bBefore := aggNow.Bilan(until), aggBefore.Bilan(since)
	wk := newWeekTable(e, bNow, slots)
	s.NewAnswers = Count{N: wk.total(during, answers), Shown: wk.newShown()}
	s.Answers = Count{N: wk.total(before, answers) + wk.total(during, answers), Shown: !bNow.Suppressed}
	for _, id := range wk.rows {
		if id == otherSessions || slots[id][during][answers] == 0 {
			continue
		}
		title := e.Title
		if ss, ok := e.Session(id); ok {
			title = ss.Title
		}
		s.Sessions = append(s.Sessions, SessionCount{ID: id, Title: title, New: Count{N: slots[id][during][answers], Shown: wk.cellShown(id)}})
	}
	if hasSat {
		_, hi := satQ.Scale()
		s.Satisfaction = Figure{Now: mean(bNow, satQ.ID, hi), Before: mean(bBefore, satQ.ID, hi), Asked: true, Change: wk.changeShown(sat)}
		s.Satisfaction.Shown = s.Satisfaction.Now.Count > 0
	}
	if npsQ != nil {
		s.NPS = Figure{Now: npsOf(bNow, npsQ.ID), Before: npsOf(bBefore, npsQ.ID), Asked: true, Change: wk.changeShown(nps)}
		s.NPS.Shown = s.NPS.Now.Count > 0
	}

	named := map[string]string{}
	for _, g := range bNow.Sessions {
		if g.ID != "" && !g.Suppressed && g.Answers >= bNow.Threshold {
			named[g.ID] = g.Title
		}
	}
	s.NewNotes = len(notes)
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].CreatedAt.Before(notes[j].CreatedAt) })
	for _, n := range notes[:min(len(notes), maxQuotes)] {
		// Name the session only when the bilan shows it with answers, so
		// that a quote cannot be tied to one of a handful of people.
		s.Quotes = append(s.Quotes, Quote{Kind: n.Kind, Text: n.Text, CreatedAt: n.CreatedAt, Session: named[n.SessionID]})
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

func firstNPS(e *retours.Event) *retours.Question {
	for i, q := range e.Questionnaire.Questions {
		if q.Kind.IsNPS() {
			return &e.Questionnaire.Questions[i]
		}
	}
	return nil
}

// otherSessions is the row of the sessions the bilan hides, together: the
// bilan gives their total, never one of them.
const otherSessions = "\x00other"

// weekTable is the event's answers by session (the ones the bilan shows,
// then the others together) and by before or during the week, with what
// the bilan as of until shows of it.
type weekTable struct {
	rows   []string
	slots  map[string]*tally
	hidden bool // the bilan shows no figure of the answers
	th     int
	counts *suppress.Table
}

func newWeekTable(e *retours.Event, b *bilan.Bilan, slots map[string]*tally) *weekTable {
	w := &weekTable{slots: map[string]*tally{}, hidden: b.Suppressed, th: b.Threshold}
	other := &tally{}
	for _, g := range b.Sessions {
		t := slots[g.ID]
		if t == nil {
			continue
		}
		if g.Suppressed {
			for i := range t {
				for j := range t[i] {
					other[i][j] += t[i][j]
				}
			}
			continue
		}
		w.rows = append(w.rows, g.ID)
		w.slots[g.ID] = t
	}
	if *other != (tally{}) {
		w.rows = append(w.rows, otherSessions)
		w.slots[otherSessions] = other
	}
	if !w.hidden {
		w.counts = w.solve(answers, true)
	}
	return w
}

// solve decides the table of one statistic. With cells, the week's count
// of each session shown is to decide, and the event's (the answers before
// the week never show). Without, it is a question's table: its figures in
// the week show (or hide) as the counts do, since answering a question the
// questionnaire requires makes its count that of the answers, and only its
// figure before the week, which a change over the week gives away, is to
// decide.
func (w *weekTable) solve(stat int, cells bool) *suppress.Table {
	counts := make([][]int, len(w.rows))
	for r, id := range w.rows {
		t := w.slots[id]
		counts[r] = []int{t[before][stat], t[during][stat]}
	}
	tab := suppress.New(w.th, counts)
	total := suppress.Total
	tab.Fix(suppress.Figure{Row: total, Col: total}, suppress.Shown)
	// as fixes f as the counts' table shows it.
	as := func(f suppress.Figure) {
		switch {
		case w.counts.Failed():
			tab.Fix(f, suppress.Hidden)
		case w.counts.Shown(f):
			tab.Fix(f, suppress.Shown)
		default:
			tab.Fix(f, suppress.Hidden)
		}
	}
	for r, id := range w.rows {
		tab.Fix(suppress.Figure{Row: r, Col: total}, suppress.Shown)
		tab.Fix(suppress.Figure{Row: r, Col: before}, suppress.Unpublished)
		switch {
		case id == otherSessions:
			tab.Fix(suppress.Figure{Row: r, Col: during}, suppress.Unpublished)
		case !cells:
			as(suppress.Figure{Row: r, Col: during})
		}
	}
	if cells {
		tab.Fix(suppress.Figure{Row: total, Col: before}, suppress.Unpublished)
	} else {
		as(suppress.Figure{Row: total, Col: during})
	}
	tab.Solve()
	return tab
}

func (w *weekTable) total(when, stat int) int {
	n := 0
	for _, t := range w.slots {
		n += t[when][stat]
	}
	return n
}

func (w *weekTable) newShown() bool {
	if w.hidden {
		return w.total(during, answers) == 0
	}
	return !w.counts.Failed() && w.counts.Shown(suppress.Figure{Row: suppress.Total, Col: during})
}

func (w *weekTable) cellShown(id string) bool {
	if w.hidden || w.counts.Failed() {
		return false
	}
	r := slices.Index(w.rows, id)
	return w.counts.Shown(suppress.Figure{Row: r, Col: during})
}

// changeShown reports whether a figure's change over the week may be
// given: the figure a week ago, with the one now, gives that of the week's
// answers.
func (w *weekTable) changeShown(stat int) bool {
	if w.hidden {
		return false
	}
	tab := w.solve(stat, false)
	return !tab.Failed() && tab.Shown(suppress.Figure{Row: suppress.Total, Col: before})
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

func npsOf(b *bilan.Bilan, id string) Stat {
	q, ok := question(b, id)
	if !ok || q.NPS == nil {
		return Stat{}
	}
	return Stat{Value: q.NPS.Score, Count: q.Count}
}
