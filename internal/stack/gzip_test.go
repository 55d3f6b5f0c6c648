package stack_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/retours/retours/internal/webtest"
)

func TestGzip(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	form := "/e/" + ce.ID + "/" + ce.Sessions[1].ID
	for _, tc := range []struct {
		name, target, accept string
		header               []string
		want                 bool
	}{
		{"page, gzip accepted", form, "gzip, deflate, br", nil, true},
		{"page, gzip named with q", form, "br;q=1.0, gzip;q=0.8", nil, true},
		{"page, any encoding", form, "*", nil, true},
		{"page, gzip refused", form, "gzip;q=0, *", nil, false},
		{"page, identity only", form, "identity", nil, false},
		{"page, no header", form, "", nil, false},
		{"SVG", "/api/events/" + ce.ID + "/qr.svg", "gzip", auth, true},
		{"PNG is already compressed", "/api/events/" + ce.ID + "/qr.png", "gzip", auth, false},
		{"short JSON error", "/api/events/" + ce.ID + "/qr.png", "gzip", nil, false},
		{"thank-you page after a form", "/e/" + ce.ID + "/answers", "gzip", nil, true},
		{"redirect without body", "/o/" + ce.ID + "/login", "gzip", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if tc.accept != "" {
				h = append(slices.Clone(h), "Accept-Encoding", tc.accept)
			}
			// send sends the case's request: the same answer each time, so
			// that the plain one gets the same thank-you page.
			sub := webtest.UUID(t)
			send := func(h ...string) *httptest.ResponseRecorder {
				switch {
				case strings.HasSuffix(tc.target, "/answers"):
					return env.PostForm(tc.target, url.Values{"submission_id": {sub}, "q_satisfaction": {"3"}}, h...)
				case strings.HasSuffix(tc.target, "/login"):
					return env.PostForm(tc.target, url.Values{"token": {ce.OrganiserToken}}, h...)
				}
				return env.Do("GET", tc.target, nil, h...)
			}
			rec := send(h...)
			if strings.HasSuffix(tc.target, "/login") && rec.Code != http.StatusSeeOther {
				t.Fatalf("login = %d, want a redirect", rec.Code)
			}
			got := rec.Header().Get("Content-Encoding") == "gzip"
			if got != tc.want {
				t.Fatalf("gzipped = %v, want %v (status %d, headers %v)", got, tc.want, rec.Code, rec.Header())
			}
			if !got {
				return
			}
			plain := send(tc.header...)
			if unzipped := webtest.Gunzip(t, rec.Body.Bytes()); len(unzipped) != plain.Body.Len() || plain.Header().Get("Content-Encoding") != "" {
				t.Errorf("gunzipped body is %d bytes, the plain one %d", len(unzipped), plain.Body.Len())
			}
			if !slices.Contains(rec.Header().Values("Vary"), "Accept-Encoding") || !slices.Contains(plain.Header().Values("Vary"), "Accept-Encoding") {
				t.Errorf("Vary = %v and %v, want Accept-Encoding on both", rec.Header().Values("Vary"), plain.Header().Values("Vary"))
			}
		})
	}
}
