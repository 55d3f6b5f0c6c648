package web_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// service returns a Service of function whose handlers answer 200 "ok",
// but for the handlers given by pattern.
func service(function string, override map[string]web.Handler) web.Service {
	svc := web.Service{Function: function}
	for _, rt := range web.Routes {
		if rt.Function != function {
			continue
		}
		h, ok := override[rt.Pattern()]
		if !ok {
			h = web.API(rt.Pattern(), func(w http.ResponseWriter, r *http.Request) error {
				w.WriteHeader(http.StatusOK)
				_, err := io.WriteString(w, "ok")
				return err
			})
		}
		svc.Handlers = append(svc.Handlers, h)
	}
	return svc
}

func mustHandler(t *testing.T, opts web.Options, services ...web.Service) http.Handler {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h, err := web.NewHandler(opts, services...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func serve(h http.Handler, method, target, contentType, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestNewHandlerChecksTheRoutes(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) error { return nil }
	survey := service(web.FuncSurvey, nil)
	missing := survey
	missing.Handlers = survey.Handlers[1:]
	stranger := survey
	stranger.Handlers = append(survey.Handlers[:len(survey.Handlers):len(survey.Handlers)], web.API("POST /api/events", ok))
	unknown := survey
	unknown.Handlers = append(survey.Handlers[:len(survey.Handlers):len(survey.Handlers)], web.Page("GET /nowhere", ok))
	for _, tc := range []struct {
		name     string
		services []web.Service
		want     string // part of the error; "" for none
	}{
		{"every function", []web.Service{survey, service(web.FuncOrganiser, nil), service(web.FuncDigest, nil)}, ""},
		{"one function", []web.Service{service(web.FuncOrganiser, nil)}, ""},
		{"a route without a handler", []web.Service{missing}, `has no handler for "` + web.Routes[0].Pattern() + `"`},
		{"another function's route", []web.Service{stranger}, `handles "POST /api/events", which is not one of its routes`},
		{"a handler without a route", []web.Service{unknown}, `handles "GET /nowhere"`},
		{"a function twice", []web.Service{survey, survey}, "mounted twice"},
		{"a function without routes", []web.Service{{Function: "nothing"}}, "has no routes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := web.NewHandler(web.Options{}, tc.services...)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("NewHandler() = %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("NewHandler() = %v, want an error saying %s", err, tc.want)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	seen := map[string]bool{}
	for _, rt := range web.Routes {
		if seen[rt.Pattern()] {
			t.Errorf("%s listed twice", rt.Pattern())
		}
		seen[rt.Pattern()] = true
		if rt.Function != web.FuncSurvey && rt.Function != web.FuncOrganiser && rt.Function != web.FuncDigest {
			t.Errorf("%s: unknown function %q", rt.Pattern(), rt.Function)
		}
		if reads := rt.Method == "POST" || rt.Method == "PUT"; rt.MaxBody < 0 || rt.MaxBody > web.ProgrammeBody || (rt.MaxBody > 0 && !reads) {
			t.Errorf("%s: body limit %d", rt.Pattern(), rt.MaxBody)
		}
	}
}

// TestErrorsBecomeStatuses: a handler's error becomes its status, a JSON
// body or a page in the reader's language, Retry-After when the database is
// overloaded, and is logged once.
func TestErrorsBecomeStatuses(t *testing.T) {
	fail := func(err error) web.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error { return err }
	}
	var logs strings.Builder
	unavailable := retours.NewError(retours.EUNAVAILABLE, "unavailable")
	reshown := web.Reshow(unavailable, func(w http.ResponseWriter, status int) error {
		w.WriteHeader(status)
		_, err := io.WriteString(w, "the form again")
		return err
	})
	h := mustHandler(t, web.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))},
		service(web.FuncSurvey, map[string]web.Handler{
			"GET /e/{event}":           web.Page("GET /e/{event}", fail(retours.NewError(retours.ENOTFOUND, "event.not_found"))),
			"GET /e/{event}/{session}": web.Page("GET /e/{event}/{session}", fail(unavailable)),
			"POST /e/{event}/answers":  web.Page("POST /e/{event}/answers", fail(reshown)),
			"POST /e/{event}/notes": web.Page("POST /e/{event}/notes", func(w http.ResponseWriter, r *http.Request) error {
				_, err := io.ReadAll(r.Body)
				return err
			}),
			"GET /confidentialite": web.Page("GET /confidentialite", func(w http.ResponseWriter, r *http.Request) error { return nil }),
		}),
		service(web.FuncOrganiser, map[string]web.Handler{
			"GET /api/events/{event}/bilan":  web.API("GET /api/events/{event}/bilan", fail(retours.NewError(retours.EUNAUTHORIZED, "organiser.token_missing"))),
			"GET /api/events/{event}/texts":  web.API("GET /api/events/{event}/texts", fail(unavailable)),
			"GET /api/events/{event}/export": web.API("GET /api/events/{event}/export", fail(io.ErrUnexpectedEOF)),
			"POST /api/events/{event}/token": web.API("POST /api/events/{event}/token", func(w http.ResponseWriter, r *http.Request) error {
				_, err := io.ReadAll(r.Body)
				return err
			}),
		}))
	for _, tc := range []struct {
		name, method, target, ctype, body string
		header                            []string
		status                            int
		contentType                       string
		say                               string
		retryAfter, authenticate          bool
	}{
		{name: "not found, as a page", method: "GET", target: "/e/x", status: 404, contentType: "text/html", say: "Cette page n&#39;existe pas"},
		{name: "in English", method: "GET", target: "/e/x", header: []string{"Accept-Language", "en"}, status: 404, contentType: "text/html", say: "This page does not exist"},
		{name: "unknown route", method: "GET", target: "/nowhere", status: 404, contentType: "text/html", say: "Cette page n&#39;existe pas"},
		{name: "unclean path", method: "GET", target: "/e//x", status: 404, contentType: "text/html", say: "Cette page n&#39;existe pas"},
		{name: "a page asked in JSON", method: "GET", target: "/e/x", ctype: "application/json", status: 404, contentType: "application/json", say: `"code":"not_found"`},
		{name: "unavailable, as a page", method: "GET", target: "/e/x/y", status: 503, contentType: "text/html", say: "réessayez dans un instant", retryAfter: true},
		{name: "unavailable, in JSON", method: "GET", target: "/api/events/x/texts", status: 503, contentType: "application/json", say: `"code":"unavailable"`, retryAfter: true},
		{name: "unavailable, the form again", method: "POST", target: "/e/x/answers", status: 503, say: "the form again", retryAfter: true},
		{name: "no credentials", method: "GET", target: "/api/events/x/bilan", status: 401, contentType: "application/json", say: "manquant", authenticate: true},
		{name: "internal error", method: "GET", target: "/api/events/x/export", status: 500, contentType: "application/json", say: "Une erreur interne"},
		{name: "body over the route's limit", method: "POST", target: "/e/x/notes", ctype: "application/json", body: strings.Repeat("a", web.FormBody+1), status: 413, contentType: "application/json", say: `"code":"too_large"`},
		{name: "body within the route's limit", method: "POST", target: "/e/x/notes", ctype: "application/json", body: strings.Repeat("a", web.FormBody), status: 204},
		{name: "body on a route that reads none", method: "POST", target: "/api/events/x/token", body: "a", status: 413, contentType: "application/json"},
		{name: "nothing written", method: "GET", target: "/confidentialite", status: 204},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			rec := serve(h, tc.method, tc.target, tc.ctype, tc.body, tc.header...)
			if rec.Code != tc.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.contentType) || !strings.Contains(rec.Body.String(), tc.say) {
				t.Errorf("= %d %q %.300s; want %d %s saying %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body, tc.status, tc.contentType, tc.say)
			}
			if got := rec.Header().Get("Retry-After") != ""; got != tc.retryAfter {
				t.Errorf("Retry-After %q, want one: %v", rec.Header().Get("Retry-After"), tc.retryAfter)
			}
			if got := rec.Header().Get("WWW-Authenticate") != ""; got != tc.authenticate {
				t.Errorf("WWW-Authenticate %q, want one: %v", rec.Header().Get("WWW-Authenticate"), tc.authenticate)
			}
			if rec.Header().Get("X-Frame-Options") != "DENY" || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("security headers missing: %v", rec.Header())
			}
			if failed := strings.Count(logs.String(), `"msg":"request failed"`); failed != map[bool]int{true: 1, false: 0}[tc.status >= 400] {
				t.Errorf("%d failures logged, want the error logged once:\n%s", failed, logs.String())
			}
			if tc.status == 500 && !strings.Contains(logs.String(), `"error":"unexpected EOF"`) {
				t.Errorf("an internal error is logged without its text:\n%s", logs.String())
			}
		})
	}
}

