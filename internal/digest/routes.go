package digest

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

var pages = web.NewPages(messages, templateFS, "templates/unsubscribe.html")

// Server serves the digest's routes: running the digests on demand, and
// the unsubscribe links of the e-mails.
type Server struct {
	// Runner runs the digests; nil turns the routes off: running answers
	// 403 and the links 404.
	Runner *Runner
	// AdminToken authorises running the digests on demand.
	AdminToken string
	// Runs keeps the records of the runs started on demand; nil turns
	// running on demand off (403). Trigger carries them out outside the
	// request (InProcess, a goroutine, when nil).
	Runs    retours.DigestRunStore
	Trigger Trigger
	Now     func() time.Time // time.Now when nil
	Rand    io.Reader        // crypto/rand when nil
	Logger  *slog.Logger
	// Limiter counts the requests of the routes in web.RouteLimits; nil
	// limits nothing.
	Limiter web.Limiter
}

// Service returns the handlers of the digest function's routes.
func (s *Server) Service() web.Service {
	return web.Service{Function: web.FuncDigest, Limiter: s.Limiter, Handlers: []web.Handler{
		web.API("POST /api/digests/run", s.run),
		web.API("GET /api/digests/runs/{id}", s.runStatus),
		web.Page("GET /unsubscribe/{token}", s.unsubscribePage),
		web.Page("POST /unsubscribe/{token}", s.unsubscribe),
	}}
}

// unsubscribeView is the page of an unsubscribe link.
type unsubscribeView struct {
	web.Base
	Token  string
	Events []string // the titles of the events the link is about
	Done   bool
}

// unsubscribePage asks to confirm, so that a link opened by a mail scanner
// changes nothing.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) error {
	return s.unsubscribeStep(w, r, false)
}

// unsubscribe records the unsubscription: the confirmation form and the
// one-click POST of RFC 8058 ("List-Unsubscribe=One-Click") both land here.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	return s.unsubscribeStep(w, r, true)
}

func (s *Server) unsubscribeStep(w http.ResponseWriter, r *http.Request, done bool) error {
	lang := web.RequestLang(r)
	if s.Runner == nil {
		return retours.NewError(retours.ENOTFOUND, "page.not_found")
	}
	token := r.PathValue("token")
	var (
		u   *Unsubscription
		err error
	)
	if done {
		u, err = s.Runner.Unsubscribe(r.Context(), token)
	} else {
		u, err = s.Runner.Unsubscription(r.Context(), token)
	}
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return pages.Render(w, r, http.StatusNotFound, "error", &web.Notice{
			Base: web.Base{Lang: lang, Title: messages.T(lang, "unsub.title")}, Message: messages.T(lang, "unsub.invalid")})
	}
	if err != nil {
		return err
	}
	p := &unsubscribeView{Base: web.Base{Lang: lang, Title: messages.T(lang, "unsub.title")}, Token: token, Done: done}
	for _, e := range u.Events {
		p.Events = append(p.Events, e.Title)
	}
	return pages.Render(w, r, http.StatusOK, "unsubscribe", p)
}
