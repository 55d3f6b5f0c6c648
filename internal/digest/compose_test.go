package digest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// monday is the morning of a weekly run: Monday 30 November 2026, 08:00 in Paris.
var monday = time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)

func goldenEvent(lang string) *retours.Event {
	e := &retours.Event{
		ID: "k7m2p9qa", Title: "Numérique En Commun[s] Auvergne", Place: "Clermont-Ferrand",
		StartsAt: time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC),
		ClosesAt: time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC), Languages: []string{lang},
		Sessions: []retours.Session{
			{ID: "s1pl3n", Title: "Plénière d'ouverture", Kind: retours.KindPleniere},
			{ID: "s2atin", Title: "Atelier inclusion", Kind: retours.KindAtelier},
			{ID: "s3atdo", Title: "Atelier données <ouvertes>", Kind: retours.KindAtelier},
		},
		AnonymityThreshold: 5, Questionnaire: retours.DefaultQuestionnaire(),
	}
	if lang == "en" {
		e.Title, e.Place = "Digital Commons Day", "Lyon"
	}
	return e
}

func goldenDigest(lang string) *Digest {
	e := goldenEvent(lang)
	quiet := &retours.Event{ID: "r4t5u6v7", Title: "Atelier itinérant — Riom"}
	quiet2 := &retours.Event{ID: "w8x9y2z3", Title: "Café numérique"}
	s := &Summary{
		Event: e, Since: monday.Add(-7 * 24 * time.Hour), Until: monday,
		NewAnswers: Count{42, true}, Answers: Count{57, true},
		// The atelier's 3 new answers are too few to give, and the event
		// as a whole's 6 go with them.
		Sessions: []SessionCount{
			{Title: e.Title, New: Count{6, false}},
			{ID: "s1pl3n", Title: "Plénière d'ouverture", New: Count{21, true}},
			{ID: "s2atin", Title: "Atelier inclusion", New: Count{12, true}},
			{ID: "s3atdo", Title: "Atelier données <ouvertes>", New: Count{3, false}},
		},
		Satisfaction: Figure{Now: Stat{Value: 4.31, Count: 57, Max: 5}, Before: Stat{Value: 4.07, Count: 15, Max: 5}, Asked: true, Shown: true, Change: true},
		NPS:          Figure{Now: Stat{Value: 38, Count: 50}, Before: Stat{Value: 45, Count: 12}, Asked: true, Shown: true, Change: true},
		NewNotes:     5,
		Quotes: []Quote{
			{Kind: retours.NoteEtonnement, Text: "Autant d'élus que d'associations !", Session: "Plénière d'ouverture"},
			{Kind: retours.NotePointFort, Text: "<script>alert('x')</script> =HYPERLINK(\"http://evil\") les échanges\nen petits groupes"},
			{Kind: retours.NoteAmelioration, Text: strings.Repeat("Trop de monde dans la salle, on n'entendait rien. ", 10)},
		},
		NewThemes: []string{"médiation numérique", "France Services"},
	}
	return &Digest{
		To: "orga@example.org", Lang: lang, Since: s.Since, Until: s.Until,
		Events: []*Summary{s}, Quiet: []*retours.Event{quiet, quiet2},
		BaseURL:        "https://retours.example.org",
		Unsubscribe:    map[string]string{e.ID: "https://retours.example.org/unsubscribe/one"},
		UnsubscribeAll: "https://retours.example.org/unsubscribe/all",
	}
}

func TestComposeGolden(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			m, err := Compose(goldenDigest(lang))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "digest-"+lang+".txt", "Subject: "+m.Subject+"\n\n"+m.Text)
			golden(t, "digest-"+lang+".html", m.HTML)
			if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;") {
				t.Error("the HTML part does not escape a note's markup")
			}
			if strings.Contains(m.HTML, "<img") || strings.Contains(m.HTML, "src=") {
				t.Error("the HTML part loads something")
			}
			if m.Unsubscribe != "https://retours.example.org/unsubscribe/all" || m.Lang != lang {
				t.Errorf("Unsubscribe %q, Lang %q", m.Unsubscribe, m.Lang)
			}
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", name, got)
	}
}

