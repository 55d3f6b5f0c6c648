package digest

import (
	"errors"
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
	Now        func() time.Time // time.Now when nil
}

// Service returns the handlers of the digest function's routes.
func (s *Server) Service() web.Service {
	return web.Service{Function: web.FuncDigest, Handlers: []web.Handler{
		web.API("POST /api/digests/run", s.run),
		web.Page("GET /unsubscribe/{token}", s.unsubscribePage),
		web.Page("POST /unsubscribe/{token}", s.unsubscribe),
	}}
}

// run runs what the Monday schedule runs, as of now or of ?now=.
func (s *Server) run(w http.ResponseWriter, r *http.Request) error {
	if err := web.CheckAdmin(r, s.AdminToken); err != nil {
		return err
	}
	if s.Runner == nil {
		return retours.NewError(retours.EFORBIDDEN, "digest.not_configured")
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	if v := r.URL.Query().Get("now"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return &retours.Error{Code: retours.EINVALID, Key: "digest.now",
				Fields: map[string]string{"now": retours.FieldInvalid}}
		}
		now = t
	}
	rep, err := s.Runner.Run(r.Context(), now)
	if err != nil && !errors.Is(err, ErrFailed) {
		return err
	}
	// Failed digests are listed in the report; the next run retries them.
	web.WriteJSON(w, http.StatusOK, rep)
	return nil
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
