package bilan_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
)

func fixtureBilan(t testing.TB, lang string) *bilan.Bilan {
	t.Helper()
	agg := bilan.New(fixtureEvent(), lang)
	for _, a := range fixtureAnswers() {
		agg.AddAnswer(a)
	}
	for _, n := range fixtureNotes() {
		agg.AddNote(n)
	}
	return agg.Bilan(t0.Add(48 * time.Hour))
}

func question(t *testing.T, qs []bilan.QuestionStats, id string) bilan.QuestionStats {
	t.Helper()
	for _, q := range qs {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("no question %q", id)
	return bilan.QuestionStats{}
}

// reference computes a question's figures the slow way, from every value.
func reference(answers []*retours.Answer, keep func(*retours.Answer) bool, id string) (n int, mean, median float64) {
	var vs []int
	for _, a := range answers {
		if v, ok := a.Values[id]; ok && keep(a) {
			vs = append(vs, v.Number)
		}
	}
	slices.Sort(vs)
	sum := 0
	for _, v := range vs {
		sum += v
	}
	if len(vs) == 0 {
		return 0, 0, 0
	}
	return len(vs), float64(sum) / float64(len(vs)), float64(vs[(len(vs)-1)/2]+vs[len(vs)/2]) / 2
}

func TestAggregate(t *testing.T) {
	b := fixtureBilan(t, "fr")
	answers := fixtureAnswers()
	if b.Answers != 30 || b.Notes != 5 {
		t.Errorf("answers, notes = %d, %d; want 30, 5 (one note hidden)", b.Answers, b.Notes)
	}
	if b.ResponseRate == nil || *b.ResponseRate != 0.75 {
		t.Errorf("response rate = %v, want 30/40", b.ResponseRate)
	}
	all := func(*retours.Answer) bool { return true }
	for _, tc := range []struct {
		name    string
		qs      []bilan.QuestionStats
		keep    func(*retours.Answer) bool
		id      string
		wantNPS bool
	}{
		{"event satisfaction", b.Questions, all, "satisfaction", false},
		{"event nps", b.Questions, all, "nps", true},
		{"plénière satisfaction", b.Sessions[1].Questions, func(a *retours.Answer) bool { return a.SessionID == "plenie" }, "satisfaction", false},
		{"inclusion nps", b.Sessions[2].Questions, func(a *retours.Answer) bool { return a.SessionID == "inclus" }, "nps", true},
		{"associations' satisfaction", b.Profiles[2].Questions, func(a *retours.Answer) bool { return slices.Equal(a.Values["profil"].Choices, []string{"association"}) }, "satisfaction", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := question(t, tc.qs, tc.id)
			n, mean, median := reference(answers, tc.keep, tc.id)
			if q.Count != n || q.Mean == nil || math.Abs(*q.Mean-mean) > 1e-9 || *q.Median != median {
				t.Errorf("count, mean, median = %d, %v, %v; want %d, %v, %v", q.Count, ptr(q.Mean), ptr(q.Median), n, mean, median)
			}
			if q.CI95 == nil || q.CI95.Low >= mean || q.CI95.High <= mean {
				t.Errorf("ci95 = %+v, want an interval around %v", q.CI95, mean)
			}
			total := 0
			for _, d := range q.Distribution {
				total += d.Count
			}
			if total != n {
				t.Errorf("distribution adds up to %d, want %d", total, n)
			}
			if (q.NPS != nil) != tc.wantNPS {
				t.Fatalf("nps = %+v, want it only for nps questions", q.NPS)
			}
			if q.NPS != nil {
				if got := q.NPS.Promoters + q.NPS.Passives + q.NPS.Detractors; got != n {
					t.Errorf("nps groups add up to %d, want %d", got, n)
				}
				if want := 100 * float64(q.NPS.Promoters-q.NPS.Detractors) / float64(n); q.NPS.Score != want {
					t.Errorf("nps score = %v, want %v", q.NPS.Score, want)
				}
			}
		})
	}
	if q := question(t, b.Questions, "commentaire"); q.Count != 26 {
		// 30 answers, 3 empty texts, 1 hidden.
		t.Errorf("commentaire count = %d, want 26", q.Count)
	}
	if q := question(t, b.Questions, "rencontres"); q.Count != 30 || q.Distribution[0].Count != 20 || q.Distribution[1].Count != 10 {
		t.Errorf("rencontres = %+v, want 20 oui and 10 non", q.Distribution)
	}
}

