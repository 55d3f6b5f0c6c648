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

// layout turns b into a doc.
func layout(b *Bilan) *doc {
	l := b.Lang
	d := &doc{Lang: l, Title: messages.T(l, "title") + " — " + b.Event.Title}
	when := i18n.Date(l, b.Event.StartsAt)
	if b.Event.Place != "" {
		when = b.Event.Place + ", " + when
	}
	d.Subtitle = append(d.Subtitle, when)
	if b.Event.Series != "" && b.Event.Edition > 0 {
		d.Subtitle = append(d.Subtitle, b.Event.Series+", "+messages.T(l, "edition")+" "+itoa(b.Event.Edition))
	}
	if !b.AsOf.IsZero() {
		d.Subtitle = append(d.Subtitle, messages.T(l, "asof", i18n.DateTime(l, b.AsOf)))
	}
	suppressed := messages.T(l, "suppressed", b.Threshold)

	// Participation.
	p := section{Title: messages.T(l, "participation")}
	kv := &table{Head: []string{"", ""}, Num: []bool{false, true}}
	kv.Rows = append(kv.Rows, []string{messages.T(l, "answers"), itoa(b.Answers)})
	if b.Event.RegisteredCount > 0 {
		kv.Rows = append(kv.Rows, []string{messages.T(l, "registered"), itoa(b.Event.RegisteredCount)})
	}
	if b.ResponseRate != nil {
		kv.Rows = append(kv.Rows, []string{messages.T(l, "response_rate"), percent(l, *b.ResponseRate)})
	}
	kv.Rows = append(kv.Rows, []string{messages.T(l, "notes"), itoa(b.Notes)})
	p.Table = kv
	d.Sections = append(d.Sections, p)

	// Key figures.
	var key []string
	for _, q := range b.Questions {
		if q.Role == retours.RoleSatisfaction && q.Mean != nil {
			key = append(key, messages.T(l, "satisfaction")+messages.T(l, "colon")+numericSummary(l, q))
		}
		if q.NPS != nil {
			key = append(key, messages.T(l, "nps")+messages.T(l, "colon")+npsSummary(l, q.NPS))
		}
	}
	if len(key) > 0 {
		d.Sections = append(d.Sections, section{Title: messages.T(l, "indicators"), Text: key})
	}

	// Sessions.
	st := &table{Head: []string{messages.T(l, "session"), messages.T(l, "answers"), messages.T(l, "satisfaction"), messages.T(l, "nps")}, Num: []bool{false, true, true, true}}
	for _, g := range b.Sessions {
		title := g.Title
		if g.ID == "" {
			title = messages.T(l, "event_whole")
		}
		st.Rows = append(st.Rows, groupRow(l, title, g, suppressed))
	}
	sessions := section{Title: messages.T(l, "sessions"), Table: st}
	if len(b.Profiles) > 0 {
		cross := &table{Head: []string{messages.T(l, "session")}, Num: []bool{false}}
		for _, pr := range b.Profiles {
			cross.Head = append(cross.Head, pr.Title)
			cross.Num = append(cross.Num, true)
		}
		for _, g := range b.Sessions {
			if g.Suppressed {
				continue
			}
			title := g.Title
			if g.ID == "" {
				title = messages.T(l, "event_whole")
			}
			row := []string{title}
			for _, pr := range b.Profiles {
				cell := "0"
				for _, sp := range g.Profiles {
					if sp.ID == pr.ID {
						cell = suppressed
						if !sp.Suppressed {
							cell = itoa(sp.Answers)
						}
					}
				}
				row = append(row, cell)
			}
			cross.Rows = append(cross.Rows, row)
		}
		if len(cross.Rows) > 0 {
			sessions.Sub = append(sessions.Sub, section{Title: messages.T(l, "session_profiles"), Table: cross})
		}
	}
	d.Sections = append(d.Sections, sessions)

	// Profiles.
	if len(b.Profiles) > 0 {
		pt := &table{Head: []string{messages.T(l, "profile"), messages.T(l, "answers"), messages.T(l, "satisfaction"), messages.T(l, "nps")}, Num: []bool{false, true, true, true}}
		for _, g := range b.Profiles {
			pt.Rows = append(pt.Rows, groupRow(l, g.Title, g, suppressed))
		}
		d.Sections = append(d.Sections, section{Title: messages.T(l, "profiles"), Table: pt})
	}

	// Questions.
	qsec := section{Title: messages.T(l, "questions")}
	for _, q := range b.Questions {
		s := section{Title: q.Label}
		switch {
		case q.Kind == retours.QuestionText:
			s.Text = append(s.Text, itoa(q.Count)+" "+messages.T(l, "text_answers"))
		case q.Mean != nil:
			s.Text = append(s.Text, messages.T(l, "answers_count", q.Count)+messages.T(l, "semicolon")+numericSummary(l, q))
			if q.NPS != nil {
				s.Text = append(s.Text, messages.T(l, "nps")+messages.T(l, "colon")+npsSummary(l, q.NPS))
			}
		default:
			s.Text = append(s.Text, messages.T(l, "answers_count", q.Count))
		}
		if len(q.Distribution) > 0 {
			dt := &table{Head: []string{messages.T(l, "value"), messages.T(l, "answers"), messages.T(l, "share")}, Num: []bool{false, true, true}}
			c := chart{Title: q.Label}
			top := 0
			for _, bk := range q.Distribution {
				top = max(top, bk.Count)
			}
			for _, bk := range q.Distribution {
				dt.Rows = append(dt.Rows, []string{bk.Label, itoa(bk.Count), percent(l, bk.Share)})
				sh := 0.0
				if top > 0 {
					sh = float64(bk.Count) / float64(top)
				}
				c.Bars = append(c.Bars, bar{Label: bk.Label, Count: bk.Count, Share: sh, Text: itoa(bk.Count) + " (" + percent(l, bk.Share) + ")"})
			}
			s.Table = dt
			s.Charts = []chart{c}
		}
		qsec.Sub = append(qsec.Sub, s)
	}
	d.Sections = append(d.Sections, qsec)

	// Themes.
	th := section{Title: messages.T(l, "themes"), Themes: b.Themes}
	if len(b.Themes) == 0 {
		th.Text = []string{messages.T(l, "no_themes")}
	}
	d.Sections = append(d.Sections, th)

	// Notes.
	ns := section{Title: messages.T(l, "notes_title")}
	for _, g := range b.NoteGroups {
		s := section{Title: g.Title + " (" + itoa(g.Count) + ")", Notes: g.Notes}
		if g.Count == 0 {
			s.Text = []string{messages.T(l, "no_notes")}
		}
		ns.Sub = append(ns.Sub, s)
	}
	d.Sections = append(d.Sections, ns)

	// Comparison.
	if c := b.Comparison; c != nil {
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
		row(messages.T(l, "answers"), &c.Answers, false)
		row(messages.T(l, "response_rate"), c.ResponseRate, true)
		row(messages.T(l, "satisfaction"), c.Satisfaction, false)
		row(messages.T(l, "nps"), c.NPS, false)
		for _, q := range c.Questions {
			row(q.Label+" ("+messages.T(l, "mean")+")", &q.Delta, false)
		}
		cs.Table = ct
		d.Sections = append(d.Sections, cs)
	}

	d.Sections = append(d.Sections, section{Title: messages.T(l, "method"), Text: []string{messages.T(l, "method_text", b.Threshold)}})
	return d
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