// TestCSPAllowsTheServicesStyles: every response allows the layout's
// stylesheet and those of the services mounted, by hash, and nothing else.
func TestCSPAllowsTheServicesStyles(t *testing.T) {
	organiser := service(web.FuncOrganiser, nil)
	organiser.Styles = []string{"p{color:red}", "h1{color:blue}"}
	alone := serve(mustHandler(t, web.Options{}, service(web.FuncSurvey, nil)), "GET", "/nowhere", "", "")
	both := serve(mustHandler(t, web.Options{}, service(web.FuncSurvey, nil), organiser), "GET", "/nowhere", "", "")
	layout := regexpStyle(t, alone.Body.String())
	if got, want := alone.Header().Get("Content-Security-Policy"), web.CSP(layout); got != want {
		t.Errorf("survey alone: %q, want %q", got, want)
	}
	if got, want := both.Header().Get("Content-Security-Policy"), web.CSP(layout, "p{color:red}", "h1{color:blue}"); got != want {
		t.Errorf("survey and organiser: %q, want %q", got, want)
	}
}

// regexpStyle returns the one stylesheet a page inlines.
func regexpStyle(t *testing.T, page string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, "<style>")
	css, _, ok2 := strings.Cut(rest, "</style>")
	if !ok || !ok2 || strings.Contains(rest[len(css):], "<style>") {
		t.Fatalf("want one <style> in %.300s", page)
	}
	return css
}

