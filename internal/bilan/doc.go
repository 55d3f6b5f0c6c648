package bilan

import (
	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
)

// doc is a bilan laid out as sections of text, tables and lists, in one
// language. Markdown and HTML render the same doc, so they have the same
// content; only their escaping and looks differ. Every string in a doc is
// plain text: the writers escape it.
type doc struct {
	Lang     string
	Title    string
	Subtitle []string
	Sections []section
	// Switch is the link to the same page in the other language, if any.
	Switch *link
}

type section struct {
	Title  string
	Text   []string
	Table  *table
	Charts []chart
	Themes []Theme
	Notes  []NoteItem
	Sub    []section
}

type table struct {
	Head []string
	Rows [][]string
	// Num marks the columns to right-align.
	Num []bool
}

// chart is a horizontal bar chart of a distribution.
type chart struct {
	Title string
	Bars  []bar
}

type bar struct {
	Label string
	Count int
	Share float64 // 0 to 1, of the longest bar's scale
	Text  string  // the count and share as shown
}

// layout turns b into a doc: its title and subtitle, then each section in
// order. A section that does not apply (no key figure, no profile, no
// previous edition) is left out.
func layout(b *Bilan) *doc {
	d := &doc{Lang: b.Lang, Title: messages.T(b.Lang, "title") + " — " + b.Event.Title, Subtitle: subtitle(b)}
	for _, build := range []func(*Bilan) (section, bool){
		participationSection,
		keyFiguresSection,
		sessionsSection,
		profilesSection,
		questionsSection,
		themesSection,
		notesSection,
		comparisonSection,
		methodSection,
	} {
		if s, ok := build(b); ok {
			d.Sections = append(d.Sections, s)
		}
	}
	return d
}

// subtitle says where and when the event was, its series and edition, and
// when the answers counted stop.
func subtitle(b *Bilan) []string {
	l := b.Lang
	when := i18n.Date(l, b.Event.StartsAt)
	if b.Event.Place != "" {
		when = b.Event.Place + ", " + when
	}
	out := []string{when}
	if b.Event.Series != "" && b.Event.Edition > 0 {
		out = append(out, b.Event.Series+", "+messages.T(l, "edition")+" "+itoa(b.Event.Edition))
	}
	if !b.AsOf.IsZero() {
		out = append(out, messages.T(l, "asof", i18n.DateTime(l, b.AsOf)))
	}
	return out
}

// participationSection gives the answers, the registered count, the
// response rate and the notes.
func participationSection(b *Bilan) (section, bool) {
	l := b.Lang
	kv := &table{Head: []string{"", ""}, Num: []bool{false, true}}
	answers := itoa(b.Answers)
	if b.Suppressed {
		answers = messages.T(l, "few_answers", b.Threshold)
	}
	kv.Rows = append(kv.Rows, []string{messages.T(l, "answers"), answers})
	if !b.Suppressed {
		for _, c := range b.Channels {
			kv.Rows = append(kv.Rows, []string{messages.T(l, "answers_by", c.Label), itoa(c.Answers)})
		}
	}
	if b.Event.RegisteredCount > 0 {
		kv.Rows = append(kv.Rows, []string{messages.T(l, "registered"), itoa(b.Event.RegisteredCount)})
	}
	if b.ResponseRate != nil {
		kv.Rows = append(kv.Rows, []string{messages.T(l, "response_rate"), percent(l, *b.ResponseRate)})
	}
	kv.Rows = append(kv.Rows, []string{messages.T(l, "notes"), itoa(b.Notes)})
	for _, c := range b.Channels {
		if c.Channel != retours.ChannelWeb && c.Notes > 0 {
			kv.Rows = append(kv.Rows, []string{messages.T(l, "notes_by", c.Label), itoa(c.Notes)})
		}
	}
	return section{Title: messages.T(l, "participation"), Table: kv}, true
}

// keyFiguresSection gives the satisfaction and the NPS, when the
// questionnaire asks for them.
func keyFiguresSection(b *Bilan) (section, bool) {
	l := b.Lang
	var key []string
	for _, q := range b.Questions {
		if q.Role == retours.RoleSatisfaction && q.Mean != nil {
			key = append(key, messages.T(l, "satisfaction")+messages.T(l, "colon")+numericSummary(l, q))
		}
		if q.NPS != nil {
			key = append(key, messages.T(l, "nps")+messages.T(l, "colon")+npsSummary(l, q.NPS))
		}
	}
	return section{Title: messages.T(l, "indicators"), Text: key}, len(key) > 0
}

