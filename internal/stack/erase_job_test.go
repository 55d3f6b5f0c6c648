package stack_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/webtest"
)

// TestEraseStartsAJob: on DynamoDB Local, DELETE /api/events/{event} marks
// the event and answers 202 at once, before any item is deleted; asked
// again while the job runs, it answers the same erasure (202, never a 500
// or a 404); every organiser access the event had follows it, through the
// API and on the organisers' page, which reloads itself until the job
// finishes; then the DELETE answers the erasure's end (200).
func TestEraseStartsAJob(t *testing.T) {
	st := dynamotest.NewStore(t)
	// No trigger: the job runs only when the test says, as a run of the
	// erase function would, later.
	job := &erase.Job{Store: st, Grace: time.Millisecond}
	env := newEnvWith(t, st, func(c *stack.Config) { c.Erasure = job })
	ce := env.MustCreateEvent(necDay)
	for i := 0; i < 30; i++ {
		env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","answers":{"satisfaction":3}}`)
	}
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	rec := env.PostJSON("/api/events/"+ce.ID+"/accesses", `{"name":"Médiathèque"}`, auth...)
	var co struct {
		Token string `json:"organiser_token"`
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &co)
	if rec.Code != http.StatusCreated || co.Token == "" {
		t.Fatalf("new access = %d %s", rec.Code, rec.Body)
	}
	path := "/api/events/" + ce.ID

	var first map[string]any
	rec = env.Do("DELETE", path+"?confirm="+ce.ID, nil, auth...)
	webtest.MustJSON(t, rec.Body.Bytes(), &first)
	if rec.Code != http.StatusAccepted || first["state"] != "erasing" || first["url"] != path+"/erasure" {
		t.Fatalf("erase = %d %s, want 202 with where to look", rec.Code, rec.Body)
	}
	if a, _ := env.countItems(ce.ID); a != 30 {
		t.Errorf("%d answers left when the DELETE answered, want 30: the job deletes them", a)
	}
	for _, tc := range []struct {
		name, method, path string
		header             []string
		want               int
	}{
		{"the DELETE again", "DELETE", path + "?confirm=" + ce.ID, auth, http.StatusAccepted},
		{"the DELETE again, unconfirmed", "DELETE", path, auth, http.StatusBadRequest},
		{"the DELETE again, without the token", "DELETE", path + "?confirm=" + ce.ID, nil, http.StatusUnauthorized},
		{"the progress", "GET", path + "/erasure", auth, http.StatusOK},
		{"the progress, to a co-organiser", "GET", path + "/erasure", []string{"Authorization", "Bearer " + co.Token}, http.StatusOK},
		{"the progress, without a token", "GET", path + "/erasure", nil, http.StatusUnauthorized},
		{"the progress, to the administrator", "GET", path + "/erasure", []string{"Authorization", "Bearer " + adminToken}, http.StatusForbidden},
		{"the participants' form", "GET", "/e/" + ce.ID, nil, http.StatusNotFound},
		{"the bilan", "GET", path + "/bilan", auth, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do(tc.method, tc.path, nil, tc.header...)
			if rec.Code != tc.want {
				t.Fatalf("= %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if tc.want == http.StatusOK || tc.want == http.StatusAccepted {
				var got map[string]any
				webtest.MustJSON(t, rec.Body.Bytes(), &got)
				if got["state"] != "erasing" || got["started_at"] != first["started_at"] {
					t.Errorf("= %v, want the erasure started first, under way", got)
				}
			}
		})
	}
	page := func(token string) (int, string) {
		rec := env.Do("GET", "/o/"+ce.ID+"?lang=en", nil, "Authorization", "Bearer "+token)
		return rec.Code, rec.Body.String()
	}
	if code, body := page(co.Token); code != http.StatusOK || !strings.Contains(body, "Being erased since") ||
		!strings.Contains(body, `<meta http-equiv="refresh" content="5">`) || strings.Contains(strings.ToLower(body), "<script") {
		t.Errorf("page under way = %d %s", code, body)
	}
	if code, body := page("rto_wrong"); code != http.StatusNotFound || strings.Contains(body, "Being erased") {
		t.Errorf("page to another = %d %s, want 404 and nothing of the erasure", code, body)
	}

	if _, err := job.Run(t.Context(), ce.ID); err != nil {
		t.Fatal(err)
	}
	if a, n := env.countItems(ce.ID); a != 0 || n != 0 {
		t.Errorf("%d answers and %d notes left", a, n)
	}
	if code, body := page(ce.OrganiserToken); code != http.StatusOK || !strings.Contains(body, "Erased on") || strings.Contains(body, "http-equiv") {
		t.Errorf("page once erased = %d %s", code, body)
	}
	rec = env.Do("DELETE", path+"?confirm="+ce.ID, nil, auth...)
	var last map[string]any
	webtest.MustJSON(t, rec.Body.Bytes(), &last)
	if n, _ := last["erased_items"].(float64); rec.Code != http.StatusOK || last["state"] != "erased" || n <= 30 || last["finished_at"] == nil {
		t.Errorf("the DELETE once erased = %d %s, want 200 with the event's items counted", rec.Code, rec.Body)
	}
}

// TestEraseForm: the organisers' page's erase form starts the erasure only
// when the event's id is typed, and leads to the page that follows it; the
// form sent twice leads there again.
func TestEraseForm(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	other := env.MustCreateEvent(necDay)
	form := func(confirm, token string) *httptest.ResponseRecorder {
		return env.Do("POST", "/o/"+ce.ID+"/erase?lang=en", strings.NewReader(url.Values{"confirm": {confirm}}.Encode()),
			"Content-Type", "application/x-www-form-urlencoded", "Authorization", "Bearer "+token)
	}
	if rec := form(other.ID, ce.OrganiserToken); rec.Code != http.StatusBadRequest ||
		!strings.Contains(rec.Body.String(), "Nothing was erased") || !strings.Contains(rec.Body.String(), `aria-invalid="true"`) {
		t.Errorf("wrong id typed = %d, want 400 and why: %s", rec.Code, rec.Body)
	}
	if rec := form(ce.ID, other.OrganiserToken); rec.Code != http.StatusForbidden {
		t.Errorf("another event's token = %d, want 403", rec.Code)
	}
	if _, err := env.Store.Event(t.Context(), ce.ID); err != nil {
		t.Fatalf("the event after refused forms: %v", err)
	}
	for i := 0; i < 2; i++ {
		rec := form(" "+ce.ID+" ", ce.OrganiserToken)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/o/"+ce.ID+"?lang=en" {
			t.Fatalf("form #%d = %d %v, want to the page that follows the erasure", i+1, rec.Code, rec.Header())
		}
	}
	env.erased(ce.ID, ce.OrganiserToken)
	if _, err := env.Store.Event(t.Context(), other.ID); err != nil {
		t.Errorf("the other event: %v", err)
	}
}
