package stack_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/retours/retours/internal/webtest"
)

// TestAnswersInBilanOut walks the whole path: an event, answers by form and
// by JSON (with retries), notes, and the bilan in each format.
func TestAnswersInBilanOut(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	atelier := ce.Sessions[1].ID

	// The event page lists the sessions; a session page is the form.
	rec := env.Do("GET", "/e/"+ce.ID, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Atelier inclusion") {
		t.Fatalf("event page = %d %s", rec.Code, rec.Body)
	}
	rec = env.Do("GET", "/e/"+ce.ID+"/"+atelier, nil)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `name="submission_id"`) || !strings.Contains(body, `name="q_satisfaction"`) {
		t.Fatalf("session page = %d %s", rec.Code, body)
	}

	// A form post, then the same form again (a double tap): one answer,
	// and the thank-you page each time.
	form := url.Values{"submission_id": {webtest.UUID(t)}, "session": {atelier}, "lang": {"fr"},
		"q_satisfaction": {"4"}, "q_nps": {"9"}, "q_profil": {"elu"}, "q_commentaire": {"Très riche"}}
	for i := 0; i < 2; i++ {
		rec = env.PostForm("/e/"+ce.ID+"/answers", form)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Votre réponse est bien enregistrée") || rec.Header().Get("Location") != "" {
			t.Fatalf("form post #%d = %d, Location %q, want the thank-you page: %s", i, rec.Code, rec.Header().Get("Location"), rec.Body)
		}
	}
	// JSON: 201, then 200 with the same id.
	sub := webtest.UUID(t)
	answer := `{"submission_id":"` + sub + `","session":"` + atelier + `","answers":{"satisfaction":2,"nps":3,"profil":"association","rencontres":"oui"}}`
	var first, second struct {
		ID      string `json:"id"`
		Created bool   `json:"created"`
	}
	rec = env.PostJSON("/e/"+ce.ID+"/answers", answer)
	if rec.Code != http.StatusCreated {
		t.Fatalf("JSON answer = %d %s", rec.Code, rec.Body)
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &first)
	rec = env.PostJSON("/e/"+ce.ID+"/answers", answer)
	if rec.Code != http.StatusOK {
		t.Fatalf("repeated JSON answer = %d %s", rec.Code, rec.Body)
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &second)
	if first.ID == "" || second.ID != first.ID || !first.Created || second.Created {
		t.Errorf("answers %+v then %+v: want the same id, created once", first, second)
	}
	// An answer about the event as a whole.
	rec = env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","answers":{"satisfaction":5}}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("event answer = %d %s", rec.Code, rec.Body)
	}

	// Notes: JSON twice, and a form.
	note := `{"submission_id":"` + webtest.UUID(t) + `","kind":"etonnement","text":"Autant d'élus que d'associations !"}`
	for i, want := range []int{http.StatusCreated, http.StatusOK} {
		if rec = env.PostJSON("/e/"+ce.ID+"/notes", note); rec.Code != want {
			t.Fatalf("note #%d = %d, want %d: %s", i, rec.Code, want, rec.Body)
		}
	}
	rec = env.PostForm("/e/"+ce.ID+"/notes", url.Values{"submission_id": {webtest.UUID(t)}, "session": {atelier}, "kind": {"point-fort"}, "text": {"Les échanges en petits groupes"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "votre note est enregistrée") {
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
		rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=json", nil, auth...)
		if rec.Code != http.StatusOK {
			t.Fatalf("bilan = %d %s", rec.Code, rec.Body)
		}
		var b bilanJSON
		webtest.MustJSON(t, rec.Body.Bytes(), &b)
		return b
	}
	// Three answers are fewer than the anonymity threshold: the event is a
	// small group itself, and the bilan gives no figure of its answers.
	b := bilanOf()
	if !b.Suppressed || b.Answers != 0 || len(b.Questions) != 0 {
		t.Errorf("bilan of 3 answers = %+v, want no figure", b)
	}
	rec = env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=md", nil, auth...)
	if md := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(md, "| Réponses | moins de 5 |") || !strings.Contains(md, "Autant d'élus") {
		t.Errorf("markdown bilan = %d %s", rec.Code, md)
	}

	// Two more answers in the atelier make five.
	for _, sat := range []string{"5", "4"} {
		if rec := env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","session":"`+atelier+`","answers":{"satisfaction":`+sat+`}}`); rec.Code != http.StatusCreated {
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

	rec = env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=md", nil, auth...)
	if md := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(md, "5 réponses") || !strings.Contains(md, "Autant d'élus") {
		t.Errorf("markdown bilan = %d %s", rec.Code, md)
	}
	rec = env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=csv", nil, auth...)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "answer_id" {
		t.Errorf("csv bilan: %d rows, %v", len(rows), err)
	}
}
