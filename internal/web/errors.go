package web

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"

	"github.com/retours/retours/internal/retours"
)

// retryAfter is what an overloaded database's answers tell clients to wait,
// in seconds.
const retryAfter = "5"

// StatusOf maps an error to its HTTP status: the domain's codes, and 413 for
// a body over its route's limit. Anything else is a 500.
func StatusOf(err error) int {
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
	case retours.ESTALE:
		return http.StatusPreconditionFailed
	case retours.EVERSION:
		return http.StatusPreconditionRequired
	case retours.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case retours.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// Reshow returns err with the page that answers it: a form shown again
// with the person's values and its problems, or with a "try again" notice.
// The page adapter logs err, sets its headers and calls page with err's
// status, instead of showing the error page.
func Reshow(err error, page func(w http.ResponseWriter, status int) error) error {
	return &reshown{err: err, page: page}
}

type reshown struct {
	err  error
	page func(http.ResponseWriter, int) error
}

func (e *reshown) Error() string { return e.err.Error() }
func (e *reshown) Unwrap() error { return e.err }

// serveError answers err: it logs it once, sets the headers its status
// calls for, and writes JSON for the API and for requests that sent JSON,
// else the page a handler gave with Reshow, else the error page.
func (s *server) serveError(w http.ResponseWriter, r *http.Request, err error, api bool) {
	status := StatusOf(err)
	LogError(s.log, r, err)
	switch status {
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", retryAfter)
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", retours.ErrorFields(err)["retry_after"])
	}
	var rs *reshown
	switch {
	case api || IsJSON(r):
		writeJSONError(w, r, status, err)
	case errors.As(err, &rs):
		if rs.page(w, status) != nil {
			http.Error(w, Messages.T(RequestLang(r), "err.internal"), http.StatusInternalServerError)
		}
	default:
		s.errorPage(w, r, status, err)
	}
}

// LogError logs err once, at the boundary, with its route, status and code.
// Internal errors add their text, which holds no participant's text: stores
// wrap SDK errors only.
func LogError(log *slog.Logger, r *http.Request, err error) {
	status := StatusOf(err)
	level := slog.LevelInfo
	attrs := []slog.Attr{slog.String("route", r.Pattern), slog.Int("status", status), slog.String("code", retours.ErrorCode(err))}
	if status >= 500 {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	log.LogAttrs(r.Context(), level, "request failed", attrs...)
}

// writeJSONError writes {"error": …, "code": …, "fields": …} in the
// reader's language. 5xx bodies say nothing internal.
func writeJSONError(w http.ResponseWriter, r *http.Request, status int, err error) {
	lang := RequestLang(r)
	body := struct {
		Error  string            `json:"error"`
		Code   string            `json:"code"`
		Fields map[string]string `json:"fields,omitempty"`
	}{Code: retours.ErrorCode(err)}
	switch {
	case status == http.StatusRequestEntityTooLarge && retours.ErrorCode(err) == retours.ETOOLARGE:
		body.Error = retours.ErrorMessage(lang, err)
	case status == http.StatusRequestEntityTooLarge:
		body.Error, body.Code = Messages.T(lang, "err.too_large"), "too_large"
	case status == http.StatusInternalServerError:
		body.Error = Messages.T(lang, "err.internal")
	case status == http.StatusServiceUnavailable:
		body.Error = Messages.T(lang, "err.unavailable")
	case status == http.StatusUnauthorized:
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
	if status == http.StatusTooManyRequests {
		body.Fields = retours.ErrorFields(err)
	}
	if status == http.StatusConflict && retours.ErrorCode(err) == retours.ECLOSED {
		body.Fields = retours.ErrorFields(err)
	}
	WriteJSON(w, status, body)
}

// errorPage writes the error page in the reader's language.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, err error) {
	lang := RequestLang(r)
	p := &Notice{Base: Base{Lang: lang, Title: Messages.T(lang, "error.title")}}
	switch status {
	case http.StatusNotFound:
		p.Message = Messages.T(lang, "err.not_found")
	case http.StatusRequestEntityTooLarge:
		p.Message = Messages.T(lang, "err.too_large")
		if retours.ErrorCode(err) == retours.ETOOLARGE {
			p.Message = retours.ErrorMessage(lang, err)
		}
	case http.StatusServiceUnavailable:
		p.Message = Messages.T(lang, "err.unavailable")
	case http.StatusInternalServerError:
		p.Message = Messages.T(lang, "err.internal")
	default:
		p.Message = retours.ErrorMessage(lang, err)
	}
	if r.Method != http.MethodGet {
		// A failed post has no page of its own to switch language on.
		p.Path = "/"
	}
	if err := pages.Render(w, r, status, "error", p); err != nil {
		http.Error(w, Messages.T(lang, "err.internal"), http.StatusInternalServerError)
	}
}

// Notice is the view of a page that says one thing: the error page, and
// pages such as "answers are closed".
type Notice struct {
	Base
	Message string
}

// FormErrors lists the problems of fieldErrs that belong to no field shown
// on a form (shown says which are), such as a damaged hidden field or an
// answer to a question the form does not have, each linked to anchor, so
// that a form never comes back refused without saying why. A damaged
// submission id says that sending again works: a fresh one was issued.
func FormErrors(lang, anchor string, fieldErrs map[string]string, shown func(string) bool) []ErrorView {
	var keys []string
	for k := range fieldErrs {
		if !shown(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []ErrorView
	for _, k := range keys {
		m := retours.FieldMessage(lang, fieldErrs[k])
		if k == "submission_id" {
			m = Messages.T(lang, "form.resend")
		}
		out = append(out, ErrorView{Anchor: anchor, Label: Messages.T(lang, "form.label"), Message: m})
	}
	return out
}
