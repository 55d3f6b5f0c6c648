package stack_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// cookieOf returns the "Cookie" header a browser sends back with what rec
// set under name.
func cookieOf(t *testing.T, rec *http.Response, name string) []string {
	t.Helper()
	for _, c := range rec.Cookies() {
		if c.Name == name && c.Value != "" {
			return []string{"Cookie", name + "=" + c.Value}
		}
	}
	t.Fatalf("no cookie %s set", name)
	return nil
}

// TestAdminCreatesEventOrganiserShares walks the administrator's and the
// organisers' pages on DynamoDB Local: the administrator signs in and
// creates an event from the form; the organiser opens the digest's bilan
// link, signs in with the token shown once and lands on the bilan; the
// organisers add a co-organiser's access and share a session with its
// speaker, whose page shows the answers until the link is removed.
func TestAdminCreatesEventOrganiserShares(t *testing.T) {
	env := newEnv(t)
	rec := env.PostForm("/admin/login", url.Values{"token": {adminToken}, "next": {"/admin/nouveau"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/nouveau" {
		t.Fatalf("admin login = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	admin := cookieOf(t, rec.Result(), "retours_admin")
	rec = env.PostForm("/admin/nouveau?lang=fr", url.Values{"title": {"Rencontres des tiers-lieux"}, "place": {"Riom"}, "date": {"2026-10-13"},
		"start": {"09:00"}, "end": {"17:30"}, "access_name": {"Tiers-lieu La Fabrique"}, "lang_fr": {"1"}}, admin...)
	m := regexp.MustCompile(`href="https://retours\.example\.org/o/([a-z0-9]+)"`).FindStringSubmatch(rec.Body.String())
	tok := regexp.MustCompile(`value="(rto_[A-Za-z0-9_-]+)" readonly`).FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || m == nil || tok == nil {
		t.Fatalf("create = %d: %s", rec.Code, rec.Body)
	}
	id := m[1]
	if rec := env.Do("GET", "/admin?q=tiers-lieux", nil, admin...); !strings.Contains(rec.Body.String(), "/admin/e/"+id) {
		t.Errorf("the admin's list does not find the new event: %s", rec.Body)
	}

	bilan := "/api/events/" + id + "/bilan?format=html&lang=fr"
	rec = env.Do("GET", bilan, nil, "Accept", browserAccept)
	login := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(login, "/o/"+id+"?") {
		t.Fatalf("the bilan link without cookie = %d to %q, want the login form", rec.Code, login)
	}
	rec = env.Do("GET", login, nil, "Accept", browserAccept)
	next := regexp.MustCompile(`name="next" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || next == nil {
		t.Fatalf("login form = %d without next: %s", rec.Code, rec.Body)
	}
	rec = env.PostForm("/o/"+id+"/login", url.Values{"token": {tok[1]}, "next": {strings.ReplaceAll(next[1], "&amp;", "&")}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != bilan {
		t.Fatalf("login = %d to %q, want %q", rec.Code, rec.Header().Get("Location"), bilan)
	}
	orga := cookieOf(t, rec.Result(), "retours_organiser")
	if rec := env.Do("GET", bilan, nil, append([]string{"Accept", browserAccept}, orga...)...); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Rencontres des tiers-lieux") {
		t.Fatalf("the bilan once signed in = %d", rec.Code)
	}

	// A co-organiser's access, then a speaker's link on an event with
	// sessions and answers.
	ce := env.MustCreateEvent(necDay)
	orga = []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}
	rec = env.PostForm("/o/"+ce.ID+"/acces?lang=fr", url.Values{"name": {"Département"}}, orga...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("new access = %d: %s", rec.Code, rec.Body)
	}
	atelier := ce.Sessions[1].ID
	env.putAnswers(ce.ID, atelier, 7, "Des exemples concrets")
	env.putAnswers(ce.ID, ce.Sessions[2].ID, 7, "")
	rec = env.PostForm("/o/"+ce.ID+"/partages?lang=fr", url.Values{"session": {atelier}}, orga...)
	link := regexp.MustCompile(`href="https://retours\.example\.org(/s/[^"]+)"`).FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || link == nil {
		t.Fatalf("share = %d: %s", rec.Code, rec.Body)
	}
	rec = env.Do("GET", link[1], nil, "Accept", browserAccept)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<td class="num">7</td>`) || !strings.Contains(rec.Body.String(), "Des exemples concrets") {
		t.Fatalf("speaker's page = %d: %s", rec.Code, rec.Body)
	}
	rec = env.Do("GET", "/o/"+ce.ID+"/acces?lang=fr", nil, orga...)
	share := regexp.MustCompile(`retirer=([a-z0-9]+)`).FindStringSubmatch(rec.Body.String())
	if share == nil || !strings.Contains(rec.Body.String(), "a créé un lien pour une session") || !strings.Contains(rec.Body.String(), "Département") {
		t.Fatalf("the accesses page lacks the link, the access or the record: %s", rec.Body)
	}
	if rec := env.Do("POST", "/o/"+ce.ID+"/partages/"+share[1]+"/revoquer", nil, orga...); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove = %d", rec.Code)
	}
	if rec := env.Do("GET", link[1], nil, "Accept", browserAccept); rec.Code != http.StatusNotFound {
		t.Errorf("a removed link = %d, want 404", rec.Code)
	}
}
