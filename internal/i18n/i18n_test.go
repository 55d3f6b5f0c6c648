package i18n

import (
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the reference of TestParisIsTheDatabasesZone where the system has no zoneinfo
)

// sample is not registered: the test of every catalogue must not see it.
var sample = newCatalogue("sample", map[string]map[string]string{
	"fr": {
		"hello":         "Bonjour",
		"welcome":       "Bienvenue à %s, %d places",
		"share":         "%d %% des réponses",
		"answers.zero":  "aucune réponse",
		"answers.one":   "%d réponse",
		"answers.other": "%d réponses",
		"notes.one":     "une note",
		"notes.other":   "%d notes",
	},
	"en": {
		"hello":         "Hello",
		"welcome":       "Welcome to %s, %d seats",
		"share":         "%d%% of the answers",
		"answers.zero":  "no answers",
		"answers.one":   "%d answer",
		"answers.other": "%d answers",
		"notes.one":     "one note",
		"notes.other":   "%d notes",
	},
})

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name, lang, key string
		args            []any
		want            string
	}{
		{"plain", "fr", "hello", nil, "Bonjour"},
		{"english", "en", "hello", nil, "Hello"},
		{"verbs filled", "fr", "welcome", []any{"Riom", 40}, "Bienvenue à Riom, 40 places"},
		{"percent sign", "fr", "share", []any{75}, "75 % des réponses"},
		{"unknown language reads French", "de", "hello", nil, "Bonjour"},
		{"missing key", "fr", "nope", nil, "[nope]"},
		{"missing key in English too", "en", "nope", []any{3}, "[nope]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sample.T(tc.lang, tc.key, tc.args...); got != tc.want {
				t.Errorf("T(%q, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
			}
		})
	}
}

