package bilan_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/memstore"
)

// The weekly digest tells organisers what came in during the week: the
// week's answers, each session's, and how the figures changed. Read with
// the bilan as of the same instant, its counts split every cell of the
// bilan into before and during the week. The attacker adds the digest's
// figures to the JSON's and goes after what either hides, and after any
// group of 1 to k-1 answers of one session (or of the whole event) before
// or during the week.

// week is the digest's week of the tempting digests: it starts a week after
// the fixture day.
var week = t0.Add(7 * 24 * time.Hour)

func weekEvent(r *rand.Rand, name string, sessions int, before, during []group) *tempting {
	ev := &tempting{name: name, event: temptingEvent(name, 5, sessions), since: week}
	ev.answers = answersOf(r, before...)
	for _, a := range answersOf(r, during...) {
		a.ID, a.SubmissionID = "w"+a.ID, strings.Replace(a.SubmissionID, "-8000-", "-9000-", 1)
		a.CreatedAt = a.CreatedAt.Add(week.Sub(t0))
		ev.answers = append(ev.answers, a)
	}
	return ev
}

func temptingWeeks() []*tempting {
	r := rand.New(rand.NewPCG(7, 7))
	out := []*tempting{
		weekEvent(r, "a session with two new answers", 2,
			[]group{{"s1", "agent", 10}, {"s2", "association", 8}}, []group{{"s1", "agent", 2}, {"s2", "association", 6}}),
		weekEvent(r, "one new answer in the week", 1,
			[]group{{"s1", "agent", 12}}, []group{{"s1", "association", 1}}),
		weekEvent(r, "the first week, with a one-answer session", 3,
			nil, []group{{"s1", "agent", 6}, {"s2", "elu", 1}, {"s3", "association", 9}}),
		weekEvent(r, "four answers before the week", 1,
			[]group{{"s1", "agent", 4}}, []group{{"s1", "agent", 10}}),
		weekEvent(r, "new answers only where there were none", 2,
			[]group{{"s1", "agent", 10}}, []group{{"s2", "agent", 2}, {"s1", "association", 7}}),
		weekEvent(r, "a small session of the bilan with new answers", 3,
			[]group{{"s1", "agent", 20}, {"s2", "elu", 1}}, []group{{"s1", "agent", 5}, {"s2", "elu", 1}, {"s3", "association", 3}}),
		weekEvent(r, "fewer answers than the threshold", 1,
			[]group{{"s1", "agent", 2}}, []group{{"s1", "agent", 1}}),
	}
	profiles := []string{"", "elu", "agent", "association"}
	for i := range 20 {
		sessions := 1 + r.IntN(4)
		var before, during []group
		for s := range sessions + 1 {
			id := ""
			if s > 0 {
				id = fmt.Sprintf("s%d", s)
			}
			for _, p := range profiles {
				n := []int{0, 0, 1, 2, 3, 5, 8}
				if r.IntN(2) == 0 {
					before = append(before, group{id, p, n[r.IntN(len(n))]})
				}
				if r.IntN(2) == 0 {
					during = append(during, group{id, p, n[r.IntN(len(n))]})
				}
			}
		}
		out = append(out, weekEvent(r, fmt.Sprintf("random week %d", i), sessions, before, during))
	}
	return out
}

