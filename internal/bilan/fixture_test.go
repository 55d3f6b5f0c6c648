package bilan_test

import (
	"fmt"
	"time"

	"github.com/retours/retours/internal/retours"
)

// t0 is the start of the fixture event: Tuesday 13 October 2026, 09:00 in Paris.
var t0 = time.Date(2026, 10, 13, 7, 0, 0, 0, time.UTC)

// fixtureEvent is a NEC day with a plénière, two ateliers (one small) and
// the default questionnaire.
func fixtureEvent() *retours.Event {
	return &retours.Event{
		ID: "evtnec26", Title: "Numérique En Commun[s] <Auvergne>", Place: "Clermont-Ferrand",
		StartsAt: t0, EndsAt: t0.Add(8 * time.Hour), ClosesAt: t0.Add(30 * 24 * time.Hour),
		Series: "nec-auvergne", Edition: 3, RegisteredCount: 40,
		Languages: []string{"fr", "en"}, Questionnaire: retours.DefaultQuestionnaire(),
		Sessions: []retours.Session{
			{ID: "plenie", Title: "Plénière d'ouverture", Kind: retours.KindPleniere, StartsAt: t0},
			{ID: "inclus", Title: "Atelier inclusion", Kind: retours.KindAtelier, StartsAt: t0.Add(2 * time.Hour)},
			{ID: "petit1", Title: "Atelier =HYPERLINK(\"http://x\")", Kind: retours.KindAtelier, StartsAt: t0.Add(5 * time.Hour)},
		},
		RetentionMonths: 24, AnonymityThreshold: 5, CreatedAt: t0.Add(-48 * time.Hour),
	}
}

// fixtureTexts are free texts, hostile ones included.
var fixtureTexts = []string{
	"La médiation numérique au cœur des territoires, bravo",
	"Plus de temps pour la médiation numérique et les tiers-lieux",
	"<script>alert('x')</script> les tiers-lieu sont essentiels",
	"=HYPERLINK(\"http://evil.example\",\"clic\") inclusion numérique",
	"Digital inclusion matters; more digital inclusion workshops please",
	"Les échanges entre élus et associations, très riches",
	"",
	"- Moins de plénières | plus d'ateliers * **gras** [lien](http://x)",
}

// fixtureAnswers returns 30 answers spread over the sessions: the plénière
// has 14, the inclusion atelier 10, the small atelier 3 and the event as a
// whole 3.
func fixtureAnswers() []*retours.Answer {
	sessions := []string{"plenie", "inclus", "plenie", "inclus", "plenie", ""}
	profiles := []string{"elu", "agent", "association", "agent", "tiers-lieu", ""}
	var out []*retours.Answer
	for i := 0; i < 30; i++ {
		s := sessions[i%len(sessions)]
		if i >= 27 {
			s = "petit1"
		}
		v := map[string]retours.Value{
			"satisfaction": {Number: 1 + (i*7)%5},
			"nps":          {Number: (i * 3) % 11},
			"rencontres":   {Choices: []string{[]string{"oui", "non"}[i%3%2]}},
		}
		if p := profiles[i%len(profiles)]; p != "" {
			v["profil"] = retours.Value{Choices: []string{p}}
		}
		if t := fixtureTexts[i%len(fixtureTexts)]; t != "" {
			v["commentaire"] = retours.Value{Text: t}
		}
		a := &retours.Answer{
			EventID: "evtnec26", SessionID: s, ID: fmt.Sprintf("ans%03d", i),
			SubmissionID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Lang: "fr",
			CreatedAt: t0.Add(time.Duration(i) * 10 * time.Minute), Values: v,
		}
		if i == 4 {
			a.Hidden = []string{"commentaire"}
		}
		// One answer in four came on a paper sheet, typed in.
		if i%4 == 1 {
			a.Channel, a.Sheet, a.EnteredBy = retours.ChannelPaper, retours.SheetNumber(4821, i), "acc001"
		}
		out = append(out, a)
	}
	return out
}

func fixtureNotes() []*retours.Note {
	texts := []struct{ kind, session, text string }{
		{retours.NoteEtonnement, "plenie", "Autant d'élus dans la salle ! <b>Surprenant</b>."},
		{retours.NotePointFort, "inclus", "La médiation numérique en petits groupes"},
		{retours.NoteAmelioration, "petit1", "=1+2 la salle était trop petite"},
		{retours.NoteMomentMarquant, "", "Le témoignage de la conseillère numérique (conseillere@ville-riom.fr, www.ville-riom.fr)"},
		{retours.NotePointFort, "plenie", "Note masquée par l'organisation"},
		{retours.NoteAmelioration, "inclus", "@SUM(A1) plus de pauses | café"},
	}
	var out []*retours.Note
	for i, n := range texts {
		out = append(out, &retours.Note{
			EventID: "evtnec26", SessionID: n.session, ID: fmt.Sprintf("note%02d", i),
			SubmissionID: fmt.Sprintf("00000000-0000-4000-9000-%012d", i), Kind: n.kind, Text: n.text, Lang: "fr",
			CreatedAt: t0.Add(time.Duration(i) * 17 * time.Minute), Hidden: i == 4,
		})
		if i == 0 {
			out[i].Channel = retours.ChannelPaper // a paper sheet's box
		}
	}
	return out
}
