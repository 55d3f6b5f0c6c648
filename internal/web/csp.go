package web

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// CSP returns the Content-Security-Policy of a page that inlines styles in
// <style> elements: it allows exactly these, by hash, data: for the empty
// favicon that stops browsers asking for /favicon.ico, and forms posting to
// retours itself; no script at all, no third party of any kind.
//
// Every response carries the policy of the layout's stylesheet and of the
// services' Styles (see NewHandler); a page that inlines another stylesheet
// adds it to its service's Styles, or browsers will not apply it, and a
// document of its own (the HTML bilan) sets its own policy.
func CSP(styles ...string) string {
	src := make([]string, 0, len(styles))
	for _, css := range styles {
		sum := sha256.Sum256([]byte(css))
		src = append(src, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return "default-src 'none'; style-src " + strings.Join(src, " ") +
		"; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}