// TestDeadlineKeepsTimeToAnswer: a handler's context ends the reply margin
// before the request's deadline.
func TestDeadlineKeepsTimeToAnswer(t *testing.T) {
	var got time.Time
	h := mustHandler(t, web.Options{ReplyMargin: 300 * time.Millisecond}, service(web.FuncSurvey, map[string]web.Handler{
		"GET /confidentialite": web.Page("GET /confidentialite", func(w http.ResponseWriter, r *http.Request) error {
			got, _ = r.Context().Deadline()
			w.WriteHeader(http.StatusOK)
			return nil
		}),
	}))
	deadline := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, "GET", "/confidentialite", nil))
	if want := deadline.Add(-300 * time.Millisecond); !got.Equal(want) {
		t.Errorf("handler's deadline %v, want %v", got, want)
	}
}

// page is a view of the test's template.
type page struct {
	web.Base
	Message string
}

var testMessages = i18n.New("webtest-page", map[string]map[string]string{
	"fr": {"hello": "Bonjour"},
	"en": {"hello": "Hello"},
}).Extends(web.Messages)

// TestRender: a page renders inside the layout, with the language, the
// switch to the other one (only when the event is offered in it), the
// privacy link, and texts from its catalogue or the one it extends.
func TestRender(t *testing.T) {
	fsys := fstest.MapFS{"templates/test.html": {Data: []byte(`{{define "hello"}}<p>{{.T "hello"}}, {{.Message}}{{.T "punct.colon"}}</p>{{end}}`)}}
	pages := web.NewPages(testMessages, fsys, "templates/*.html")
	both := &retours.Event{ID: "ev1", Title: "Journée", Languages: []string{"fr", "en"}}
	frOnly := &retours.Event{ID: "ev2", Title: "Journée", Languages: []string{"fr"}}
	for _, tc := range []struct {
		name, target string
		event        *retours.Event
		header       []string
		want, not    []string
	}{
		{"French", "/x?general=1&other=2", nil, nil,
			[]string{`<html lang="fr">`, "<p>Bonjour, monde\u00a0:</p>", `href="/x?general=1&amp;lang=en"`, `href="/confidentialite?lang=fr"`}, []string{"other=2"}},
		{"English", "/x", both, []string{"Accept-Language", "en"},
			[]string{`<html lang="en">`, "<p>Hello, monde:</p>", `href="/x?lang=fr"`, `href="/confidentialite?lang=en&amp;e=ev1"`, `<p class="event">Journée</p>`}, nil},
		{"event in French only", "/x", frOnly, []string{"Accept-Language", "en"},
			[]string{`<html lang="fr">`, "<p>Bonjour, monde"}, []string{`class="lang"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tc.target, nil)
			for i := 0; i+1 < len(tc.header); i += 2 {
				req.Header.Set(tc.header[i], tc.header[i+1])
			}
			rec := httptest.NewRecorder()
			if err := pages.Render(rec, req, http.StatusTeapot, "hello", &page{Base: web.Base{Event: tc.event}, Message: "monde"}); err != nil {
				t.Fatal(err)
			}
			body := rec.Body.String()
			if rec.Code != http.StatusTeapot || rec.Header().Get("Content-Language") == "" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("= %d %v", rec.Code, rec.Header())
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q:\n%s", want, body)
				}
			}
			for _, not := range tc.not {
				if strings.Contains(body, not) {
					t.Errorf("page has %q", not)
				}
			}
		})
	}
	if err := pages.Render(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), 200, "nothing", &page{}); err == nil {
		t.Error("rendering an unknown page succeeded")
	}
	doc, err := pages.Document("hello", &page{Base: web.Base{Lang: "en"}, Message: "document"})
	if err != nil || string(doc) != "<p>Hello, document:</p>" {
		t.Errorf("Document() = %q, %v", doc, err)
	}
}

func TestDecodeJSON(t *testing.T) {
	type body struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	for _, tc := range []struct{ name, in, key string }{
		{"valid", `{"name":"a","n":1}`, ""},
		{"truncated", `{"name":`, "body.json"},
		{"trailing data", `{"name":"a"}{}`, "body.json"},
		{"not an object", `[1]`, "body.object"},
		{"wrong type", `{"n":"x"}`, "body.field_type"},
		{"unknown field", `{"colour":"red"}`, "body.unknown_field"},
		{"invalid UTF-8", "{\"name\":\"\xff\"}", "body.utf8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v body
			err := web.DecodeJSON(strings.NewReader(tc.in), &v)
			var e *retours.Error
			switch {
			case tc.key == "" && err != nil:
				t.Errorf("DecodeJSON() = %v", err)
			case tc.key != "" && (!errors.As(err, &e) || e.Key != tc.key || e.Code != retours.EINVALID):
				t.Errorf("DecodeJSON() = %v, want invalid %s", err, tc.key)
			}
		})
	}
}

// TestListHeadersReadWhole: a list header sent on several lines, as the
// Lambda adapter hands a comma-separated one over, is read whole.
func TestListHeadersReadWhole(t *testing.T) {
	for _, tc := range []struct {
		name     string
		values   []string
		wantLang string
	}{
		{"one line", []string{"de-DE,de;q=0.9,en;q=0.8"}, "en"},
		{"split at the commas", []string{"de-DE", "de;q=0.9", "en;q=0.8"}, "en"},
		{"French preferred", []string{"fr-FR", "fr;q=0.9", "en;q=0.8"}, "fr"},
		{"none supported", []string{"de-DE", "de;q=0.9"}, "fr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header["Accept-Language"] = tc.values
			if got := web.RequestLang(r); got != tc.wantLang {
				t.Errorf("RequestLang(%q) = %s, want %s", tc.values, got, tc.wantLang)
			}
			if got, want := web.HeaderList(r.Header, "Accept-Language"), strings.Join(tc.values, ","); got != want {
				t.Errorf("HeaderList = %q, want %q", got, want)
			}
		})
	}
}

// refuser is a Limiter that refuses every request once over is set.
type refuser struct {
	over    bool
	counted chan string
}

func (l *refuser) Limit(r *http.Request, class, event string) error {
	l.counted <- class + " " + event
	if l.over {
		return retours.NewError(retours.ETOOMANY, "too_many")
	}
	return nil
}

func (l *refuser) Over(*http.Request, string, string) error { return nil }

func TestLimitedReadsAreCountedWhileTheyRun(t *testing.T) {
	for _, over := range []bool{false, true} {
		l := &refuser{over: over, counted: make(chan string, 2)}
		ran := map[string]bool{}
		handler := func(pattern string) web.Handler {
			return web.API(pattern, func(w http.ResponseWriter, r *http.Request) error {
				ran[pattern] = true
				w.Header().Set("X-Handler", "ran")
				w.WriteHeader(http.StatusOK)
				_, err := io.WriteString(w, "the bilan")
				return err
			})
		}
		svc := service(web.FuncOrganiser, map[string]web.Handler{
			"GET /api/events/{event}/bilan": handler("GET /api/events/{event}/bilan"),
			"POST /api/events":              handler("POST /api/events"),
		})
		svc.Limiter = l
		h := mustHandler(t, web.Options{}, svc)

		rec := serve(h, "GET", "/api/events/ev1/bilan", "", "", "Authorization", "Bearer x")
		if got := <-l.counted; got != web.LimitDownload+" ev1" {
			t.Errorf("counted %q", got)
		}
		if !ran["GET /api/events/{event}/bilan"] {
			t.Error("the read did not run while it was counted")
		}
		switch {
		case !over && (rec.Code != http.StatusOK || rec.Body.String() != "the bilan" || rec.Header().Get("X-Handler") != "ran"):
			t.Errorf("within the limit: %d %q %v", rec.Code, rec.Body, rec.Header())
		case over && (rec.Code != http.StatusTooManyRequests || strings.Contains(rec.Body.String(), "the bilan") || rec.Header().Get("X-Handler") != ""):
			t.Errorf("over the limit: %d %q %v, want 429 and nothing of the read", rec.Code, rec.Body, rec.Header())
		}

		rec = serve(h, "POST", "/api/events", "application/json", "{}", "Authorization", "Bearer x")
		<-l.counted
		if over && (ran["POST /api/events"] || rec.Code != http.StatusTooManyRequests) {
			t.Errorf("a write over the limit: ran %v, %d; want refused before it runs", ran["POST /api/events"], rec.Code)
		}
		if !over && (!ran["POST /api/events"] || rec.Code != http.StatusOK) {
			t.Errorf("a write within the limit: ran %v, %d", ran["POST /api/events"], rec.Code)
		}
	}
}
