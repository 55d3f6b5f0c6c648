// Package web holds what the HTTP handlers of every function share: the
// table of routes, the adapters that turn a handler's error into a status
// and a body (a page in the reader's language, or JSON), the base view every
// page embeds and the renderer of a function's templates, the reader's
// language, JSON and form decoding, and the middleware every response
// passes through: security headers, gzip, the request body's limit and the
// request log.
//
// It imports nothing that only some functions need (no bilan, digest, QR
// code, spreadsheet or e-mail): each function's package — internal/survey,
// internal/organiser, internal/digest — serves its own routes with it, and
// each Lambda main mounts only its function's.
package web

import (
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"time"

	"github.com/retours/retours/internal/retours"
)

// HandlerFunc serves a request. It returns an error instead of writing one:
// the route's adapter turns it into a status and a body, and logs it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// A Handler serves the route whose pattern it names.
type Handler struct {
	// Pattern is the route's "METHOD /path", as Route.Pattern gives it.
	Pattern string
	serve   HandlerFunc
	api     bool
	either  bool
}

// Page returns the handler of a page: an error becomes a page in the
// reader's language, or JSON when the request sent JSON.
func Page(pattern string, h HandlerFunc) Handler { return Handler{Pattern: pattern, serve: h} }

// API returns the handler of a JSON API route: an error becomes
// {"error": …, "code": …, "fields": …}.
func API(pattern string, h HandlerFunc) Handler {
	return Handler{Pattern: pattern, serve: h, api: true}
}

// Negotiated returns the handler of a route that answers a person's
// browser with a page and API clients with JSON (see WantsPage): its
// errors follow.
func Negotiated(pattern string, h HandlerFunc) Handler {
	return Handler{Pattern: pattern, serve: h, either: true}
}

// A Service is what one function serves: a handler for each of its routes in
// Routes, and the stylesheets its pages inline besides the layout's, which
// the Content-Security-Policy allows by their hash.
type Service struct {
	Function string
	Handlers []Handler
	Styles   []string
	// Login returns the address of the login form for a request refused
	// for want of valid credentials, or "" when there is none. A browser
	// that opened such a page (see WantsPage) is sent there, with the page
	// it asked for in ?next=, instead of getting a JSON 401.
	Login func(r *http.Request) string
	// Limiter counts the requests of the service's routes in RouteLimits;
	// nil limits nothing.
	Limiter Limiter
}

// Options configure the handler of NewHandler; zero values have defaults.
type Options struct {
	Logger *slog.Logger // slog.Default()
	Now    func() time.Time
	// ReplyMargin is the time kept before a request's deadline (a Lambda
	// invocation's) to answer when the database is too slow: a second by
	// default.
	ReplyMargin time.Duration
	// BaseURL is the deployment's public URL (PUBLIC_BASE_URL), whose
	// origin a write may come from besides the request's own host.
	BaseURL string
}

// DefaultReplyMargin is the time kept, before a request's deadline, to
// render an answer when the database does not answer in time.
const DefaultReplyMargin = time.Second

// NewHandler returns the handler of the services' routes behind the
// middleware. Each route's body is limited to its Route.MaxBody. It fails
// when a service lacks a handler for one of its function's routes, has one
// for a route that is not its function's, or when two services serve the
// same function.
func NewHandler(opts Options, services ...Service) (http.Handler, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ReplyMargin <= 0 {
		opts.ReplyMargin = DefaultReplyMargin
	}
	s := &server{log: opts.Logger, now: opts.Now, margin: opts.ReplyMargin, mux: http.NewServeMux(), origin: originOf(opts.BaseURL)}
	styles := []string{layoutCSS}
	var mounted []string
	for _, svc := range services {
		if slices.Contains(mounted, svc.Function) {
			return nil, fmt.Errorf("web: function %q mounted twice", svc.Function)
		}
		mounted = append(mounted, svc.Function)
		if err := s.mount(svc); err != nil {
			return nil, err
		}
		for _, css := range svc.Styles {
			if !slices.Contains(styles, css) {
				styles = append(styles, css)
			}
		}
	}
	s.csp = CSP(styles...)
	return s, nil
}

// server is the handler NewHandler returns.
type server struct {
	log    *slog.Logger
	now    func() time.Time
	margin time.Duration
	mux    *http.ServeMux
	csp    string
	origin string // the public base URL's scheme and host, or ""
}