func TestFigures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers Count
		fig     Figure
		want    string
	}{
		{"too few answers", Count{4, false}, Figure{Asked: true}, "Satisfaction : moins de 5 réponses pour l'instant"},
		{"no answer yet", Count{0, true}, Figure{Asked: true}, ""},
		{"first week", Count{9, true}, Figure{Now: Stat{Value: 4.25, Count: 9, Max: 5}, Asked: true, Shown: true, Change: true}, "Satisfaction : 4,2 / 5 (première semaine)"},
		{"no change that would tell a few answers apart", Count{14, true},
			Figure{Now: Stat{Value: 3.5, Count: 14, Max: 5}, Before: Stat{Value: 4, Count: 10, Max: 5}, Asked: true, Shown: true}, "Satisfaction : 3,5 / 5"},
		{"down", Count{20, true}, Figure{Now: Stat{Value: 3.5, Count: 20, Max: 5}, Before: Stat{Value: 4, Count: 10, Max: 5}, Asked: true, Shown: true, Change: true},
			"Satisfaction : 3,5 / 5 (−0,5 en une semaine)"},
		{"unchanged once rounded", Count{20, true}, Figure{Now: Stat{Value: 4.01, Count: 20, Max: 5}, Before: Stat{Value: 3.99, Count: 10, Max: 5}, Asked: true, Shown: true, Change: true},
			"Satisfaction : 4,0 / 5 (stable en une semaine)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := goldenDigest("fr")
			d.Events[0].Answers, d.Events[0].Satisfaction = tc.answers, tc.fig
			if got := eventOf(d, d.Events[0]).Satisfaction; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLang(t *testing.T) {
	fr, en := goldenEvent("fr"), goldenEvent("en")
	both := goldenEvent("fr")
	both.Languages = []string{"fr", "en"}
	for _, tc := range []struct {
		name   string
		events []*retours.Event
		want   string
	}{
		{"english event", []*retours.Event{en}, "en"},
		{"french event", []*retours.Event{fr}, "fr"},
		{"french first", []*retours.Event{both}, "fr"},
		{"mixed", []*retours.Event{en, fr}, "fr"},
		{"none", nil, "fr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Lang(tc.events); got != tc.want {
				t.Errorf("Lang = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWeek(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{monday, "2026-W49"},
		// Sunday 23:30 in Paris is still the week before, though Monday in UTC+2 zones.
		{time.Date(2026, 11, 29, 22, 30, 0, 0, time.UTC), "2026-W48"},
		{time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC), "2026-W49"},
		{time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), "2026-W53"},
	} {
		if got := Week(tc.at); got != tc.want {
			t.Errorf("Week(%v) = %q, want %q", tc.at, got, tc.want)
		}
	}
}

func TestToken(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	org := retours.OrganiserID("Orga@Example.org")
	tok := signToken(secret, org, []string{"k7m2p9qa", "r4t5u6v7"})
	gotOrg, events, err := parseToken(secret, tok)
	if err != nil || gotOrg != org || len(events) != 2 || events[1] != "r4t5u6v7" {
		t.Fatalf("parseToken = %q, %v, %v", gotOrg, events, err)
	}
	if org != retours.OrganiserID("orga@example.org") {
		t.Error("OrganiserID depends on case")
	}
	for _, tc := range []struct{ name, token string }{
		{"another event", strings.Replace(tok, "k7m2p9qa", "k7m2p9qb", 1)},
		{"another organiser", retours.OrganiserID("x@example.org") + tok[32:]},
		{"another secret", signToken([]byte("another secret of thirty-two bytes"), org, []string{"k7m2p9qa"})},
		{"no signature", strings.TrimSuffix(tok, tok[strings.LastIndexByte(tok, '.'):])},
		{"empty", ""},
		{"traversal", "../../etc/passwd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := parseToken(secret, tc.token); retours.ErrorCode(err) != retours.ENOTFOUND {
				t.Errorf("err = %v, want not found", err)
			}
		})
	}
}
