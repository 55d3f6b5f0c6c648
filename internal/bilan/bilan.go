// Package bilan aggregates an event's answers and notes into its bilan and
// writes it in each download format. Aggregation does no I/O: answers flow
// through an Aggregator once, so memory depends on the number of questions,
// sessions, profiles and distinct words, not on the number of answers.
package bilan

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/retours/retours/internal/retours"
)

// Version is the version of the JSON shape of Bilan (see the README's
// "Bilan JSON"). It changes when a field changes meaning or disappears.
// Version 2: suppressed cells include those hidden so that a small one
// cannot be recomputed, the event as a whole is suppressed below the
// threshold, profiles include answers without one, and the profile
// question's distribution covers every answer.
const Version = 2

// TopThemes is the number of themes a bilan shows.
const TopThemes = 8

// Bilan is the aggregate of an event's answers and notes.
type Bilan struct {
	Version int       `json:"version"`
	Lang    string    `json:"lang"`
	Event   EventInfo `json:"event"`
	// AsOf is when the latest answer or note counted was written.
	AsOf time.Time `json:"as_of,omitzero"`
	// Threshold is the anonymity threshold: no figure shown covers fewer
	// answers (see publish.go).
	Threshold int `json:"anonymity_threshold"`
	// Suppressed: the event has fewer answers than the threshold, and no
	// figure of its answers is given.
	Suppressed bool `json:"suppressed,omitempty"`
	// Answers counts every answer, Notes the notes shown.
	Answers int `json:"answers,omitempty"`
	Notes   int `json:"notes"`
	// ResponseRate is Answers over the registered count, when known.
	ResponseRate *float64 `json:"response_rate,omitempty"`
	// Channels counts the answers and the notes shown by the way they came:
	// the web, then paper sheets typed in (retours.Channels).
	Channels []ChannelCount `json:"channels"`
	// Questions summarises every answer, whatever its session.
	Questions []QuestionStats `json:"questions"`
	// Sessions: the event as a whole (id "", answers not tied to a session)
	// when it has answers, then each session in programme order.
	Sessions []Group `json:"sessions"`
	// Profiles breaks the answers down by the profile question's choices,
	// then the answers without a profile (id ""), if any.
	Profiles   []Group     `json:"profiles,omitempty"`
	NoteGroups []NoteGroup `json:"note_groups"`
	Themes     []Theme     `json:"themes"`
	// Comparison with the previous edition of the series, if any.
	Comparison *Comparison `json:"comparison,omitempty"`
	// GeneratedAt is when the bilan was computed. It is not part of any
	// format, so that a stored snapshot and a fresh computation of the same
	// answers give the same download.
	GeneratedAt time.Time `json:"-"`
}

// ChannelCount is the participation through one channel. Answers is left
// out, as the bilan's, when the event has too few answers to show any.
type ChannelCount struct {
	Channel string `json:"channel"`
	Label   string `json:"label"`
	Answers int    `json:"answers,omitempty"`
	Notes   int    `json:"notes"`
}

// EventInfo describes the event a bilan is about.
type EventInfo struct {
	ID              string    `json:"id"`
	Title           string    `json:"title"`
	Place           string    `json:"place,omitempty"`
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	Series          string    `json:"series,omitempty"`
	Edition         int       `json:"edition,omitempty"`
	RegisteredCount int       `json:"registered_count,omitempty"`
}

// Group is one breakdown cell: a session, a profile, or a profile within a
// session. A Suppressed cell (fewer answers than the threshold, or hidden so
// that such a cell cannot be recomputed) carries nothing but its name.
type Group struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Kind       string `json:"kind,omitempty"`
	Suppressed bool   `json:"suppressed,omitempty"`
	Answers    int    `json:"answers,omitempty"`
	// Satisfaction is the mean of the satisfaction question, NPS the score of
	// the first nps question.
	Satisfaction *float64        `json:"satisfaction,omitempty"`
	NPS          *float64        `json:"nps,omitempty"`
	Questions    []QuestionStats `json:"questions,omitempty"`
	// Profiles is the profile breakdown within a session (count and
	// satisfaction only): every profile with answers, then the answers
	// without a profile (id "").
	Profiles []Group `json:"profiles,omitempty"`
}

