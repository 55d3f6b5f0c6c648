package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/retours/retours/internal/retours"
)

func TestOrganisersPage(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	other := env.mustCreateEvent(necDay)
	atelier := ce.Sessions[1].ID
	answers := env.putAnswers(ce.ID, atelier, 6, "Plus de <b>pauses</b>")
	note := env.putNote(ce.ID, atelier, retours.NoteEtonnement, "Une note à masquer <script>x</script>")
	page := "/o/" + ce.ID

	t.Run("login form without a token", func(t *testing.T) {
		rec := env.do("GET", page, nil)
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
			rec := env.postForm(page+"/login", url.Values{"token": {tc.token}})
			if rec.Code != tc.want || !strings.Contains(rec.Body.String(), tc.say) || rec.Header().Get("Set-Cookie") != "" {
				t.Errorf("= %d %v %s", rec.Code, rec.Header(), rec.Body)
			}
		})
	}

	rec := env.postForm(page+"/login", url.Values{"token": {" " + ce.OrganiserToken + " "}})
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
		rec := env.do("GET", page, nil, cookie...)
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
		rec := env.do("GET", "/o/"+other.ID, nil, cookie...)
		if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "Plus de") {
			t.Errorf("= %d", rec.Code)
		}
	})
	t.Run("the cookie opens the bilan", func(t *testing.T) {
		if rec := env.do("GET", "/api/events/"+ce.ID+"/bilan?format=html", nil, cookie...); rec.Code != http.StatusOK {
			t.Errorf("= %d", rec.Code)
		}
	})

	// Hide the note from the page and the text answer through the API.
	rec = env.postForm(page+"/texts/n."+note.SubmissionID, url.Values{"hidden": {"1"}}, cookie...)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("hide from the page = %d %s", rec.Code, rec.Body)
	}
	if rec := env.postForm(page+"/texts/n."+note.SubmissionID, url.Values{"hidden": {"1"}}); rec.Code != http.StatusUnauthorized {
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
			rec := env.do("PUT", "/api/events/"+ce.ID+"/texts/"+tc.ref, strings.NewReader(tc.body), append(auth, "Content-Type", "application/json")...)
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
	rec = env.do("GET", "/api/events/"+ce.ID+"/texts", nil, auth...)
	mustJSON(t, rec.Body.Bytes(), &list)
	hidden := map[string]bool{}
	for _, tx := range list.Texts {
		hidden[tx.Ref] = tx.Hidden
	}
	if len(list.Texts) != 7 || !hidden["n."+note.SubmissionID] || !hidden[ref] || hidden["a."+answers[1].SubmissionID+".commentaire"] {
		t.Errorf("texts = %+v, want 7 with the note and one answer hidden", list.Texts)
	}

	// The bilan leaves them out; the raw export keeps them.
	rec = env.do("GET", "/api/events/"+ce.ID+"/bilan?format=json", nil, auth...)
	if strings.Contains(rec.Body.String(), "masquer") {
		t.Error("the hidden note is in the bilan")
	}
	var b struct {
		Questions []struct {
			ID    string `json:"id"`
			Count int    `json:"count"`
		} `json:"questions"`
	}
	mustJSON(t, rec.Body.Bytes(), &b)
	for _, q := range b.Questions {
		if q.ID == "commentaire" && q.Count != 5 {
			t.Errorf("commentaire counted %d times, want 5 (one hidden)", q.Count)
		}
	}
	rec = env.do("GET", "/api/events/"+ce.ID+"/bilan?format=csv", nil, auth...)
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
	env.postForm(page+"/texts/n."+note.SubmissionID, url.Values{"hidden": {"0"}}, cookie...)
	rec = env.do("GET", "/api/events/"+ce.ID+"/bilan?format=md", nil, auth...)
	if !strings.Contains(rec.Body.String(), "masquer") {
		t.Error("the note put back is not in the bilan")
	}
	rec = env.postForm(page+"/logout", nil, cookie...)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("logout = %d", rec.Code)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name != "retours_organiser" || c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("logout cookie %+v, want it deleted", c)
		}
	}
}