func TestExtends(t *testing.T) {
	page := newCatalogue("page", map[string]map[string]string{
		"fr": {"title": "Titre", "hello": "Salut"},
		"en": {"title": "Title", "hello": "Hi"},
	}).Extends(sample)
	for _, tc := range []struct{ lang, key, want string }{
		{"fr", "title", "Titre"},
		{"en", "notes.one", "one note"}, // from the catalogue it extends
		{"en", "hello", "Hi"},           // its own text first
		{"fr", "nope", "[nope]"},
	} {
		if got := page.T(tc.lang, tc.key); got != tc.want {
			t.Errorf("T(%q, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	if got := page.Plural("fr", "answers", 0); got != "aucune réponse" {
		t.Errorf("Plural through the extended catalogue = %q", got)
	}
	if page.Owner("title") != page || page.Owner("hello") != page || page.Owner("share") != sample || page.Owner("nope") != nil {
		t.Error("Owner does not name the catalogue that holds each key")
	}
	if keys := page.Keys(); !slices.Equal(keys, []string{"hello", "title"}) {
		t.Errorf("Keys() = %v, want only its own", keys)
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		lang, key string
		n         int
		want      string
	}{
		{"fr", "answers", 0, "aucune réponse"},
		{"fr", "answers", 1, "1 réponse"},
		{"fr", "answers", 2, "2 réponses"},
		{"en", "answers", 0, "no answers"},
		{"en", "answers", 1, "1 answer"},
		{"en", "answers", 12, "12 answers"},
		{"fr", "notes", 0, "une note"}, // French: 0 is singular
		{"fr", "notes", 1, "une note"},
		{"en", "notes", 0, "0 notes"}, // English: only 1 is
		{"en", "notes", 1, "one note"},
		{"fr", "nope", 2, "[nope.other]"},
	} {
		if got := sample.Plural(tc.lang, tc.key, tc.n); got != tc.want {
			t.Errorf("Plural(%q, %q, %d) = %q, want %q", tc.lang, tc.key, tc.n, got, tc.want)
		}
	}
}

func TestProblems(t *testing.T) {
	if p := sample.Problems(); len(p) > 0 {
		t.Fatalf("the sample catalogue has problems: %v", p)
	}
	bad := newCatalogue("bad", map[string]map[string]string{
		"fr": {"a": "A %s", "b": "", "c": "95 % sûr", "only.fr": "x", "n.one": "%d %s"},
		"en": {"a": "A %d", "b": "B", "c": "95% sure", "only.en": "x", "n.one": "%d %s"},
		"de": {"a": "A %s"},
	})
	want := []string{
		`bad: "only.en" is in en, not in fr`,
		`bad: "only.fr" is in fr, not in en`,
		`bad: en "a" has the verbs [%d], fr has [%s]`,
		`bad: en "c" has a % that is no verb (write %% for a percent sign)`,
		`bad: fr "b" is empty`,
		`bad: fr "c" has a % that is no verb (write %% for a percent sign)`,
		`bad: language "de" is not one of [fr en]`,
		`bad: plural "n" has no form "other"`,
		`bad: plural form "n.one" has 2 verbs, at most one (the count)`,
	}
	got := bad.Problems()
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	missing := newCatalogue("missing", map[string]map[string]string{"fr": {"a": "A"}})
	if got := missing.Problems(); !slices.Equal(got, []string{"missing: no en texts"}) {
		t.Errorf("problems of a catalogue without English = %q", got)
	}
}

func TestVerbs(t *testing.T) {
	for s, want := range map[string][]string{
		"rien":                   nil,
		"%d et %s":               {"%d", "%s"},
		"100 %% et %q":           {"%q"},
		"%[2]s puis %[1]d, %.1f": {"%[2]s", "%[1]d", "%.1f"},
		"%-5s|%05d":              {"%-5s", "%05d"},
	} {
		if got := Verbs(s); !slices.Equal(got, want) {
			t.Errorf("Verbs(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestDates(t *testing.T) {
	winter := time.Date(2026, 11, 29, 1, 5, 0, 0, time.UTC) // 02:05 in Paris (UTC+1)
	summer := time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC) // 2 July, 00:30 in Paris (UTC+2)
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"date fr", Date("fr", winter), "29 novembre 2026"},
		{"date en", Date("en", winter), "29 November 2026"},
		{"date time fr", DateTime("fr", winter), "29 novembre 2026 à 02:05"},
		{"date time en", DateTime("en", winter), "29 November 2026, 02:05"},
		{"day in Paris, not UTC", Date("fr", summer), "2 juillet 2026"},
		{"summer time", DateTime("en", summer), "2 July 2026, 00:30"},
		{"long date fr", LongDate("fr", winter), "dimanche 29 novembre 2026"},
		{"long date en", LongDate("en", winter), "Sunday 29 November 2026"},
		{"long date time fr", LongDateTime("fr", summer), "jeudi 2 juillet 2026 à 00:30"},
		{"long date time en", LongDateTime("en", summer), "Thursday 2 July 2026, 00:30"},
		{"clock", Clock(winter), "02:05"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if !SameDay(summer, time.Date(2026, 7, 2, 20, 0, 0, 0, time.UTC)) || SameDay(summer, time.Date(2026, 7, 1, 20, 0, 0, 0, time.UTC)) {
		t.Error("SameDay does not compare days in Paris")
	}
	if Paris.String() != "Europe/Paris" {
		t.Errorf("Paris = %v", Paris)
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"decimal comma", Number("fr", 3.14159, 2), "3,14"},
		{"decimal point", Number("en", 3.14159, 2), "3.14"},
		{"trailing zeros dropped", Number("fr", 2.5, 2), "2,5"},
		{"whole", Number("fr", 3, 2), "3"},
		{"no decimals", Number("en", 10, 0), "10"},
		{"negative", Number("fr", -43.333, 2), "-43,33"},
		{"negative zero", Number("fr", -0.001, 2), "0"},
		{"grouping fr", Number("fr", 1234567.891, 1), "1\u00a0234\u00a0567,9"},
		{"grouping en", Number("en", -1234567.891, 1), "-1,234,567.9"},
		{"below a thousand", Number("fr", 999, 0), "999"},
		{"fixed fr", Fixed("fr", 4, 1), "4,0"},
		{"fixed en", Fixed("en", 4.31, 1), "4.3"},
		{"fixed negative zero", Fixed("fr", -0.04, 1), "0,0"},
		{"fixed grouping", Fixed("fr", 12345, 1), "12\u00a0345,0"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestParisIsTheDatabasesZone: the embedded Europe/Paris gives the offsets
// and abbreviations of the zone database's, from 1970 to 2100.
func TestParisIsTheDatabasesZone(t *testing.T) {
	want, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for at := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2100; at = at.Add(6 * time.Hour) {
		gotName, gotOffset := at.In(Paris).Zone()
		wantName, wantOffset := at.In(want).Zone()
		if gotName != wantName || gotOffset != wantOffset {
			t.Fatalf("at %s: %s %+d, want %s %+d", at.Format(time.RFC3339), gotName, gotOffset, wantName, wantOffset)
		}
	}
}
