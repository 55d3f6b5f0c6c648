package programme_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retours/retours/internal/programme"
)

func TestTemplate(t *testing.T) {
	tests := []struct {
		lang   string
		header string
		want   []programme.Draft
	}{
		{"fr", "\ufeffTitre;Type;Date;Début;Fin;Salle;Intervenant·es\r\n", []programme.Draft{
			{Title: "Plénière d'ouverture", Kind: "pleniere", StartsAt: paris(2026, 10, 13, 9, 30), EndsAt: paris(2026, 10, 13, 10, 15),
				Room: "Amphithéâtre", Speakers: []string{"Claire Moreau", "Karim Benali"}, Line: 2},
			{Title: "Atelier : accompagner les démarches en ligne", Kind: "atelier", StartsAt: paris(2026, 10, 13, 10, 45),
				EndsAt: paris(2026, 10, 13, 12, 15), Room: "Salle 2", Speakers: []string{"Léa Martin"}, Line: 3},
		}},
		{"en", "Title,Kind,Date,Start,End,Room,Speakers\r\n", []programme.Draft{
			{Title: "Opening plenary", Kind: "pleniere", StartsAt: paris(2026, 10, 13, 9, 30), EndsAt: paris(2026, 10, 13, 10, 15),
				Room: "Main hall", Speakers: []string{"Claire Moreau", "Karim Benali"}, Line: 2},
			{Title: "Workshop: helping people with online forms", Kind: "atelier", StartsAt: paris(2026, 10, 13, 10, 45),
				EndsAt: paris(2026, 10, 13, 12, 15), Room: "Room 2", Speakers: []string{"Léa Martin"}, Line: 3},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			b := programme.Template(tt.lang)
			if !bytes.HasPrefix(b, []byte(tt.header)) {
				t.Errorf("template begins %q, want %q", b[:min(len(b), len(tt.header))], tt.header)
			}
			r := programme.Parse("modele.csv", "text/csv", b)
			checkResult(t, r)
			if !r.OK() || len(r.Notes) > 0 {
				t.Errorf("problems %v, notes %v, want none", brief(r.Problems), brief(r.Notes))
			}
			checkDrafts(t, r.Drafts, tt.want)
		})
	}
	if !bytes.Equal(programme.Template("de"), programme.Template("en")) {
		t.Error("a language without a template should get the English one")
	}
}

// roundTrip writes drafts as CSV and reads them back.
func roundTrip(t *testing.T, drafts []programme.Draft, lang string) {
	t.Helper()
	b := programme.EncodeCSV(drafts, lang)
	r := programme.Parse("programme.csv", "", b)
	checkResult(t, r)
	if !r.OK() {
		t.Fatalf("problems %v reading back\n%s", brief(r.Problems), b)
	}
	want := slices.Clone(drafts)
	for i := range want {
		want[i].Line = i + 2
	}
	checkDrafts(t, r.Drafts, want)
}

func TestRoundTrip(t *testing.T) {
	for _, file := range []string{"google.ics", "outlook.ics", "apple.ics", "thunderbird.ics", "nextcloud.ics"} {
		for _, lang := range []string{"fr", "en"} {
			t.Run(file+" as CSV "+lang, func(t *testing.T) {
				roundTrip(t, programme.Parse(file, "", mustRead(t, file)).Drafts, lang)
			})
		}
	}
	t.Run("awkward values", func(t *testing.T) {
		roundTrip(t, []programme.Draft{
			{Title: "=SOMME(A1:A3)", Kind: "autre", StartsAt: paris(2026, 10, 13, 14, 0), Room: "@salle", Speakers: []string{"-Léa", "@paul"}},
			{Title: "'Atelier'", Kind: "atelier", StartsAt: paris(2026, 10, 13, 14, 0), EndsAt: paris(2026, 10, 14, 9, 0)},
			{Title: "Atelier \"IA\"; suite, fin", Kind: "table-ronde", StartsAt: paris(2026, 10, 13, 14, 0).Add(30e9), EndsAt: paris(2026, 10, 13, 15, 0)},
			// 02:30 twice on the last Sunday of October: the second one.
			{Title: "Nuit", Kind: "pleniere", StartsAt: utc(2026, 10, 25, 1, 30), EndsAt: utc(2026, 10, 25, 1, 45)},
		}, "fr")
	})
}

