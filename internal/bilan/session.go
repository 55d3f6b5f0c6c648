package bilan

import (
	"context"
	"slices"
	"time"

	"github.com/retours/retours/internal/retours"
)

// SessionReport is one session's results as the event's bilan shows them,
// for its speaker or facilitator: the session's figures and distributions,
// the notes the bilan attributes to it and its free-text answers.
//
// It is cut from the whole event's bilan, after its one suppression pass
// (publish.go), never suppressed on its own: a session's figures computed
// alone could show a cell the bilan hides so that another cannot be
// recomputed, and a speaker who also reads the bilan would then recompute
// it. So a report shows nothing the bilan does not — the same session group,
// the same notes with the same attribution — and its texts only when the
// bilan shows the session with at least the threshold of answers, which is
// when it attributes notes to it; their number is the session's count for
// each text question, which the bilan shows too.
type SessionReport struct {
	Version   int       `json:"version"`
	Lang      string    `json:"lang"`
	Event     EventInfo `json:"event"`
	Threshold int       `json:"anonymity_threshold"`
	// Session is the session's group of the bilan: its answers and
	// figures, or its name alone when the bilan does not show it.
	Session   Group `json:"session"`
	Cancelled bool  `json:"cancelled,omitempty"`
	// Notes are the notes the bilan attributes to the session, by kind.
	Notes []NoteGroup `json:"note_groups"`
	// Texts are the session's answers to each text question, not hidden,
	// in alphabetical order.
	Texts []TextGroup `json:"texts"`
}

// TextGroup is the free-text answers to one question.
type TextGroup struct {
	Question string   `json:"question"`
	Label    string   `json:"label"`
	Texts    []string `json:"texts"`
}

// SessionReporter aggregates an event's answers and notes into the report
// of one of its sessions, in one pass.
type SessionReporter struct {
	agg     *Aggregator
	session string
	texts   map[string][]string
}

// NewSessionReporter returns the reporter of e's session, in lang.
func NewSessionReporter(e *retours.Event, lang, sessionID string) *SessionReporter {
	return &SessionReporter{agg: New(e, lang), session: sessionID, texts: map[string][]string{}}
}

// AddAnswer adds one answer of the event.
func (sr *SessionReporter) AddAnswer(a *retours.Answer) {
	sr.agg.AddAnswer(a)
	if a.SessionID != sr.session {
		return
	}
	for id, v := range a.Values {
		if v.Text != "" && !slices.Contains(a.Hidden, id) {
			sr.texts[id] = append(sr.texts[id], v.Text)
		}
	}
}

// AddNote adds one note of the event.
func (sr *SessionReporter) AddNote(n *retours.Note) { sr.agg.AddNote(n) }

// Report returns the session's report, cut from the event's bilan.
func (sr *SessionReporter) Report(now time.Time) *SessionReport {
	b := sr.agg.Bilan(now)
	e := sr.agg.event
	r := &SessionReport{Version: Version, Lang: b.Lang, Event: b.Event, Threshold: b.Threshold, Notes: []NoteGroup{}, Texts: []TextGroup{}}
	if s, ok := e.Session(sr.session); ok {
		r.Session = Group{ID: s.ID, Title: s.Title, Kind: s.Kind}
		r.Cancelled = s.Cancelled
	}
	i := slices.IndexFunc(b.Sessions, func(g Group) bool { return g.ID == sr.session })
	if i >= 0 {
		r.Session = b.Sessions[i]
	}
	shown := i >= 0 && !r.Session.Suppressed && r.Session.Answers >= b.Threshold
	for _, g := range b.NoteGroups {
		ng := NoteGroup{Kind: g.Kind, Title: g.Title, Notes: []NoteItem{}}
		for _, n := range g.Notes {
			if shown && n.sessionID == sr.session {
				ng.Notes = append(ng.Notes, n)
			}
		}
		ng.Count = len(ng.Notes)
		r.Notes = append(r.Notes, ng)
	}
	if !shown {
		return r
	}
	for _, q := range e.Questionnaire.Questions {
		if !q.Kind.IsText() || len(sr.texts[q.ID]) == 0 {
			continue
		}
		texts := slices.Clone(sr.texts[q.ID])
		slices.Sort(texts)
		r.Texts = append(r.Texts, TextGroup{Question: q.ID, Label: q.Label.In(b.Lang), Texts: texts})
	}
	return r
}

// ReportSession reads every answer and note of e and returns the report of
// its session in lang.
func ReportSession(ctx context.Context, st retours.AnswerStore, e *retours.Event, sessionID, lang string, now time.Time) (*SessionReport, error) {
	sr := NewSessionReporter(e, lang, sessionID)
	if err := st.Answers(ctx, e.ID, func(a *retours.Answer) error { sr.AddAnswer(a); return nil }); err != nil {
		return nil, err
	}
	if err := st.Notes(ctx, e.ID, func(n *retours.Note) error { sr.AddNote(n); return nil }); err != nil {
		return nil, err
	}
	return sr.Report(now), nil
}