// mount registers the handlers of svc, checking them against Routes.
func (s *server) mount(svc Service) error {
	routes := map[string]Route{}
	for _, rt := range Routes {
		if rt.Function == svc.Function {
			routes[rt.Pattern()] = rt
		}
	}
	if len(routes) == 0 {
		return fmt.Errorf("web: function %q has no routes", svc.Function)
	}
	var errs []error
	for _, h := range svc.Handlers {
		rt, ok := routes[h.Pattern]
		if !ok {
			errs = append(errs, fmt.Errorf("web: %s handles %q, which is not one of its routes", svc.Function, h.Pattern))
			continue
		}
		delete(routes, h.Pattern)
		s.mux.HandleFunc(h.Pattern, s.adapt(rt, h, svc))
	}
	for _, rt := range Routes {
		if _, missing := routes[rt.Pattern()]; missing {
			errs = append(errs, fmt.Errorf("web: %s has no handler for %q", svc.Function, rt.Pattern()))
		}
	}
	return errors.Join(errs...)
}

// adapt refuses cross-site writes and requests over their client's limit
// (svc.Limiter), bounds the request's body to the route's limit, runs h and
// answers its error: a browser refused for want of credentials goes to the
// login form svc.Login gives.
func (s *server) adapt(rt Route, h Handler, svc Service) http.HandlerFunc {
	login := svc.Login
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.checkOrigin(rt, r); err != nil {
			s.serveError(w, r, err, h.api || (h.either && !WantsPage(r)))
			return
		}
		if rt.Method == http.MethodGet && limited(svc.Limiter, rt) {
			// A read is counted while it runs, and answered only once
			// counted: it changes nothing, and what it reads is bounded
			// (see internal/stack's TestRoutesAreBounded), so a client over
			// its limit gets nothing more than a 429 and the count costs
			// no round trip of its own.
			counted := make(chan error, 1)
			go func() { counted <- limit(svc.Limiter, rt, r) }()
			var held heldResponse
			held.header = w.Header()
			held.serve(s.adapted(rt, h, login), r)
			if err := <-counted; err != nil {
				for k := range w.Header() {
					delete(w.Header(), k)
				}
				s.serveError(w, r, err, h.api || (h.either && !WantsPage(r)))
				return
			}
			held.sendTo(w)
			return
		}
		if err := limit(svc.Limiter, rt, r); err != nil {
			s.serveError(w, r, err, h.api || (h.either && !WantsPage(r)))
			return
		}
		s.adapted(rt, h, login)(w, r)
	}
}

// adapted runs h within its route's body limit and answers its error: a
// browser refused for want of credentials goes to the login form login
// gives.
func (s *server) adapted(rt Route, h Handler, login func(*http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, rt.MaxBody)
		err := h.serve(w, r)
		if err == nil {
			return
		}
		if to := loginRedirect(r, err, login); to != "" {
			LogError(s.log, r, err)
			if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
				// A link followed from another site (the digest's link in a
				// webmail) carries no SameSite=Strict cookie: ask again from
				// this site, which sends it. Without one, that request gets
				// the login form.
				askAgain(w, r)
				return
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		s.serveError(w, r, err, h.api || (h.either && !WantsPage(r)))
	}
}

// loginRedirect returns where to send a browser whose GET was refused for
// want of valid credentials: the login form, with the page asked for in
// ?next=. "" for anything else, which gets its status.
func loginRedirect(r *http.Request, err error, login func(*http.Request) string) string {
	code := retours.ErrorCode(err)
	if login == nil || (code != retours.EUNAUTHORIZED && code != retours.EFORBIDDEN) ||
		(r.Method != http.MethodGet && r.Method != http.MethodHead) || !WantsPage(r) {
		return ""
	}
	to := login(r)
	if to == "" {
		return ""
	}
	q := url.Values{"next": {r.URL.RequestURI()}}
	if l := r.URL.Query().Get("lang"); retours.IsLanguage(l) {
		q.Set("lang", l)
	}
	return to + "?" + q.Encode()
}

// askAgain answers a page that at once asks for the same address again,
// from this site (no script: a refresh), with a link in case the browser
// does not follow refreshes.
func askAgain(w http.ResponseWriter, r *http.Request) {
	lang := RequestLang(r)
	u := template.HTMLEscapeString(r.URL.RequestURI())
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, `<!doctype html><html lang="%s"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=%s">`+
		`<meta name="viewport" content="width=device-width,initial-scale=1"><title>retours</title></head>`+
		`<body><main><p><a href="%s">%s</a></p></main></body></html>`, lang, u, u, template.HTMLEscapeString(Messages.T(lang, "continue")))
}

// ServeHTTP answers a route, or 404 with a page. An unclean path (//, /./,
// /../) is answered 404, not redirected as ServeMux would: no id contains
// them, and API Gateway never sends them.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.middleware(w, r, func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := s.mux.Handler(r); pattern == "" || path.Clean(r.URL.Path) != r.URL.Path {
			s.serveError(w, r, retours.NewError(retours.ENOTFOUND, "page.not_found"), false)
			return
		}
		s.mux.ServeHTTP(w, r)
	})
}
