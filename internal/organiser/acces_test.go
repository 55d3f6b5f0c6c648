package organiser_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/retours/retours/internal/webtest"
)

// organiserCookie is what a browser signed in to the event of token sends.
func organiserCookie(token string) []string { return []string{"Cookie", "retours_organiser=" + token} }

var tokenShown = regexp.MustCompile(`value="(rto_[A-Za-z0-9_-]+)" readonly`)

func TestAccessesPage(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	me := organiserCookie(ce.OrganiserToken)
	page := "/o/" + ce.ID + "/acces?lang=fr"

	rec := env.Do("GET", page, nil, me...)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "Accès initial") || !strings.Contains(body, ">vous<") {
		t.Fatalf("GET = %d, want the first access marked as the one in use: %s", rec.Code, body)
	}
	if strings.Contains(body, "revoquer=") || !strings.Contains(body, "le seul de l&#39;événement") {
		t.Error("the only access can be revoked, or the page does not say why not")
	}
	if !strings.Contains(body, `href="/o/`+ce.ID+`?lang=fr"`) || !strings.Contains(body, `aria-current="page"`) {
		t.Error("no navigation back to the organisers' page")
	}

	// A co-organiser's access, its token shown once.
	rec = env.PostForm(page, url.Values{"name": {"Département"}}, me...)
	tok := tokenShown.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || tok == nil || !strings.Contains(rec.Body.String(), "https://retours.example.org/o/"+ce.ID) {
		t.Fatalf("POST = %d, want the token and link shown: %s", rec.Code, rec.Body)
	}
	if strings.Contains(env.Do("GET", page, nil, me...).Body.String(), tok[1]) {
		t.Error("the token is shown again")
	}
	dept := organiserCookie(tok[1])
	if rec := env.Do("GET", "/o/"+ce.ID, nil, dept...); rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `name="token"`) {
		t.Fatalf("the new token does not open the organisers' page: %d", rec.Code)
	}
	if rec := env.PostForm(page, url.Values{"name": {"  "}}, me...); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `href="#f-name"`) {
		t.Errorf("no name = %d, want 400 with the error summary", rec.Code)
	}

	// Revoking asks first, then revokes that access only.
	ev, _ := env.Store.Event(t.Context(), ce.ID)
	deptID := ev.Accesses[1].ID
	rec = env.Do("GET", page+"&revoquer="+deptID, nil, me...)
	if !strings.Contains(rec.Body.String(), `action="/o/`+ce.ID+`/acces/`+deptID+`/revoquer?lang=fr"`) || !strings.Contains(rec.Body.String(), "Département") {
		t.Fatalf("no confirmation: %s", rec.Body)
	}
	rec = env.Do("POST", "/o/"+ce.ID+"/acces/"+deptID+"/revoquer?lang=fr", nil, me...)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "fait=acces-revoque") {
		t.Fatalf("revoke = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := env.Do("GET", "/o/"+ce.ID+"/acces", nil, dept...); rec.Code != http.StatusForbidden {
		t.Errorf("a revoked token still opens the page: %d", rec.Code)
	}
	if rec := env.Do("GET", page, nil, me...); rec.Code != http.StatusOK {
		t.Errorf("revoking another access locked the first out: %d", rec.Code)
	}

	// The last access cannot be revoked, and the page says why.
	rec = env.Do("POST", "/o/"+ce.ID+"/acces/"+ev.Accesses[0].ID+"/revoquer?lang=fr", nil, me...)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `role="alert"`) {
		t.Errorf("revoking the last access = %d, want 409 with a message: %s", rec.Code, rec.Body)
	}

	// Revoking one's own access signs out, with a message.
	rec = env.PostForm(page, url.Values{"name": {"Association Relais"}}, me...)
	other := tokenShown.FindStringSubmatch(rec.Body.String())
	rec = env.Do("POST", "/o/"+ce.ID+"/acces/"+ev.Accesses[0].ID+"/revoquer?lang=fr", nil, me...)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/o/"+ce.ID+"?lang=fr&revoked=1" {
		t.Fatalf("revoking one's own = %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name != "retours_organiser" || c.MaxAge >= 0 {
			t.Errorf("cookie %+v, want the organisers' cookie deleted", c)
		}
	}
	if !strings.Contains(env.Do("GET", "/o/"+ce.ID+"?lang=fr&revoked=1", nil).Body.String(), "Votre accès a été révoqué") {
		t.Error("the login form does not say the access was revoked")
	}

	// The record of changes names who did what.
	rec = env.Do("GET", page, nil, organiserCookie(other[1])...)
	journal := rec.Body.String()[strings.Index(rec.Body.String(), `id="journal"`):]
	for _, want := range []string{"a créé un accès\u00a0: Association Relais", "a révoqué un accès\u00a0: Département", "Un accès révoqué depuis", "13 octobre 2026 à 12:00"} {
		if !strings.Contains(journal, want) {
			t.Errorf("the record of changes does not show %q: %s", want, journal)
		}
	}
	if rec := env.Do("GET", "/o/"+ce.ID+"/acces", nil, "Authorization", "Bearer "+webtest.AdminToken); rec.Code != http.StatusForbidden {
		t.Errorf("the admin token opens the organisers' page: %d", rec.Code)
	}
}

