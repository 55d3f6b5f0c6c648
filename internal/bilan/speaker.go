package bilan

import (
	"html/template"
	"io"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
)

// WriteSessionHTML writes a session's report as the page its speaker's link
// opens: one self-contained page like the HTML bilan (inline CSS and SVG,
// no script), with the session's figures and distributions, its texts and
// notes, and how anonymity is kept. other, when set, is the language the
// page links to: the same address with ?lang=other.
func WriteSessionHTML(w io.Writer, r *SessionReport, other string) error {
	t, err := htmlTemplate()
	if err != nil {
		return err
	}
	d := sessionLayout(r)
	if retours.IsLanguage(other) && other != r.Lang {
		d.Switch = &link{Href: "?lang=" + other, Lang: other, Label: messages.T(other, "language")}
	}
	return t.Execute(w, htmlDoc{d, template.CSS(HTMLStyle)})
}

// link is a link a document shows besides its content: the same page in
// the other language.
type link struct{ Href, Lang, Label string }

// sessionLayout turns a session's report into a document: the figures the
// bilan shows of the session, its texts, its notes and the method.
func sessionLayout(r *SessionReport) *doc {
	l, th := r.Lang, r.Threshold
	when := i18n.Date(l, r.Event.StartsAt)
	if r.Event.Place != "" {
		when = r.Event.Place + ", " + when
	}
	d := &doc{Lang: l, Title: r.Session.Title, Subtitle: []string{r.Event.Title, when}}
	if r.Cancelled {
		d.Subtitle = append(d.Subtitle, messages.T(l, "session_cancelled"))
	}
	shown := !r.Session.Suppressed && r.Session.Answers >= th
	answers := messages.T(l, "few_answers", th)
	if shown {
		answers = itoa(r.Session.Answers)
	}
	kv := &table{Head: []string{"", ""}, Num: []bool{false, true}, Rows: [][]string{{messages.T(l, "answers"), answers}}}
	if shown && r.Session.Satisfaction != nil {
		kv.Rows = append(kv.Rows, []string{messages.T(l, "satisfaction"), number(l, *r.Session.Satisfaction)})
	}
	if shown && r.Session.NPS != nil {
		kv.Rows = append(kv.Rows, []string{messages.T(l, "nps"), number(l, *r.Session.NPS)})
	}
	d.Sections = append(d.Sections, section{Title: messages.T(l, "participation"), Table: kv})
	qsec := section{Title: messages.T(l, "questions")}
	if !shown {
		qsec.Text = []string{messages.T(l, "few_answers_text", th)}
	} else {
		for _, q := range r.Session.Questions {
			qsec.Sub = append(qsec.Sub, questionSection(l, q))
		}
	}
	d.Sections = append(d.Sections, qsec)
	if len(r.Texts) > 0 {
		ts := section{Title: messages.T(l, "texts_title")}
		for _, g := range r.Texts {
			s := section{Title: g.Label + " (" + itoa(len(g.Texts)) + ")"}
			for _, t := range g.Texts {
				s.Notes = append(s.Notes, NoteItem{Text: t})
			}
			ts.Sub = append(ts.Sub, s)
		}
		d.Sections = append(d.Sections, ts)
	}
	ns := section{Title: messages.T(l, "notes_title")}
	for _, g := range r.Notes {
		s := section{Title: g.Title + " (" + itoa(g.Count) + ")", Notes: g.Notes}
		if g.Count == 0 {
			s.Text = []string{messages.T(l, "no_notes")}
		}
		ns.Sub = append(ns.Sub, s)
	}
	d.Sections = append(d.Sections, ns)
	d.Sections = append(d.Sections, section{Title: messages.T(l, "method"),
		Text: []string{messages.T(l, "speaker_method", th), messages.T(l, "method_anonymity", th, th, th)}})
	return d
}
