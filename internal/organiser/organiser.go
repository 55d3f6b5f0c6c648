// Package organiser serves the organisers' and administrators' routes, those
// of the organiser function: creating events, the bilan in every format,
// the texts to moderate, the organisers' page and its login, QR codes and
// posters, the organiser token, the export and the erasure of an event.
package organiser

import (
	"cmp"
	"embed"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// templates are the organisers' page, rendered inside internal/web's
// layout, and the poster, a document of its own.
//
//go:embed templates/*.html
var templates embed.FS

var pages = web.NewPages(messages, templates, "templates/*.html")

// Config is what the organisers' handlers need. Events and Answers are
// required; the rest has defaults.
type Config struct {
	Events  retours.EventStore
	Answers retours.AnswerStore
	// Snapshots, Moderation, Series and Changes serve the bilan and
	// moderation; each, when nil, is Answers if Answers is one.
	Snapshots  retours.SnapshotStore
	Moderation retours.ModerationStore
	Series     retours.SeriesStore
	Changes    retours.ChangeFeed
	// Wall keeps the notes approved for the closing wall; when nil, it is
	// Answers if Answers is one. WallRefresh is how often the wall reloads
	// itself, DefaultWallRefresh when 0.
	Wall        retours.WallStore
	WallRefresh time.Duration
	// Edits, Shares and Lister edit events, share sessions' results and
	// list events; each, when nil, is Events if Events is one.
	Edits  retours.EditStore
	Shares retours.ShareStore
	Lister retours.EventLister
	// Pages lists the texts to moderate a page at a time; when nil, Answers
	// if Answers is one.
	Pages retours.AnswerPager
	// Sheets stores the paper sheets typed in; when nil, Answers if
	// Answers is one.
	Sheets retours.SheetStore
	// AdminToken authorises event creation. Empty disables admin routes.
	AdminToken string
	// BaseURL is the public URL printed in links and QR codes, without a
	// trailing slash. Empty derives it from each request's Host.
	BaseURL string
	// RetentionMonths is the deployment's default retention of answers.
	RetentionMonths int
	// SurveyEventTTL and SurveyTimeout are how long the survey function
	// keeps an event it read and how long its requests may run
	// (app.SurveyEventTTL and app.SurveyTimeout in production): erasing an
	// event sweeps its items once more after both, when no answer accepted
	// from a copy read before can still be stored. 0 sweeps once.
	SurveyEventTTL time.Duration
	SurveyTimeout  time.Duration
	// Files keeps the downloads too large for a response, and those
	// prepared outside the request (internal/s3blob on the downloads
	// bucket); nil answers every download inline, however large.
	Files download.Files
	// Jobs has the downloads of large events prepared outside the request
	// (the aggregate function on AWS, a goroutine locally); nil, or no
	// Files, reads every download within the request.
	Jobs download.Starter
	// SyncLimit is the most answers and notes a download may read within
	// the request (download.SyncLimit when 0).
	SyncLimit int
	// XLSX writes the bilan's spreadsheet within this function
	// (internal/bilan/xlsx.Write). Without it, Prepare writes it — the
	// aggregate function, which links the spreadsheet library, invoked and
	// waited for on AWS — to Files within the request, and the download
	// is a redirect to the file; without either, a spreadsheet is
	// unavailable (503).
	XLSX    download.XLSXWriter
	Prepare download.Preparer
	// Erasure runs erasures: it marks the event and has the erase function
	// (on AWS) or a goroutine (locally) delete its items. When nil, a job on
	// Events, with no trigger: the erase function's hourly run takes its
	// erasures up.
	Erasure *erase.Job
	web.Deps
}

// Server serves the organisers' and administrators' routes.
type Server struct {
	cfg     Config
	log     *slog.Logger
	erasure *erase.Job
}

// New returns the organisers' handlers; cfg.Events and cfg.Answers must be
// set.
func New(cfg Config) *Server {
	cfg.Deps = cfg.Deps.WithDefaults()
	cfg.RetentionMonths = cmp.Or(cfg.RetentionMonths, retours.DefaultRetentionMonths)
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	cfg.SyncLimit = cmp.Or(cfg.SyncLimit, download.SyncLimit)
	orAnswers(&cfg.Snapshots, cfg.Answers)
	orAnswers(&cfg.Moderation, cfg.Answers)
	orAnswers(&cfg.Series, cfg.Answers)
	orAnswers(&cfg.Changes, cfg.Answers)
	orAnswers(&cfg.Wall, cfg.Answers)
	cfg.WallRefresh = cmp.Or(cfg.WallRefresh, DefaultWallRefresh)
	orAnswers(&cfg.Edits, cfg.Events)
	orAnswers(&cfg.Shares, cfg.Events)
	orAnswers(&cfg.Lister, cfg.Events)
	orAnswers(&cfg.Pages, cfg.Answers)
	orAnswers(&cfg.Sheets, cfg.Answers)
	return &Server{cfg: cfg, log: cfg.Logger, erasure: erasureJob(cfg)}
}

// orAnswers sets *store to from when it is unset and from is one.
func orAnswers[T any](store *T, from any) {
	if any(*store) != nil {
		return
	}
	if st, ok := from.(T); ok {
		*store = st
	}
}

// Service returns the handlers of the organiser function's routes, and the
// stylesheets of its pages.
func (s *Server) Service() web.Service {
	page, api := web.Page, web.API
	return web.Service{Function: web.FuncOrganiser, Styles: []string{posterCSS, organisersCSS, paperCSS, entryCSS, editCSS, wallCSS}, Login: loginPage, Limiter: s.cfg.Limiter, Handlers: []web.Handler{
		api("POST /api/events", s.createEvent),
		api("GET /api/events/{event}/bilan", s.getBilan),
		api("GET /api/events/{event}/downloads/{id}", s.downloadStatus),
		api("GET /api/events/{event}/texts", s.listTexts),
		api("PUT /api/events/{event}/texts/{ref}", s.putText),
		page("GET /o/{event}", s.organisersPage),
		page("POST /o/{event}/login", s.organisersLogin),
		page("POST /o/{event}/logout", s.organisersLogout),
		page("POST /o/{event}/texts/{ref}", s.organisersHide),
		api("POST /api/events/{event}/token", s.rotateToken),
		api("GET /api/events/{event}/export", s.exportEvent),
		api("DELETE /api/events/{event}", s.eraseEvent),
		api("GET /api/events/{event}/erasure", s.erasureProgress),
		page("POST /o/{event}/erase", s.organisersErase),
		api("GET /api/events/{event}/qr.png", s.qrPNG),
		api("GET /api/events/{event}/qr.svg", s.qrSVG),
		page("GET /api/events/{event}/poster", s.poster),
		api("GET /api/events/{event}/sessions/{session}/qr.png", s.qrPNG),
		api("GET /api/events/{event}/sessions/{session}/qr.svg", s.qrSVG),
		page("GET /api/events/{event}/sessions/{session}/poster", s.poster),
		api("GET /api/events", s.listEvents),
		api("GET /api/events/{event}", s.getEvent),
		api("PUT /api/events/{event}", s.putEvent),
		api("GET /api/events/{event}/edits", s.listEdits),
		api("GET /api/events/{event}/accesses", s.listAccesses),
		api("POST /api/events/{event}/accesses", s.createAccess),
		api("DELETE /api/events/{event}/accesses/{access}", s.revokeAccess),
		api("POST /api/events/{event}/editions", s.createEdition),
		api("POST /api/events/{event}/programme/preview", s.previewProgramme),
		api("POST /api/events/{event}/programme", s.importProgramme),
		api("GET /api/programme/template.csv", s.programmeTemplate),
		api("GET /api/questions", s.questionLibrary),
		api("GET /api/events/{event}/shares", s.listShares),
		api("POST /api/events/{event}/sessions/{session}/shares", s.createShare),
		api("DELETE /api/events/{event}/shares/{share}", s.revokeShare),
		web.Negotiated("GET /s/{event}/{token}", s.sharedSession),
		api("GET /api/openapi.json", s.openAPI),
		page("GET /api/events/{event}/paper", s.paper),
		page("GET /api/events/{event}/sessions/{session}/paper", s.paper),
		page("GET /o/{event}/saisie", s.entryPage),
		page("POST /o/{event}/saisie", s.entrySave),
		page("GET /o/{event}/saisie/{token}", s.entryLink),
		page("POST /o/{event}/saisie/liens", s.entryLinks),
		page("GET /admin", s.adminHome),
		page("POST /admin/login", s.adminLogin),
		page("POST /admin/logout", s.adminLogout),
		page("GET /admin/nouveau", s.adminNewForm),
		page("POST /admin/nouveau", s.adminCreate),
		page("GET /admin/e/{event}", s.adminEvent),
		page("POST /admin/e/{event}/acces", s.adminAccess),
		page("GET /o/{event}/acces", s.accessesPage),
		page("POST /o/{event}/acces", s.accessesCreate),
		page("POST /o/{event}/acces/{access}/revoquer", s.accessesRevoke),
		page("POST /o/{event}/partages", s.sharesCreate),
		page("POST /o/{event}/partages/{share}/revoquer", s.sharesRevoke),
		page("GET /o/{event}/modifier", s.detailsPage),
		page("POST /o/{event}/modifier", s.saveDetails),
		page("GET /o/{event}/sessions", s.sessionsPage),
		page("POST /o/{event}/sessions", s.saveSession),
		page("GET /o/{event}/questionnaire", s.questionnairePage),
		page("POST /o/{event}/questionnaire", s.saveQuestionnaire),
		page("GET /o/{event}/programme", s.programmePage),
		page("POST /o/{event}/programme", s.importPage),
		page("GET /o/{event}/edition", s.editionPage),
		page("POST /o/{event}/edition", s.createEditionPage),
		page("POST /o/{event}/texts/{ref}/mur", s.organisersWall),
		page("GET /o/{event}/mur", s.wallPage),
		page("GET /mur/{event}/{token}", s.wallLink),
		page("GET /o/{event}/mur/liens", s.wallLinksPage),
		page("POST /o/{event}/mur/liens", s.createWallLink),
		page("POST /o/{event}/mur/liens/{access}", s.revokeWallLink),
	}}
}

// organiserCookie holds the organiser token of the organisers' page.
const organiserCookie = "retours_organiser"

// organiserEvent loads the event named in the path and checks the organiser
// token presented with the request.
func (s *Server) organiserEvent(r *http.Request) (*retours.Event, error) {
	e, _, err := s.authorise(r, false)
	return e, err
}

// authoriseForm is authorise for an organisers' form, which it parses.
func (s *Server) authoriseForm(r *http.Request) (*retours.Event, retours.Actor, error) {
	e, actor, err := s.authorise(r, false)
	if err != nil {
		return nil, actor, err
	}
	return e, actor, web.ParseForm(r)
}

// authoriseEdit is authorise for an API edit of the event's definition,
// and returns the version it was made from (If-Match).
func (s *Server) authoriseEdit(r *http.Request) (*retours.Event, retours.Actor, int, error) {
	e, actor, err := s.authorise(r, true)
	if err != nil {
		return nil, actor, 0, err
	}
	from, err := ifMatch(r)
	return e, actor, from, err
}

// authorise loads the event named in the path and checks that the request
// comes from one of its organiser accesses, or, when admin is set, from
// the administrator (bearer token or admin cookie), and says who.
func (s *Server) authorise(r *http.Request, admin bool) (*retours.Event, retours.Actor, error) {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return nil, retours.Actor{}, err
	}
	return s.authoriseEvent(r, e, admin)
}

