package survey_test

import (
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/webtest"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// maxPageWeight is one initial TCP congestion window (10 segments of about
// 1.4 KB): a page this small arrives in the first round trip, however
// slow the network.
const maxPageWeight = 14 * 1024

// pageWeight fetches a page as a phone would, accepting gzip, and returns
// its size on the wire and once decompressed. The stylesheet is inline, so
// the HTML is the whole page.
func pageWeight(tb testing.TB, fetch func(...string) *httptest.ResponseRecorder) (gzipped, raw int) {
	tb.Helper()
	rec := fetch("Accept-Encoding", "gzip")
	if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
		tb.Fatalf("status = %d", rec.Code)
	}
	if rec.Header().Get("Content-Encoding") != "gzip" {
		tb.Fatalf("page not gzipped: %v", rec.Header())
	}
	return rec.Body.Len(), len(webtest.Gunzip(tb, rec.Body.Bytes()))
}

func TestSurveyPageWeight(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	for _, lang := range []string{"fr", "en"} {
		for name, fetch := range weighedPages(t, env, ce, lang) {
			t.Run(name+" "+lang, func(t *testing.T) {
				gz, raw := pageWeight(t, fetch)
				t.Logf("%s, %s: %d bytes gzipped, %d bytes raw", name, lang, gz, raw)
				if gz > maxPageWeight {
					t.Errorf("page weighs %d bytes gzipped, want at most %d", gz, maxPageWeight)
				}
			})
		}
	}
}

// weighedPages are the default questionnaire of a session, as first shown
// and with every required answer missing.
func weighedPages(tb testing.TB, env *testEnv, ce *retours.Event, lang string) map[string]func(...string) *httptest.ResponseRecorder {
	form := "/e/" + ce.ID + "/" + ce.Sessions[1].ID + "?lang=" + lang
	return map[string]func(...string) *httptest.ResponseRecorder{
		"questionnaire": func(h ...string) *httptest.ResponseRecorder { return env.Do("GET", form, nil, h...) },
		"questionnaire with errors": func(h ...string) *httptest.ResponseRecorder {
			return env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {webtest.UUID(tb)}, "session": {ce.Sessions[1].ID}, "lang": {lang}, "q_nps": {"11"}}, h...)
		},
	}
}

// BenchmarkSurveyPageWeight serves the default questionnaire and reports
// its weight: gzip-B on the wire, raw-B decompressed (HTML with its inline
// stylesheet), per language.
func BenchmarkSurveyPageWeight(b *testing.B) {
	env := newEnv(b)
	ce := env.createEvent()
	for _, lang := range []string{"fr", "en"} {
		fetch := weighedPages(b, env, ce, lang)["questionnaire"]
		b.Run(lang, func(b *testing.B) {
			var gz, raw int
			for b.Loop() {
				gz, raw = pageWeight(b, fetch)
			}
			b.ReportMetric(float64(gz), "gzip-B")
			b.ReportMetric(float64(raw), "raw-B")
		})
	}
}
