package bilan

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/retours/retours/internal/retours"
	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes a workbook with a summary sheet (the bilan's sections
// and tables) and an answers sheet (the raw answers, as in the CSV),
// streamed so that memory does not grow with the number of answers. Every
// text is a string cell, which a spreadsheet never evaluates: texts are kept
// as typed, "=1+1" included, with no leading apostrophe (the CSV needs one).
func WriteXLSX(w io.Writer, b *Bilan, e *retours.Event, each EachAnswer) error {
	f := excelize.NewFile()
	defer f.Close()
	summary, answers := messages.T(b.Lang, "summary_sheet"), messages.T(b.Lang, "answers_sheet")
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	if _, err := f.NewSheet(answers); err != nil {
		return err
	}
	st, err := newXLSXStyles(f)
	if err != nil {
		return err
	}
	if err := writeSummarySheet(f, summary, layout(b), st); err != nil {
		return err
	}
	if err := writeAnswersSheet(f, answers, e, each, st); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return sortZip(w, buf.Bytes())
}

// xlsxStyles are the style ids of the workbook's headings.
type xlsxStyles struct{ bold, title int }

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	var st xlsxStyles
	var err error
	if st.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return st, err
	}
	st.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "000091"}})
	return st, err
}

// writeSummarySheet writes the doc row by row: its title and subtitle, then
// each section after a blank row.
func writeSummarySheet(f *excelize.File, sheet string, d *doc, st xlsxStyles) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 48); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 12, 16); err != nil {
		return err
	}
	s := &summaryWriter{sw: sw, st: st}
	if err := s.put(st.title, d.Title); err != nil {
		return err
	}
	for _, line := range d.Subtitle {
		if err := s.put(0, line); err != nil {
			return err
		}
	}
	for _, sec := range d.Sections {
		if err := s.section(sec); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// summaryWriter writes the summary sheet's rows in order.
type summaryWriter struct {
	sw  *excelize.StreamWriter
	st  xlsxStyles
	row int
}

// put writes one row of text cells in style.
func (s *summaryWriter) put(style int, cells ...string) error {
	s.row++
	row := make([]any, len(cells))
	for i, c := range cells {
		row[i] = excelize.Cell{StyleID: style, Value: c}
	}
	axis, _ := excelize.CoordinatesToCellName(1, s.row)
	return s.sw.SetRow(axis, row)
}

// section writes a blank row, the section's title, its text, table, themes
// with their quotes and notes, then its subsections.
func (s *summaryWriter) section(sec section) error {
	s.row++
	if err := s.put(s.st.bold, sec.Title); err != nil {
		return err
	}
	for _, t := range sec.Text {
		if err := s.put(0, t); err != nil {
			return err
		}
	}
	if t := sec.Table; t != nil {
		if t.Head[0] != "" {
			if err := s.put(s.st.bold, t.Head...); err != nil {
				return err
			}
		}
		for _, row := range t.Rows {
			if err := s.put(0, row...); err != nil {
				return err
			}
		}
	}
	for _, th := range sec.Themes {
		if err := s.put(s.st.bold, th.Label, itoa(th.Count)); err != nil {
			return err
		}
		for _, q := range th.Quotes {
			if err := s.put(0, q.Text, q.Session); err != nil {
				return err
			}
		}
	}
	for _, n := range sec.Notes {
		if err := s.put(0, n.Text, n.Session); err != nil {
			return err
		}
	}
	for _, sub := range sec.Sub {
		if err := s.section(sub); err != nil {
			return err
		}
	}
	return nil
}

// writeAnswersSheet streams the raw answers, one row each, under the raw
// exports' header; ratings and NPS are numbers.
func writeAnswersSheet(f *excelize.File, sheet string, e *retours.Event, each EachAnswer, st xlsxStyles) error {
	aw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := rawHeader(e)
	hrow := make([]any, len(header))
	for i, h := range header {
		hrow[i] = excelize.Cell{StyleID: st.bold, Value: h}
	}
	if err := aw.SetRow("A1", hrow, excelize.RowOpts{}); err != nil {
		return err
	}
	titles := sessionTitles(e)
	// The questions' columns come after the fixed ones.
	first := len(header) - len(e.Questionnaire.Questions)
	var raw []string
	out := make([]any, len(header))
	n := 1
	err = each(func(a *retours.Answer) error {
		raw = rawRow(raw[:0], e, titles, a, asTyped)
		for i, c := range raw {
			out[i] = c
			// Ratings and NPS as numbers, so that spreadsheets can sum them.
			if q := i - first; q >= 0 && c != "" {
				if e.Questionnaire.Questions[q].Kind.IsScale() {
					if v, err := strconv.Atoi(c); err == nil {
						out[i] = v
					}
				}
			}
		}
		n++
		axis, _ := excelize.CoordinatesToCellName(1, n)
		return aw.SetRow(axis, out)
	})
	if err != nil {
		return err
	}
	return aw.Flush()
}

func asTyped(s string) string { return s }

// sortZip copies the zip archive data to w with its entries in name order.
// excelize writes stream-written sheets in map order, and a download must
// be the same bytes each time (a stored snapshot and a fresh computation
// are compared byte for byte). Entries are copied raw, not recompressed.
func sortZip(w io.Writer, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, zf := range files {
		raw, err := zf.OpenRaw()
		if err != nil {
			return err
		}
		out, err := zw.CreateRaw(&zf.FileHeader)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, raw); err != nil {
			return err
		}
	}
	return zw.Close()
}