// QuestionStats summarises the answers to one question.
type QuestionStats struct {
	ID    string               `json:"id"`
	Kind  retours.QuestionKind `json:"kind"`
	Role  string               `json:"role,omitempty"`
	Label string               `json:"label"`
	Count int                  `json:"count"`
	// Mean, Median and CI95 are set for rating and nps questions with
	// answers; CI95 needs two.
	Mean   *float64  `json:"mean,omitempty"`
	Median *float64  `json:"median,omitempty"`
	CI95   *Interval `json:"ci95,omitempty"`
	NPS    *NPS      `json:"nps,omitempty"`
	// Distribution counts each value (number or choice id) in scale or
	// choice order. For multi questions shares add up to more than 1. The
	// profile question's covers every answer: Count is the group's answers
	// and a last bucket (value "") counts those without a profile; its
	// buckets are suppressed as the profile cells they count.
	Distribution []Bucket `json:"distribution,omitempty"`
	// profile marks the profile question's summary, which publish
	// suppresses as the profile breakdown.
	profile bool
}

// Interval is a confidence interval.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// NPS is a Net Promoter Score: promoters answer 9 or 10, detractors 0 to 6.
type NPS struct {
	Score      float64 `json:"score"` // -100 to 100
	Promoters  int     `json:"promoters"`
	Passives   int     `json:"passives"`
	Detractors int     `json:"detractors"`
}

// Bucket is one value of a distribution. A Suppressed bucket gives no
// count or share.
type Bucket struct {
	Value      string  `json:"value"`
	Label      string  `json:"label"`
	Count      int     `json:"count"`
	Share      float64 `json:"share"` // of the question's answers
	Suppressed bool    `json:"suppressed,omitempty"`
}

// MarshalJSON leaves out a suppressed bucket's count and share.
func (b Bucket) MarshalJSON() ([]byte, error) {
	if b.Suppressed {
		return json.Marshal(struct {
			Value      string `json:"value"`
			Label      string `json:"label"`
			Suppressed bool   `json:"suppressed"`
		}{b.Value, b.Label, true})
	}
	type plain Bucket
	return json.Marshal(plain(b))
}

// NoteGroup holds the notes of one kind.
type NoteGroup struct {
	Kind  string     `json:"kind"`
	Title string     `json:"title"`
	Count int        `json:"count"`
	Notes []NoteItem `json:"notes"`
}

