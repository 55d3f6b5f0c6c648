package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/retours/retours/internal/retours"
)

// RequestLang picks the reader's language: an explicit ?lang= or form field,
// then Accept-Language, then French.
func RequestLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); retours.IsLanguage(l) {
		return l
	}
	if r.Method == http.MethodPost && r.PostForm != nil {
		if l := r.PostForm.Get("lang"); retours.IsLanguage(l) {
			return l
		}
	}
	return acceptLanguage(HeaderList(r.Header, "Accept-Language"))
}

// HeaderList returns a header whose value is a comma-separated list
// (Accept-Language, Accept-Encoding…) whole: its values joined with commas,
// as HTTP allows a list to be sent on several lines. Behind API Gateway the
// Lambda adapter splits "de-DE,de;q=0.9,en;q=0.8" at its commas into several
// values, of which Header.Get returns only the first.
func HeaderList(h http.Header, name string) string {
	return strings.Join(h.Values(name), ",")
}

// PageLang picks the language of a page about e: the reader's (see
// RequestLang) when the event is offered in it, else the event's first.
func PageLang(r *http.Request, e *retours.Event) string {
	lang := RequestLang(r)
	if e != nil && len(e.Languages) > 0 && !slices.Contains(e.Languages, lang) {
		return e.Languages[0]
	}
	return lang
}

// acceptLanguage returns the supported language with the highest q value in
// an Accept-Language header, French when none is supported.
func acceptLanguage(h string) string {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if !retours.IsLanguage(base) {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := parseQ(v); err == nil {
				q = f
			}
		}
		if q > bestQ {
			best, bestQ = base, q
		}
	}
	if best == "" || bestQ <= 0 {
		return retours.Languages[0]
	}
	return best
}

func parseQ(s string) (float64, error) {
	var f float64
	_, err := fmt.Sscan(s, &f)
	return f, err
}
