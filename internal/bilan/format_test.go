package bilan_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/bilan/xlsx"
	"github.com/retours/retours/internal/retours"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff.\ngot:\n%s", name, got)
	}
}

// fixtureWithComparison is the fixture bilan set beside a previous edition.
func fixtureWithComparison(t *testing.T, lang string) *bilan.Bilan {
	t.Helper()
	b := fixtureBilan(t, lang)
	prevEvent := fixtureEvent()
	prevEvent.ID, prevEvent.Edition, prevEvent.Title = "evtnec25", 2, "Numérique En Commun[s] Auvergne 2025"
	prevEvent.StartsAt = prevEvent.StartsAt.AddDate(-1, 0, 0)
	agg := bilan.New(prevEvent, lang)
	for i := 0; i < 20; i++ {
		agg.AddAnswer(&retours.Answer{Values: map[string]retours.Value{"satisfaction": {Number: 3 + i%2}, "nps": {Number: 6 + i%5}}})
	}
	b.Comparison = bilan.Compare(b, agg.Bilan(t0))
	return b
}

func eachFixture(fn func(*retours.Answer) error) error {
	for _, a := range fixtureAnswers() {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

func TestFormatsGolden(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		b := fixtureWithComparison(t, lang)
		for _, tc := range []struct {
			ext   string
			write func(*bytes.Buffer) error
		}{
			{"json", func(w *bytes.Buffer) error { return bilan.WriteJSON(w, b) }},
			{"md", func(w *bytes.Buffer) error { return bilan.WriteMarkdown(w, b) }},
			{"html", func(w *bytes.Buffer) error { return bilan.WriteHTML(w, b) }},
		} {
			t.Run(lang+"."+tc.ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := tc.write(&buf); err != nil {
					t.Fatal(err)
				}
				golden(t, "bilan."+lang+"."+tc.ext, buf.Bytes())
				assertInert(t, tc.ext, buf.String())
			})
		}
	}
}

// assertInert checks hostile text came out escaped.
func assertInert(t *testing.T, format, out string) {
	t.Helper()
	for _, bad := range []string{"<script>", "<b>"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s output contains %q unescaped", format, bad)
		}
	}
	if format == "md" && strings.Contains(out, "](http") {
		t.Error("markdown output has a live link")
	}
	switch format {
	case "html":
		if !strings.Contains(out, "&lt;script&gt;") {
			t.Error("html output lost the escaped <script> text")
		}
		if strings.Contains(strings.ToLower(out), "<script") || strings.Contains(out, " on") && strings.Contains(out, "onerror=") {
			t.Error("html output has a script")
		}
	case "md":
		if !strings.Contains(out, `\<script\>`) || !strings.Contains(out, `\| café`) {
			t.Error("markdown output did not escape the hostile note")
		}
	}
}

// autolinks finds what a Markdown renderer with extended autolinks
// (GitHub's, and most others') turns into a link in text: URLs with a
// scheme, "www." addresses and e-mail addresses. It reads the Markdown as
// written, where a backslash escape breaks the pattern.
var autolinks = regexp.MustCompile(`(?i)\b(?:https?|ftp)://[^\s<]+|\bwww\.[a-z0-9-]+|\b[a-z0-9._+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+|\bmailto:[^\s<]+`)

func TestMarkdownKeepsAddressesAsText(t *testing.T) {
	for _, text := range []string{
		"Voir http://evil.example/page?x=1",
		"HTTPS://EXEMPLE.FR en majuscules",
		"ftp://fichiers.example",
		"le site www.mairie-riom.fr et WWW.Exemple.org",
		"Écrivez à conseillere.numerique@mairie.example",
		"mailto:contact@exemple.org",
		"<https://autolien.example>",
		"deux liens: https://a.example et https://b.example",
		"=HYPERLINK(\"http://x\")",
	} {
		got := bilan.MDEscape(text)
		if m := autolinks.FindString(got); m != "" {
			t.Errorf("MDEscape(%q) = %q: %q would be a link", text, got, m)
		}
		// Nothing is lost: unescaping gives the text back.
		if plain := regexp.MustCompile(`\\(.)`).ReplaceAllString(got, "$1"); plain != text {
			t.Errorf("MDEscape(%q) reads %q once rendered", text, plain)
		}
	}
	// The whole bilan: titles, quotes and notes with addresses.
	var buf bytes.Buffer
	if err := bilan.WriteMarkdown(&buf, fixtureWithComparison(t, "fr")); err != nil {
		t.Fatal(err)
	}
	if m := autolinks.FindString(buf.String()); m != "" {
		t.Errorf("the Markdown bilan has a link: %q", m)
	}
	if !strings.Contains(buf.String(), `http\://x`) || !strings.Contains(buf.String(), `conseillere\@ville-riom.fr, www\.ville-riom.fr`) {
		t.Error("the Markdown bilan lost the addresses of the fixture")
	}
}

