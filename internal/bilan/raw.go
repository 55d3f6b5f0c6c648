package bilan

import (
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
)

// EachAnswer calls fn for every answer of an event, stopping at its first
// error: the raw exports read answers through it, one at a time.
type EachAnswer func(fn func(*retours.Answer) error) error

// CSVOptions configure WriteCSV.
type CSVOptions struct {
	// Semicolon selects the French spreadsheet variant: ';' separators and a
	// UTF-8 byte order mark.
	Semicolon bool
}

// rawHeader is the header of the raw exports: fixed columns, then one
// column per question, named by its stable id.
func rawHeader(e *retours.Event) []string {
	h := []string{"answer_id", "created_at", "session_id", "session", "lang", "hidden", "channel", "sheet"}
	for _, q := range e.Questionnaire.Questions {
		h = append(h, q.ID)
	}
	return h
}

// rawRow appends the row of a to row, each text passed through text (the
// CSV neutralises them, the XLSX keeps them as typed). Hidden texts stay, as
// this is the raw export, and the hidden column names them.
func rawRow(row []string, e *retours.Event, titles map[string]string, a *retours.Answer, text func(string) string) []string {
	row = append(row, a.ID, a.CreatedAt.UTC().Format(time.RFC3339), a.SessionID, text(titles[a.SessionID]), a.Lang, strings.Join(a.Hidden, "|"),
		retours.ChannelOf(a.Channel), a.Sheet)
	for _, q := range e.Questionnaire.Questions {
		v, ok := a.Values[q.ID]
		switch {
		case !ok:
			row = append(row, "")
		case q.Kind.IsScale():
			row = append(row, itoa(v.Number))
		case q.Kind.HasChoices():
			cs := slices.Clone(v.Choices)
			slices.Sort(cs)
			row = append(row, text(strings.Join(cs, "|")))
		default:
			row = append(row, text(v.Text))
		}
	}
	return row
}

func sessionTitles(e *retours.Event) map[string]string {
	titles := map[string]string{}
	for _, s := range e.Sessions {
		titles[s.ID] = s.Title
	}
	return titles
}

// WriteCSV writes every answer of e, one row per answer and one column per
// question (RFC 4180), reading them through each.
func WriteCSV(w io.Writer, e *retours.Event, each EachAnswer, opts CSVOptions) error {
	if opts.Semicolon {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if opts.Semicolon {
		cw.Comma = ';'
	}
	if err := cw.Write(rawHeader(e)); err != nil {
		return err
	}
	titles := sessionTitles(e)
	var row []string
	err := each(func(a *retours.Answer) error {
		row = rawRow(row[:0], e, titles, a, cell)
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// cell neutralises text that a spreadsheet opening the CSV would read as a
// formula: a leading apostrophe makes it text (OWASP's advice for CSV
// injection). The XLSX needs none: its texts are string cells.
// Figures written by the bilan itself ("-12", "+3 pts") are left as they are.
func cell(s string) string {
	if s == "" || isFigure(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n', '|', '%':
		return "'" + s
	}
	return s
}

// isFigure reports whether s is a signed number as the bilan writes them,
// possibly followed by " %", "%" or " pts".
func isFigure(s string) bool {
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, " pts"), "%"), " ")
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != ',' && c != '.' {
			return false
		}
	}
	return true
}
