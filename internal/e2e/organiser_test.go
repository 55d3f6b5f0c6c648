package e2e_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/retours/retours/internal/retours"
)

// journeyEvent is the event the administrator creates, with no programme
// yet: the organisers import it.
const journeyEvent = `{
  "title": "Numérique En Commun[s] Auvergne",
  "place": "Clermont-Ferrand",
  "starts_at": "2026-10-13T09:00:00+02:00",
  "ends_at": "2026-10-13T17:30:00+02:00",
  "series": "nec-auvergne", "edition": 3
}`

// journeyCSV is the organisers' programme, as a French spreadsheet saves it.
const journeyCSV = "\ufefftitre;date;début;fin;type;salle;intervenants\r\n" +
	"Plénière d'ouverture;13/10/2026;09:30;10:15;plénière;Amphithéâtre;Claire Moreau\r\n" +
	"Atelier médiation;13/10/2026;11:00;12:30;atelier;Salle 2;Léa Martin\r\n" +
	"Table ronde ruralité;13/10/2026;16:00;17:30;table ronde;Amphithéâtre;\r\n"

// TestOrganiserJourneyInChromium runs infra/e2e/organiser.mjs on DynamoDB
// Local: the administrator creates an event; the organiser logs in,
// imports the programme, moves a session, adds a question, prints a
// poster; a participant answers; the organiser corrects the label, cancels
// a session and shares one with its speaker; the bilan and the speaker's
// page show the answer. axe-core checks every editing page in French and
// English; see that script for the list.
func TestOrganiserJourneyInChromium(t *testing.T) {
	b := startBrowserTest(t)
	// The administrator's step, through the API.
	ev := mustCreate(t, b.url, journeyEvent)
	csv := filepath.Join(t.TempDir(), "programme.csv")
	if err := os.WriteFile(csv, []byte(journeyCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	b.run(t, "organiser.mjs", "event="+ev.ID, "token="+ev.OrganiserToken, "csv="+csv)
	st := b.store

	// What the journey left in the table.
	e, err := st.Event(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Sessions) != 3 || !e.Sessions[2].Cancelled || e.Sessions[1].StartsAt.Format("15:04") != "08:45" || e.AnonymityThreshold != 1 {
		t.Errorf("event after the journey: %+v", e)
	}
	var answers []*retours.Answer
	if err := st.Answers(t.Context(), ev.ID, func(a *retours.Answer) error { answers = append(answers, a); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(answers) != 1 || answers[0].SessionID != e.Sessions[1].ID || answers[0].Values["satisfaction"].Number != 5 {
		t.Errorf("answers after the journey: %+v", answers)
	}
}
