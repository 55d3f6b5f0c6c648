package bilan_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
)

// benchPhrases make up the synthetic free texts, two to four to a text:
// real feedback reuses the same few hundred words and phrases, where random
// words would make every pair of words a new phrase.
var benchPhrases = []string{
	"la médiation numérique", "les tiers-lieux", "des échanges riches", "entre élus et associations",
	"trop court", "plus de temps pour les ateliers", "la table ronde sur la ruralité", "très intéressant",
	"des exemples concrets", "les conseillers numériques", "un accueil chaleureux", "la salle était bruyante",
	"le repas", "les pauses café", "France Services", "les aidants numériques", "la sobriété numérique",
	"l'accessibilité des démarches", "des données ouvertes", "great networking", "the workshop was inspiring",
	"more time for questions", "les intervenants", "le programme était dense", "rencontrer d'autres acteurs",
	"des projets de coopération", "le financement des projets", "les jeunes et le numérique", "les seniors",
	"un grand merci à l'équipe", "à refaire l'an prochain", "manque de temps", "trop de plénières",
}

// SyntheticAnswers returns n answers to fixtureEvent's questionnaire drawn
// from a fixed seed: every session, every profile, a text in one in three.
func syntheticAnswers(e *retours.Event, n int) []*retours.Answer {
	r := rand.New(rand.NewPCG(1, 2))
	profiles := e.Questionnaire.Questions[4].Choices
	out := make([]*retours.Answer, n)
	for i := range out {
		v := map[string]retours.Value{
			"satisfaction": {Number: 1 + r.IntN(5)},
			"nps":          {Number: r.IntN(11)},
			"rencontres":   {Choices: []string{[]string{"oui", "non"}[r.IntN(2)]}},
		}
		if r.IntN(5) > 0 {
			v["profil"] = retours.Value{Choices: []string{profiles[r.IntN(len(profiles))].ID}}
		}
		if r.IntN(3) == 0 {
			parts := make([]string, 2+r.IntN(3))
			for j := range parts {
				parts[j] = benchPhrases[r.IntN(len(benchPhrases))]
			}
			v["commentaire"] = retours.Value{Text: strings.Join(parts, ", ")}
		}
		session := ""
		if k := r.IntN(len(e.Sessions) + 1); k > 0 {
			session = e.Sessions[k-1].ID
		}
		out[i] = &retours.Answer{EventID: e.ID, SessionID: session, ID: fmt.Sprint(i), Lang: "fr",
			CreatedAt: t0.Add(time.Duration(i) * time.Second), Values: v}
	}
	return out
}

var (
	benchPoolOnce sync.Once
	benchPool     []*retours.Answer
)

// benchAnswers returns a pool of 10,000 distinct answers that the
// benchmarks cycle through, so that a million answers need not be held. In
// production each answer is aggregated right after it is decoded, while it
// is still in the CPU cache; a pool that fits the cache measures that, where
// a pool of a million would measure memory latency instead.
func benchAnswers() []*retours.Answer {
	benchPoolOnce.Do(func() { benchPool = syntheticAnswers(fixtureEvent(), 10_000) })
	return benchPool
}

// BenchmarkAggregate measures pure aggregation (no I/O) of 10,000 and
// 1,000,000 answers on one goroutine, and reports answers/s and
// allocs/answer: the latter must stay flat as the count grows.
//
//	go test -run '^$' -bench BenchmarkAggregate -benchtime 5x ./internal/bilan
func BenchmarkAggregate(b *testing.B) {
	e := fixtureEvent()
	pool := benchAnswers()
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("answers=%dk", n/1000), func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			for b.Loop() {
				agg := bilan.New(e, "fr")
				for i := 0; i < n; i++ {
					agg.AddAnswer(pool[i%len(pool)])
				}
				if got := agg.Bilan(t0).Answers; got != n {
					b.Fatalf("aggregated %d answers, want %d", got, n)
				}
			}
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			total := float64(n) * float64(b.N)
			b.ReportMetric(total/elapsed.Seconds(), "answers/s")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/answer")
		})
	}
}
