package organiser_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/qr/qrtest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/webtest"
)

func TestCreateEvent(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
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
	if a, ok := ev.AccessFor(ce.OrganiserToken); !ok || len(ev.Accesses) != 1 || strings.Contains(a.Hash, ce.OrganiserToken) {
		t.Errorf("stored accesses %+v do not match the token, or hold it in clear", ev.Accesses)
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
		{"missing title", []string{"Authorization", "Bearer " + webtest.AdminToken}, `{"starts_at":"2026-10-13T09:00:00Z","ends_at":"2026-10-13T10:00:00Z"}`, http.StatusBadRequest},
		{"bad kind", []string{"Authorization", "Bearer " + webtest.AdminToken}, `{"title":"x","starts_at":"2026-10-13T09:00:00Z","ends_at":"2026-10-13T10:00:00Z","sessions":[{"title":"a","kind":"keynote","starts_at":"2026-10-13T09:00:00Z"}]}`, http.StatusBadRequest},
		{"unknown field", []string{"Authorization", "Bearer " + webtest.AdminToken}, `{"title":"x","colour":"red"}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.PostJSON("/api/events", tc.body, tc.header...)
			if rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), `"error":`) {
				t.Errorf("body %s has no error message", rec.Body)
			}
		})
	}
}

func TestBilanNeedsTheEventsToken(t *testing.T) {
	env := newEnv(t)
	a := env.MustCreateEvent(necDay)
	b := env.MustCreateEvent(necDay)
	for _, tc := range []struct {
		name, path, token string
		want              int
	}{
		{"no token", "/api/events/" + a.ID + "/bilan", "", http.StatusUnauthorized},
		{"wrong token", "/api/events/" + a.ID + "/bilan", "rto_wrong", http.StatusForbidden},
		{"another event's token", "/api/events/" + a.ID + "/bilan", b.OrganiserToken, http.StatusForbidden},
		{"admin token", "/api/events/" + a.ID + "/bilan", webtest.AdminToken, http.StatusForbidden},
		{"unknown event", "/api/events/zzzzzzzz/bilan", a.OrganiserToken, http.StatusNotFound},
		{"unknown format", "/api/events/" + a.ID + "/bilan?format=pdf", a.OrganiserToken, http.StatusBadRequest},
		{"own token", "/api/events/" + a.ID + "/bilan", a.OrganiserToken, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.token != "" {
				h = []string{"Authorization", "Bearer " + tc.token}
			}
			if rec := env.Do("GET", tc.path, nil, h...); rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
}

func TestBilanFormatsHeaders(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	env.PutAnswers(ce.ID, "", 2, "ok")
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	for _, tc := range []struct{ query, contentType, disposition string }{
		{"format=json", "application/json; charset=utf-8", ""},
		{"", "application/json; charset=utf-8", ""},
		{"format=html", "text/html; charset=utf-8", ""},
		{"format=md", "text/markdown; charset=utf-8", `attachment; filename="bilan-` + ce.ID + `-fr.md"`},
		{"format=xlsx&lang=en", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `attachment; filename="bilan-` + ce.ID + `-en.xlsx"`},
		{"format=csv", "text/csv; charset=utf-8", `attachment; filename="reponses-` + ce.ID + `.csv"`},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?"+tc.query, nil, auth...)
			h := rec.Header()
			if rec.Code != http.StatusOK || h.Get("Content-Type") != tc.contentType || h.Get("Content-Disposition") != tc.disposition || h.Get("Cache-Control") != "no-store" {
				t.Errorf("= %d %v", rec.Code, h)
			}
		})
	}
	// The HTML bilan's stylesheet is allowed by its hash, and nothing else.
	rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=html", nil, auth...)
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(rec.Body.String())
	if style == nil {
		t.Fatal("the html bilan has no stylesheet")
	}
	sum := sha256.Sum256([]byte(style[1]))
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"';") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q, want the bilan's stylesheet hash only", csp)
	}
	rec = env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=pdf", nil, auth...)
	var e struct {
		Error string `json:"error"`
	}
	json.Unmarshal(rec.Body.Bytes(), &e)
	if rec.Code != http.StatusBadRequest || !strings.Contains(e.Error, "xlsx") {
		t.Errorf("format=pdf = %d %s, want 400 naming the formats", rec.Code, rec.Body)
	}
}

// TestUnknownQuestionKind: an event created with a kind retours does not
// know is refused, naming the question, with any other faulty field.
func TestUnknownQuestionKind(t *testing.T) {
	env := newEnv(t)
	rec := env.PostJSON("/api/events", `{"title": "Atelier", "starts_at": "2026-10-13T09:00:00+02:00", "ends_at": "2026-10-13T17:30:00+02:00",
		"questionnaire": {"questions": [{"id": "quand", "kind": "date", "label": {"fr": "Quand ?"}}]}}`, "Authorization", "Bearer "+webtest.AdminToken)
	var body struct {
		Code   string            `json:"code"`
		Fields map[string]string `json:"fields"`
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &body)
	if _, ok := body.Fields["questionnaire.questions.0.kind"]; rec.Code != http.StatusBadRequest || body.Code != retours.EINVALID || !ok {
		t.Errorf("= %d %s, want 400 naming questionnaire.questions.0.kind", rec.Code, rec.Body)
	}
}

func TestOrganisersPage(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	other := env.MustCreateEvent(necDay)
	atelier := ce.Sessions[1].ID
	answers := env.PutAnswers(ce.ID, atelier, 6, "Plus de <b>pauses</b>")
	note := env.PutNote(ce.ID, atelier, retours.NoteEtonnement, "Une note à masquer <script>x</script>")
	if err := env.Store.(*memstore.Store).Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	page := "/o/" + ce.ID

	t.Run("login form without a token", func(t *testing.T) {
		rec := env.Do("GET", page, nil)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, `action="/o/`+ce.ID+`/login`) || !strings.Contains(body, `type="password"`) {
			t.Errorf("= %d %s", rec.Code, body)
		}
		if strings.Contains(body, "Plus de") {
			t.Error("the login page shows answers")
		}
	})
	for _, tc := range []struct {
		name, token string
		want        int
		say         string
	}{
		{"no token", "", http.StatusUnauthorized, "Saisissez le jeton"},
		{"wrong token", "rto_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", http.StatusForbidden, "ne donne pas accès"},
		{"another event's token", other.OrganiserToken, http.StatusForbidden, "ne donne pas accès"},
	} {
		t.Run("login with "+tc.name, func(t *testing.T) {
			rec := env.PostForm(page+"/login", url.Values{"token": {tc.token}})
			if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.say) || rec.Header().Get("Set-Cookie") != "" {
				t.Errorf("= %d %v %s", rec.Code, rec.Header(), rec.Body)
			}
		})
	}

	rec := env.PostForm(page+"/login", url.Values{"token": {" " + ce.OrganiserToken + " "}})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), page) {
		t.Fatalf("login = %d %v", rec.Code, rec.Header())
	}
	cookies := rec.Result().Cookies()
	paths := map[string]bool{}
	for _, c := range cookies {
		if c.Name != "retours_organiser" || c.Value != ce.OrganiserToken || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.MaxAge <= 0 {
			t.Errorf("cookie %+v, want the token, HttpOnly, Secure, SameSite=Strict", c)
		}
		paths[c.Path] = true
	}
	if !paths[page] || !paths["/api/events/"+ce.ID] {
		t.Errorf("cookie paths = %v, want the page and the event's API", paths)
	}
	cookie := []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}

	t.Run("dashboard", func(t *testing.T) {
		rec := env.Do("GET", page, nil, cookie...)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("= %d %s", rec.Code, body)
		}
		for _, want := range []string{
			"<b>6</b>", "<b>1</b>", "Atelier inclusion", "Plus de &lt;b&gt;pauses&lt;/b&gt;", "&lt;script&gt;",
			`href="/api/events/` + ce.ID + `/sessions/` + atelier + `/poster?lang=fr"`,
			`href="/api/events/` + ce.ID + `/sessions/` + atelier + `/qr.png"`,
			`href="/api/events/` + ce.ID + `/poster?lang=fr"`,
			"format=html&amp;lang=fr", "format=html&amp;lang=en", "format=xlsx", "format=md", "format=csv&amp;sep=semicolon", "format=json",
			`action="/o/` + ce.ID + `/texts/n.` + note.SubmissionID, `action="/o/` + ce.ID + `/texts/a.` + answers[0].SubmissionID + `.commentaire`,
			`<td class="n">0</td>`, // the plénière has no answer
		} {
			if !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		if strings.Contains(strings.ToLower(body), "<script") {
			t.Error("dashboard has a script")
		}
	})
	t.Run("another event's cookie", func(t *testing.T) {
		rec := env.Do("GET", "/o/"+other.ID, nil, cookie...)
		if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "Plus de") {
			t.Errorf("= %d", rec.Code)
		}
	})
	t.Run("the cookie opens the bilan", func(t *testing.T) {
		if rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=html", nil, cookie...); rec.Code != http.StatusOK {
			t.Errorf("= %d", rec.Code)
		}
	})

	// Hide the note from the page and the text answer through the API.
	rec = env.PostForm(page+"/texts/n."+note.SubmissionID, url.Values{"hidden": {"1"}}, cookie...)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("hide from the page = %d %s", rec.Code, rec.Body)
	}
	if rec := env.PostForm(page+"/texts/n."+note.SubmissionID, url.Values{"hidden": {"1"}}); rec.Code != http.StatusUnauthorized {
		t.Errorf("hide without the cookie = %d, want 401", rec.Code)
	}
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	ref := "a." + answers[0].SubmissionID + ".commentaire"
	for _, tc := range []struct {
		name, ref, body string
		want            int
	}{
		{"hide an answer", ref, `{"hidden":true}`, http.StatusOK},
		{"no hidden field", ref, `{}`, http.StatusBadRequest},
		{"not a boolean", ref, `{"hidden":"yes"}`, http.StatusBadRequest},
		{"unknown note", "n.00000000-0000-4000-8000-000000000000", `{"hidden":true}`, http.StatusNotFound},
		{"not a text question", "a." + answers[0].SubmissionID + ".satisfaction", `{"hidden":true}`, http.StatusNotFound},
		{"malformed ref", "x.y", `{"hidden":true}`, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do("PUT", "/api/events/"+ce.ID+"/texts/"+tc.ref, strings.NewReader(tc.body), append(auth, "Content-Type", "application/json")...)
			if rec.Code != tc.want {
				t.Errorf("= %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
		})
	}
	var list struct {
		Texts []struct {
			Ref    string `json:"ref"`
			Kind   string `json:"kind"`
			Hidden bool   `json:"hidden"`
		} `json:"texts"`
	}
	rec = env.Do("GET", "/api/events/"+ce.ID+"/texts", nil, auth...)
	webtest.MustJSON(t, rec.Body.Bytes(), &list)
	hidden := map[string]bool{}
	for _, tx := range list.Texts {
		hidden[tx.Ref] = tx.Hidden
	}
	if len(list.Texts) != 7 || !hidden["n."+note.SubmissionID] || !hidden[ref] || hidden["a."+answers[1].SubmissionID+".commentaire"] {
		t.Errorf("texts = %+v, want 7 with the note and one answer hidden", list.Texts)
	}

	// The bilan leaves them out; the raw export keeps them.
	rec = env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=json", nil, auth...)
	if strings.Contains(rec.Body.String(), "masquer") {
		t.Error("the hidden note is in the bilan")
	}
	var b struct {
		Questions []struct {
			ID    string `json:"id"`
			Count int    `json:"count"`
		} `json:"questions"`
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &b)
	for _, q := range b.Questions {
		if q.ID == "commentaire" && q.Count != 5 {
			t.Errorf("commentaire counted %d times, want 5 (one hidden)", q.Count)
		}
	}
	rec = env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=csv", nil, auth...)
	rows, _ := csv.NewReader(bytes.NewReader(rec.Body.Bytes())).ReadAll()
	kept := 0
	for _, row := range rows[1:] {
		if strings.Contains(strings.Join(row, ","), "Plus de <b>pauses</b>") {
			kept++
		}
	}
	if kept != 6 {
		t.Errorf("raw CSV has %d of the 6 texts, want all", kept)
	}

	// Put the note back, then log out.
	env.PostForm(page+"/texts/n."+note.SubmissionID, url.Values{"hidden": {"0"}}, cookie...)
	rec = env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=md", nil, auth...)
	if !strings.Contains(rec.Body.String(), "masquer") {
		t.Error("the note put back is not in the bilan")
	}
	rec = env.PostForm(page+"/logout", nil, cookie...)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("logout = %d", rec.Code)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name != "retours_organiser" || c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("logout cookie %+v, want it deleted", c)
		}
	}
}

