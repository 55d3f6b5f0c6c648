// Package survey serves the participants' routes, those of the survey
// function: the event and session pages, the questionnaire, answers and
// notes (form posts and JSON), the thank-you page and the privacy notice,
// with their templates and texts. It links nothing the participants do not
// need: no bilan, spreadsheet, QR code or e-mail.
package survey

import (
	"cmp"
	"context"
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
	Events  EventReader
	Answers AnswerWriter
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

// EventReader is what the participants' handlers read of the events: the
// part of retours.EventStore they use.
type EventReader interface {
	// Event is retours.EventStore.Event.
	Event(ctx context.Context, id string) (*retours.Event, error)
}

// AnswerWriter is how the participants' handlers store answers and notes:
// the part of retours.AnswerStore they use.
type AnswerWriter interface {
	// PutAnswer is retours.AnswerStore.PutAnswer.
	PutAnswer(ctx context.Context, a *retours.Answer, expires time.Time) (stored *retours.Answer, created bool, err error)
	// PutNote is retours.AnswerStore.PutNote.
	PutNote(ctx context.Context, n *retours.Note, expires time.Time) (stored *retours.Note, created bool, err error)
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
