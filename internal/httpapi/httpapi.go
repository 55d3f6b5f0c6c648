// Package httpapi holds retours' HTTP handlers and the one router that both
// the Lambda functions and the local server mount.
//
// Handlers return errors; one function per kind of route (JSON API or HTML
// page) turns them into a status and a body, and never shows internal details.
package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/retours"
)

// Function names: which Lambda function serves a route.
const (
	FuncSurvey    = "survey"
	FuncOrganiser = "organiser"
	FuncDigest    = "digest"
)

// Config is what the handlers need. Stores are required; the rest has
// defaults.
type Config struct {
	Events  retours.EventStore
	Answers retours.AnswerStore
	// Snapshots, Moderation, Series and Changes serve the bilan and
	// moderation; each, when nil, is Answers if Answers is one.
	Snapshots  retours.SnapshotStore
	Moderation retours.ModerationStore
	Series     retours.SeriesStore
	Changes    retours.ChangeFeed
	// AdminToken authorises event creation. Empty disables admin routes.
	AdminToken string
	// BaseURL is the public URL printed in links and QR codes, without a
	// trailing slash. Empty derives it from each request's Host.
	BaseURL string
	// RetentionMonths is the deployment's default retention of answers.
	RetentionMonths int
	// Digests runs the weekly digest and its unsubscribe links. Nil
	// disables those routes.
	Digests *digest.Runner
	// SurveyEventTTL is how long the participants' routes keep an event they
	// read (SurveyEventTTL in production); 0 reads the store every time.
	SurveyEventTTL time.Duration
	// SurveyTimeout bounds a participant's request (the survey function's
	// timeout): erasure waits for it, and the cache, before its last sweep.
	SurveyTimeout time.Duration
	Now           func() time.Time
	Rand          io.Reader
	Logger        *slog.Logger
}

// Server serves retours over HTTP.
type Server struct {
	cfg    Config
	log    *slog.Logger
	routes []Route
	// surveyEvents serves the participants' routes; organiser routes read
	// the store directly.
	surveyEvents *eventCache
}

// Route is one registered route.
type Route struct {
	Method   string
	Path     string // a net/http pattern path, which is also the API Gateway route path
	Function string // FuncSurvey, FuncOrganiser or FuncDigest
	handler  http.HandlerFunc
}

// Limits on request bodies.
const (
	maxFormBody  = 64 << 10
	maxEventBody = 256 << 10
)

// New returns a server; cfg.Events and cfg.Answers must be set.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RetentionMonths <= 0 {
		cfg.RetentionMonths = retours.DefaultRetentionMonths
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	orAnswers(&cfg.Snapshots, cfg.Answers)
	orAnswers(&cfg.Moderation, cfg.Answers)
	orAnswers(&cfg.Series, cfg.Answers)
	orAnswers(&cfg.Changes, cfg.Answers)
	s := &Server{cfg: cfg, log: cfg.Logger}
	s.surveyEvents = newEventCache(cfg.Events, cfg.SurveyEventTTL, cfg.Now)
	s.register()
	return s
}

// orAnswers sets *store to answers when it is unset and answers is one.
func orAnswers[T any](store *T, answers retours.AnswerStore) {
	if any(*store) != nil {
		return
	}
	if st, ok := answers.(T); ok {
		*store = st
	}
}