func TestQRCodesLeadToTheSurvey(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	atelier := ce.Sessions[1]
	if want := "https://retours.example.org/e/" + ce.ID + "/" + atelier.ID; atelier.SurveyURL != want {
		t.Fatalf("session survey URL %q, want %q from the configured base URL", atelier.SurveyURL, want)
	}
	bearer := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	cookie := []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}
	for _, tc := range []struct {
		name, path string
		auth       []string
		want       string
		size       int
	}{
		{"session, bearer", "/api/events/" + ce.ID + "/sessions/" + atelier.ID + "/qr.png", bearer, atelier.SurveyURL, 1024},
		{"session, cookie", "/api/events/" + ce.ID + "/sessions/" + atelier.ID + "/qr.png", cookie, atelier.SurveyURL, 1024},
		{"session, small", "/api/events/" + ce.ID + "/sessions/" + atelier.ID + "/qr.png?size=200", bearer, atelier.SurveyURL, 200},
		{"event", "/api/events/" + ce.ID + "/qr.png", bearer, ce.SurveyURL, 1024},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do("GET", tc.path, nil, tc.auth...)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
				t.Fatalf("status %d, Content-Type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			got, img := qrtest.Decode(t, rec.Body.Bytes())
			if got != tc.want {
				t.Errorf("QR code reads %q, want exactly %q", got, tc.want)
			}
			if w := img.Bounds().Dx(); w < tc.size || w > tc.size+100 {
				t.Errorf("PNG is %d px wide, want about %d", w, tc.size)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="retours-`+ce.ID) {
				t.Errorf("Content-Disposition %q does not name the event", cd)
			}
		})
	}

	rec := env.Do("GET", "/api/events/"+ce.ID+"/sessions/"+atelier.ID+"/qr.svg", nil, bearer...)
	svg := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(svg, "<svg") ||
		!strings.Contains(svg, "<title>"+atelier.SurveyURL+"</title>") {
		t.Errorf("SVG = %d %q: %.200s", rec.Code, rec.Header().Get("Content-Type"), svg)
	}
}

