package organiser_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

var refreshPattern = regexp.MustCompile(`^(\d+); url=(/\S+)$`)

// wallRefresh returns the address the wall's next refresh loads, and checks
// that it reloads itself within a few seconds.
func wallRefresh(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	m := refreshPattern.FindStringSubmatch(rec.Header().Get("Refresh"))
	if m == nil {
		t.Fatalf("the wall does not refresh itself: Refresh %q", rec.Header().Get("Refresh"))
	}
	if m[1] != "10" {
		t.Errorf("refresh every %s s, want 10", m[1])
	}
	return m[2]
}

// approve posts the organisers' page's wall form for note n, and moves the
// clock on by a second, so that approvals come in order.
func approve(t *testing.T, env *webtest.Env, eventID, token string, n *retours.Note, on string) {
	t.Helper()
	rec := env.PostForm("/o/"+eventID+"/texts/n."+n.SubmissionID+"/mur", url.Values{"on": {on}}, "Cookie", "retours_organiser="+token)
	if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "#texts") {
		t.Fatalf("wall form on=%s: %d %s", on, rec.Code, rec.Body)
	}
	env.Clock.Set(env.Clock.Now().Add(time.Second))
}

func TestWall(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	cookie := []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}
	env.PutAnswers(ce.ID, "", 12, "Les ateliers pratiques et les ateliers numériques")
	var notes []*retours.Note
	for _, text := range []string{"Approuvée un", "Masquée ensuite", "Jamais approuvée", "Approuvée deux"} {
		notes = append(notes, env.PutNote(ce.ID, "", retours.NoteEtonnement, text))
	}
	approve(t, env, ce.ID, ce.OrganiserToken, notes[0], "1")
	approve(t, env, ce.ID, ce.OrganiserToken, notes[1], "1")
	approve(t, env, ce.ID, ce.OrganiserToken, notes[3], "1")
	// Hiding a note on the wall takes it off.
	if rec := env.PostForm("/o/"+ce.ID+"/texts/n."+notes[1].SubmissionID, url.Values{"hidden": {"1"}}, cookie...); rec.Code != http.StatusSeeOther {
		t.Fatalf("hide: %d %s", rec.Code, rec.Body)
	}
	st := env.Store.(*memstore.Store)
	if err := st.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	// The snapshot the scheduled run stores gives the figures and themes.
	agg := &aggregate.Runner{Store: st, Now: env.Clock.Now, Log: slog.New(slog.DiscardHandler), Period: time.Hour}
	if _, err := agg.Run(t.Context()); err != nil {
		t.Fatal(err)
	}

	rec := env.Do("GET", "/o/"+ce.ID+"/mur", nil, cookie...)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("wall: %d, Cache-Control %q\n%s", rec.Code, rec.Header().Get("Cache-Control"), body)
	}
	for _, want := range []string{"Approuvée un", "Approuvée deux", "<b>12</b> réponses", "<b>2,8\u00a0/\u00a05</b> de satisfaction", "ateliers", "Mur de clôture"} {
		if !strings.Contains(body, want) {
			t.Errorf("wall lacks %q", want)
		}
	}
	for _, not := range []string{"Masquée ensuite", "Jamais approuvée", "<script"} {
		if strings.Contains(body, not) {
			t.Errorf("wall shows %q", not)
		}
	}
	if i, j := strings.Index(body, "Approuvée deux"), strings.Index(body, "Approuvée un"); i < 0 || j < i {
		t.Errorf("newest approved is not first")
	}
	// In English, the French notes say their language.
	if en := env.Do("GET", "/o/"+ce.ID+"/mur?lang=en", nil, cookie...).Body.String(); !strings.Contains(en, `<blockquote lang="fr"><p>Approuvée un`) {
		t.Errorf("the English wall does not mark a French note's language")
	}
	if next := wallRefresh(t, rec); next != "/o/"+ce.ID+"/mur?lang=fr" {
		t.Errorf("refresh to %q, want the wall again from the newest", next)
	}
	// Paused, it stays, and offers to resume.
	paused := env.Do("GET", "/o/"+ce.ID+"/mur?pause=1", nil, cookie...)
	if paused.Code != http.StatusOK || paused.Header().Get("Refresh") != "" || !strings.Contains(paused.Body.String(), "Reprendre le défilement") {
		t.Errorf("paused wall: %d, Refresh %q", paused.Code, paused.Header().Get("Refresh"))
	}
	// The organisers' page says which notes are on the wall, and offers to
	// show the others there, except a hidden one.
	page := env.Do("GET", "/o/"+ce.ID, nil, cookie...).Body.String()
	if n := strings.Count(page, "Retirer du mur"); n != 2 {
		t.Errorf("organisers' page offers %d withdrawals, want 2", n)
	}
	if n := strings.Count(page, "Montrer sur le mur"); n != 1 {
		t.Errorf("organisers' page offers %d approvals, want 1 (the hidden note has none)", n)
	}
	// Withdrawn, a note leaves the wall.
	approve(t, env, ce.ID, ce.OrganiserToken, notes[3], "0")
	if body := env.Do("GET", "/o/"+ce.ID+"/mur", nil, cookie...).Body.String(); strings.Contains(body, "Approuvée deux") {
		t.Error("a withdrawn note is still on the wall")
	}

	for _, tc := range []struct {
		name, target string
		form         url.Values
		want         int
	}{
		{"bad value", "/o/" + ce.ID + "/texts/n." + notes[0].SubmissionID + "/mur", url.Values{"on": {"yes"}}, http.StatusBadRequest},
		{"a hidden note", "/o/" + ce.ID + "/texts/n." + notes[1].SubmissionID + "/mur", url.Values{"on": {"1"}}, http.StatusConflict},
		{"an answer's text", "/o/" + ce.ID + "/texts/a." + notes[0].SubmissionID + ".commentaire/mur", url.Values{"on": {"1"}}, http.StatusBadRequest},
		{"unknown note", "/o/" + ce.ID + "/texts/n.00000000-0000-4000-8000-000000000000/mur", url.Values{"on": {"1"}}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := env.PostForm(tc.target, tc.form, cookie...); rec.Code != tc.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
	// Through the API too.
	rec = env.Do("PUT", "/api/events/"+ce.ID+"/texts/n."+notes[2].SubmissionID, strings.NewReader(`{"on_wall": true}`),
		"Authorization", "Bearer "+ce.OrganiserToken, "Content-Type", "application/json")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"on_wall":true`) {
		t.Fatalf("PUT on_wall: %d %s", rec.Code, rec.Body)
	}
	rec = env.Do("GET", "/api/events/"+ce.ID+"/texts", nil, "Authorization", "Bearer "+ce.OrganiserToken)
	if n := strings.Count(rec.Body.String(), `"on_wall":true`); n != 2 {
		t.Errorf("GET texts lists %d notes on the wall, want 2: %s", n, rec.Body)
	}
	if body := env.Do("GET", "/o/"+ce.ID+"/mur", nil).Body.String(); strings.Contains(body, "Approuvée") {
		t.Error("the wall shows notes without the organisers' cookie")
	}
}

// TestWallRotates: with more approved notes than fit, each refresh shows
// the next page, and the last comes back to the newest.
func TestWallRotates(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	cookie := []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}
	for i := range 7 {
		n := env.PutNote(ce.ID, "", retours.NoteEtonnement, "Note numéro "+string(rune('A'+i)))
		approve(t, env, ce.ID, ce.OrganiserToken, n, "1")
	}
	var seen []string
	target := "/o/" + ce.ID + "/mur"
	for page := range 4 {
		rec := env.Do("GET", target, nil, cookie...)
		body := rec.Body.String()
		shown := regexp.MustCompile(`Note numéro ([A-G])`).FindAllStringSubmatch(body, -1)
		var letters []string
		for _, m := range shown {
			letters = append(letters, m[1])
		}
		if page == 3 {
			if !slices.Equal(letters, []string{"G", "F", "E"}) {
				t.Errorf("after the last page, the wall shows %v, want the newest again", letters)
			}
			break
		}
		seen = append(seen, letters...)
		target = wallRefresh(t, rec)
	}
	if want := []string{"G", "F", "E", "D", "C", "B", "A"}; !slices.Equal(seen, want) {
		t.Errorf("pages showed %v, want %v", seen, want)
	}
	// A page address from a link that no longer means anything starts over.
	if rec := env.Do("GET", "/o/"+ce.ID+"/mur?apres=nope", nil, cookie...); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Note numéro G") {
		t.Errorf("wall with a bad page: %d", rec.Code)
	}
}

// TestWallLink: a read-only link shows the wall without the organisers'
// cookie, and nothing else; revoked, it stops working.
func TestWallLink(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	cookie := []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}
	n := env.PutNote(ce.ID, "", retours.NoteEtonnement, "Vue depuis la salle")
	approve(t, env, ce.ID, ce.OrganiserToken, n, "1")

	if rec := env.PostForm("/o/"+ce.ID+"/mur/liens", url.Values{"name": {""}}, cookie...); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `href="#name"`) {
		t.Errorf("a link without a name: %d, want 400 with the error summary\n%s", rec.Code, rec.Body)
	}
	rec := env.PostForm("/o/"+ce.ID+"/mur/liens", url.Values{"name": {"Grande salle"}}, cookie...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create link: %d %s", rec.Code, rec.Body)
	}
	m := regexp.MustCompile(`https://retours\.example\.org(/mur/` + ce.ID + `/(rto_[A-Za-z0-9_-]+))`).FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatalf("the page does not show the new link:\n%s", rec.Body)
	}
	link, token := m[1], m[2]
	// Shown once: the page shows it no more.
	page := env.Do("GET", "/o/"+ce.ID+"/mur/liens", nil, cookie...).Body.String()
	if strings.Contains(page, token) || !strings.Contains(page, "Grande salle") {
		t.Errorf("the links page shows the token again, or not the link's name")
	}
	rec = env.Do("GET", link, nil)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Vue depuis la salle") {
		t.Fatalf("the wall through its link: %d\n%s", rec.Code, rec.Body)
	}
	if next := wallRefresh(t, rec); next != link+"?lang=fr" {
		t.Errorf("the link's wall refreshes to %q, want itself", next)
	}

	// The link's token opens nothing else, as a bearer token or the cookie.
	ids := map[string]string{"event": ce.ID, "ref": "n." + n.SubmissionID, "session": "zzzzzz", "access": "zzzzzz", "share": "zzzzzz", "token": token}
	wildcard := regexp.MustCompile(`\{[a-z]+\}`)
	for _, r := range web.Routes {
		if r.Function != web.FuncOrganiser || r.Pattern() == "GET /mur/{event}/{token}" {
			continue
		}
		switch r.Path {
		case "/api/openapi.json", "/api/programme/template.csv", "/api/questions", "/s/{event}/{token}", "/o/{event}/login", "/o/{event}/logout",
			"/admin", "/admin/login", "/admin/logout":
			continue // public: no token needed (the administration's login page asks for its own)
		}
		target := wildcard.ReplaceAllStringFunc(r.Path, func(w string) string { return ids[strings.Trim(w, "{}")] })
		for _, how := range [][]string{{"Authorization", "Bearer " + token}, {"Cookie", "retours_organiser=" + token}} {
			body := strings.NewReader(`{"hidden":true,"on_wall":true,"name":"x"}`)
			rec := env.Do(r.Method, target, body, append(how, "Content-Type", "application/json")...)
			if rec.Code < 400 || r.Pattern() == "GET /o/{event}" && rec.Code != http.StatusForbidden {
				t.Errorf("%s with the wall link's token (%s): %d, want it refused", r.Pattern(), how[0], rec.Code)
			}
		}
	}
	// The organiser token is not a wall link either, and a wrong one is
	// not found.
	for _, bad := range []string{ce.OrganiserToken, "rto_nope"} {
		if rec := env.Do("GET", "/mur/"+ce.ID+"/"+bad, nil); rec.Code != http.StatusNotFound {
			t.Errorf("wall link with %q: %d, want 404", bad, rec.Code)
		}
	}
	// The API issues wall links too.
	rec = env.PostJSON("/api/events/"+ce.ID+"/accesses", `{"name": "Petite salle", "role": "wall"}`, "Authorization", "Bearer "+ce.OrganiserToken)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"wall_url":"https://retours.example.org/mur/`+ce.ID+`/rto_`) {
		t.Errorf("POST accesses role wall: %d %s", rec.Code, rec.Body)
	}
	if rec := env.PostJSON("/api/events/"+ce.ID+"/accesses", `{"name": "x", "role": "admin"}`, "Authorization", "Bearer "+ce.OrganiserToken); rec.Code != http.StatusBadRequest {
		t.Errorf("POST accesses with an unknown role: %d, want 400", rec.Code)
	}
	// Listed with its role; revoked, it stops at once.
	rec = env.Do("GET", "/api/events/"+ce.ID+"/accesses", nil, "Authorization", "Bearer "+ce.OrganiserToken)
	if !strings.Contains(rec.Body.String(), `"role":"wall"`) || !strings.Contains(rec.Body.String(), `"role":"organiser"`) {
		t.Errorf("accesses: %s", rec.Body)
	}
	ev, _ := env.Store.Event(t.Context(), ce.ID)
	wall, _ := ev.RoleAccessFor(token, retours.RoleWall)
	first, _ := ev.AccessFor(ce.OrganiserToken)
	if rec := env.PostForm("/o/"+ce.ID+"/mur/liens/"+first.ID, nil, cookie...); rec.Code != http.StatusNotFound {
		t.Errorf("revoking an organiser access as a wall link: %d, want 404", rec.Code)
	}
	if rec := env.PostForm("/o/"+ce.ID+"/mur/liens/"+wall.ID, nil, cookie...); rec.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	if rec := env.Do("GET", link, nil); rec.Code != http.StatusNotFound {
		t.Errorf("revoked link: %d, want 404", rec.Code)
	}
	// Once the event's accesses are all taken, the page says so by the
	// name, as for a refused name, and stores nothing.
	for i := len(ev.Accesses) - 1; i < retours.MaxAccesses; i++ {
		if rec := env.PostForm("/o/"+ce.ID+"/mur/liens", url.Values{"name": {fmt.Sprintf("Salle %d", i)}}, cookie...); rec.Code != http.StatusCreated {
			t.Fatalf("link %d: %d", i, rec.Code)
		}
	}
	rec = env.PostForm("/o/"+ce.ID+"/mur/liens", url.Values{"name": {"Une de trop"}}, cookie...)
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), `href="#name"`) || !strings.Contains(rec.Body.String(), `value="Une de trop"`) {
		t.Errorf("a link over the limit = %d, want 409 with the message by the name: %s", rec.Code, rec.Body)
	}
	if got, _ := env.Store.Event(t.Context(), ce.ID); len(got.Accesses) != retours.MaxAccesses {
		t.Errorf("%d accesses, want %d", len(got.Accesses), retours.MaxAccesses)
	}
	// The organisers may revoke neither their last access nor be locked
	// out by a wall link left.
	if rec := env.Do("DELETE", "/api/events/"+ce.ID+"/accesses/"+first.ID, nil, "Authorization", "Bearer "+ce.OrganiserToken); rec.Code != http.StatusConflict {
		t.Errorf("revoking the last organiser access: %d, want 409", rec.Code)
	}
}
