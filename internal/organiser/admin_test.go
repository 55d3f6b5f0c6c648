package organiser_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/webtest"
)

// adminCookie is the cookie a browser signed in to /admin sends.
var adminCookie = []string{"Cookie", "retours_admin=" + webtest.AdminToken}

// browser is what a browser's navigation sends besides cookies.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

func TestAdminLogin(t *testing.T) {
	env := newEnv(t)
	if rec := env.Do("GET", "/admin", nil); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `action="/admin/login?lang=fr"`) {
		t.Fatalf("GET /admin without cookie = %d, want the login form: %s", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		name, token, next string
		want              int
		location          string
	}{
		{"no token", "", "", http.StatusUnauthorized, ""},
		{"wrong token", "rto_wrong", "", http.StatusForbidden, ""},
		{"right token", webtest.AdminToken, "", http.StatusSeeOther, "/admin?lang=fr"},
		{"back to the page asked", webtest.AdminToken, "/admin/nouveau?lang=en", http.StatusSeeOther, "/admin/nouveau?lang=en"},
		{"back to the admin API", webtest.AdminToken, "/api/events?limit=2", http.StatusSeeOther, "/api/events?limit=2"},
		{"never to another site", webtest.AdminToken, "//evil.example/admin", http.StatusSeeOther, "/admin?lang=fr"},
		{"never to another site's URL", webtest.AdminToken, "https://evil.example/admin", http.StatusSeeOther, "/admin?lang=fr"},
		{"never to another page of this site", webtest.AdminToken, "/confidentialite", http.StatusSeeOther, "/admin?lang=fr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.PostForm("/admin/login?lang=fr", url.Values{"token": {tc.token}, "next": {tc.next}})
			if rec.Code != tc.want || rec.Header().Get("Location") != tc.location {
				t.Fatalf("= %d to %q, want %d to %q: %s", rec.Code, rec.Header().Get("Location"), tc.want, tc.location, rec.Body)
			}
			cookies := rec.Result().Cookies()
			if tc.want != http.StatusSeeOther {
				if len(cookies) != 0 {
					t.Errorf("a refused login set cookies %v", cookies)
				}
				if !strings.Contains(rec.Body.String(), `role="alert"`) {
					t.Errorf("the form does not say what is wrong: %s", rec.Body)
				}
				return
			}
			var paths []string
			for _, c := range cookies {
				if c.Name != "retours_admin" || c.Value != webtest.AdminToken || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.MaxAge <= 0 {
					t.Errorf("cookie %+v, want the token, HttpOnly, Secure, SameSite=Strict", c)
				}
				paths = append(paths, c.Path)
			}
			if fmt.Sprint(paths) != "[/admin /api/events]" {
				t.Errorf("cookie paths = %v, want the admin space and the admin API", paths)
			}
		})
	}
	t.Run("logout", func(t *testing.T) {
		rec := env.Do("POST", "/admin/logout", nil, adminCookie...)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("= %d", rec.Code)
		}
		for _, c := range rec.Result().Cookies() {
			if c.Name != "retours_admin" || c.MaxAge >= 0 || c.Value != "" {
				t.Errorf("cookie %+v, want it deleted", c)
			}
		}
	})
	t.Run("the cookie opens the admin API", func(t *testing.T) {
		if rec := env.Do("GET", "/api/events", nil, adminCookie...); rec.Code != http.StatusOK {
			t.Errorf("GET /api/events with the cookie = %d: %s", rec.Code, rec.Body)
		}
		if rec := env.Do("GET", "/api/events", nil, "Cookie", "retours_admin=rto_wrong"); rec.Code != http.StatusForbidden {
			t.Errorf("GET /api/events with a wrong cookie = %d, want 403", rec.Code)
		}
		ce := env.MustCreateEvent(necDay)
		if rec := env.Do("GET", "/api/events/"+ce.ID+"/accesses", nil, adminCookie...); rec.Code != http.StatusOK {
			t.Errorf("GET an event's accesses with the admin cookie = %d: %s", rec.Code, rec.Body)
		}
		if rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan", nil, adminCookie...); rec.Code != http.StatusUnauthorized {
			t.Errorf("the admin cookie opens an organisers' route: %d, want 401", rec.Code)
		}
	})
}

