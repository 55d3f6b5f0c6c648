package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/retours"
)

// runDigests runs what the Monday schedule runs, as of now or of ?now=.
func (s *Server) runDigests(w http.ResponseWriter, r *http.Request) error {
	if err := s.requireAdmin(r); err != nil {
		return err
	}
	if s.cfg.Digests == nil {
		return retours.NewError(retours.EFORBIDDEN, "digest.not_configured")
	}
	now := s.cfg.Now()
	if v := r.URL.Query().Get("now"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return &retours.Error{Code: retours.EINVALID, Key: "digest.now",
				Fields: map[string]string{"now": retours.FieldInvalid}}
		}
		now = t
	}
	rep, err := s.cfg.Digests.Run(r.Context(), now)
	if err != nil && !errors.Is(err, digest.ErrFailed) {
		return err
	}
	// Failed digests are listed in the report; the next run retries them.
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// unsubscribePage asks to confirm, so that a link opened by a mail scanner
// changes nothing.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) error {
	return s.unsubscribeStep(w, r, false)
}

// unsubscribe records the unsubscription: the confirmation form and the
// one-click POST of RFC 8058 ("List-Unsubscribe=One-Click") both land here.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	return s.unsubscribeStep(w, r, true)
}

func (s *Server) unsubscribeStep(w http.ResponseWriter, r *http.Request, done bool) error {
	lang := requestLang(r)
	if s.cfg.Digests == nil {
		return retours.NewError(retours.ENOTFOUND, "page.not_found")
	}
	token := r.PathValue("token")
	var (
		u   *digest.Unsubscription
		err error
	)
	if done {
		u, err = s.cfg.Digests.Unsubscribe(r.Context(), token)
	} else {
		u, err = s.cfg.Digests.Unsubscription(r.Context(), token)
	}
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return s.render(w, r, http.StatusNotFound, "error", &pageData{Lang: lang, Title: messages.T(lang, "unsub.title"), Message: messages.T(lang, "unsub.invalid")})
	}
	if err != nil {
		return err
	}
	p := &pageData{Lang: lang, Title: messages.T(lang, "unsub.title"), UnsubToken: token, UnsubDone: done}
	for _, e := range u.Events {
		p.UnsubEvents = append(p.UnsubEvents, e.Title)
	}
	return s.render(w, r, http.StatusOK, "unsubscribe", p)
}
