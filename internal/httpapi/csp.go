package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// inlineStyles lists every stylesheet a page inlines in a <style> element.
// The Content-Security-Policy allows exactly these, by hash: a page that
// inlines another stylesheet must add it here, or browsers will not apply it.
var inlineStyles = []string{surveyCSS, posterCSS, organisersCSS}

// contentSecurityPolicy allows nothing but the listed stylesheets, data: for
// the empty favicon that stops browsers asking for /favicon.ico, and forms
// posting to retours itself: no script at all, no third party of any kind.
var contentSecurityPolicy = buildCSP(inlineStyles)

func buildCSP(styles []string) string {
	src := make([]string, 0, len(styles))
	for _, css := range styles {
		sum := sha256.Sum256([]byte(css))
		src = append(src, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return "default-src 'none'; style-src " + strings.Join(src, " ") +
		"; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}