func TestQRCodesNeedTheEventsToken(t *testing.T) {
	env := newEnv(t)
	a := env.MustCreateEvent(necDay)
	b := env.MustCreateEvent(necDay)
	session := "/api/events/" + a.ID + "/sessions/" + a.Sessions[0].ID
	for _, tc := range []struct {
		name, path, token string
		want              int
	}{
		{"no token", session + "/qr.png", "", http.StatusUnauthorized},
		{"no token, poster", session + "/poster", "", http.StatusUnauthorized},
		{"wrong token", "/api/events/" + a.ID + "/qr.svg", "rto_wrong", http.StatusForbidden},
		{"another event's token", session + "/qr.svg", b.OrganiserToken, http.StatusForbidden},
		{"another event's session", "/api/events/" + a.ID + "/sessions/" + b.Sessions[0].ID + "/qr.png", a.OrganiserToken, http.StatusNotFound},
		{"unknown event", "/api/events/zzzzzzzz/poster", a.OrganiserToken, http.StatusNotFound},
		{"size too small", session + "/qr.png?size=10", a.OrganiserToken, http.StatusBadRequest},
		{"size not a number", session + "/qr.png?size=big", a.OrganiserToken, http.StatusBadRequest},
		{"size too large", session + "/qr.png?size=100000", a.OrganiserToken, http.StatusBadRequest},
		{"own token", session + "/poster", a.OrganiserToken, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.token != "" {
				h = []string{"Authorization", "Bearer " + tc.token}
			}
			if rec := env.Do("GET", tc.path, nil, h...); rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %.300s", rec.Code, tc.want, rec.Body)
			}
		})
	}
}