// authoriseEvent is authorise of the event e, read already.
func (s *Server) authoriseEvent(r *http.Request, e *retours.Event, admin bool) (*retours.Event, retours.Actor, error) {
	tok := organiserToken(r)
	if a, ok := e.AccessFor(tok); ok {
		return e, retours.Actor{Access: a}, nil
	}
	var adminErr error
	if admin {
		adminErr = s.checkAdmin(r)
	}
	switch {
	case retours.ErrorCode(adminErr) == retours.ETOOMANY:
		return nil, retours.Actor{}, adminErr
	case admin && adminErr == nil:
		return e, retours.Actor{Admin: true}, nil
	case tok == "" && (!admin || retours.ErrorCode(adminErr) == retours.EUNAUTHORIZED):
		return nil, retours.Actor{}, retours.NewError(retours.EUNAUTHORIZED, "organiser.token_missing")
	}
	if err := s.wrongToken(r, e.ID); err != nil {
		return nil, retours.Actor{}, err
	}
	return nil, retours.Actor{}, retours.NewError(retours.EFORBIDDEN, "organiser.token_forbidden")
}

// checkAdmin is web.CheckAdmin, with wrong admin tokens counted against
// their client's limit as wrong organiser tokens are (for no event): a
// client that sent too many waits for the end of its window, whatever it
// sends now.
func (s *Server) checkAdmin(r *http.Request) error {
	if l := s.cfg.Limiter; l != nil && web.Bearer(r)+adminCookieValue(r) != "" {
		if err := l.Over(r, web.LimitLogin, ""); err != nil {
			return err
		}
	}
	err := web.CheckAdmin(r, s.cfg.AdminToken)
	if retours.ErrorCode(err) == retours.EFORBIDDEN && s.cfg.AdminToken != "" {
		if lerr := s.wrongToken(r, ""); lerr != nil {
			return lerr
		}
	}
	return err
}