// register lists every route: the router and template.yaml must agree (a
// test checks both ways).
func (s *Server) register() {
	page, api := s.page, s.api
	s.routes = []Route{
		{"GET", "/e/{event}", FuncSurvey, page(s.eventPage)},
		{"GET", "/e/{event}/{session}", FuncSurvey, page(s.sessionPage)},
		{"GET", "/e/{event}/merci", FuncSurvey, page(s.thanksPage)},
		{"POST", "/e/{event}/answers", FuncSurvey, page(s.postAnswer)},
		{"POST", "/e/{event}/notes", FuncSurvey, page(s.postNote)},
		{"GET", "/confidentialite", FuncSurvey, page(s.privacyPage)},

		{"POST", "/api/events", FuncOrganiser, api(s.createEvent)},
		{"GET", "/api/events/{event}/bilan", FuncOrganiser, api(s.getBilan)},
		{"GET", "/api/events/{event}/texts", FuncOrganiser, api(s.listTexts)},
		{"PUT", "/api/events/{event}/texts/{ref}", FuncOrganiser, api(s.putText)},
		{"GET", "/o/{event}", FuncOrganiser, page(s.organisersPage)},
		{"POST", "/o/{event}/login", FuncOrganiser, page(s.organisersLogin)},
		{"POST", "/o/{event}/logout", FuncOrganiser, page(s.organisersLogout)},
		{"POST", "/o/{event}/texts/{ref}", FuncOrganiser, page(s.organisersHide)},
		{"POST", "/api/events/{event}/token", FuncOrganiser, api(s.rotateToken)},
		{"GET", "/api/events/{event}/export", FuncOrganiser, api(s.exportEvent)},
		{"DELETE", "/api/events/{event}", FuncOrganiser, api(s.eraseEvent)},

		{"POST", "/api/digests/run", FuncDigest, api(s.runDigests)},
		{"GET", "/unsubscribe/{token}", FuncDigest, page(s.unsubscribePage)},
		{"POST", "/unsubscribe/{token}", FuncDigest, page(s.unsubscribe)},
		{"GET", "/api/events/{event}/qr.png", FuncOrganiser, api(s.qrPNG)},
		{"GET", "/api/events/{event}/qr.svg", FuncOrganiser, api(s.qrSVG)},
		{"GET", "/api/events/{event}/poster", FuncOrganiser, page(s.poster)},
		{"GET", "/api/events/{event}/sessions/{session}/qr.png", FuncOrganiser, api(s.qrPNG)},
		{"GET", "/api/events/{event}/sessions/{session}/qr.svg", FuncOrganiser, api(s.qrSVG)},
		{"GET", "/api/events/{event}/sessions/{session}/poster", FuncOrganiser, page(s.poster)},
	}
}

// Routes returns every route.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Handler returns the handler of the routes served by function, or of every
// route when function is "".
func (s *Server) Handler(function string) http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes {
		if function == "" || r.Function == function {
			mux.HandleFunc(r.Method+" "+r.Path, r.handler)
		}
	}
	notFound := s.page(func(w http.ResponseWriter, r *http.Request) error {
		return retours.NewError(retours.ENOTFOUND, "page.not_found")
	})
	return s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An unclean path (//, /./, /../) is answered 404, not redirected
		// as ServeMux would: no id contains them, and API Gateway never
		// sends them.
		if _, pattern := mux.Handler(r); pattern == "" || path.Clean(r.URL.Path) != r.URL.Path {
			notFound(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// middleware sets the security headers every response carries, gzips text
// for clients that accept it, and logs each request with ids and codes only:
// no query strings, bodies or tokens.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.cfg.Now()
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if d, ok := r.Context().Deadline(); ok {
			// Keep time to answer before the invocation's deadline, so
			// that a database that does not answer yields the "try again"
			// page rather than a gateway timeout.
			ctx, cancel := context.WithDeadline(r.Context(), d.Add(-replyMargin))
			defer cancel()
			r = r.WithContext(ctx)
		}
		cw := newCompressWriter(w, r)
		rec := &statusRecorder{ResponseWriter: cw}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			// A handler that writes nothing would make API Gateway answer 504.
			rec.WriteHeader(http.StatusNoContent)
		}
		cw.Close()
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("route", r.Pattern),
			slog.Int("status", rec.status), slog.Duration("duration", s.cfg.Now().Sub(start)))
	})
}

// replyMargin is the time kept, before a request's deadline (a Lambda
// invocation's), to render an answer when the database is too slow.
const replyMargin = time.Second

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// statusOf maps a domain error to an HTTP status.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	switch retours.ErrorCode(err) {
	case retours.EINVALID:
		return http.StatusBadRequest
	case retours.ENOTFOUND:
		return http.StatusNotFound
	case retours.ECONFLICT, retours.ECLOSED:
		return http.StatusConflict
	case retours.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case retours.EFORBIDDEN:
		return http.StatusForbidden
	case retours.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// logError logs err once, at the boundary, with its code.