// NoteItem is one note as shown in a bilan.
type NoteItem struct {
	Text string `json:"text"`
	// Session is the title of the note's session, or "" when the note is
	// about the event as a whole or its session is not shown with answers
	// (see publish).
	Session   string    `json:"session,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// sessionID is the id of Session, "" when it is "": what a session's
	// report picks its notes by.
	sessionID string
}

// Coverage says which answers and notes an aggregate covers: a stored
// snapshot stands for the current answers when its coverage is the same.
type Coverage = retours.Coverage

// Aggregator accumulates answers and notes into a Bilan. It is not safe for
// concurrent use.
type Aggregator struct {
	event *retours.Event
	lang  string
	qs    []qinfo
	// width is the length of one cell's counters: cell[0] counts answers,
	// then each question has its answered count followed by one counter per
	// value.
	width int
	// Cells are indexed by session slot (0 all, 1 the event as a whole, 2+
	// sessions) and profile slot (0 all, 1 not given, 2+ profile choices).
	nSess, nProf int
	cells        []int64
	sessions     map[string]int // session id → slot
	profile      int            // index in qs of the profile question, or -1
	satisfaction int            // index in qs, or -1
	nps          int            // index in qs of the first nps question, or -1
	coverage     Coverage
	asOf         time.Time
	themes       *Themes
	notes        []noteRec
	// byChannel counts answers by channel.
	byChannel map[string]int
}

type qinfo struct {
	q       *retours.Question
	id      string
	kind    retours.QuestionKind
	off     int // answered count at off, values from off+1
	lo, hi  int // numeric scale
	choices []string
}

type noteRec struct {
	kind, text, session, channel string
	createdAt                    time.Time
	id                           string
}

// New returns an Aggregator for e whose labels are in lang.
func New(e *retours.Event, lang string) *Aggregator {
	if !retours.IsLanguage(lang) {
		lang = retours.Languages[0]
	}
	a := &Aggregator{
		event: e, lang: lang, width: 1,
		sessions: make(map[string]int, len(e.Sessions)),
		profile:  -1, satisfaction: -1, nps: -1,
		themes: NewThemes(),
	}
	for i := range e.Questionnaire.Questions {
		q := &e.Questionnaire.Questions[i]
		qi := qinfo{q: q, id: q.ID, kind: q.Kind, off: a.width}
		a.width++
		switch {
		case q.Kind.IsScale():
			qi.lo, qi.hi = q.Scale()
			a.width += qi.hi - qi.lo + 1
		case q.Kind.HasChoices():
			for _, c := range q.Choices {
				qi.choices = append(qi.choices, c.ID)
			}
			a.width += len(q.Choices)
		}
		switch {
		case q.Role == retours.RoleProfile && q.Kind.Fits(q.Role) && a.profile < 0:
			a.profile = len(a.qs)
		case q.Role == retours.RoleSatisfaction && q.Kind.Fits(q.Role) && a.satisfaction < 0:
			a.satisfaction = len(a.qs)
		case q.Kind.IsNPS() && a.nps < 0:
			a.nps = len(a.qs)
		}
		a.qs = append(a.qs, qi)
	}
	a.nSess = len(e.Sessions) + 2
	for i, s := range e.Sessions {
		a.sessions[s.ID] = i + 2
	}
	a.nProf = 2
	if a.profile >= 0 {
		a.nProf += len(a.qs[a.profile].choices)
	}
	a.cells = make([]int64, a.nSess*a.nProf*a.width)
	return a
}

func (qi *qinfo) choice(id string) int {
	for i, c := range qi.choices {
		if c == id {
			return i
		}
	}
	return -1
}

// AddAnswer adds one answer. Values that do not fit the questionnaire (a
// number off the scale, an unknown choice) are ignored; text answers the
// organisers hid are counted in no statistic and quoted nowhere.
func (a *Aggregator) AddAnswer(ans *retours.Answer) {
	a.coverage.Answers++
	if ans.CreatedAt.After(a.asOf) {
		a.asOf = ans.CreatedAt
	}
	if a.byChannel == nil {
		a.byChannel = map[string]int{}
	}
	a.byChannel[retours.ChannelOf(ans.Channel)]++
	s := 1
	if ans.SessionID != "" {
		if slot, ok := a.sessions[ans.SessionID]; ok {
			s = slot
		}
	}
	p := 1
	if a.profile >= 0 {
		qi := &a.qs[a.profile]
		if v, ok := ans.Values[qi.id]; ok && len(v.Choices) == 1 {
			if c := qi.choice(v.Choices[0]); c >= 0 {
				p = 2 + c
			}
		}
	}
	w := a.width
	// The four cells an answer counts in: all × all, all × profile,
	// session × all, session × profile.
	c0 := a.cells[0:w:w]
	c1 := a.cells[p*w : p*w+w : p*w+w]
	base := s * a.nProf * w
	c2 := a.cells[base : base+w : base+w]
	c3 := a.cells[base+p*w : base+p*w+w : base+p*w+w]
	c0[0]++
	c1[0]++
	c2[0]++
	c3[0]++
	for i := range a.qs {
		qi := &a.qs[i]
		v, ok := ans.Values[qi.id]
		if !ok {
			continue
		}
		switch {
		case qi.kind.IsScale():
			if v.Number < qi.lo || v.Number > qi.hi {
				continue
			}
			k := qi.off + 1 + v.Number - qi.lo
			c0[qi.off]++
			c1[qi.off]++
			c2[qi.off]++
			c3[qi.off]++
			c0[k]++
			c1[k]++
			c2[k]++
			c3[k]++
		case qi.kind.HasChoices():
			counted := false
			for _, id := range v.Choices {
				c := qi.choice(id)
				if c < 0 {
					continue
				}
				k := qi.off + 1 + c
				c0[k]++
				c1[k]++
				c2[k]++
				c3[k]++
				counted = true
			}
			if counted {
				c0[qi.off]++
				c1[qi.off]++
				c2[qi.off]++
				c3[qi.off]++
			}
		case qi.kind.IsText():
			if v.Text == "" || isHidden(ans.Hidden, qi.id) {
				continue
			}
			c0[qi.off]++
			c1[qi.off]++
			c2[qi.off]++
			c3[qi.off]++
			a.themes.Add(v.Text, ans.SessionID)
		}
	}
}

func isHidden(hidden []string, id string) bool {
	for _, h := range hidden {
		if h == id {
			return true
		}
	}
	return false
}

// AddNote adds one note. Notes the organisers hid are left out.
func (a *Aggregator) AddNote(n *retours.Note) {
	a.coverage.Notes++
	if n.CreatedAt.After(a.asOf) {
		a.asOf = n.CreatedAt
	}
	if n.Hidden || !retours.ValidNoteKind(n.Kind) {
		return
	}
	session := n.SessionID
	if _, ok := a.sessions[session]; !ok {
		session = ""
	}
	a.notes = append(a.notes, noteRec{kind: n.Kind, text: n.Text, session: session, channel: retours.ChannelOf(n.Channel), createdAt: n.CreatedAt.UTC(), id: n.ID})
	a.themes.Add(n.Text, session)
}

// Coverage returns the number of answers and notes added, hidden or not.
func (a *Aggregator) Coverage() Coverage { return a.coverage }

func (a *Aggregator) cell(s, p int) []int64 {
	i := (s*a.nProf + p) * a.width
	return a.cells[i : i+a.width]
}

// Bilan returns the aggregate of what was added, as it may be shown (see
// publish); now is recorded as GeneratedAt.
func (a *Aggregator) Bilan(now time.Time) *Bilan {
	b := a.compute(now)
	publish(b)
	return b
}

// compute returns every figure of every cell, none suppressed, with notes
// and quotes attributed by session id: publish turns it into what may be
// shown.
func (a *Aggregator) compute(now time.Time) *Bilan {
	e := a.event
	th := e.AnonymityThreshold
	if th <= 0 {
		th = retours.DefaultAnonymityThreshold
	}
	all := a.cell(0, 0)
	b := &Bilan{
		Version: Version, Lang: a.lang,
		Event: EventInfo{ID: e.ID, Title: e.Title, Place: e.Place, StartsAt: e.StartsAt.UTC(), EndsAt: e.EndsAt.UTC(),
			Series: e.Series, Edition: e.Edition, RegisteredCount: e.RegisteredCount},
		AsOf:        a.asOf.UTC(),
		Threshold:   th,
		Answers:     int(all[0]),
		Questions:   a.questionStats(all),
		GeneratedAt: now.UTC(),
	}
	if e.RegisteredCount > 0 {
		r := float64(b.Answers) / float64(e.RegisteredCount)
		b.ResponseRate = &r
	}
	if c := a.cell(1, 0); c[0] > 0 {
		b.Sessions = append(b.Sessions, a.group(1, 0, "", e.Title, ""))
	}
	for i, s := range e.Sessions {
		b.Sessions = append(b.Sessions, a.group(i+2, 0, s.ID, s.Title, s.Kind))
	}
	if a.profile >= 0 {
		q := a.qs[a.profile].q
		for i, c := range q.Choices {
			b.Profiles = append(b.Profiles, a.group(0, i+2, c.ID, c.Label.In(a.lang), ""))
		}
		if a.cell(0, 1)[0] > 0 {
			b.Profiles = append(b.Profiles, a.group(0, 1, "", messages.T(a.lang, "profile_none"), ""))
		}
	}
	slices.SortStableFunc(a.notes, func(x, y noteRec) int {
		if c := x.createdAt.Compare(y.createdAt); c != 0 {
			return c
		}
		return cmp.Compare(x.id, y.id)
	})
	for _, k := range retours.NoteKinds {
		g := NoteGroup{Kind: k, Title: messages.T(a.lang, "note."+k), Notes: []NoteItem{}}
		for _, n := range a.notes {
			if n.kind == k {
				g.Notes = append(g.Notes, NoteItem{Text: n.text, Session: n.session, CreatedAt: n.createdAt, sessionID: n.session})
			}
		}
		g.Count = len(g.Notes)
		b.Notes += g.Count
		b.NoteGroups = append(b.NoteGroups, g)
	}
	b.Themes = a.themes.Top(TopThemes)
	for _, ch := range retours.Channels {
		c := ChannelCount{Channel: ch, Label: channelLabel(a.lang, ch), Answers: a.byChannel[ch]}
		for _, n := range a.notes {
			if n.channel == ch {
				c.Notes++
			}
		}
		b.Channels = append(b.Channels, c)
	}
	return b
}

// group builds the cell (s, p) with every figure. Session cells carry their
// profile breakdown: each profile with answers, then those without one.
func (a *Aggregator) group(s, p int, id, title, kind string) Group {
	c := a.cell(s, p)
	if c[0] == 0 {
		return Group{ID: id, Title: title, Kind: kind}
	}
	g := a.crossCell(s, p, id, title)
	g.Kind = kind
	if a.nps >= 0 {
		if st := a.numeric(c, &a.qs[a.nps]); st.NPS != nil {
			g.NPS = &st.NPS.Score
		}
	}
	g.Questions = a.questionStats(c)
	if s > 0 && p == 0 && a.profile >= 0 {
		q := a.qs[a.profile].q
		for i, ch := range q.Choices {
			if a.cell(s, i+2)[0] > 0 {
				g.Profiles = append(g.Profiles, a.crossCell(s, i+2, ch.ID, ch.Label.In(a.lang)))
			}
		}
		if a.cell(s, 1)[0] > 0 {
			g.Profiles = append(g.Profiles, a.crossCell(s, 1, "", messages.T(a.lang, "profile_none")))
		}
	}
	return g
}

// crossCell builds the cell (s, p) with its answers and satisfaction only,
// as a profile within a session shows them.
func (a *Aggregator) crossCell(s, p int, id, title string) Group {
	c := a.cell(s, p)
	g := Group{ID: id, Title: title, Answers: int(c[0])}
	if a.satisfaction >= 0 {
		if st := a.numeric(c, &a.qs[a.satisfaction]); st.Mean != nil {
			g.Satisfaction = st.Mean
		}
	}
	return g
}

// profileStats summarises the profile question over every answer of a
// cell: each choice, then the answers without a profile.
func (a *Aggregator) profileStats(c []int64) QuestionStats {
	qi := &a.qs[a.profile]
	total := int(c[0])
	qs := QuestionStats{ID: qi.id, Kind: qi.kind, Role: qi.q.Role, Label: qi.q.Label.In(a.lang), Count: total, profile: true}
	for j, ch := range qi.q.Choices {
		n := int(c[qi.off+1+j])
		qs.Distribution = append(qs.Distribution, Bucket{Value: ch.ID, Label: ch.Label.In(a.lang), Count: n, Share: share(n, total)})
	}
	none := total - int(c[qi.off])
	qs.Distribution = append(qs.Distribution, Bucket{Label: messages.T(a.lang, "profile_none"), Count: none, Share: share(none, total)})
	return qs
}

func (a *Aggregator) questionStats(c []int64) []QuestionStats {
	out := make([]QuestionStats, 0, len(a.qs))
	for i := range a.qs {
		qi := &a.qs[i]
		if i == a.profile {
			out = append(out, a.profileStats(c))
			continue
		}
		if qi.kind.IsScale() {
			out = append(out, a.numeric(c, qi))
			continue
		}
		qs := QuestionStats{ID: qi.id, Kind: qi.kind, Role: qi.q.Role, Label: qi.q.Label.In(a.lang), Count: int(c[qi.off])}
		if qi.kind.HasChoices() {
			for j, ch := range qi.q.Choices {
				n := int(c[qi.off+1+j])
				qs.Distribution = append(qs.Distribution, Bucket{Value: ch.ID, Label: ch.Label.In(a.lang), Count: n, Share: share(n, qs.Count)})
			}
		}
		out = append(out, qs)
	}
	return out
}

// numeric summarises a rating or nps question from its value counts.
func (a *Aggregator) numeric(c []int64, qi *qinfo) QuestionStats {
	qs := QuestionStats{ID: qi.id, Kind: qi.kind, Role: qi.q.Role, Label: qi.q.Label.In(a.lang), Count: int(c[qi.off])}
	counts := c[qi.off+1 : qi.off+1+qi.hi-qi.lo+1]
	for v := qi.lo; v <= qi.hi; v++ {
		n := int(counts[v-qi.lo])
		qs.Distribution = append(qs.Distribution, Bucket{Value: itoa(v), Label: itoa(v), Count: n, Share: share(n, qs.Count)})
	}
	if qs.Count == 0 {
		return qs
	}
	st := summarize(qi.lo, counts)
	qs.Mean, qs.Median = &st.mean, &st.median
	if st.n >= 2 {
		// Clamped to the scale: a small sample's interval is wide, but no
		// answer lies outside the scale.
		qs.CI95 = &Interval{Low: max(st.mean-st.half, float64(qi.lo)), High: min(st.mean+st.half, float64(qi.hi))}
	}
	if qi.kind.IsNPS() {
		var nps NPS
		for v := qi.lo; v <= qi.hi; v++ {
			n := int(counts[v-qi.lo])
			switch {
			case v >= 9:
				nps.Promoters += n
			case v >= 7:
				nps.Passives += n
			default:
				nps.Detractors += n
			}
		}
		nps.Score = 100 * float64(nps.Promoters-nps.Detractors) / float64(qs.Count)
		qs.NPS = &nps
	}
	return qs
}

func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

func itoa(n int) string {
	if n >= 0 && n <= 10 {
		return smallInts[n]
	}
	return formatInt(n)
}

var smallInts = [...]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}

// channelLabel names a channel in lang.
func channelLabel(lang, channel string) string {
	if channel == retours.ChannelPaper {
		return messages.T(lang, "channel.paper")
	}
	return messages.T(lang, "channel.web")
}
