package stack_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// checkSecurityHeaders fails unless h carries the headers every response
// must have.
func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: Content-Security-Policy = %q, want a default-src and frame-ancestors 'none'", what, csp)
	}
	for name, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", what, name, got, want)
		}
	}
}

// TestSecurityHeaders: every response, whatever its route, status or
// format, carries the security headers; routes added later are covered
// because the test walks web.Routes.
func TestSecurityHeaders(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	fill := func(p string) string {
		return wildcardPattern.ReplaceAllStringFunc(p, func(w string) string {
			switch w {
			case "{event}":
				return ce.ID
			case "{session}":
				return ce.Sessions[0].ID
			}
			return "zzzzzz"
		})
	}
	for _, r := range web.Routes {
		t.Run(r.Method+" "+r.Path+" without credentials", func(t *testing.T) {
			rec := env.Do(r.Method, fill(r.Path), strings.NewReader("{}"), "Content-Type", "application/json")
			checkSecurityHeaders(t, rec.Result().Status, rec.Header())
			if c := rec.Header().Get("Set-Cookie"); r.Function == web.FuncSurvey && c != "" {
				t.Errorf("participants' route sets a cookie: %s", c)
			}
		})
		if r.Function != web.FuncSurvey && !(r.Method == "DELETE" || r.Method == "POST") {
			t.Run(r.Method+" "+r.Path+" as organiser", func(t *testing.T) {
				rec := env.Do(r.Method, fill(r.Path), nil, auth...)
				checkSecurityHeaders(t, rec.Result().Status, rec.Header())
			})
		}
	}
	sub := webtest.UUID(t)
	for _, tc := range []struct {
		name   string
		send   func() *http.Response
		status int
	}{
		{"questionnaire page", func() *http.Response { return env.Do("GET", "/e/"+ce.ID+"/"+ce.Sessions[0].ID, nil).Result() }, 200},
		{"session list", func() *http.Response { return env.Do("GET", "/e/"+ce.ID, nil).Result() }, 200},
		{"form accepted", func() *http.Response {
			resp := env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {sub}, "q_satisfaction": {"4"}}).Result()
			if len(resp.Cookies()) > 0 {
				t.Errorf("answering sets cookies %v: the privacy notice promises none", resp.Cookies())
			}
			return resp
		}, 200},
		{"form refused", func() *http.Response {
			return env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {webtest.UUID(t)}, "q_satisfaction": {"9"}}).Result()
		}, 400},
		{"JSON answer", func() *http.Response {
			return env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","answers":{"satisfaction":4}}`).Result()
		}, 201},
		{"too large", func() *http.Response {
			return env.PostJSON("/e/"+ce.ID+"/answers", `{"x":"`+strings.Repeat("a", 1<<20)+`"}`).Result()
		}, 413},
		{"closed", func() *http.Response {
			return env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","session":"`+ce.Sessions[4].ID+`","answers":{"satisfaction":4}}`).Result()
		}, 409},
		{"unknown page", func() *http.Response { return env.Do("GET", "/nowhere", nil).Result() }, 404},
		{"unclean path", func() *http.Response { return env.Do("GET", "/e//"+ce.ID, nil).Result() }, 404},
		{"bilan CSV", func() *http.Response {
			return env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=csv", nil, auth...).Result()
		}, 200},
		{"export", func() *http.Response { return env.Do("GET", "/api/events/"+ce.ID+"/export", nil, auth...).Result() }, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.send()
			if resp.StatusCode != tc.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tc.status)
			}
			checkSecurityHeaders(t, tc.name, resp.Header)
		})
	}
	// And when the database is overloaded.
	env.memory.FailWith(memstore.FailOn("PutAnswer"))
	defer env.memory.FailWith(nil)
	rec := env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {webtest.UUID(t)}, "q_satisfaction": {"4"}})
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", rec.Code)
	}
	checkSecurityHeaders(t, "503", rec.Header())
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoSecrets runs a full cycle (creating an event, answers and
// notes good and bad, the bilan, a token rotation, the export, the erasure,
// a database failure, and every route with a wrong token) and checks that
// the log holds ids and codes, but no token, e-mail address or free text.
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	withLog := func(c *stack.Config) { c.Logger = logger }
	fe := newFaultEnv(t)
	env := newEnvWith(t, fe.Store, withLog)

	const (
		email    = "camille.secret@example.org"
		answerTx = "Texte-libre-de-reponse"
		formTx   = "Texte-libre-de-formulaire"
		noteTx   = "Texte-libre-de-note"
		badTx    = "Texte-libre-refuse"
		wrongTok = "rto_mauvaisjetonmauvaisjetonmauvais"
		ip, ua   = "198.51.100.23", "Secret-Agent/1.0"
	)
	body := strings.Replace(necDay, "orga@example.org", email, 1)
	ce := env.MustCreateEvent(body)
	ev := ce.ID
	net := []string{"X-Forwarded-For", ip, "User-Agent", ua}
	sub := webtest.UUID(t)
	env.PostJSON("/e/"+ev+"/answers", `{"submission_id":"`+sub+`","answers":{"satisfaction":4,"commentaire":"`+answerTx+`"}}`, net...)
	env.PostJSON("/e/"+ev+"/answers", `{"submission_id":"`+sub+`","answers":{"satisfaction":4,"commentaire":"`+answerTx+`"}}`, net...)
	env.PostForm("/e/"+ev+"/answers", url.Values{"submission_id": {webtest.UUID(t)}, "q_satisfaction": {"5"}, "q_commentaire": {formTx}}, net...)
	env.PostJSON("/e/"+ev+"/notes", `{"submission_id":"`+webtest.UUID(t)+`","kind":"etonnement","text":"`+noteTx+`"}`, net...)
	env.PostForm("/e/"+ev+"/notes", url.Values{"submission_id": {webtest.UUID(t)}, "kind": {"point-fort"}, "text": {noteTx}}, net...)
	// Refused input, which reaches the log as an error.
	env.PostJSON("/e/"+ev+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","answers":{"satisfaction":9,"commentaire":"`+badTx+`\u0000"}}`, net...)
	env.PostForm("/e/"+ev+"/answers", url.Values{"submission_id": {badTx}, "q_commentaire": {badTx}}, net...)
	env.PostJSON("/e/"+ev+"/notes", `{"submission_id":"`+webtest.UUID(t)+`","kind":"`+badTx+`","text":"`+badTx+`"}`, net...)
	env.PostJSON("/e/"+ev+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","`+badTx+`":1}`, net...)
	env.PostJSON("/api/events", strings.Replace(body, `"title"`, `"`+badTx+`"`, 1), "Authorization", "Bearer "+adminToken)
	env.PostJSON("/api/events", strings.Replace(body, email, email+badTx, 1), "Authorization", "Bearer "+adminToken)
	// The organiser's side.
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	for _, f := range []string{"json", "md", "csv"} {
		env.Do("GET", "/api/events/"+ev+"/bilan?format="+f, nil, auth...)
	}
	env.Do("GET", "/api/events/"+ev+"/bilan", nil, "Cookie", "retours_organiser="+ce.OrganiserToken)
	env.Do("GET", "/api/events/"+ev+"/bilan?token="+ce.OrganiserToken, nil)
	env.Do("GET", "/api/events/"+ev+"/export", nil, auth...)
	env.PostForm("/o/"+ev+"/login", url.Values{"token": {ce.OrganiserToken}})
	env.PostForm("/o/"+ev+"/login", url.Values{"token": {wrongTok}})
	env.Do("GET", "/o/"+ev, nil, "Cookie", "retours_organiser="+ce.OrganiserToken)
	rec := env.Do("POST", "/api/events/"+ev+"/token", nil, auth...)
	var rotated struct {
		OrganiserToken string `json:"organiser_token"`
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &rotated)
	// Every route, with wrong credentials and free text everywhere.
	for _, r := range web.Routes {
		p := wildcardPattern.ReplaceAllStringFunc(r.Path, func(w string) string {
			if w == "{event}" {
				return ev
			}
			return "zzzzzz"
		})
		env.Do(r.Method, p+"?q="+url.QueryEscape(badTx)+"&email="+url.QueryEscape(email), strings.NewReader(`{"text":"`+badTx+`","email":"`+email+`"}`),
			"Content-Type", "application/json", "Authorization", "Bearer "+wrongTok, "Cookie", "retours_organiser="+wrongTok)
	}
	// A database failure, logged with its error.
	fe.Proxy.set("PutItem", serverError)
	env.PostJSON("/e/"+ev+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","answers":{"satisfaction":4,"commentaire":"`+answerTx+`"}}`, net...)
	env.PostForm("/e/"+ev+"/notes", url.Values{"submission_id": {webtest.UUID(t)}, "kind": {"point-fort"}, "text": {noteTx}}, net...)
	fe.Proxy.set("PutItem", pass)
	env.Do("DELETE", "/api/events/"+ev+"?confirm="+ev, nil, "Authorization", "Bearer "+rotated.OrganiserToken)

	out := logs.String()
	for _, want := range []string{`"route":"POST /e/{event}/answers"`, `"status":503`, `"code":"unavailable"`, `"event":"` + ev + `"`, "erasure started"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: is the test logging at all?", want)
		}
	}
	for what, secret := range map[string]string{
		"admin token": adminToken, "organiser token": ce.OrganiserToken, "rotated token": rotated.OrganiserToken,
		"wrong token": wrongTok, "token hash": retours.HashToken(ce.OrganiserToken), "e-mail": email,
		"answer text": answerTx, "form text": formTx, "note text": noteTx, "refused text": badTx,
		"IP address": ip, "user agent": ua,
	} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds the %s:\n%s", what, out)
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("%d log lines, none with a token, e-mail or free text", strings.Count(out, "\n"))
}