func TestSpeakerLinks(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	me := organiserCookie(ce.OrganiserToken)
	atelier := ce.Sessions[1].ID
	env.PutAnswers(ce.ID, atelier, 6, "Très concret, merci")
	env.PutAnswers(ce.ID, ce.Sessions[2].ID, 6, "Autre atelier")

	rec := env.PostForm("/o/"+ce.ID+"/partages?lang=fr", url.Values{"session": {atelier}}, me...)
	m := regexp.MustCompile(`href="(https://retours\.example\.org(/s/[a-z0-9]+/rts_[A-Za-z0-9_-]+))"`).FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || m == nil || !strings.Contains(rec.Body.String(), `value="`+m[1]+`" readonly`) {
		t.Fatalf("POST = %d, want the link shown to copy: %s", rec.Code, rec.Body)
	}
	link := m[2]
	if rec := env.PostForm("/o/"+ce.ID+"/partages?lang=fr", url.Values{"session": {"zzzzzz"}}, me...); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown session = %d, want 404", rec.Code)
	}

	// The speaker's browser gets a page, an API client JSON.
	for _, lang := range []string{"fr", "en"} {
		rec = env.Do("GET", link+"?lang="+lang, nil, "Accept", browserAccept)
		page := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || rec.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("%s: GET = %d %v", lang, rec.Code, rec.Header())
		}
		for _, want := range []string{`<html lang="` + lang + `">`, "<h1>Atelier inclusion</h1>", `<svg class="chart" role="img"`, "Très concret, merci", `hreflang="`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page does not hold %q", lang, want)
			}
		}
		if strings.Contains(page, "Autre atelier") || strings.Contains(page, "<script") {
			t.Errorf("%s: the page shows another session's text, or a script", lang)
		}
	}
	rec = env.Do("GET", link, nil, "Accept", "application/json")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") || !strings.Contains(rec.Body.String(), `"anonymity_threshold":5`) {
		t.Errorf("JSON = %d: %s", rec.Code, rec.Body)
	}

	// Listed on the accesses page, removed after confirming.
	rec = env.Do("GET", "/o/"+ce.ID+"/acces?lang=fr", nil, me...)
	id := regexp.MustCompile(`retirer=([a-z0-9]+)`).FindStringSubmatch(rec.Body.String())
	if id == nil || strings.Contains(rec.Body.String(), "rts_") {
		t.Fatalf("the link is not listed, or its secret is shown again: %s", rec.Body)
	}
	rec = env.Do("GET", "/o/"+ce.ID+"/acces?lang=fr&retirer="+id[1], nil, me...)
	if !strings.Contains(rec.Body.String(), `action="/o/`+ce.ID+`/partages/`+id[1]+`/revoquer?lang=fr"`) {
		t.Fatalf("no confirmation: %s", rec.Body)
	}
	if rec := env.Do("POST", "/o/"+ce.ID+"/partages/"+id[1]+"/revoquer?lang=fr", nil, me...); rec.Code != http.StatusSeeOther {
		t.Fatalf("revoke = %d", rec.Code)
	}
	rec = env.Do("GET", link, nil, "Accept", browserAccept)
	if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), "<h1>") {
		t.Errorf("a removed link = %d %s, want a 404 page", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := env.Do("GET", link, nil, "Accept", "application/json"); rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("a removed link to an API client = %d %s, want JSON 404", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// TestSpeakerPageKeepsAnonymity: a session with fewer answers than the
// threshold shows no figure and no text, as the bilan.
func TestSpeakerPageKeepsAnonymity(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	atelier := ce.Sessions[1].ID
	env.PutAnswers(ce.ID, atelier, 2, "Un texte reconnaissable")
	env.PutAnswers(ce.ID, ce.Sessions[2].ID, 8, "")
	rec := env.PostForm("/o/"+ce.ID+"/partages", url.Values{"session": {atelier}}, organiserCookie(ce.OrganiserToken)...)
	link := regexp.MustCompile(`href="https://retours\.example\.org(/s/[^"]+)"`).FindStringSubmatch(rec.Body.String())
	if link == nil {
		t.Fatalf("no link: %s", rec.Body)
	}
	page := env.Do("GET", link[1], nil, "Accept", browserAccept).Body.String()
	if !strings.Contains(page, "moins de 5") || strings.Contains(page, "Un texte reconnaissable") || strings.Contains(page, `<svg class="chart"`) {
		t.Errorf("a session under the threshold shows figures or texts: %s", page)
	}
}
