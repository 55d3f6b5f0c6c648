package programme

import (
	"strconv"

	"github.com/retours/retours/internal/retours"
)

// lineReport gathers the problems of one CSV line or agenda event, which
// then gives a draft only when none is an error.
type lineReport struct {
	at    Problem // where, with the line's title and UID
	errs  []Problem
	notes []Problem
}

func newLineReport(line int, title, uid string) *lineReport {
	at := Problem{Line: line, Title: title, UID: uid}
	if tooLong(title, 80) {
		at.Title = string([]rune(title)[:80]) + "…"
	}
	return &lineReport{at: at}
}

func (l *lineReport) add(c Code, args ...string) {
	p := l.at
	p.Code, p.Args = c, args
	if c.IsNote() {
		l.notes = append(l.notes, p)
	} else {
		l.errs = append(l.errs, p)
	}
}

// check adds the problems of a draft's texts.
func (l *lineReport) check(d *Draft) {
	switch {
	case d.Title == "":
		l.add(MissingTitle)
	case tooLong(d.Title, retours.MaxTitle):
		l.add(TitleTooLong, strconv.Itoa(retours.MaxTitle))
	}
	if tooLong(d.Room, MaxRoom) {
		l.add(RoomTooLong, strconv.Itoa(MaxRoom))
	}
}

// kind decides the draft's kind (see kindFor) and notes what was assumed.
func (l *lineReport) kind(written []string, title string, tags bool) string {
	kind, note, arg := kindFor(written, title, tags)
	switch note {
	case "":
	case KindUnknown:
		l.add(note, arg)
	default:
		l.add(note)
	}
	return kind
}

// done adds the draft and the line's notes to res, or only its errors.
func (l *lineReport) done(res *Result, d Draft) {
	if len(l.errs) > 0 {
		res.Problems = append(res.Problems, l.errs...)
		return
	}
	res.Notes = append(res.Notes, l.notes...)
	res.Drafts = append(res.Drafts, d)
}
