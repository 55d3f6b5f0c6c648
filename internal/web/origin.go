package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/retours/retours/internal/retours"
)

// Cross-site writes. The organisers' cookie is SameSite=Strict, which old
// browsers ignore; so every write that a browser could send with it — a
// POST, PUT, PATCH or DELETE without an Authorization header — must come
// from retours' own pages, as Origin or, when Origin is absent or "null",
// Sec-Fetch-Site say. Pages are served with Referrer-Policy: no-referrer,
// under which browsers send "Origin: null" with a form's POST: Sec-Fetch-Site
// then decides. A request with neither header (a script, a browser older
// than both) is let through: the cookie's SameSite still holds for it.
//
// A request with a bearer token carries its credential itself, which no
// other site can make a browser send; the participants' routes carry none
// (an answer or a note is anonymous, and anyone may post one), so neither
// is checked.

// checkOrigin returns an EFORBIDDEN error when r is a cross-site write.
func (s *server) checkOrigin(rt Route, r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if rt.Function == FuncSurvey || r.Header.Get("Authorization") != "" {
		return nil
	}
	if o := strings.TrimSpace(r.Header.Get("Origin")); o != "" && o != "null" {
		if s.sameOrigin(o, r) {
			return nil
		}
		return retours.NewError(retours.EFORBIDDEN, "request.cross_site")
	}
	switch strings.TrimSpace(r.Header.Get("Sec-Fetch-Site")) {
	case "", "same-origin", "none":
		return nil
	}
	return retours.NewError(retours.EFORBIDDEN, "request.cross_site")
}

// sameOrigin says whether origin is the public base URL's, or the
// request's own: its host, over https, or over http when the request came
// in plain (the local server).
func (s *server) sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return false
	}
	if s.origin != "" && strings.EqualFold(u.Scheme+"://"+u.Host, s.origin) {
		return true
	}
	if !strings.EqualFold(u.Host, r.Host) {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return r.TLS == nil && !strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
	}
	return false
}

// originOf returns the scheme and host of a base URL, "" when it has none.
func originOf(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}