func ptr(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func TestSmallCellsStayAnonymous(t *testing.T) {
	b := fixtureBilan(t, "fr")
	got := map[string]bool{}
	empty := func(g bilan.Group) bool {
		return g.Answers == 0 && g.Questions == nil && g.Satisfaction == nil && g.NPS == nil && g.Profiles == nil
	}
	for _, s := range b.Sessions {
		got[s.ID] = s.Suppressed
		if s.Suppressed && !empty(s) {
			t.Errorf("suppressed session %q still shows %+v", s.ID, s)
		}
		for _, p := range s.Profiles {
			if p.Suppressed && !empty(p) || !p.Suppressed && p.Answers < b.Threshold {
				t.Errorf("session %q profile %q: suppressed %v with %+v", s.ID, p.ID, p.Suppressed, p)
			}
		}
	}
	// The event as a whole (4 answers) and the small atelier (3) are below
	// the threshold; they hide each other, as together they hold 7.
	want := map[string]bool{"": true, "plenie": false, "inclus": false, "petit1": true}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("session %q suppressed = %v, want %v", id, got[id], w)
		}
	}
	for _, p := range b.Profiles {
		if p.Suppressed && !empty(p) || !p.Suppressed && p.Answers > 0 && p.Answers < b.Threshold {
			t.Errorf("profile %q: suppressed %v with %+v", p.ID, p.Suppressed, p)
		}
	}
	// Quotes and notes from the small atelier are not attributed to it.
	for _, g := range b.NoteGroups {
		for _, n := range g.Notes {
			if n.Session != "" && n.Session != "Plénière d'ouverture" && n.Session != "Atelier inclusion" {
				t.Errorf("note %q attributed to %q", n.Text, n.Session)
			}
			if strings.Contains(n.Text, "=1+2") && n.Session != "" {
				t.Errorf("note of the small atelier attributed to %q", n.Session)
			}
		}
	}
	for _, th := range b.Themes {
		for _, q := range th.Quotes {
			if strings.Contains(q.Session, "HYPERLINK") {
				t.Errorf("quote %q attributed to the small atelier", q.Text)
			}
		}
	}
}

// TestFewAnswersShowNothing: an event with fewer answers than its threshold
// is a small group itself.
func TestFewAnswersShowNothing(t *testing.T) {
	e := fixtureEvent()
	agg := bilan.New(e, "fr")
	for i := range 4 {
		agg.AddAnswer(&retours.Answer{SessionID: "inclus", Values: map[string]retours.Value{"satisfaction": {Number: 1 + i}, "profil": {Choices: []string{"elu"}}}})
	}
	b := agg.Bilan(t0)
	if !b.Suppressed || b.Answers != 0 || b.ResponseRate != nil || len(b.Questions) != 0 {
		t.Errorf("bilan of 4 answers = suppressed %v, answers %d, rate %v, %d questions; want nothing shown", b.Suppressed, b.Answers, b.ResponseRate, len(b.Questions))
	}
	for _, g := range append(b.Sessions, b.Profiles...) {
		if g.Answers != 0 || g.Satisfaction != nil || (g.ID == "inclus" || g.ID == "elu") != g.Suppressed {
			t.Errorf("group %q = %+v, want hidden if it has answers, else 0", g.ID, g)
		}
	}
	other := fixtureBilan(t, "fr")
	if c := bilan.Compare(other, b); c.Answers != nil || c.Satisfaction != nil || c.NPS != nil || len(c.Questions) != 0 {
		t.Errorf("comparison with an edition of 4 answers = %+v, want no figure", c)
	}
}