// sessionsSection gives each session's answers, satisfaction and NPS, and
// the session × profile counts.
func sessionsSection(b *Bilan) (section, bool) {
	l := b.Lang
	st := &table{Head: []string{messages.T(l, "session"), messages.T(l, "answers"), messages.T(l, "satisfaction"), messages.T(l, "nps")}, Num: []bool{false, true, true, true}}
	for _, g := range b.Sessions {
		st.Rows = append(st.Rows, groupRow(l, sessionTitle(l, g), g, suppressed(b)))
	}
	s := section{Title: messages.T(l, "sessions"), Table: st}
	if cross := sessionProfileTable(b); cross != nil {
		s.Sub = append(s.Sub, section{Title: messages.T(l, "session_profiles"), Table: cross})
	}
	return s, true
}

// sessionProfileTable counts the answers of each session shown with answers
// by profile; nil when there are no profiles or no such session.
func sessionProfileTable(b *Bilan) *table {
	if len(b.Profiles) == 0 {
		return nil
	}
	l := b.Lang
	cross := &table{Head: []string{messages.T(l, "session")}, Num: []bool{false}}
	for _, pr := range b.Profiles {
		cross.Head = append(cross.Head, pr.Title)
		cross.Num = append(cross.Num, true)
	}
	for _, g := range b.Sessions {
		if g.Suppressed || g.Answers == 0 {
			continue
		}
		row := []string{sessionTitle(l, g)}
		for _, pr := range b.Profiles {
			count := "0"
			for _, sp := range g.Profiles {
				if sp.ID == pr.ID {
					count = suppressed(b)
					if !sp.Suppressed {
						count = itoa(sp.Answers)
					}
				}
			}
			row = append(row, count)
		}
		cross.Rows = append(cross.Rows, row)
	}
	if len(cross.Rows) == 0 {
		return nil
	}
	return cross
}

// sessionTitle names a session group, the event as a whole for "".
func sessionTitle(l string, g Group) string {
	if g.ID == "" {
		return messages.T(l, "event_whole")
	}
	return g.Title
}

// suppressed is what a hidden cell shows: the same words whether it holds
// fewer answers than the threshold or was hidden with such a cell, so that
// they cannot be told apart.
func suppressed(b *Bilan) string { return messages.T(b.Lang, "suppressed") }

// profilesSection gives each profile's answers, satisfaction and NPS.
func profilesSection(b *Bilan) (section, bool) {
	l := b.Lang
	pt := &table{Head: []string{messages.T(l, "profile"), messages.T(l, "answers"), messages.T(l, "satisfaction"), messages.T(l, "nps")}, Num: []bool{false, true, true, true}}
	for _, g := range b.Profiles {
		pt.Rows = append(pt.Rows, groupRow(l, g.Title, g, suppressed(b)))
	}
	return section{Title: messages.T(l, "profiles"), Table: pt}, len(b.Profiles) > 0
}

// questionsSection gives one subsection per question, or says that the
// answers are too few to give any.
func questionsSection(b *Bilan) (section, bool) {
	qsec := section{Title: messages.T(b.Lang, "questions")}
	if b.Suppressed {
		qsec.Text = []string{messages.T(b.Lang, "few_answers_text", b.Threshold)}
	}
	for _, q := range b.Questions {
		qsec.Sub = append(qsec.Sub, questionSection(b.Lang, q))
	}
	return qsec, true
}

// questionSection gives a question's count and summary, and its
// distribution as a table and a chart.
func questionSection(l string, q QuestionStats) section {
	s := section{Title: q.Label}
	switch {
	case q.Kind.IsText():
		s.Text = append(s.Text, itoa(q.Count)+" "+messages.T(l, "text_answers"))
	case q.Mean != nil:
		s.Text = append(s.Text, messages.Plural(l, "answers_count", q.Count)+messages.T(l, "semicolon")+numericSummary(l, q))
		if q.NPS != nil {
			s.Text = append(s.Text, messages.T(l, "nps")+messages.T(l, "colon")+npsSummary(l, q.NPS))
		}
	default:
		s.Text = append(s.Text, messages.Plural(l, "answers_count", q.Count))
	}
	if len(q.Distribution) == 0 {
		return s
	}
	dt := &table{Head: []string{messages.T(l, "value"), messages.T(l, "answers"), messages.T(l, "share")}, Num: []bool{false, true, true}}
	c := chart{Title: q.Label}
	top := 0
	for _, bk := range q.Distribution {
		top = max(top, bk.Count)
	}
	for _, bk := range q.Distribution {
		if bk.Suppressed {
			hidden := messages.T(l, "suppressed")
			dt.Rows = append(dt.Rows, []string{bk.Label, hidden, ""})
			c.Bars = append(c.Bars, bar{Label: bk.Label, Text: hidden})
			continue
		}
		dt.Rows = append(dt.Rows, []string{bk.Label, itoa(bk.Count), percent(l, bk.Share)})
		sh := 0.0
		if top > 0 {
			sh = float64(bk.Count) / float64(top)
		}
		c.Bars = append(c.Bars, bar{Label: bk.Label, Count: bk.Count, Share: sh, Text: itoa(bk.Count) + " (" + percent(l, bk.Share) + ")"})
	}
	s.Table = dt
	s.Charts = []chart{c}
	return s
}

