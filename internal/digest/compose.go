package digest

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"math"
	"strings"
	"sync"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/ses"
)

// Week returns the ISO week of t in Paris, "2026-W49": the digest of an
// organiser is sent once per such week.
func Week(t time.Time) string {
	y, w := t.In(i18n.Paris).ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// ScheduledAt returns the instant the weekly digest of now's week reports
// up to: Monday 08:00 in Paris, the schedule's first run, or the previous
// Monday's when now comes before it. The schedule's catch-up runs later that
// Monday report on the same week as the first one, so that they send
// exactly what it would have sent, and only what it did not.
func ScheduledAt(now time.Time) time.Time {
	t := now.In(i18n.Paris)
	days := (int(t.Weekday()) + 6) % 7 // since Monday
	at := time.Date(t.Year(), t.Month(), t.Day()-days, 8, 0, 0, 0, i18n.Paris)
	if at.After(now) {
		at = at.AddDate(0, 0, -7)
	}
	return at.UTC()
}

// Digest is one e-mail: what happened on one organiser's events.
type Digest struct {
	To           string
	Lang         string // "fr" or "en"
	Since, Until time.Time
	Events       []*Summary       // events with something new, in the order shown
	Quiet        []*retours.Event // the organiser's other events, listed in one line
	BaseURL      string
	// Unsubscribe maps each event id to the link that stops the digest for
	// it; UnsubscribeAll stops it for every event of this mail.
	Unsubscribe    map[string]string
	UnsubscribeAll string
}

// Lang returns the language of a digest about events: English when each of
// them is in English first, French otherwise.
func Lang(events []*retours.Event) string {
	for _, e := range events {
		if len(e.Languages) == 0 || e.Languages[0] != "en" {
			return "fr"
		}
	}
	if len(events) == 0 {
		return "fr"
	}
	return "en"
}

//go:embed templates
var templateFS embed.FS

// The e-mail's templates are parsed on first use: an unsubscribe link's
// request never parses them.
var (
	textTemplate = sync.OnceValues(func() (*template.Template, error) {
		return template.New("digest.txt").ParseFS(templateFS, "templates/digest.txt")
	})
	htmlTemplate = sync.OnceValues(func() (*htmltemplate.Template, error) {
		return htmltemplate.New("digest.html").ParseFS(templateFS, "templates/digest.html")
	})
)

// view is what both templates render: every sentence is written here, so
// that the text and HTML parts say exactly the same.
type view struct {
	Lang, Subject, Intro, Quiet, UnsubscribeAll string
	Events                                      []eventView
}

// T returns the fixed text key in the digest's language.
func (v *view) T(key string) string { return messages.T(v.Lang, key) }

type eventView struct {
	Title, Where, Answers                    string
	Sessions                                 []string
	Satisfaction, NPS, Notes, Themes, Window string
	Quotes                                   []quoteView
	OrganiserURL, BilanURL, UnsubscribeURL   string
}

type quoteView struct{ Text, Source string }

// Compose writes the digest as an e-mail with a plain-text and an HTML part.
// Free text is escaped in the HTML part; neither part has images or tracking.
func Compose(d *Digest) (*ses.Message, error) {
	v := build(d)
	tt, err := textTemplate()
	if err != nil {
		return nil, err
	}
	ht, err := htmlTemplate()
	if err != nil {
		return nil, err
	}
	var text, html bytes.Buffer
	if err := tt.Execute(&text, v); err != nil {
		return nil, fmt.Errorf("digest: text: %w", err)
	}
	if err := ht.Execute(&html, v); err != nil {
		return nil, fmt.Errorf("digest: html: %w", err)
	}
	return &ses.Message{
		To: d.To, Subject: v.Subject, Lang: d.Lang,
		Text: text.String(), HTML: html.String(), Unsubscribe: d.UnsubscribeAll,
	}, nil
}

func build(d *Digest) *view {
	l := d.Lang
	v := &view{Lang: l, Intro: messages.T(l, "intro", i18n.LongDate(l, d.Since), i18n.LongDate(l, d.Until)), UnsubscribeAll: d.UnsubscribeAll}
	var answers, notes int
	some := false // an event's count of new answers is not given
	for _, s := range d.Events {
		answers += s.NewAnswers.N
		some = some || !s.NewAnswers.Shown
		notes += s.NewNotes
		v.Events = append(v.Events, eventOf(d, s))
	}
	var what []string
	switch {
	case some:
		what = append(what, messages.T(l, "answers.some"))
	case answers > 0:
		what = append(what, messages.Plural(l, "answers", answers))
	}
	if notes > 0 {
		what = append(what, messages.Plural(l, "notes", notes))
	}
	news := strings.Join(what, messages.T(l, "and"))
	if len(d.Events) == 1 {
		v.Subject = messages.T(l, "subject.event", d.Events[0].Event.Title, news)
	} else {
		v.Subject = messages.T(l, "subject.events", len(d.Events), news)
	}
	if len(d.Quiet) > 0 {
		titles := make([]string, len(d.Quiet))
		for i, e := range d.Quiet {
			titles[i] = e.Title
		}
		v.Quiet = messages.T(l, "quiet", strings.Join(titles, " · "))
	}
	return v
}

func eventOf(d *Digest, s *Summary) eventView {
	l, e := d.Lang, s.Event
	ev := eventView{
		Title:          e.Title,
		Where:          i18n.LongDate(l, e.StartsAt),
		Answers:        answersLine(l, s),
		OrganiserURL:   d.BaseURL + "/o/" + e.ID,
		BilanURL:       d.BaseURL + "/api/events/" + e.ID + "/bilan?format=html&lang=" + l,
		UnsubscribeURL: d.Unsubscribe[e.ID],
	}
	if e.Place != "" {
		ev.Where = e.Place + ", " + ev.Where
	}
	ev.Answers = upperFirst(ev.Answers)
	if len(e.Sessions) > 0 {
		for _, sc := range s.Sessions {
			title := sc.Title
			if sc.ID == "" {
				title = messages.T(l, "session.event")
			}
			if sc.New.Shown {
				ev.Sessions = append(ev.Sessions, messages.T(l, "session.line", title, sc.New.N))
			} else {
				ev.Sessions = append(ev.Sessions, messages.T(l, "session.some", title))
			}
		}
	}
	few := !s.Answers.Shown && s.Answers.N > 0
	th := e.AnonymityThreshold
	if f := s.Satisfaction; f.Shown || few && f.Asked {
		scale := " / " + fmt.Sprint(f.Now.Max)
		ev.Satisfaction = messages.T(l, "satisfaction", figure(l, f, th, 10, func(x float64) string {
			return i18n.Fixed(l, x, 1) + scale
		}, func(d float64) string { return signed(i18n.Fixed(l, d, 1)) }))
	}
	if f := s.NPS; f.Shown || few && f.Asked {
		ev.NPS = messages.T(l, "nps", figure(l, f, th, 1, func(x float64) string {
			return signed(fmt.Sprintf("%.0f", x))
		}, func(d float64) string { return messages.T(l, "points", signed(fmt.Sprintf("%.0f", d))) }))
	}
	if s.NewNotes > 0 {
		n := messages.Plural(l, "notes", s.NewNotes)
		if len(s.Quotes) < s.NewNotes {
			n = messages.T(l, "notes.some", n)
		} else {
			n = messages.T(l, "notes.all", n)
		}
		ev.Notes = messages.T(l, "notes.title", n)
		for _, q := range s.Quotes {
			source := messages.T(l, "kind."+q.Kind)
			if q.Session != "" {
				source += ", " + q.Session
			}
			ev.Quotes = append(ev.Quotes, quoteView{Text: messages.T(l, "quote", excerpt(q.Text, 280)), Source: upperFirst(source)})
		}
	}
	if len(s.NewThemes) > 0 {
		ev.Themes = messages.T(l, "themes", strings.Join(s.NewThemes, ", "))
	}
	switch closes := e.ClosesAt; {
	case !closes.After(d.Until):
		ev.Window = messages.T(l, "window.closed", i18n.LongDateTime(l, closes))
	case closes.Sub(d.Until) <= 7*24*time.Hour:
		ev.Window = messages.T(l, "window.soon", i18n.LongDateTime(l, closes))
	default:
		ev.Window = messages.T(l, "window.open", i18n.LongDateTime(l, closes))
	}
	return ev
}

// answersLine gives the week's answers and the total, as far as the digest
// may give them.
func answersLine(l string, s *Summary) string {
	news := messages.Plural(l, "answers", s.NewAnswers.N)
	if !s.NewAnswers.Shown {
		news = messages.T(l, "answers.some")
	}
	if !s.Answers.Shown {
		return messages.T(l, "answers.few", news, s.Event.AnonymityThreshold)
	}
	return messages.T(l, "answers.total", news, s.Answers.N)
}

// figure writes a figure now and its change over the week, both rounded to
// 1/unit, as Summarise allows: with fewer answers than the anonymity
// threshold it says so rather than give a value, and it gives the change
// only when it tells no small group apart.
func figure(l string, f Figure, th int, unit float64, value, change func(float64) string) string {
	now, before := f.Now, f.Before
	switch {
	case !f.Shown:
		return messages.T(l, "few", th)
	case !f.Change:
		return value(now.Value)
	case before.Count == 0:
		return messages.T(l, "change.first", value(now.Value))
	}
	// The change of the rounded figures, so that it matches what is shown.
	d := math.Round(now.Value*unit)/unit - math.Round(before.Value*unit)/unit
	if math.Round(d*unit) == 0 {
		return messages.T(l, "change", value(now.Value), messages.T(l, "stable"))
	}
	return messages.T(l, "change", value(now.Value), change(d))
}

// excerpt shortens s to at most n characters on a word boundary and puts
// it on one line.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return strings.ToUpper(string(r)) + s[size:]
}