// TestXLSXKeepsTextAsTyped checks that text a spreadsheet would take for a
// formula is written, in both sheets, as a string cell holding exactly what
// the participant typed: no formula, no leading apostrophe.
func TestXLSXKeepsTextAsTyped(t *testing.T) {
	e := fixtureEvent()
	typed := []string{"=1+1", "+33 6 12 34 56 78", "-- trop de plénières", "@orga merci !", "=HYPERLINK(\"http://evil.example\",\"clic\")"}
	var answers []*retours.Answer
	agg := bilan.New(e, "fr")
	for i, text := range typed {
		a := &retours.Answer{EventID: e.ID, ID: fmt.Sprintf("ans%03d", i), SubmissionID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			Lang: "fr", CreatedAt: t0.Add(time.Duration(i) * time.Minute),
			Values: map[string]retours.Value{"satisfaction": {Number: 4}, "commentaire": {Text: text}}}
		answers = append(answers, a)
		agg.AddAnswer(a)
		agg.AddNote(&retours.Note{EventID: e.ID, ID: fmt.Sprintf("note%03d", i), Kind: retours.NoteEtonnement, Text: text, CreatedAt: a.CreatedAt})
	}
	var buf bytes.Buffer
	each := func(fn func(*retours.Answer) error) error {
		for _, a := range answers {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	}
	if err := xlsx.Write(&buf, agg.Bilan(t0.Add(time.Hour)), e, each); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	summary, sheet := f.GetSheetList()[0], f.GetSheetList()[1]
	rows, err := f.GetRows(summary)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range typed {
		// The answers sheet: one row per answer, the comment last.
		axis, _ := excelize.CoordinatesToCellName(14, i+2)
		checkStringCell(t, f, sheet, axis, text)
		// The summary sheet lists the note among the rapport d'étonnement.
		found := false
		for r, row := range rows {
			if len(row) > 0 && row[0] == text {
				axis, _ := excelize.CoordinatesToCellName(1, r+1)
				checkStringCell(t, f, summary, axis, text)
				found = true
			}
		}
		if !found {
			t.Errorf("the summary sheet has no cell %q", text)
		}
	}
	var csvOut bytes.Buffer
	if err := bilan.WriteCSV(&csvOut, e, each, bilan.CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvOut.String(), "'=1+1") || !strings.Contains(csvOut.String(), "'@orga merci !") {
		t.Error("the CSV lost its protection against formulas")
	}
}

// checkStringCell fails unless sheet!axis is a string cell, not a formula,
// holding exactly want.
func checkStringCell(t *testing.T, f *excelize.File, sheet, axis, want string) {
	t.Helper()
	checkNoFormula(t, f, sheet, axis)
	typ, err := f.GetCellType(sheet, axis)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("%s!%s is of type %v, want a string cell", sheet, axis, typ)
	}
	if got, _ := f.GetCellValue(sheet, axis, excelize.Options{RawCellValue: true}); got != want {
		t.Errorf("%s!%s = %q, want %q as typed", sheet, axis, got, want)
	}
}

func checkNoFormula(t *testing.T, f *excelize.File, sheet, axis string) {
	t.Helper()
	if formula, _ := f.GetCellFormula(sheet, axis); formula != "" {
		t.Errorf("%s!%s has formula %q", sheet, axis, formula)
	}
}