// themesSection gives the recurring themes, or says there are none.
func themesSection(b *Bilan) (section, bool) {
	th := section{Title: messages.T(b.Lang, "themes"), Themes: b.Themes}
	if len(b.Themes) == 0 {
		th.Text = []string{messages.T(b.Lang, "no_themes")}
	}
	return th, true
}

// notesSection gives the notes, one subsection per kind.
func notesSection(b *Bilan) (section, bool) {
	ns := section{Title: messages.T(b.Lang, "notes_title")}
	for _, g := range b.NoteGroups {
		s := section{Title: g.Title + " (" + itoa(g.Count) + ")", Notes: g.Notes}
		if g.Count == 0 {
			s.Text = []string{messages.T(b.Lang, "no_notes")}
		}
		ns.Sub = append(ns.Sub, s)
	}
	return ns, true
}

// comparisonSection sets the figures beside the previous edition's, when
// there is one.
func comparisonSection(b *Bilan) (section, bool) {
	c := b.Comparison
	if c == nil {
		return section{}, false
	}
	l := b.Lang
	cs := section{Title: messages.T(l, "comparison")}
	prev := c.Previous.Title
	if c.Previous.Edition > 0 {
		prev += " (" + messages.T(l, "edition") + " " + itoa(c.Previous.Edition) + ")"
	}
	cs.Text = []string{prev + ", " + i18n.Date(l, c.Previous.StartsAt)}
	ct := &table{Head: []string{messages.T(l, "indicator"), messages.T(l, "previous"), messages.T(l, "current"), messages.T(l, "change")}, Num: []bool{false, true, true, true}}
	row := func(name string, d *Delta, pct bool) {
		if d == nil {
			return
		}
		if pct {
			ct.Rows = append(ct.Rows, []string{name, percent(l, d.Previous), percent(l, d.Current), signed(l, d.Change*100) + " pts"})
			return
		}
		ct.Rows = append(ct.Rows, []string{name, number(l, d.Previous), number(l, d.Current), signed(l, d.Change)})
	}
	row(messages.T(l, "answers"), c.Answers, false)
	row(messages.T(l, "response_rate"), c.ResponseRate, true)
	row(messages.T(l, "satisfaction"), c.Satisfaction, false)
	row(messages.T(l, "nps"), c.NPS, false)
	for _, q := range c.Questions {
		row(q.Label+" ("+messages.T(l, "mean")+")", &q.Delta, false)
	}
	if len(ct.Rows) == 0 {
		cs.Text = append(cs.Text, messages.T(l, "comparison_none"))
		return cs, true
	}
	cs.Table = ct
	return cs, true
}

// methodSection says how the figures are computed and kept anonymous.
func methodSection(b *Bilan) (section, bool) {
	l, th := b.Lang, b.Threshold
	return section{Title: messages.T(l, "method"), Text: []string{messages.T(l, "method_text"), messages.T(l, "method_anonymity", th, th, th)}}, true
}

func groupRow(l, title string, g Group, suppressed string) []string {
	if g.Suppressed {
		return []string{title, suppressed, "", ""}
	}
	row := []string{title, itoa(g.Answers), "", ""}
	if g.Satisfaction != nil {
		row[2] = number(l, *g.Satisfaction)
	}
	if g.NPS != nil {
		row[3] = number(l, *g.NPS)
	}
	return row
}

func numericSummary(l string, q QuestionStats) string {
	s := messages.T(l, "mean") + " " + number(l, *q.Mean)
	if q.CI95 != nil {
		s += " (" + messages.T(l, "ci95") + " " + number(l, q.CI95.Low) + " – " + number(l, q.CI95.High) + ")"
	}
	if q.Median != nil {
		s += ", " + messages.T(l, "median") + " " + number(l, *q.Median)
	}
	return s
}

func npsSummary(l string, n *NPS) string {
	return number(l, n.Score) + " (" + itoa(n.Promoters) + " " + messages.T(l, "promoters") + ", " + itoa(n.Passives) + " " +
		messages.T(l, "passives") + ", " + itoa(n.Detractors) + " " + messages.T(l, "detractors") + ")"
}