// TestEventWithoutSessions: an event just created, with the default
// questionnaire and no session yet, has a bilan before any answer.
func TestEventWithoutSessions(t *testing.T) {
	e := fixtureEvent()
	e.Sessions = nil
	e.Questionnaire = retours.DefaultQuestionnaire()
	b := bilan.New(e, "fr").Bilan(t0)
	if b.Answers != 0 || len(b.Sessions) != 0 || len(b.Profiles) == 0 {
		t.Errorf("bilan = %d answers, %d sessions, %d profiles; want none, none, and the profiles with no answer", b.Answers, len(b.Sessions), len(b.Profiles))
	}
	var buf bytes.Buffer
	if err := bilan.WriteHTML(&buf, b); err != nil {
		t.Fatal(err)
	}
}

func TestHiddenTextsStayOut(t *testing.T) {
	b := fixtureBilan(t, "fr")
	for _, g := range b.NoteGroups {
		for _, n := range g.Notes {
			if strings.Contains(n.Text, "masquée") {
				t.Errorf("hidden note in the bilan: %q", n.Text)
			}
		}
	}
	agg := bilan.New(fixtureEvent(), "fr")
	for range 5 {
		agg.AddAnswer(&retours.Answer{SessionID: "inclus", Values: map[string]retours.Value{"commentaire": {Text: "secret secret"}}, Hidden: []string{"commentaire"}})
	}
	if got := agg.Bilan(t0); len(got.Themes) != 0 || question(t, got.Questions, "commentaire").Count != 0 {
		t.Errorf("hidden texts counted: themes %+v", got.Themes)
	}
	if c := agg.Coverage(); c.Answers != 5 {
		t.Errorf("coverage = %+v, want the 5 answers hidden or not", c)
	}
}