// digestOf runs the digest's summary of ev's week on an in-memory store,
// and returns it with the JSON of the bilan as of the run.
func digestOf(t *testing.T, ev *tempting) (*digest.Summary, []byte) {
	t.Helper()
	ctx := context.Background()
	st := memstore.New()
	for _, a := range ev.answers {
		if _, _, err := st.PutAnswer(ctx, a, ev.event.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
	}
	until := ev.since.Add(7 * 24 * time.Hour)
	s, err := digest.Summarise(ctx, st, ev.event, ev.since, until)
	if err != nil {
		t.Fatal(err)
	}
	agg := bilan.New(ev.event, "fr")
	for _, a := range ev.answers {
		agg.AddAnswer(a)
	}
	var buf bytes.Buffer
	if err := bilan.WriteJSON(&buf, agg.Bilan(until)); err != nil {
		t.Fatal(err)
	}
	return s, buf.Bytes()
}

// attackDigest reads the bilan's JSON and the digest's summary and returns
// what it recovers.
func attackDigest(t *testing.T, ev *tempting, bilanJSON []byte, s *digest.Summary) (leaks []string, targets int) {
	t.Helper()
	b, err := bilan.ReadJSON(bilanJSON)
	if err != nil {
		t.Fatal(err)
	}
	k := &attacker{zero: map[int]bool{}, facts: map[string][]fact{}, parts: []string{"before", "during"}}
	k.read(b, ev.name)
	in := func(part string) []int { return k.where(func(_, _, w string) bool { return w == part }) }
	hidden := func(what string, atoms []int) {
		k.targets = append(k.targets, target{ev.name + ": " + what, atoms})
	}
	if s.Answers.Shown {
		k.add("answers", k.all(), intRat(s.Answers.N))
	}
	if s.NewAnswers.Shown {
		k.add("answers", in("during"), intRat(s.NewAnswers.N))
	} else {
		hidden("the week's answers", in("during"))
	}
	for _, sc := range s.Sessions {
		atoms := k.where(func(ss, _, w string) bool { return ss == sc.ID && w == "during" })
		if sc.New.Shown {
			k.add("answers", atoms, intRat(sc.New.N))
		} else {
			hidden(fmt.Sprintf("session %q during the week", sc.ID), atoms)
		}
		if i := slices.IndexFunc(b.Sessions, func(g bilan.Group) bool { return g.ID == sc.ID }); i < 0 || b.Sessions[i].Suppressed {
			leaks = append(leaks, fmt.Sprintf("%s: the digest names session %q, which the bilan hides", ev.name, sc.ID))
		}
	}
	// A change over the week gives the figure a week ago: the attacker is
	// given the number of answers behind it too.
	if f := s.Satisfaction; f.Change && f.Before.Count > 0 {
		k.add("q.satisfaction.count", in("before"), intRat(f.Before.Count))
		k.add("q.satisfaction.sum", in("before"), intRat(int(math.Round(f.Before.Value*float64(f.Before.Count)))))
	}
	if f := s.NPS; f.Change && f.Before.Count > 0 {
		k.add("q.nps.count", in("before"), intRat(f.Before.Count))
		k.add("q.nps.pd", in("before"), intRat(int(math.Round(f.Before.Value*float64(f.Before.Count)/100))))
	}
	for _, q := range s.Quotes {
		if q.Session != "" && !slices.ContainsFunc(b.Sessions, func(g bilan.Group) bool { return g.Title == q.Session && !g.Suppressed }) {
			leaks = append(leaks, fmt.Sprintf("%s: a quote names session %q, which the bilan hides", ev.name, q.Session))
		}
	}
	for _, w := range k.parts {
		k.small = append(k.small, target{"the whole event " + w + " the week", in(w)})
		for _, sess := range k.sessions {
			k.small = append(k.small, target{fmt.Sprintf("session %q %s the week", sess, w),
				k.where(func(ss, _, ww string) bool { return ss == sess && ww == w })})
		}
	}
	return append(leaks, k.run(ev)...), len(k.targets)
}

func TestAttackerDigestPlusJSON(t *testing.T) {
	for _, ev := range temptingWeeks() {
		t.Run(ev.name, func(t *testing.T) {
			s, js := digestOf(t, ev)
			leaks, _ := attackDigest(t, ev, js, s)
			for _, l := range leaks {
				t.Error(l)
			}
		})
	}
}

// TestAttackerDigestHasTeeth gives the digest every count and every change
// once a week brought at least k answers, as it did before it kept the
// bilan's rule: the attack recovers small groups.
func TestAttackerDigestHasTeeth(t *testing.T) {
	caught := 0
	weeks := temptingWeeks()
	for _, ev := range weeks {
		s, js := digestOf(t, ev)
		th := ev.event.AnonymityThreshold
		s.NewAnswers.Shown, s.Answers.Shown = true, true
		for i := range s.Sessions {
			s.Sessions[i].New.Shown = true
		}
		for _, f := range []*digest.Figure{&s.Satisfaction, &s.NPS} {
			f.Change = f.Now.Count-f.Before.Count >= th
		}
		leaks, _ := attackDigest(t, ev, js, s)
		caught += logLeaks(t, ev, leaks)
	}
	if caught < 5 {
		t.Errorf("the attack recovers small groups from %d weeks of %d, want most", caught, len(weeks))
	}
}
