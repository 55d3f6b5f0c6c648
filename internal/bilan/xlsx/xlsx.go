// Package xlsx writes a bilan's spreadsheet (bilan.Workbook) with excelize.
// Only the functions that prepare workbooks link it: the spreadsheet
// library sets up its tables at every cold start of a function that links
// it.
package xlsx

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
)

// Write writes the workbook of b for e (bilan.NewWorkbook), streamed so
// that memory does not grow with the number of answers. Every text is a
// string cell, which a spreadsheet never evaluates: texts are kept as
// typed, "=1+1" included, with no leading apostrophe (the CSV needs one).
// The same bilan gives the same bytes.
func Write(w io.Writer, b *bilan.Bilan, e *retours.Event, each bilan.EachAnswer) error {
	wb := bilan.NewWorkbook(b, e, each)
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", wb.SummarySheet); err != nil {
		return err
	}
	if _, err := f.NewSheet(wb.AnswersSheet); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := writeSummary(f, wb, st); err != nil {
		return err
	}
	if err := writeAnswers(f, wb, st); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return sortZip(w, buf.Bytes())
}

// styles are the style ids of the workbook's rows, by bilan.RowStyle.
type styles map[bilan.RowStyle]int

func newStyles(f *excelize.File) (styles, error) {
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "000091"}})
	return styles{bilan.Heading: bold, bilan.Title: title}, err
}

// writeSummary writes the summary sheet row by row.
func writeSummary(f *excelize.File, wb *bilan.Workbook, st styles) error {
	sw, err := f.NewStreamWriter(wb.SummarySheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 48); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 12, 16); err != nil {
		return err
	}
	for i, r := range wb.Summary {
		if len(r.Cells) == 0 {
			continue
		}
		row := make([]any, len(r.Cells))
		for j, c := range r.Cells {
			row[j] = excelize.Cell{StyleID: st[r.Style], Value: c}
		}
		axis, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(axis, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// writeAnswers streams the raw answers, one row each, under the raw
// exports' header; ratings and NPS are numbers.
func writeAnswers(f *excelize.File, wb *bilan.Workbook, st styles) error {
	aw, err := f.NewStreamWriter(wb.AnswersSheet)
	if err != nil {
		return err
	}
	hrow := make([]any, len(wb.Header))
	for i, h := range wb.Header {
		hrow[i] = excelize.Cell{StyleID: st[bilan.Heading], Value: h}
	}
	if err := aw.SetRow("A1", hrow, excelize.RowOpts{}); err != nil {
		return err
	}
	out := make([]any, len(wb.Header))
	n := 1
	err = wb.Answers(func(raw []string) error {
		for i, c := range raw {
			out[i] = c
			if wb.Numbers[i] && c != "" {
				if v, err := strconv.Atoi(c); err == nil {
					out[i] = v
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