func TestThemes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		texts []string
		want  []string // labels, in order
	}{
		{"phrase over its words, accents folded, shown as written",
			[]string{"La médiation numérique !", "mediation numerique partout", "Médiation numérique et territoires", "les territoires"},
			[]string{"médiation numérique", "territoires"}},
		{"plurals merged",
			[]string{"Les tiers-lieux", "un tiers-lieu", "des ateliers", "l'atelier"},
			[]string{"atelier", "tiers-lieu"}},
		{"english, stop words out",
			[]string{"More digital inclusion, please", "digital inclusion workshops", "Great workshop, thanks"},
			[]string{"digital inclusion", "workshop"}},
		{"a text counts once", []string{"café café café", "thé"}, nil},
		{"acronyms kept", []string{"L'IA partout", "IA et éthique"}, []string{"IA"}},
		{"punctuation breaks phrases", []string{"accueil. numérique", "accueil, numérique"}, []string{"accueil", "numérique"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, th := range bilan.ExtractThemes(tc.texts, 5) {
				got = append(got, th.Label)
				if len(th.Quotes) == 0 || len(th.Quotes) > bilan.MaxQuotes {
					t.Errorf("theme %q has %d quotes", th.Label, len(th.Quotes))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("themes = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	cur := fixtureBilan(t, "fr")
	prevEvent := fixtureEvent()
	prevEvent.ID, prevEvent.Edition, prevEvent.RegisteredCount = "evtnec25", 2, 0
	agg := bilan.New(prevEvent, "fr")
	for i := 0; i < 10; i++ {
		agg.AddAnswer(&retours.Answer{Values: map[string]retours.Value{"satisfaction": {Number: 3}, "nps": {Number: 10}}})
	}
	prev := agg.Bilan(t0)
	c := bilan.Compare(cur, prev)
	if c.Previous.Edition != 2 || c.Answers == nil || *c.Answers != (bilan.Delta{Previous: 10, Current: 30, Change: 20}) {
		t.Errorf("comparison = %+v", c)
	}
	if c.ResponseRate != nil {
		t.Errorf("response rate compared without a registered count: %+v", c.ResponseRate)
	}
	if c.NPS == nil || c.NPS.Previous != 100 || c.Satisfaction == nil || c.Satisfaction.Previous != 3 {
		t.Errorf("nps %+v, satisfaction %+v", c.NPS, c.Satisfaction)
	}
	if len(c.Questions) != 2 || c.Questions[0].ID != "satisfaction" || c.Questions[1].ID != "nps" {
		t.Errorf("questions = %+v, want satisfaction and nps matched by id", c.Questions)
	}
}

// TestOrderDoesNotMatter: stores read answers in no particular order, and
// the same answers must give the same bilan.
func TestOrderDoesNotMatter(t *testing.T) {
	want := fixtureBilan(t, "fr")
	answers, notes := fixtureAnswers(), fixtureNotes()
	for seed := uint64(0); seed < 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		r.Shuffle(len(answers), func(i, j int) { answers[i], answers[j] = answers[j], answers[i] })
		r.Shuffle(len(notes), func(i, j int) { notes[i], notes[j] = notes[j], notes[i] })
		agg := bilan.New(fixtureEvent(), "fr")
		for _, a := range answers {
			agg.AddAnswer(a)
		}
		for _, n := range notes {
			agg.AddNote(n)
		}
		if got := agg.Bilan(t0.Add(48 * time.Hour)); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d gives another bilan:\n%+v\nwant\n%+v", seed, got.Themes, want.Themes)
		}
	}
}

// TestChannels: the participation counts answers by channel, a paper
// sheet's box among the notes shown, and gives no channel's answers when
// the event has too few to show any.
func TestChannels(t *testing.T) {
	e := fixtureEvent()
	agg := bilan.New(e, "fr")
	for i := range 7 {
		a := &retours.Answer{SessionID: "inclus", Values: map[string]retours.Value{"satisfaction": {Number: 4}}}
		if i < 3 {
			a.Channel, a.Sheet = retours.ChannelPaper, retours.SheetNumber(4821, i+1)
		}
		agg.AddAnswer(a)
	}
	agg.AddNote(&retours.Note{Kind: retours.NoteEtonnement, Text: "Le café", Channel: retours.ChannelPaper})
	agg.AddNote(&retours.Note{Kind: retours.NoteEtonnement, Text: "Masquée", Channel: retours.ChannelPaper, Hidden: true})
	agg.AddNote(&retours.Note{Kind: retours.NotePointFort, Text: "En ligne"})
	b := agg.Bilan(t0)
	want := []bilan.ChannelCount{{Channel: "web", Label: "en ligne", Answers: 4, Notes: 1}, {Channel: "paper", Label: "sur papier", Answers: 3, Notes: 1}}
	if !reflect.DeepEqual(b.Channels, want) {
		t.Errorf("channels = %+v, want %+v", b.Channels, want)
	}
	var md strings.Builder
	if err := bilan.WriteMarkdown(&md, b); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"| dont en ligne | 4 |", "| dont sur papier | 3 |", "| Notes sur papier | 1 |"} {
		if !strings.Contains(md.String(), row) {
			t.Errorf("Markdown lacks %q", row)
		}
	}

	small := bilan.New(e, "fr")
	for range 4 {
		small.AddAnswer(&retours.Answer{Channel: retours.ChannelPaper, Values: map[string]retours.Value{"satisfaction": {Number: 2}}})
	}
	b = small.Bilan(t0)
	for _, c := range b.Channels {
		if c.Answers != 0 {
			t.Errorf("channel %s shows %d answers of an event with 4", c.Channel, c.Answers)
		}
	}
}
