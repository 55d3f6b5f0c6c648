package bilan_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/bilan/xlsx"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/retourstest"
)

// TestEveryKind runs a question of each of retours.QuestionKinds through
// the aggregation and every format: adding a kind that one of them drops
// fails here.
func TestEveryKind(t *testing.T) {
	e := &retours.Event{ID: "evtkinds", Title: "Toutes les questions", StartsAt: t0, EndsAt: t0, ClosesAt: t0.AddDate(0, 1, 0),
		Languages: []string{"fr", "en"}, AnonymityThreshold: 1, Questionnaire: retourstest.EveryKind()}
	_, values := retourstest.Answers(&e.Questionnaire)
	answers := []*retours.Answer{
		{ID: "a1", EventID: e.ID, Lang: "fr", CreatedAt: t0, Values: values},
		{ID: "a2", EventID: e.ID, Lang: "en", CreatedAt: t0.Add(1), Values: values},
	}
	each := func(fn func(*retours.Answer) error) error {
		for _, a := range answers {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	}
	agg := bilan.New(e, "fr")
	for _, a := range answers {
		agg.AddAnswer(a)
	}
	b := agg.Bilan(t0)

	t.Run("aggregation", func(t *testing.T) {
		for _, k := range retours.QuestionKinds {
			q, v := question(t, b.Questions, string(k)), values[string(k)]
			if q.Kind != k || q.Count != len(answers) {
				t.Errorf("%s: kind %q, count %d; want %q, %d", k, q.Kind, q.Count, k, len(answers))
			}
			for _, bk := range q.Distribution {
				picked := bk.Value == strconv.Itoa(v.Number) && k.IsScale() || slices.Contains(v.Choices, bk.Value)
				if want := map[bool]int{true: len(answers)}[picked]; bk.Count != want {
					t.Errorf("%s: %d answers %q, want %d", k, bk.Count, bk.Value, want)
				}
			}
			if k.IsText() != (len(q.Distribution) == 0) || k.IsScale() != (q.Mean != nil) || k.IsNPS() != (q.NPS != nil) {
				t.Errorf("%s: distribution %v, mean %v, nps %v", k, q.Distribution, q.Mean, q.NPS)
			}
		}
		if len(b.Themes) == 0 {
			t.Error("no theme from the text answers")
		}
	})

	t.Run("json", func(t *testing.T) {
		var buf bytes.Buffer
		if err := bilan.WriteJSON(&buf, b); err != nil {
			t.Fatal(err)
		}
		back, err := bilan.ReadJSON(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range retours.QuestionKinds {
			if q := question(t, back.Questions, string(k)); q.Kind != k || q.Count != len(answers) {
				t.Errorf("%s: read back as kind %q, count %d", k, q.Kind, q.Count)
			}
		}
	})

	// The documents for people give each question a section that counts
	// its answers.
	for _, format := range []struct {
		name          string
		heading, next string // a question's title, and the start of the next
		write         func(*bytes.Buffer) error
	}{
		{"md", "### %s\n", "\n#", func(w *bytes.Buffer) error { return bilan.WriteMarkdown(w, b) }},
		{"html", "<h3>%s</h3>", "<h", func(w *bytes.Buffer) error { return bilan.WriteHTML(w, b) }},
	} {
		t.Run(format.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := format.write(&buf); err != nil {
				t.Fatal(err)
			}
			for _, q := range e.Questionnaire.Questions {
				_, section, ok := strings.Cut(buf.String(), fmt.Sprintf(format.heading, q.Label.In("fr")))
				if !ok {
					t.Errorf("%s: no section titled %q", q.Kind, q.Label.In("fr"))
					continue
				}
				if section, _, _ = strings.Cut(section, format.next); !strings.Contains(section, "2 réponses") {
					t.Errorf("%s: section does not count 2 answers:\n%s", q.Kind, section)
				}
			}
		})
	}

	// The raw exports give each question a column and each answer its value.
	wantRow := func(t *testing.T, header, row []string) {
		t.Helper()
		for _, k := range retours.QuestionKinds {
			i := slices.Index(header, string(k))
			if i < 0 || i >= len(row) {
				t.Errorf("%s: no column in %q", k, header)
				continue
			}
			if got, want := row[i], cellOf(values[string(k)]); got != want {
				t.Errorf("%s: cell %q, want %q", k, got, want)
			}
		}
	}
	t.Run("csv", func(t *testing.T) {
		var buf bytes.Buffer
		if err := bilan.WriteCSV(&buf, e, each, bilan.CSVOptions{}); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(rows) != 1+len(answers) {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		wantRow(t, rows[0], rows[1])
	})
	t.Run("xlsx", func(t *testing.T) {
		var buf bytes.Buffer
		if err := xlsx.Write(&buf, b, e, each); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		summary, err := f.GetRows(sheets[0])
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, row := range summary {
			fmt.Fprintln(&text, strings.Join(row, " "))
		}
		rows, err := f.GetRows(sheets[len(sheets)-1])
		if err != nil || len(rows) != 1+len(answers) {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		wantRow(t, rows[0], rows[1])
		for _, q := range e.Questionnaire.Questions {
			if !strings.Contains(text.String(), q.Label.In("fr")) {
				t.Errorf("%s: not in the summary sheet", q.Kind)
			}
			if !q.Kind.IsScale() {
				continue
			}
			axis, _ := excelize.CoordinatesToCellName(slices.Index(rows[0], q.ID)+1, 2)
			if typ, _ := f.GetCellType(sheets[len(sheets)-1], axis); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("%s: cell %s of type %v, want a number", q.Kind, axis, typ)
			}
		}
	})
}

// cellOf is how the raw exports write a value.
func cellOf(v retours.Value) string {
	switch {
	case v.Choices != nil:
		cs := slices.Clone(v.Choices)
		slices.Sort(cs)
		return strings.Join(cs, "|")
	case v.Text != "":
		return v.Text
	}
	return strconv.Itoa(v.Number)
}
