// Package survey serves the participants' routes, those of the survey
// function: the event and session pages, the questionnaire, answers and
// notes (form posts and JSON), the thank-you page and the privacy notice,
// with their templates and texts. It links nothing the participants do not
// need: no bilan, spreadsheet, QR code or e-mail.
package survey

import (
	"cmp"
	"embed"
	"net/http"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// templates are the participants' pages, rendered inside internal/web's
// layout.
//
//go:embed templates/*.html
var templates embed.FS

var pages = web.NewPages(messages, templates, "templates/*.html")

// Config is what the participants' handlers need. Events and Answers are
// required; the rest has defaults.
type Config struct {
	Events  retours.EventStore
	Answers retours.AnswerStore
	// RetentionMonths is the deployment's default retention of answers,
	// which the privacy notice states.
	RetentionMonths int
	// EventTTL is how long the handlers keep an event they read
	// (app.SurveyEventTTL in production); 0 reads the store every time.
	// Organiser routes never cache: erasing an event sweeps its items again
	// once a copy read before can no longer be in use.
	EventTTL time.Duration
	web.Deps
}

// Server serves the participants' routes.
type Server struct {
	cfg    Config
	events *eventCache
}

// New returns the participants' handlers; cfg.Events and cfg.Answers must be
// set.
func New(cfg Config) *Server {
	cfg.Deps = cfg.Deps.WithDefaults()
	cfg.RetentionMonths = cmp.Or(cfg.RetentionMonths, retours.DefaultRetentionMonths)
	return &Server{cfg: cfg, events: newEventCache(cfg.Events, cfg.EventTTL, cfg.Now)}
}

// Service returns the handlers of the survey function's routes.
func (s *Server) Service() web.Service {
	return web.Service{Function: web.FuncSurvey, Handlers: []web.Handler{
		web.Page("GET /e/{event}", s.eventPage),
		web.Page("GET /e/{event}/{session}", s.sessionPage),
		web.Page("GET /e/{event}/merci", s.thanksPage),
		web.Page("POST /e/{event}/answers", s.postAnswer),
		web.Page("POST /e/{event}/notes", s.postNote),
		web.Page("GET /confidentialite", s.privacyPage),
	}}
}

// event reads the event named in the path, through the cache.
func (s *Server) event(r *http.Request) (*retours.Event, error) {
	return s.events.Event(r.Context(), r.PathValue("event"))
}