// adminCookieValue returns the admin cookie's value, "" without one.
func adminCookieValue(r *http.Request) string {
	if c, err := r.Cookie(web.AdminCookie); err == nil {
		return c.Value
	}
	return ""
}

// wrongToken counts a wrong token presented for the event against its
// client's limit, and returns an ETOOMANY error once the client reached it.
func (s *Server) wrongToken(r *http.Request, eventID string) error {
	if s.cfg.Limiter == nil {
		return nil
	}
	return s.cfg.Limiter.Limit(r, web.LimitLogin, eventID)
}

// organiserToken returns the organiser token of the Authorization header, or
// of the organisers' cookie.
func organiserToken(r *http.Request) string {
	if tok := web.Bearer(r); tok != "" {
		return tok
	}
	if c, err := r.Cookie(organiserCookie); err == nil {
		return c.Value
	}
	return ""
}

// loginPage is the login form of a request refused for want of valid
// credentials (web.Service.Login): the organisers' page of the event for
// the event's pages and API, the admin space for the admin's.
func loginPage(r *http.Request) string {
	p := r.URL.Path
	if id := r.PathValue("event"); retours.ValidID(id) && (strings.HasPrefix(p, "/o/"+id) || strings.HasPrefix(p, "/api/events/"+id)) {
		return "/o/" + id
	}
	if p == "/admin" || strings.HasPrefix(p, "/admin/") || p == "/api/events" {
		return "/admin"
	}
	return ""
}

// organiserNext returns the page of the event a login form was asked to
// lead to, when it is one of the event's pages or API routes, else "".
func organiserNext(next, eventID string) string {
	return web.SafeNext(next, "/o/"+eventID, "/api/events/"+eventID)
}

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

// surveyURL is the address of the questionnaire of a session, or of the
// event page when sessionID is "".
func (s *Server) surveyURL(r *http.Request, eventID, sessionID string) string {
	u := s.baseURL(r) + "/e/" + eventID
	if sessionID != "" {
		u += "/" + sessionID
	}
	return u
}