func TestAdminListsEvents(t *testing.T) {
	env := newEnv(t)
	var ids []string
	for i := range 27 {
		body := strings.Replace(necDay, `"title": "Numérique En Commun[s] Auvergne"`, fmt.Sprintf(`"title": "Journée %02d"`, i), 1)
		if i == 3 {
			body = strings.Replace(necDay, `"nec-auvergne"`, `"tiers-lieux-occitanie"`, 1)
		}
		ids = append(ids, env.MustCreateEvent(body).ID)
	}
	env.PutAnswers(ids[0], "", 3, "")
	env.PutNote(ids[0], "", "etonnement", "La salle était pleine")
	if err := env.Store.(*memstore.Store).Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec := env.Do("GET", "/admin", nil, adminCookie...)
	page := rec.Body.String()
	if rec.Code != http.StatusOK || strings.Count(page, `<li><a href="/admin/e/`) != 25 {
		t.Fatalf("GET /admin = %d with %d events, want 25: %s", rec.Code, strings.Count(page, `<li><a href="/admin/e/`), page)
	}
	for _, want := range []string{"Clermont-Ferrand", "13 octobre 2026", "en cours", "Événements suivants"} {
		if !strings.Contains(page, want) {
			t.Errorf("the list does not show %q: %s", want, page)
		}
	}
	next := regexp.MustCompile(`href="(/admin\?[^"]*cursor=[^"]*)"`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	rec = env.Do("GET", strings.ReplaceAll(next[1], "&amp;", "&"), nil, adminCookie...)
	if n := strings.Count(rec.Body.String(), `<li><a href="/admin/e/`); rec.Code != http.StatusOK || n != 2 || strings.Contains(rec.Body.String(), "Événements suivants") {
		t.Errorf("second page = %d with %d events, want the last 2 and no next link", rec.Code, n)
	}
	rec = env.Do("GET", "/admin?q=occitanie", nil, adminCookie...)
	if n := strings.Count(rec.Body.String(), `<li><a href="/admin/e/`); n != 1 || !strings.Contains(rec.Body.String(), "/admin/e/"+ids[3]) {
		t.Errorf("search by series found %d events, want the one of its series", n)
	}
	rec = env.Do("GET", "/admin?q=JOURNEE+00", nil, adminCookie...)
	if n := strings.Count(rec.Body.String(), `<li><a href="/admin/e/`); n != 1 || !strings.Contains(rec.Body.String(), "Journée 00") {
		t.Errorf("search by title, whatever case and accents, found %d events, want 1", n)
	}
	// Counted from the event's activity, as the stream's consumer keeps it.
	if !strings.Contains(rec.Body.String(), "3 réponses · 1 notes") {
		t.Errorf("the list does not show the event's answers and notes: %s", rec.Body)
	}
	if rec := env.Do("GET", "/admin?cursor=forged", nil, adminCookie...); rec.Code != http.StatusBadRequest {
		t.Errorf("a forged cursor = %d, want 400", rec.Code)
	}
}

// createForm is the form that creates a two-day event in Riom.
func createForm() url.Values {
	return url.Values{"title": {"Rencontres des tiers-lieux"}, "place": {"Riom"}, "date": {"2026-10-20"}, "start": {"09:30"},
		"end_date": {"2026-10-21"}, "end": {"17:00"}, "closes": {"2026-11-30"}, "series": {"tiers-lieux-auvergne"}, "edition": {"2"},
		"emails": {"orga@example.org\nmairie@riom.example.fr"}, "access_name": {"Tiers-lieu La Fabrique"}, "lang_fr": {"1"}, "lang_en": {"1"}}
}

func TestAdminCreatesEvent(t *testing.T) {
	env := newEnv(t)
	if rec := env.Do("GET", "/admin/nouveau", nil, adminCookie...); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<label for="f-title">`) {
		t.Fatalf("GET /admin/nouveau = %d: %s", rec.Code, rec.Body)
	}
	rec := env.PostForm("/admin/nouveau?lang=fr", createForm(), adminCookie...)
	page := rec.Body.String()
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /admin/nouveau = %d: %s", rec.Code, page)
	}
	m := regexp.MustCompile(`href="https://retours\.example\.org/o/([a-z0-9]+)"`).FindStringSubmatch(page)
	tok := regexp.MustCompile(`value="(rto_[A-Za-z0-9_-]+)" readonly`).FindStringSubmatch(page)
	if m == nil || tok == nil {
		t.Fatalf("the page shows no organisers' link or token: %s", page)
	}
	e, err := env.Store.Event(t.Context(), m[1])
	if err != nil {
		t.Fatal(err)
	}
	a, ok := e.AccessFor(tok[1])
	if !ok || a.Name != "Tiers-lieu La Fabrique" || len(e.Accesses) != 1 {
		t.Errorf("the token shown opens no access, or not the named one: %+v", e.Accesses)
	}
	paris := func(s string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", s, i18n.Paris)
		return t
	}
	if !e.StartsAt.Equal(paris("2026-10-20 09:30")) || !e.EndsAt.Equal(paris("2026-10-21 17:00")) || !e.ClosesAt.Equal(paris("2026-11-30 23:59")) {
		t.Errorf("dates %v – %v, closing %v: want Paris times of the form", e.StartsAt, e.EndsAt, e.ClosesAt)
	}
	if e.Title != "Rencontres des tiers-lieux" || e.Place != "Riom" || e.Series != "tiers-lieux-auvergne" || e.Edition != 2 ||
		fmt.Sprint(e.OrganiserEmails) != "[orga@example.org mairie@riom.example.fr]" || fmt.Sprint(e.Languages) != "[fr en]" ||
		len(e.Questionnaire.Questions) != len(retours.DefaultQuestionnaire().Questions) {
		t.Errorf("stored event %+v, not the form's", e)
	}
	if strings.Contains(env.Do("GET", "/admin/e/"+e.ID, nil, adminCookie...).Body.String(), tok[1]) {
		t.Error("the event's admin page shows the token again")
	}

	for _, tc := range []struct {
		name   string
		change map[string]string
		want   []string // anchors in the error summary
	}{
		{"no title", map[string]string{"title": ""}, []string{"f-title"}},
		{"end before start", map[string]string{"end_date": "2026-10-19"}, []string{"f-end"}},
		{"no date", map[string]string{"date": ""}, []string{"f-date"}},
		{"a date people cannot mean", map[string]string{"date": "31/02/2026"}, []string{"f-date"}},
		{"a bad e-mail and no language", map[string]string{"emails": "orga@", "lang_fr": "", "lang_en": ""}, []string{"f-lang-fr"}},
		{"an edition that is not a number", map[string]string{"edition": "deux"}, []string{"f-edition"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := createForm()
			for k, v := range tc.change {
				form.Set(k, v)
			}
			before := countEvents(t, env)
			rec := env.PostForm("/admin/nouveau?lang=fr", form, adminCookie...)
			page := rec.Body.String()
			if rec.Code != http.StatusBadRequest || !strings.Contains(page, "a pas été créé") {
				t.Fatalf("= %d, want 400 with the error summary: %s", rec.Code, page)
			}
			for _, a := range tc.want {
				if !strings.Contains(page, `<a href="#`+a+`">`) {
					t.Errorf("the summary does not link to %s", a)
				}
			}
			if !strings.Contains(page, `value="Riom"`) {
				t.Error("the form lost what was typed")
			}
			if after := countEvents(t, env); after != before {
				t.Errorf("a refused form stored an event: %d events, then %d", before, after)
			}
		})
	}
	t.Run("without the cookie", func(t *testing.T) {
		if rec := env.PostForm("/admin/nouveau", createForm()); rec.Code != http.StatusUnauthorized {
			t.Errorf("= %d, want 401", rec.Code)
		}
		if rec := env.PostForm("/admin/nouveau", createForm(), "Cookie", "retours_organiser=x; retours_admin=nope"); rec.Code != http.StatusForbidden {
			t.Errorf("wrong cookie = %d, want 403", rec.Code)
		}
	})
}

func countEvents(t *testing.T, env *webtest.Env) int {
	t.Helper()
	page, err := env.Store.(*memstore.Store).ListEvents(t.Context(), retours.EventQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Events)
}

func TestAdminIssuesAccess(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	rec := env.Do("GET", "/admin/e/"+ce.ID, nil, adminCookie...)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "https://retours.example.org/o/"+ce.ID) {
		t.Fatalf("GET /admin/e/… = %d, want the organisers' link: %s", rec.Code, rec.Body)
	}
	rec = env.PostForm("/admin/e/"+ce.ID+"/acces?lang=fr", url.Values{"name": {"Département du Puy-de-Dôme"}}, adminCookie...)
	tok := regexp.MustCompile(`value="(rto_[A-Za-z0-9_-]+)" readonly`).FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || tok == nil {
		t.Fatalf("= %d, want the new token shown: %s", rec.Code, rec.Body)
	}
	e, _ := env.Store.Event(t.Context(), ce.ID)
	if a, ok := e.AccessFor(tok[1]); !ok || a.Name != "Département du Puy-de-Dôme" || a.CreatedBy != retours.AdminActor {
		t.Errorf("the token opens no access named as asked: %+v", e.Accesses)
	}
	if _, ok := e.AccessFor(ce.OrganiserToken); !ok {
		t.Error("the first access stopped working")
	}
	rec = env.PostForm("/admin/e/"+ce.ID+"/acces?lang=fr", url.Values{"name": {""}}, adminCookie...)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `href="#f-name"`) {
		t.Errorf("no name = %d, want 400 with the summary: %s", rec.Code, rec.Body)
	}
	if e2, _ := env.Store.Event(t.Context(), ce.ID); len(e2.Accesses) != 2 {
		t.Errorf("%d accesses, want 2", len(e2.Accesses))
	}
}

// TestBrowserGoesToLogin: a link into the organisers' side or the admin
// space opened in a browser without a valid cookie leads to the login form,
// then to exactly the page asked; API clients still get JSON 401.
func TestBrowserGoesToLogin(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	other := env.MustCreateEvent(necDay)
	bilan := "/api/events/" + ce.ID + "/bilan?format=html&lang=fr"
	for _, tc := range []struct {
		name, path string
		header     []string
		want       int
		location   string
	}{
		{"digest's bilan link", bilan, []string{"Accept", browserAccept}, http.StatusSeeOther, "/o/" + ce.ID + "?" + url.Values{"lang": {"fr"}, "next": {bilan}}.Encode()},
		{"a bookmark of a page", "/o/" + ce.ID + "/acces", []string{"Accept", browserAccept}, http.StatusSeeOther, "/o/" + ce.ID + "?next=%2Fo%2F" + ce.ID + "%2Facces"},
		{"another event's cookie", "/o/" + ce.ID + "/acces", []string{"Accept", browserAccept, "Cookie", "retours_organiser=" + other.OrganiserToken}, http.StatusSeeOther, "/o/" + ce.ID + "?next=%2Fo%2F" + ce.ID + "%2Facces"},
		{"the admin's form", "/admin/nouveau", []string{"Accept", browserAccept}, http.StatusSeeOther, "/admin?next=%2Fadmin%2Fnouveau"},
		{"the admin API in a browser", "/api/events", []string{"Accept", browserAccept}, http.StatusSeeOther, "/admin?next=%2Fapi%2Fevents"},
		{"an API client", bilan, []string{"Accept", "application/json"}, http.StatusUnauthorized, ""},
		{"an API client with a bearer", bilan, []string{"Accept", browserAccept, "Authorization", "Bearer rto_wrong"}, http.StatusForbidden, ""},
		{"curl", bilan, nil, http.StatusUnauthorized, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do("GET", tc.path, nil, tc.header...)
			if rec.Code != tc.want || rec.Header().Get("Location") != tc.location {
				t.Fatalf("= %d to %q, want %d to %q: %s", rec.Code, rec.Header().Get("Location"), tc.want, tc.location, rec.Body)
			}
			if tc.want != http.StatusSeeOther && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Errorf("an API client got %s, want JSON", rec.Header().Get("Content-Type"))
			}
		})
	}

	// The login form keeps where to go, and leads there once signed in.
	rec := env.Do("GET", "/o/"+ce.ID+"?"+url.Values{"next": {bilan}}.Encode(), nil, "Accept", browserAccept)
	if !strings.Contains(rec.Body.String(), `<input type="hidden" name="next" value="/api/events/`+ce.ID+`/bilan?format=html&amp;lang=fr">`) {
		t.Fatalf("the login form does not keep next: %s", rec.Body)
	}
	for _, tc := range []struct{ name, next, want string }{
		{"the page asked", bilan, bilan},
		{"a page of the event", "/o/" + ce.ID + "/acces?lang=en", "/o/" + ce.ID + "/acces?lang=en"},
		{"another event's page", "/o/" + other.ID + "/acces", "/o/" + ce.ID + "?lang=fr"},
		{"an event whose id begins the same", "/o/" + ce.ID + "x/acces", "/o/" + ce.ID + "?lang=fr"},
		{"a path that climbs out", "/o/" + ce.ID + "/../../admin", "/o/" + ce.ID + "?lang=fr"},
		{"another site", "//evil.example/o/" + ce.ID, "/o/" + ce.ID + "?lang=fr"},
		{"a backslash", "/\\evil.example", "/o/" + ce.ID + "?lang=fr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.PostForm("/o/"+ce.ID+"/login", url.Values{"token": {ce.OrganiserToken}, "next": {tc.next}})
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != tc.want {
				t.Errorf("= %d to %q, want 303 to %q", rec.Code, rec.Header().Get("Location"), tc.want)
			}
		})
	}
	// Signed in already, the form's page leads straight to next.
	rec = env.Do("GET", "/o/"+ce.ID+"?"+url.Values{"next": {bilan}}.Encode(), nil, "Cookie", "retours_organiser="+ce.OrganiserToken)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != bilan {
		t.Errorf("signed in: = %d to %q, want the page asked", rec.Code, rec.Header().Get("Location"))
	}
	rec = env.Do("GET", "/admin?next=%2Fadmin%2Fnouveau", nil, adminCookie...)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/nouveau" {
		t.Errorf("admin signed in: = %d to %q, want the page asked", rec.Code, rec.Header().Get("Location"))
	}
}
