package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

func TestSafeNext(t *testing.T) {
	prefixes := []string{"/o/abc123", "/api/events/abc123"}
	for _, tc := range []struct{ next, want string }{
		{"/o/abc123", "/o/abc123"},
		{"/o/abc123/acces?lang=en", "/o/abc123/acces?lang=en"},
		{"/api/events/abc123/bilan?format=html&lang=fr", "/api/events/abc123/bilan?format=html&lang=fr"},
		{"", ""},
		{"/o/abc1234", ""},
		{"/o/other/acces", ""},
		{"/o/abc123/../../admin", ""},
		{"/o/abc123/./acces", ""},
		{"//evil.example/o/abc123", ""},
		{"/\\evil.example", ""},
		{"https://evil.example/o/abc123", ""},
		{"o/abc123", ""},
		{"/o/abc123%2F..%2F..%2Fadmin", ""},
		{"/o/abc123\r\nLocation: x", ""},
		{"/o/abc123#x", ""},
	} {
		if got := web.SafeNext(tc.next, prefixes...); got != tc.want {
			t.Errorf("SafeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

// TestBrowsersGoToLogin: a refusal for want of credentials sends a
// browser's GET to the service's login form with the page asked; anything
// else keeps its status.
func TestBrowsersGoToLogin(t *testing.T) {
	refuse := func(code string) web.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error {
			return retours.NewError(code, "organiser.token_missing")
		}
	}
	pattern := "GET /api/events/{event}/bilan"
	svc := service(web.FuncOrganiser, map[string]web.Handler{
		pattern:                          web.API(pattern, refuse(retours.EUNAUTHORIZED)),
		"GET /api/events/{event}/texts":  web.API("GET /api/events/{event}/texts", refuse(retours.ENOTFOUND)),
		"POST /api/events/{event}/token": web.API("POST /api/events/{event}/token", refuse(retours.EUNAUTHORIZED)),
	})
	svc.Login = func(r *http.Request) string { return "/o/" + r.PathValue("event") }
	h := mustHandler(t, web.Options{}, svc)
	const html = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
	for _, tc := range []struct {
		name, method, target string
		header               []string
		want                 int
		location             string
	}{
		{"browser", "GET", "/api/events/abc123/bilan?format=html&lang=en", []string{"Accept", html}, http.StatusSeeOther,
			"/o/abc123?lang=en&next=%2Fapi%2Fevents%2Fabc123%2Fbilan%3Fformat%3Dhtml%26lang%3Den"},
		{"API client", "GET", "/api/events/abc123/bilan", []string{"Accept", "application/json"}, http.StatusUnauthorized, ""},
		{"bearer", "GET", "/api/events/abc123/bilan", []string{"Accept", html, "Authorization", "Bearer x"}, http.StatusUnauthorized, ""},
		{"not found", "GET", "/api/events/abc123/texts", []string{"Accept", html}, http.StatusNotFound, ""},
		{"a post", "POST", "/api/events/abc123/token", []string{"Accept", html}, http.StatusUnauthorized, ""},
		{"a link from another site", "GET", "/api/events/abc123/bilan?format=html", []string{"Accept", html, "Sec-Fetch-Site", "cross-site"}, http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(h, tc.method, tc.target, "", "", tc.header...)
			if rec.Code != tc.want || rec.Header().Get("Location") != tc.location {
				t.Errorf("= %d to %q, want %d to %q", rec.Code, rec.Header().Get("Location"), tc.want, tc.location)
			}
			if tc.want == http.StatusOK && !strings.Contains(rec.Body.String(), `<meta http-equiv="refresh" content="0;url=/api/events/abc123/bilan?format=html">`) {
				t.Errorf("a link from another site is not asked again from this site: %s", rec.Body)
			}
		})
	}
}
