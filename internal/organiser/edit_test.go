package organiser_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/retours/retours/internal/webtest"
)

// TestEditJourney: two co-organisers edit the same event; the second,
// working from the version before the first's edit, is refused; a revoked
// access locks its holder out and nobody else; the speaker's link shows
// the session's results, and stops when revoked; the record says who did
// what.
func TestEditJourney(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	path := "/api/events/" + ce.ID
	alice := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	rec := env.PostJSON(path+"/accesses", `{"name":"Médiathèque"}`, alice...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("new access = %d %s", rec.Code, rec.Body)
	}
	var access struct{ ID, OrganiserToken string }
	webtest.MustJSON(t, []byte(strings.ReplaceAll(rec.Body.String(), "organiser_token", "organisertoken")), &access)
	bob := []string{"Authorization", "Bearer " + access.OrganiserToken}

	get := func(who []string) (map[string]any, string) {
		rec := env.Do("GET", path, nil, who...)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET = %d %s", rec.Code, rec.Body)
		}
		var def map[string]any
		webtest.MustJSON(t, rec.Body.Bytes(), &def)
		return def, rec.Header().Get("ETag")
	}
	put := func(who []string, def map[string]any, etag string) int {
		b, _ := json.Marshal(def)
		return env.Do("PUT", path, strings.NewReader(string(b)), append([]string{"Content-Type", "application/json", "If-Match", etag}, who...)...).Code
	}
	defA, etag := get(alice)
	defB, _ := get(bob)
	if etag != `"1"` {
		t.Errorf("ETag %s, want \"1\"", etag)
	}
	defA["title"] = "NEC Auvergne"
	if code := put(alice, defA, etag); code != http.StatusOK {
		t.Fatalf("first edit = %d", code)
	}
	defB["place"] = "Vichy"
	if code := put(bob, defB, etag); code != http.StatusPreconditionFailed {
		t.Errorf("edit from the stale version = %d, want 412", code)
	}
	if def, etag := get(bob); def["title"] != "NEC Auvergne" || def["place"] != "Clermont-Ferrand" || etag != `"2"` {
		t.Errorf("after the refused edit: %v, %v, %s", def["title"], def["place"], etag)
	}

	// A session shared with its speaker shows its answers, as the bilan.
	session := ce.Sessions[1].ID
	env.PutAnswers(ce.ID, session, 6, "Très concret")
	rec = env.Do("POST", path+"/sessions/"+session+"/shares", nil, bob...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("share = %d %s", rec.Code, rec.Body)
	}
	var share struct{ ID, URL string }
	webtest.MustJSON(t, rec.Body.Bytes(), &share)
	link := strings.TrimPrefix(share.URL, webtest.BaseURL)
	rec = env.Do("GET", link, nil)
	var report struct {
		Session struct {
			Answers int
			Title   string
		}
		Texts []struct{ Texts []string }
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &report)
	if rec.Code != http.StatusOK || report.Session.Answers != 6 || len(report.Texts) != 1 || len(report.Texts[0].Texts) != 6 {
		t.Errorf("speaker's page = %d %s", rec.Code, rec.Body)
	}
	if rec := env.Do("DELETE", path+"/shares/"+share.ID, nil, alice...); rec.Code != http.StatusOK {
		t.Fatalf("revoke share = %d", rec.Code)
	}
	if rec := env.Do("GET", link, nil); rec.Code != http.StatusNotFound {
		t.Errorf("revoked link = %d, want 404", rec.Code)
	}

	// Revoking Bob's access locks him out, and not Alice.
	if rec := env.Do("DELETE", path+"/accesses/"+access.ID, nil, alice...); rec.Code != http.StatusOK {
		t.Fatalf("revoke = %d %s", rec.Code, rec.Body)
	}
	if rec := env.Do("GET", path, nil, bob...); rec.Code != http.StatusForbidden {
		t.Errorf("revoked access = %d, want 403", rec.Code)
	}
	var accesses struct{ Accesses []struct{ ID string } }
	rec = env.Do("GET", path+"/accesses", nil, alice...)
	webtest.MustJSON(t, rec.Body.Bytes(), &accesses)
	if len(accesses.Accesses) != 1 {
		t.Fatalf("accesses = %s", rec.Body)
	}
	// The organisers cannot revoke their last access; the administrator can.
	last := path + "/accesses/" + accesses.Accesses[0].ID
	if rec := env.Do("DELETE", last, nil, alice...); rec.Code != http.StatusConflict {
		t.Errorf("revoking the last access = %d, want 409", rec.Code)
	}
	rec = env.Do("GET", path+"/edits", nil, "Authorization", "Bearer "+webtest.AdminToken)
	var edits struct{ Edits []struct{ By, Action string } }
	webtest.MustJSON(t, rec.Body.Bytes(), &edits)
	var actions []string
	for _, e := range edits.Edits {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "access.revoked share.revoked share.created event.updated access.created" {
		t.Errorf("record of changes: %s", got)
	}
	if edits.Edits[2].By != access.ID {
		t.Errorf("the share was made by %s, want %s", edits.Edits[2].By, access.ID)
	}
}

// TestListEvents: the administrator's list, searched and paged.
func TestListEvents(t *testing.T) {
	env := newEnv(t)
	for _, title := range []string{"Rencontre A", "Atelier B", "Rencontre C"} {
		env.MustCreateEvent(strings.Replace(necDay, "Numérique En Commun[s] Auvergne", title, 1))
	}
	admin := []string{"Authorization", "Bearer " + webtest.AdminToken}
	var page struct {
		Events []struct{ Title, Status string }
		Next   string
	}
	rec := env.Do("GET", "/api/events?q=rencontre&limit=1", nil, admin...)
	webtest.MustJSON(t, rec.Body.Bytes(), &page)
	if rec.Code != http.StatusOK || len(page.Events) != 1 || page.Next == "" || page.Events[0].Status != "running" {
		t.Fatalf("first page = %d %s", rec.Code, rec.Body)
	}
	first := page.Events[0].Title
	page.Next, page.Events = "", nil
	env.Do("GET", "/api/events?q=rencontre&limit=1&cursor="+page.Next, nil, admin...)
	rec = env.Do("GET", "/api/events?q=RENCONTRE", nil, admin...)
	webtest.MustJSON(t, rec.Body.Bytes(), &page)
	if len(page.Events) != 2 || !strings.HasPrefix(first, "Rencontre") {
		t.Errorf("search = %s", rec.Body)
	}
	if rec := env.Do("GET", "/api/events", nil, "Authorization", "Bearer x"); rec.Code != http.StatusForbidden {
		t.Errorf("list with a wrong token = %d", rec.Code)
	}
}