func (s *Server) logError(r *http.Request, status int, err error) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("route", r.Pattern), slog.Int("status", status), slog.String("code", retours.ErrorCode(err))}
	if status >= 500 {
		// Internal errors carry no participant text: stores wrap SDK errors only.
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	s.log.LogAttrs(r.Context(), level, "request failed", attrs...)
}

// api adapts a JSON handler: errors become {"error": ..., "fields": ...}.
func (s *Server) api(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		status := statusOf(err)
		s.logError(r, status, err)
		writeJSONError(w, r, status, err)
	}
}

func writeJSONError(w http.ResponseWriter, r *http.Request, status int, err error) {
	lang := requestLang(r)
	body := struct {
		Error  string            `json:"error"`
		Code   string            `json:"code"`
		Fields map[string]string `json:"fields,omitempty"`
	}{Code: retours.ErrorCode(err)}
	switch status {
	case http.StatusRequestEntityTooLarge:
		body.Error, body.Code = messages.T(lang, "err.too_large"), "too_large"
	case http.StatusInternalServerError:
		body.Error = messages.T(lang, "err.internal")
	case http.StatusServiceUnavailable:
		body.Error = messages.T(lang, "err.unavailable")
		w.Header().Set("Retry-After", "5")
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="retours"`)
		body.Error = retours.ErrorMessage(lang, err)
	default:
		body.Error = retours.ErrorMessage(lang, err)
	}
	if fields := retours.ErrorFields(err); len(fields) > 0 && status == http.StatusBadRequest {
		body.Fields = map[string]string{}
		for k, v := range fields {
			body.Fields[k] = retours.FieldMessage(lang, v)
		}
	}
	if status == http.StatusConflict && retours.ErrorCode(err) == retours.ECLOSED {
		body.Fields = retours.ErrorFields(err)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// requireAdmin checks the admin token in constant time.
func (s *Server) requireAdmin(r *http.Request) error {
	tok := bearer(r)
	if tok == "" {
		return retours.NewError(retours.EUNAUTHORIZED, "admin.token_missing")
	}
	if s.cfg.AdminToken == "" {
		return retours.NewError(retours.EFORBIDDEN, "admin.disabled")
	}
	a, b := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(s.cfg.AdminToken))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return retours.NewError(retours.EFORBIDDEN, "admin.token_invalid")
	}
	return nil
}

// organiserEvent loads the event named in the path and checks the organiser
// token presented with the request.
func (s *Server) organiserEvent(r *http.Request) (*retours.Event, error) {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return nil, err
	}
	tok := organiserToken(r)
	if tok == "" {
		return nil, retours.NewError(retours.EUNAUTHORIZED, "organiser.token_missing")
	}
	if !e.CheckToken(tok) {
		return nil, retours.NewError(retours.EFORBIDDEN, "organiser.token_forbidden")
	}
	return e, nil
}

// organiserToken returns the organiser token of the Authorization header, or
// of the organisers' cookie.
func organiserToken(r *http.Request) string {
	if tok := bearer(r); tok != "" {
		return tok
	}
	if c, err := r.Cookie(organiserCookie); err == nil {
		return c.Value
	}
	return ""
}

const organiserCookie = "retours_organiser"

// baseURL returns the public base URL for links.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "https"
	if r.TLS == nil && (strings.HasPrefix(r.Host, "127.0.0.1") || strings.HasPrefix(r.Host, "localhost") || strings.HasPrefix(r.Host, "[::1]")) {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

func (s *Server) surveyURL(r *http.Request, eventID, sessionID string) string {
	u := s.baseURL(r) + "/e/" + eventID
	if sessionID != "" {
		u += "/" + sessionID
	}
	return u
}

func itoa(n int) string { return strconv.Itoa(n) }
