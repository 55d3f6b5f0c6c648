package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
)

// Bearer returns the token of an "Authorization: Bearer" header.
func Bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// AdminCookie holds the admin token of a browser signed in to /admin.
const AdminCookie = "retours_admin"

// AdminCookiePaths are the paths the admin cookie is sent to: the admin
// space and the admin API.
var AdminCookiePaths = []string{"/admin", "/api/events"}

// adminToken returns the admin token of the Authorization header, or of
// the admin cookie.
func adminToken(r *http.Request) string {
	if tok := Bearer(r); tok != "" {
		return tok
	}
	if c, err := r.Cookie(AdminCookie); err == nil {
		return c.Value
	}
	return ""
}

// CheckAdmin checks the request's admin token, from its Authorization
// header or its admin cookie, against token, in constant time. An empty
// token disables admin routes.
func CheckAdmin(r *http.Request, token string) error {
	tok := adminToken(r)
	if tok == "" {
		return retours.NewError(retours.EUNAUTHORIZED, "admin.token_missing")
	}
	if token == "" {
		return retours.NewError(retours.EFORBIDDEN, "admin.disabled")
	}
	if !SameSecret(tok, token) {
		return retours.NewError(retours.EFORBIDDEN, "admin.token_invalid")
	}
	return nil
}

// SameSecret compares two secrets in constant time, whatever their length.
func SameSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// SetCookies sets the cookie name to value for each of paths: HttpOnly, so
// that scripts cannot read it, Secure, and SameSite=Strict, so that no
// other site's page can post with it. A negative maxAge deletes them.
func SetCookies(w http.ResponseWriter, name, value string, maxAge time.Duration, paths ...string) {
	for _, p := range paths {
		c := &http.Cookie{Name: name, Value: value, Path: p, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
		if maxAge < 0 {
			c.MaxAge = -1
		} else {
			c.MaxAge = int(maxAge / time.Second)
		}
		http.SetCookie(w, c)
	}
}

// WantsPage reports whether the request comes from a person's browser
// rather than an API client: it asks for HTML, sends no JSON and no bearer
// token.
func WantsPage(r *http.Request) bool {
	return Bearer(r) == "" && !IsJSON(r) && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// SafeNext returns next when it is an address on this site under one of
// prefixes (a whole path segment: "/o/abc" is not under "/o/ab"), else "".
// It is where a login form sends the browser once signed in, so it must not
// lead anywhere else.
func SafeNext(next string, prefixes ...string) string {
	if next == "" || len(next) > 2000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\x00\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" ||
		u.Path == "" || path.Clean(u.Path) != u.Path || strings.Contains(u.RawPath, "%2f") || strings.Contains(u.RawPath, "%2F") {
		return ""
	}
	for _, p := range prefixes {
		if p != "" && (u.Path == p || strings.HasPrefix(u.Path, strings.TrimSuffix(p, "/")+"/")) {
			return next
		}
	}
	return ""
}