// TestSentences: every code has a sentence in each language that shows each
// of its arguments (the catalogue itself is checked with every other, in
// internal/i18n).
func TestSentences(t *testing.T) {
	seen := map[programme.Code]bool{}
	for _, c := range programme.Codes() {
		if seen[c] {
			t.Errorf("code %s listed twice", c)
		}
		seen[c] = true
		p := programme.Problem{Code: c}
		for i := range c.NumArgs() {
			p.Args = append(p.Args, fmt.Sprintf("ARG%d", i+1))
		}
		for _, lang := range []string{"fr", "en"} {
			out := p.Message(lang)
			if strings.Contains(out, "%!") || strings.HasPrefix(out, "[") {
				t.Errorf("%s in %s: %q", c, lang, out)
			}
			for _, a := range p.Args {
				if !strings.Contains(out, a) {
					t.Errorf("%s in %s does not show %s: %q", c, lang, a, out)
				}
			}
		}
	}
}

// FuzzParse: Parse never panics, returns drafts or problems that respect
// their rules, and what it accepts reads back the same once written as CSV.
func FuzzParse(f *testing.F) {
	for _, file := range []string{"google.ics", "outlook.ics", "apple.ics", "thunderbird.ics", "nextcloud.ics"} {
		f.Add(file, mustRead(f, file))
	}
	f.Add("modele.csv", programme.Template("fr"))
	f.Add("template.csv", programme.Template("en"))
	f.Add("programme.csv", []byte("Titre;Jour;Horaire;Intervenants\nAtelier;mardi 13 octobre 2026;14h-15h30;\"Léa (A, B) et Paul\"\n"))
	f.Add("p.ics", []byte(vcal(customZone, vevent("SUMMARY:A", "DTSTART;TZID=Customized Time Zone:20261025T023000", "DURATION:P1DT2H"))))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		r := programme.Parse(name, "", data)
		checkResult(t, r)
		if !r.OK() {
			return
		}
		for _, d := range r.Drafts {
			// Instants given with a far offset may fall outside the years
			// a date can be written in.
			for _, at := range []int{d.StartsAt.In(programme.Paris).Year(), d.EndsAt.In(programme.Paris).Year()} {
				if at != 1 && (at < 2000 || at > 2099) {
					return
				}
			}
		}
		roundTrip(t, r.Drafts, "fr")
	})
}

// The README's examples are read as it says.
func TestReadmeExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(b), "### Programme import\n")
	block := func(opening string) string {
		_, rest, ok := strings.Cut(section, opening)
		if !ok {
			t.Fatalf("no %q in the README's programme import", opening)
		}
		body, _, _ := strings.Cut(rest, "```\n")
		return body
	}
	r := mustParseOK(t, "programme.csv", block("```csv\n"))
	checkDrafts(t, r.Drafts, []programme.Draft{
		{Title: "Plénière d'ouverture", Kind: "pleniere", StartsAt: paris(2026, 10, 13, 9, 30), EndsAt: paris(2026, 10, 13, 10, 15),
			Room: "Amphithéâtre", Speakers: []string{"Claire Moreau", "Karim Benali"}, Line: 2},
		{Title: "Atelier : accompagner les démarches en ligne", Kind: "atelier", StartsAt: paris(2026, 10, 13, 10, 45),
			EndsAt: paris(2026, 10, 13, 12, 15), Room: "Salle 2", Speakers: []string{"Léa Martin"}, Line: 3},
		{Title: "Table ronde : tiers-lieux et inclusion", Kind: "table-ronde", StartsAt: paris(2026, 10, 13, 14, 0),
			EndsAt: paris(2026, 10, 13, 15, 30), Room: "Amphithéâtre", Speakers: []string{"Nadia Haddad", "Yves Lefort"}, Line: 4},
	})
	r = mustParseOK(t, "agenda.ics", vcal("BEGIN:VEVENT\n"+strings.TrimSpace(block("```\nBEGIN:VEVENT"))))
	checkDrafts(t, r.Drafts, []programme.Draft{
		{Title: "Table ronde : les tiers-lieux, lieux de médiation numérique ?", Kind: "table-ronde", StartsAt: paris(2026, 10, 13, 14, 0),
			EndsAt: paris(2026, 10, 13, 15, 30), Room: "Amphithéâtre", Line: 4, UID: "040000008200E00074C5B7101A82E008000000001"},
	})
}