// TestDatesForPeople checks that the formats people read give days and
// times in Paris, in their language, with the zone named, and that the raw
// exports keep ISO 8601 in UTC. The event starts and the last answer comes
// after midnight in Paris but before it in UTC.
func TestDatesForPeople(t *testing.T) {
	e := fixtureEvent()
	e.StartsAt = time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC) // 29 November, 00:30 in Paris
	last := &retours.Answer{EventID: e.ID, ID: "ans001", SubmissionID: "00000000-0000-4000-8000-000000000001", Lang: "fr",
		CreatedAt: time.Date(2026, 11, 29, 1, 5, 0, 0, time.UTC), Values: map[string]retours.Value{"satisfaction": {Number: 4}}}
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"fr", []string{"Clermont-Ferrand, 29 novembre 2026", "Réponses arrêtées au 29 novembre 2026 à 02:05 (heure de Paris)"}},
		{"en", []string{"Clermont-Ferrand, 29 November 2026", "Answers up to 29 November 2026, 02:05 (Paris time)"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			agg := bilan.New(e, tc.lang)
			agg.AddAnswer(last)
			b := agg.Bilan(last.CreatedAt.Add(time.Hour))
			var html, md, book, js bytes.Buffer
			if err := bilan.WriteHTML(&html, b); err != nil {
				t.Fatal(err)
			}
			if err := bilan.WriteMarkdown(&md, b); err != nil {
				t.Fatal(err)
			}
			if err := xlsx.Write(&book, b, e, func(fn func(*retours.Answer) error) error { return fn(last) }); err != nil {
				t.Fatal(err)
			}
			if err := bilan.WriteJSON(&js, b); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&book)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			summary, _ := f.GetRows(f.GetSheetList()[0])
			answers, _ := f.GetRows(f.GetSheetList()[1])
			var cells []string
			for _, row := range summary[:4] {
				cells = append(cells, row...)
			}
			for _, want := range tc.want {
				if !strings.Contains(html.String(), want) {
					t.Errorf("HTML does not say %q", want)
				}
				// Markdown escapes the parentheses.
				if md := strings.NewReplacer(`\(`, "(", `\)`, ")").Replace(md.String()); !strings.Contains(md, want) {
					t.Errorf("Markdown does not say %q", want)
				}
				if !slices.Contains(cells, want) {
					t.Errorf("XLSX summary %q does not say %q", cells, want)
				}
			}
			if !strings.Contains(js.String(), `"as_of": "2026-11-29T01:05:00Z"`) {
				t.Errorf("JSON as_of is not ISO 8601 in UTC:\n%s", js.String())
			}
			if got := answers[1][1]; got != "2026-11-29T01:05:00Z" {
				t.Errorf("XLSX answers created_at = %q, want ISO 8601 in UTC", got)
			}
		})
	}
}

func TestCSV(t *testing.T) {
	e := fixtureEvent()
	for _, tc := range []struct {
		name  string
		opts  bilan.CSVOptions
		comma rune
	}{
		{"comma", bilan.CSVOptions{}, ','},
		{"semicolon", bilan.CSVOptions{Semicolon: true}, ';'},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := bilan.WriteCSV(&buf, e, eachFixture, tc.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, "answers."+tc.name+".csv", buf.Bytes())
			data := buf.Bytes()
			if bom := bytes.HasPrefix(data, []byte("\ufeff")); bom != tc.opts.Semicolon {
				t.Errorf("byte order mark = %v, want %v", bom, tc.opts.Semicolon)
			}
			r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
			r.Comma = tc.comma
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 31 || rows[0][0] != "answer_id" {
				t.Fatalf("%d rows, header %v; want 31 with a header", len(rows), rows[0])
			}
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i
			}
			for _, row := range rows[1:] {
				for _, c := range row {
					if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
						t.Errorf("cell %q would be read as a formula", c)
					}
				}
			}
			// The raw export keeps hidden texts and says they are hidden.
			if got := rows[5][col["hidden"]]; got != "commentaire" || rows[5][col["commentaire"]] == "" {
				t.Errorf("hidden answer row = %v", rows[5])
			}
			if got := rows[4][col["commentaire"]]; got != `'=HYPERLINK("http://evil.example","clic") inclusion numérique` {
				t.Errorf("hostile text = %q, want it neutralised", got)
			}
		})
	}
}

func TestXLSX(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			b := fixtureWithComparison(t, lang)
			var buf bytes.Buffer
			if err := xlsx.Write(&buf, b, fixtureEvent(), eachFixture); err != nil {
				t.Fatal(err)
			}
			// The same bilan gives the same bytes, every time.
			for i := 0; i < 20; i++ {
				var again bytes.Buffer
				if err := xlsx.Write(&again, b, fixtureEvent(), eachFixture); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(again.Bytes(), buf.Bytes()) {
					t.Fatal("two writes of the same bilan differ")
				}
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sheets := f.GetSheetList()
			if len(sheets) != 2 {
				t.Fatalf("sheets = %v, want a summary and the answers", sheets)
			}
			var dump strings.Builder
			for _, sh := range sheets {
				rows, err := f.GetRows(sh)
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&dump, "== %s (%d rows)\n", sh, len(rows))
				for i, row := range rows {
					fmt.Fprintf(&dump, "%d: %q\n", i+1, row)
					for j, c := range row {
						if c != "" {
							axis, _ := excelize.CoordinatesToCellName(j+1, i+1)
							checkNoFormula(t, f, sh, axis)
						}
					}
				}
			}
			golden(t, "bilan."+lang+".xlsx.txt", []byte(dump.String()))
			rows, _ := f.GetRows(sheets[1])
			if len(rows) != 31 {
				t.Errorf("answers sheet has %d rows, want 31", len(rows))
			}
			if v, _ := f.GetCellType(sheets[1], "J2"); v != excelize.CellTypeNumber && v != excelize.CellTypeUnset {
				t.Errorf("satisfaction cell type = %v, want a number", v)
			}
			// The hostile text is kept as typed, in a string cell.
			checkStringCell(t, f, sheets[1], "N5", `=HYPERLINK("http://evil.example","clic") inclusion numérique`)
		})
	}
}
