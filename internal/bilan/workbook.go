package bilan

import (
	"github.com/retours/retours/internal/retours"
)

// Workbook is the content of the bilan's spreadsheet, which
// internal/bilan/xlsx writes: a summary sheet (the bilan's sections and
// tables, as the Markdown and HTML bilans have them) and an answers sheet
// (the raw answers, as in the CSV). The spreadsheet library is linked by the
// functions that write workbooks only, not by every one that reads a bilan.
type Workbook struct {
	// SummarySheet and AnswersSheet are the sheets' names, in the bilan's
	// language.
	SummarySheet, AnswersSheet string
	// Summary is the summary sheet, row by row.
	Summary []Row
	// Header is the answers sheet's first row, the raw exports' header.
	Header []string
	// Numbers marks the columns of Header whose cells are numbers
	// (ratings and NPS), so that spreadsheets can sum them.
	Numbers []bool
	// Answers calls fn with each answer's row, in the order each gives
	// them; row is reused from one call to the next.
	Answers func(fn func(row []string) error) error
}

// Row is a row of text cells of a workbook's summary; a row with no cells
// is left blank.
type Row struct {
	Style RowStyle
	Cells []string
}

// RowStyle is how a row of the summary looks.
type RowStyle int

const (
	Plain   RowStyle = iota
	Title            // the bilan's title
	Heading          // a section's title, a table's head, a theme
)

// NewWorkbook returns the workbook of b for e, reading e's answers
// through each when its Answers is called. Every text is kept as typed:
// the writer stores text cells, which a spreadsheet never evaluates.
func NewWorkbook(b *Bilan, e *retours.Event, each EachAnswer) *Workbook {
	d := layout(b)
	wb := &Workbook{
		SummarySheet: messages.T(b.Lang, "summary_sheet"), AnswersSheet: messages.T(b.Lang, "answers_sheet"),
		Header: rawHeader(e),
	}
	wb.Summary = append(wb.Summary, Row{Style: Title, Cells: []string{d.Title}})
	for _, line := range d.Subtitle {
		wb.Summary = append(wb.Summary, Row{Cells: []string{line}})
	}
	for _, sec := range d.Sections {
		wb.Summary = sectionRows(wb.Summary, sec)
	}
	// The questions' columns come after the fixed ones.
	first := len(wb.Header) - len(e.Questionnaire.Questions)
	wb.Numbers = make([]bool, len(wb.Header))
	for i, q := range e.Questionnaire.Questions {
		wb.Numbers[first+i] = q.Kind.IsScale()
	}
	titles := sessionTitles(e)
	wb.Answers = func(fn func(row []string) error) error {
		var row []string
		return each(func(a *retours.Answer) error {
			row = rawRow(row[:0], e, titles, a, asTyped)
			return fn(row)
		})
	}
	return wb
}

// sectionRows appends to rows a blank row, the section's title, its text,
// table, themes with their quotes and notes, then its subsections.
func sectionRows(rows []Row, sec section) []Row {
	rows = append(rows, Row{}, Row{Style: Heading, Cells: []string{sec.Title}})
	for _, t := range sec.Text {
		rows = append(rows, Row{Cells: []string{t}})
	}
	if t := sec.Table; t != nil {
		if t.Head[0] != "" {
			rows = append(rows, Row{Style: Heading, Cells: t.Head})
		}
		for _, r := range t.Rows {
			rows = append(rows, Row{Cells: r})
		}
	}
	for _, th := range sec.Themes {
		rows = append(rows, Row{Style: Heading, Cells: []string{th.Label, itoa(th.Count)}})
		for _, q := range th.Quotes {
			rows = append(rows, Row{Cells: []string{q.Text, q.Session}})
		}
	}
	for _, n := range sec.Notes {
		rows = append(rows, Row{Cells: []string{n.Text, n.Session}})
	}
	for _, sub := range sec.Sub {
		rows = sectionRows(rows, sub)
	}
	return rows
}

func asTyped(s string) string { return s }
