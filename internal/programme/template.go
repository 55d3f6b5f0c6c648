package programme

import (
	"bytes"
	"encoding/csv"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
)

// csvStyle is how a CSV is written for the readers of one language.
type csvStyle struct {
	bom     bool
	comma   rune
	date    string // time.Format layout of a day
	headers []string
	uid     string
	kinds   map[string]string
}

var styles = map[string]csvStyle{
	// French Excel opens ";"-separated files with a byte-order mark as
	// UTF-8, in columns; without them it shows mojibake on one column.
	"fr": {
		bom: true, comma: ';', date: "02/01/2006",
		headers: []string{"Titre", "Type", "Date", "Début", "Fin", "Salle", "Intervenant·es"},
		uid:     "Identifiant",
		kinds: map[string]string{retours.KindPleniere: "Plénière", retours.KindAtelier: "Atelier",
			retours.KindTableRonde: "Table ronde", retours.KindAutre: "Autre"},
	},
	"en": {
		comma: ',', date: "2006-01-02",
		headers: []string{"Title", "Kind", "Date", "Start", "End", "Room", "Speakers"},
		uid:     "UID",
		kinds: map[string]string{retours.KindPleniere: "Plenary", retours.KindAtelier: "Workshop",
			retours.KindTableRonde: "Round table", retours.KindAutre: "Other"},
	},
}

// Template returns a CSV for organisers to fill in, with two example rows:
// French headers, ";" and a byte-order mark for French Excel when lang is
// "fr", English headers and "," otherwise.
func Template(lang string) []byte {
	day := civil{y: 2026, mo: 10, d: 13}
	at := func(h, mi int) time.Time { return day.withTime(clock{h: h, mi: mi}).in(Paris) }
	examples := map[string][]Draft{
		"fr": {
			{Title: "Plénière d'ouverture", Kind: retours.KindPleniere, StartsAt: at(9, 30), EndsAt: at(10, 15),
				Room: "Amphithéâtre", Speakers: []string{"Claire Moreau", "Karim Benali"}},
			{Title: "Atelier : accompagner les démarches en ligne", Kind: retours.KindAtelier, StartsAt: at(10, 45), EndsAt: at(12, 15),
				Room: "Salle 2", Speakers: []string{"Léa Martin"}},
		},
		"en": {
			{Title: "Opening plenary", Kind: retours.KindPleniere, StartsAt: at(9, 30), EndsAt: at(10, 15),
				Room: "Main hall", Speakers: []string{"Claire Moreau", "Karim Benali"}},
			{Title: "Workshop: helping people with online forms", Kind: retours.KindAtelier, StartsAt: at(10, 45), EndsAt: at(12, 15),
				Room: "Room 2", Speakers: []string{"Léa Martin"}},
		},
	}
	if lang != "fr" {
		lang = "en"
	}
	return EncodeCSV(examples[lang], lang)
}

// EncodeCSV writes drafts as a CSV that Parse reads back to the same drafts,
// in the style of Template, with times in Europe/Paris. A UID column is
// added when a draft has a UID.
func EncodeCSV(drafts []Draft, lang string) []byte {
	st, ok := styles[lang]
	if !ok {
		st = styles["en"]
	}
	var buf bytes.Buffer
	if st.bom {
		buf.Write(utf8BOM)
	}
	w := csv.NewWriter(&buf)
	w.Comma = st.comma
	w.UseCRLF = true
	withUID := false
	for _, d := range drafts {
		withUID = withUID || d.UID != ""
	}
	header := st.headers
	if withUID {
		header = append(header[:len(header):len(header)], st.uid)
	}
	w.Write(header)
	for _, d := range drafts {
		start := d.StartsAt.In(Paris)
		row := []string{text(d.Title), st.kinds[d.Kind], start.Format(st.date), clockCell(d.StartsAt), "", text(d.Room), text(strings.Join(d.Speakers, ", "))}
		if !d.EndsAt.IsZero() {
			row[4] = clockCell(d.EndsAt)
			if end := d.EndsAt.In(Paris); end.Format(st.date) != row[2] && !strings.Contains(row[4], "T") {
				row[4] = end.Format(st.date) + " " + row[4]
			}
		}
		if withUID {
			row = append(row, text(d.UID))
		}
		w.Write(row)
	}
	w.Flush() // writes to a bytes.Buffer cannot fail
	return buf.Bytes()
}

// clockCell writes the time of day of t in Paris, or the whole instant
// with its offset when the time of day alone would name another instant
// (the hour that happens twice when summer time ends).
func clockCell(t time.Time) string {
	p := t.In(Paris)
	c := civil{y: p.Year(), mo: int(p.Month()), d: p.Day(), h: p.Hour(), mi: p.Minute(), s: p.Second()}
	switch {
	case !c.in(Paris).Equal(t):
		return p.Format(time.RFC3339)
	case c.s != 0:
		return p.Format("15:04:05")
	}
	return p.Format("15:04")
}

// text neutralises a cell a spreadsheet would read as a formula with a
// leading apostrophe (OWASP's advice against CSV injection), which Parse
// removes.
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@'", rune(s[0])) {
		return "'" + s
	}
	return s
}

// untext removes the apostrophe text adds.
func untext(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@'", rune(s[1])) {
		return s[1:]
	}
	return s
}
