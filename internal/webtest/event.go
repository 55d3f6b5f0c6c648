package webtest

import (
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

// NECDay is a Numérique En Commun[s]-style day, as POST /api/events takes
// it: a plénière, three ateliers and a table ronde.
const NECDay = `{
  "title": "Numérique En Commun[s] Auvergne",
  "place": "Clermont-Ferrand",
  "starts_at": "2026-10-13T09:00:00+02:00",
  "ends_at": "2026-10-13T17:30:00+02:00",
  "series": "nec-auvergne", "edition": 3, "registered_count": 165,
  "organiser_emails": ["orga@example.org"],
  "sessions": [
    {"title": "Plénière d'ouverture", "kind": "pleniere", "starts_at": "2026-10-13T09:30:00+02:00"},
    {"title": "Atelier inclusion", "kind": "atelier", "starts_at": "2026-10-13T11:00:00+02:00"},
    {"title": "Atelier données", "kind": "atelier", "starts_at": "2026-10-13T11:00:00+02:00"},
    {"title": "Atelier tiers-lieux", "kind": "atelier", "starts_at": "2026-10-13T14:00:00+02:00"},
    {"title": "Table ronde ruralité", "kind": "table-ronde", "starts_at": "2026-10-13T16:00:00+02:00"}
  ]
}`

// NECDayInput is NECDay as the domain takes it, for the tests of handlers
// that do not create events: TestNECDay keeps the two the same.
func NECDayInput() retours.EventInput {
	at := func(hhmm string) time.Time {
		t, err := time.Parse(time.RFC3339, "2026-10-13T"+hhmm+":00+02:00")
		if err != nil {
			panic(err)
		}
		return t
	}
	return retours.EventInput{
		Title: "Numérique En Commun[s] Auvergne", Place: "Clermont-Ferrand",
		StartsAt: at("09:00"), EndsAt: at("17:30"),
		Series: "nec-auvergne", Edition: 3, RegisteredCount: 165,
		OrganiserEmails: []string{"orga@example.org"},
		Sessions: []retours.SessionInput{
			{Title: "Plénière d'ouverture", Kind: retours.KindPleniere, StartsAt: at("09:30")},
			{Title: "Atelier inclusion", Kind: retours.KindAtelier, StartsAt: at("11:00")},
			{Title: "Atelier données", Kind: retours.KindAtelier, StartsAt: at("11:00")},
			{Title: "Atelier tiers-lieux", Kind: retours.KindAtelier, StartsAt: at("14:00")},
			{Title: "Table ronde ruralité", Kind: retours.KindTableRonde, StartsAt: at("16:00")},
		},
	}
}

// CreateEvent stores the event in describes, as the organisers' API would,
// with the deployment's default retention, and returns it with its
// organiser token.
func CreateEvent(tb testing.TB, st retours.EventStore, in retours.EventInput) (*retours.Event, string) {
	tb.Helper()
	e, err := retours.NewEvent(in, rand.Reader, T0, retours.DefaultRetentionMonths)
	if err != nil {
		tb.Fatal(err)
	}
	first, token, err := retours.NewAccess(rand.Reader, "", "", T0, true)
	if err != nil {
		tb.Fatal(err)
	}
	e.Accesses = []retours.Access{first}
	if err := st.CreateEvent(tb.Context(), e); err != nil {
		tb.Fatal(err)
	}
	return e, token
}

// Created is the API's answer to POST /api/events.
type Created struct {
	ID             string `json:"id"`
	OrganiserToken string `json:"organiser_token"`
	SurveyURL      string `json:"survey_url"`
	Sessions       []struct {
		ID        string `json:"id"`
		Title     string `json:"title"`
		Kind      string `json:"kind"`
		SurveyURL string `json:"survey_url"`
	} `json:"sessions"`
}

// MustCreateEvent creates an event through the API, with the admin token.
func (c Client) MustCreateEvent(body string) *Created {
	c.TB.Helper()
	rec := c.PostJSON("/api/events", body, "Authorization", "Bearer "+AdminToken)
	if rec.Code != http.StatusCreated {
		c.TB.Fatalf("POST /api/events = %d %s", rec.Code, rec.Body)
	}
	var ce Created
	MustJSON(c.TB, rec.Body.Bytes(), &ce)
	return &ce
}

// Store is what PutAnswers and PutNote write to.
type Store interface {
	retours.EventStore
	retours.AnswerStore
}

// PutAnswers stores n answers to the event's session (or the event when
// session is ""), with text, straight into the store, as of now.
func PutAnswers(tb testing.TB, st Store, now time.Time, eventID, session string, n int, text string) []*retours.Answer {
	tb.Helper()
	ev, err := st.Event(tb.Context(), eventID)
	if err != nil {
		tb.Fatal(err)
	}
	var out []*retours.Answer
	for i := 0; i < n; i++ {
		a, err := retours.NewAnswer(ev, retours.AnswerInput{
			SubmissionID: UUID(tb), SessionID: session, Lang: "fr",
			Raw: map[string][]string{"satisfaction": {string(rune('1' + i%5))}, "nps": {string(rune('0' + i%10))},
				"profil": {[]string{"elu", "agent"}[i%2]}, "commentaire": {text}},
		}, rand.Reader, now)
		if err != nil {
			tb.Fatal(err)
		}
		if _, _, err := st.PutAnswer(tb.Context(), a, ev.ExpiresAt()); err != nil {
			tb.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// PutNote stores a note straight into the store, as of now.
func PutNote(tb testing.TB, st Store, now time.Time, eventID, session, kind, text string) *retours.Note {
	tb.Helper()
	ev, err := st.Event(tb.Context(), eventID)
	if err != nil {
		tb.Fatal(err)
	}
	n, err := retours.NewNote(ev, retours.NoteInput{SubmissionID: UUID(tb), SessionID: session, Kind: kind, Text: text, Lang: "fr"}, rand.Reader, now)
	if err != nil {
		tb.Fatal(err)
	}
	if _, _, err := st.PutNote(tb.Context(), n, ev.ExpiresAt()); err != nil {
		tb.Fatal(err)
	}
	return n
}
