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
	l := b.Lang
	summary, answers := messages.T(l, "summary_sheet"), messages.T(l, "answers_sheet")
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	if _, err := f.NewSheet(answers); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "000091"}})
	if err != nil {
		return err
	}

	// The summary sheet, row by row.
	sw, err := f.NewStreamWriter(summary)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 48); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 12, 16); err != nil {
		return err
	}
	r := 0
	put := func(style int, cells ...string) error {
		r++
		row := make([]any, len(cells))
		for i, c := range cells {
			row[i] = excelize.Cell{StyleID: style, Value: c}
		}
		axis, _ := excelize.CoordinatesToCellName(1, r)
		return sw.SetRow(axis, row)
	}
	d := layout(b)
	if err := put(title, d.Title); err != nil {
		return err
	}
	for _, s := range d.Subtitle {
		if err := put(0, s); err != nil {
			return err
		}
	}
	var writeSection func(s section) error
	writeSection = func(s section) error {
		r++ // a blank row before each section
		if err := put(bold, s.Title); err != nil {
			return err
		}
		for _, t := range s.Text {
			if err := put(0, t); err != nil {
				return err
			}
		}
		if t := s.Table; t != nil {
			if t.Head[0] != "" {
				if err := put(bold, t.Head...); err != nil {
					return err
				}
			}
			for _, row := range t.Rows {
				if err := put(0, row...); err != nil {
					return err
				}
			}
		}
		for _, th := range s.Themes {
			if err := put(bold, th.Label, itoa(th.Count)); err != nil {
				return err
			}
			for _, q := range th.Quotes {
				if err := put(0, q.Text, q.Session); err != nil {
					return err
				}
			}
		}
		for _, n := range s.Notes {
			if err := put(0, n.Text, n.Session); err != nil {
				return err
			}
		}
		for _, sub := range s.Sub {
			if err := writeSection(sub); err != nil {
				return err
			}
		}
		return nil
	}
	for _, s := range d.Sections {
		if err := writeSection(s); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}

	// The answers sheet, streamed.
	aw, err := f.NewStreamWriter(answers)
	if err != nil {
		return err
	}
	header := rawHeader(e)
	hrow := make([]any, len(header))
	for i, h := range header {
		hrow[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := aw.SetRow("A1", hrow, excelize.RowOpts{}); err != nil {
		return err
	}
	titles := sessionTitles(e)
	var raw []string
	out := make([]any, len(header))
	n := 1
	err = each(func(a *retours.Answer) error {
		raw = rawRow(raw[:0], e, titles, a, asTyped)
		for i, c := range raw {
			out[i] = c
			// Ratings and NPS as numbers, so that spreadsheets can sum them.
			if q := i - (len(header) - len(e.Questionnaire.Questions)); q >= 0 && c != "" {
				if k := e.Questionnaire.Questions[q].Kind; k == retours.QuestionRating || k == retours.QuestionNPS {
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
	if err := aw.Flush(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return sortZip(w, buf.Bytes())
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