func TestPoster(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	short := "retours.example.org/e/" + ce.ID
	for _, tc := range []struct {
		name, path, lang string
		want             []string
	}{
		{"session", "/api/events/" + ce.ID + "/sessions/" + ce.Sessions[1].ID + "/poster", "fr",
			[]string{"<h1>Atelier inclusion</h1>", "Numérique En Commun[s] Auvergne", "13 octobre 2026 à 11:00", `<p class="url">` + short + "/" + ce.Sessions[1].ID + "</p>",
				"Votre avis en 2 minutes", "Also in English", `href="qr.svg"`, `href="qr.png"`}},
		{"event, in English", "/api/events/" + ce.ID + "/poster?lang=en", "en",
			[]string{"<h1>Numérique En Commun[s] Auvergne</h1>", "13 October 2026", `<p class="url">` + short + "</p>", "Your feedback in 2 minutes", "Aussi en français"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do("GET", tc.path, nil, auth...)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, `<html lang="`+tc.lang+`">`) {
				t.Fatalf("status %d:\n%s", rec.Code, body)
			}
			for _, want := range append(tc.want, "<svg", "@page{size:A4", "@media print") {
				if !strings.Contains(body, want) {
					t.Errorf("poster lacks %q", want)
				}
			}
			style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
			if style == nil {
				t.Fatal("no <style>")
			}
			sum := sha256.Sum256([]byte(style[1]))
			if hash := base64.StdEncoding.EncodeToString(sum[:]); !strings.Contains(rec.Header().Get("Content-Security-Policy"), hash) {
				t.Errorf("poster stylesheet hash %s not in the policy", hash)
			}
			if strings.Contains(body, "<script") || strings.Contains(body, " style=") {
				t.Error("poster has a script or a style attribute")
			}
		})
	}
}
