package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

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

// CheckAdmin checks the request's admin token against token, in constant
// time. An empty token disables admin routes.
func CheckAdmin(r *http.Request, token string) error {
	tok := Bearer(r)
	if tok == "" {
		return retours.NewError(retours.EUNAUTHORIZED, "admin.token_missing")
	}
	if token == "" {
		return retours.NewError(retours.EFORBIDDEN, "admin.disabled")
	}
	a, b := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return retours.NewError(retours.EFORBIDDEN, "admin.token_invalid")
	}
	return nil
}
