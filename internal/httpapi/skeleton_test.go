package httpapi_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestCreateEvent(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	if ce.ID == "" || !strings.HasPrefix(ce.OrganiserToken, "rto_") || len(ce.OrganiserToken) < 26 {
		t.Errorf("event id %q, token %q: want an id and a long token", ce.ID, ce.OrganiserToken)
	}
	if want := "https://retours.example.org/e/" + ce.ID; ce.SurveyURL != want {
		t.Errorf("survey_url = %q, want %q", ce.SurveyURL, want)
	}
	if len(ce.Sessions) != 5 || ce.Sessions[1].Kind != "atelier" || ce.Sessions[1].SurveyURL != ce.SurveyURL+"/"+ce.Sessions[1].ID {
		t.Errorf("sessions = %+v", ce.Sessions)
	}
	ev, err := env.Store.Event(t.Context(), ce.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ev.TokenHash, ce.OrganiserToken) || !ev.CheckToken(ce.OrganiserToken) {
		t.Errorf("stored token hash %q does not match the token, or holds it in clear", ev.TokenHash)
	}
	if want := time.Date(2026, 11, 12, 15, 30, 0, 0, time.UTC); !ev.ClosesAt.Equal(want) {
		t.Errorf("closes_at = %v, want 30 days after the end, %v", ev.ClosesAt, want)
	}

	for _, tc := range []struct {
		name   string
		header []string
		body   string
		want   int
	}{
		{"no token", nil, necDay, http.StatusUnauthorized},
		{"wrong token", []string{"Authorization", "Bearer nope"}, necDay, http.StatusForbidden},
		{"organiser token is not admin", []string{"Authorization", "Bearer " + ce.OrganiserToken}, necDay, http.StatusForbidden},
		{"missing title", []string{"Authorization", "Bearer " + adminToken}, `{"starts_at":"2026-10-13T09:00:00Z","ends_at":"2026-10-13T10:00:00Z"}`, http.StatusBadRequest},
		{"bad kind", []string{"Authorization", "Bearer " + adminToken}, `{"title":"x","starts_at":"2026-10-13T09:00:00Z","ends_at":"2026-10-13T10:00:00Z","sessions":[{"title":"a","kind":"keynote","starts_at":"2026-10-13T09:00:00Z"}]}`, http.StatusBadRequest},
		{"unknown field", []string{"Authorization", "Bearer " + adminToken}, `{"title":"x","colour":"red"}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.postJSON("/api/events", tc.body, tc.header...)
			if rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), `"error":`) {
				t.Errorf("body %s has no error message", rec.Body)
			}
		})
	}
}

// TestAnswersInBilanOut walks the whole path: an event, answers by form and
// by JSON (with retries), notes, and the bilan in each format.
func TestAnswersInBilanOut(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	atelier := ce.Sessions[1].ID

	// The event page lists the sessions; a session page is the form.
	rec := env.do("GET", "/e/"+ce.ID, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Atelier inclusion") {
		t.Fatalf("event page = %d %s", rec.Code, rec.Body)
	}
	rec = env.do("GET", "/e/"+ce.ID+"/"+atelier, nil)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `name="submission_id"`) || !strings.Contains(body, `name="q_satisfaction"`) {
		t.Fatalf("session page = %d %s", rec.Code, body)
	}

	// A form post, then the same form again (a double tap): one answer.
	form := url.Values{"submission_id": {uuid(t)}, "session": {atelier}, "lang": {"fr"},
		"q_satisfaction": {"4"}, "q_nps": {"9"}, "q_profil": {"elu"}, "q_commentaire": {"Très riche"}}
	for i := 0; i < 2; i++ {
		rec = env.postForm("/e/"+ce.ID+"/answers", form)
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/e/"+ce.ID+"/merci") {
			t.Fatalf("form post #%d = %d, Location %q", i, rec.Code, rec.Header().Get("Location"))
		}
	}
	// JSON: 201, then 200 with the same id.
	sub := uuid(t)
	answer := `{"submission_id":"` + sub + `","session":"` + atelier + `","answers":{"satisfaction":2,"nps":3,"profil":"association","rencontres":"oui"}}`
	var first, second struct {
		ID      string `json:"id"`
		Created bool   `json:"created"`
	}
	rec = env.postJSON("/e/"+ce.ID+"/answers", answer)
	if rec.Code != http.StatusCreated {
		t.Fatalf("JSON answer = %d %s", rec.Code, rec.Body)
	}
	mustJSON(t, rec.Body.Bytes(), &first)
	rec = env.postJSON("/e/"+ce.ID+"/answers", answer)
	if rec.Code != http.StatusOK {
		t.Fatalf("repeated JSON answer = %d %s", rec.Code, rec.Body)
	}
	mustJSON(t, rec.Body.Bytes(), &second)
	if first.ID == "" || second.ID != first.ID || !first.Created || second.Created {
		t.Errorf("answers %+v then %+v: want the same id, created once", first, second)
	}
	// An answer about the event as a whole.
	rec = env.postJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+uuid(t)+`","answers":{"satisfaction":5}}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("event answer = %d %s", rec.Code, rec.Body)
	}

	// Notes: JSON twice, and a form.
	note := `{"submission_id":"` + uuid(t) + `","kind":"etonnement","text":"Autant d'élus que d'associations !"}`
	for i, want := range []int{http.StatusCreated, http.StatusOK} {
		if rec = env.postJSON("/e/"+ce.ID+"/notes", note); rec.Code != want {
			t.Fatalf("note #%d = %d, want %d: %s", i, rec.Code, want, rec.Body)
		}
	}
	rec = env.postForm("/e/"+ce.ID+"/notes", url.Values{"submission_id": {uuid(t)}, "session": {atelier}, "kind": {"point-fort"}, "text": {"Les échanges en petits groupes"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("note form = %d %s", rec.Code, rec.Body)
	}
	if a, n := env.countItems(ce.ID); a != 3 || n != 2 {
		t.Fatalf("stored %d answers and %d notes, want 3 and 2", a, n)
	}

	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	type bilanJSON struct {
		Suppressed bool `json:"suppressed"`
		Answers    int  `json:"answers"`
		Sessions   []struct {
			ID         string `json:"id"`
			Answers    int    `json:"answers"`
			Suppressed bool   `json:"suppressed"`
		} `json:"sessions"`
		Questions []struct {
			ID    string  `json:"id"`
			Count int     `json:"count"`
			Mean  float64 `json:"mean"`
		} `json:"questions"`
		Notes []struct {
			Kind  string `json:"kind"`
			Count int    `json:"count"`
		} `json:"note_groups"`
	}
	bilanOf := func() bilanJSON {
		t.Helper()
		rec := env.do("GET", "/api/events/"+ce.ID+"/bilan?format=json", nil, auth...)
		if rec.Code != http.StatusOK {
			t.Fatalf("bilan = %d %s", rec.Code, rec.Body)
		}
		var b bilanJSON
		mustJSON(t, rec.Body.Bytes(), &b)
		return b
	}
	// Three answers are fewer than the anonymity threshold: the event is a
	// small group itself, and the bilan gives no figure of its answers.
	b := bilanOf()
	if !b.Suppressed || b.Answers != 0 || len(b.Questions) != 0 {
		t.Errorf("bilan of 3 answers = %+v, want no figure", b)
	}
	rec = env.do("GET", "/api/events/"+ce.ID+"/bilan?format=md", nil, auth...)
	if md := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(md, "| Réponses | moins de 5 |") || !strings.Contains(md, "Autant d'élus") {
		t.Errorf("markdown bilan = %d %s", rec.Code, md)
	}

	// Two more answers in the atelier make five.
	for _, sat := range []string{"5", "4"} {
		if rec := env.postJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+uuid(t)+`","session":"`+atelier+`","answers":{"satisfaction":`+sat+`}}`); rec.Code != http.StatusCreated {
			t.Fatalf("answer = %d %s", rec.Code, rec.Body)
		}
	}
	b = bilanOf()
	if b.Suppressed || b.Answers != 5 {
		t.Errorf("bilan answers = %d (suppressed %v), want 5", b.Answers, b.Suppressed)
	}
	// Four answers in the atelier and one for the event: both cells are
	// below the anonymity threshold and show no figure; the sessions
	// without answers show 0.
	for _, s := range b.Sessions {
		if s.Suppressed != (s.ID == atelier || s.ID == "") || s.Answers != 0 {
			t.Errorf("session %q = %+v, want it suppressed if it has answers, else 0", s.ID, s)
		}
	}
	if q := b.Questions[0]; q.ID != "satisfaction" || q.Count != 5 || q.Mean != 4 {
		t.Errorf("satisfaction = %+v, want 5 answers, mean 20/5", q)
	}
	notes := map[string]int{}
	for _, g := range b.Notes {
		notes[g.Kind] = g.Count
	}
	if notes["etonnement"] != 1 || notes["point-fort"] != 1 {
		t.Errorf("notes by kind = %v", notes)
	}

	rec = env.do("GET", "/api/events/"+ce.ID+"/bilan?format=md", nil, auth...)
	if md := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(md, "5 réponses") || !strings.Contains(md, "Autant d'élus") {
		t.Errorf("markdown bilan = %d %s", rec.Code, md)
	}
	rec = env.do("GET", "/api/events/"+ce.ID+"/bilan?format=csv", nil, auth...)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "answer_id" {
		t.Errorf("csv bilan: %d rows, %v", len(rows), err)
	}
}

func TestBilanNeedsTheEventsToken(t *testing.T) {
	env := newEnv(t)
	a := env.mustCreateEvent(necDay)
	b := env.mustCreateEvent(necDay)
	for _, tc := range []struct {
		name, path, token string
		want              int
	}{
		{"no token", "/api/events/" + a.ID + "/bilan", "", http.StatusUnauthorized},
		{"wrong token", "/api/events/" + a.ID + "/bilan", "rto_wrong", http.StatusForbidden},
		{"another event's token", "/api/events/" + a.ID + "/bilan", b.OrganiserToken, http.StatusForbidden},
		{"admin token", "/api/events/" + a.ID + "/bilan", adminToken, http.StatusForbidden},
		{"unknown event", "/api/events/zzzzzzzz/bilan", a.OrganiserToken, http.StatusNotFound},
		{"unknown format", "/api/events/" + a.ID + "/bilan?format=pdf", a.OrganiserToken, http.StatusBadRequest},
		{"own token", "/api/events/" + a.ID + "/bilan", a.OrganiserToken, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.token != "" {
				h = []string{"Authorization", "Bearer " + tc.token}
			}
			if rec := env.do("GET", tc.path, nil, h...); rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
}

func TestAnswerWindow(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	tableRonde := ce.Sessions[4].ID // starts at 16:00 Paris, 14:00 UTC
	answer := func() string {
		return `{"submission_id":"` + uuid(t) + `","session":"` + tableRonde + `","answers":{"satisfaction":4}}`
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want int
	}{
		{"before the session starts", time.Date(2026, 10, 13, 13, 59, 0, 0, time.UTC), http.StatusConflict},
		{"at its start", time.Date(2026, 10, 13, 14, 0, 0, 0, time.UTC), http.StatusCreated},
		{"29 days after the event", time.Date(2026, 11, 11, 15, 0, 0, 0, time.UTC), http.StatusCreated},
		{"30 days after the event", time.Date(2026, 11, 12, 15, 30, 0, 0, time.UTC), http.StatusConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env.Clock.Set(tc.now)
			if rec := env.postJSON("/e/"+ce.ID+"/answers", answer()); rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
	if a, _ := env.countItems(ce.ID); a != 2 {
		t.Errorf("stored %d answers, want 2", a)
	}
	// The form page is a kind page saying when answers were accepted.
	env.Clock.Set(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	rec := env.do("GET", "/e/"+ce.ID+"/"+tableRonde, nil)
	if !strings.Contains(rec.Body.String(), "12 novembre 2026") || strings.Contains(rec.Body.String(), "<form") {
		t.Errorf("closed page = %d %s", rec.Code, rec.Body)
	}
}

func TestFormErrorsKeepValues(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	sub := uuid(t)
	rec := env.postForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {sub}, "session": {ce.Sessions[0].ID}, "lang": {"en"},
		"q_nps": {"12"}, "q_commentaire": {"Mon <b>avis</b>"}})
	body := rec.Body.String()
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400", rec.Code)
	}
	for _, want := range []string{
		`href="#q-satisfaction"`, "This answer is required.", "Choose a value on the scale offered.",
		`value="` + sub + `"`, "Mon &lt;b&gt;avis&lt;/b&gt;", `lang="en"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	if a, _ := env.countItems(ce.ID); a != 0 {
		t.Errorf("stored %d answers after an invalid form", a)
	}
}

func TestBodyLimit(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	big := `{"submission_id":"` + uuid(t) + `","answers":{"commentaire":"` + strings.Repeat("a", 70<<10) + `"}}`
	if rec := env.postJSON("/e/"+ce.ID+"/answers", big); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413: %s", rec.Code, rec.Body)
	}
	if a, _ := env.countItems(ce.ID); a != 0 {
		t.Errorf("stored %d answers", a)
	}
}
