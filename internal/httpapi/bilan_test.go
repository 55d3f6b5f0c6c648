package httpapi_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/retours"
)

// putAnswers stores n answers to the event's session (or the event when
// session is ""), with text, straight into the store.
func (e *testEnv) putAnswers(eventID, session string, n int, text string) []*retours.Answer {
	e.t.Helper()
	ev, err := e.Store.Event(e.t.Context(), eventID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*retours.Answer
	for i := 0; i < n; i++ {
		a, err := retours.NewAnswer(ev, retours.AnswerInput{
			SubmissionID: uuid(e.t), SessionID: session, Lang: "fr",
			Raw: map[string][]string{"satisfaction": {string(rune('1' + i%5))}, "nps": {string(rune('0' + i%10))},
				"profil": {[]string{"elu", "agent"}[i%2]}, "commentaire": {text}},
		}, rand.Reader, e.Clock.Now())
		if err != nil {
			e.t.Fatal(err)
		}
		if _, _, err := e.Store.PutAnswer(e.t.Context(), a, ev.ExpiresAt()); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func (e *testEnv) putNote(eventID, session, kind, text string) *retours.Note {
	e.t.Helper()
	ev, _ := e.Store.Event(e.t.Context(), eventID)
	n, err := retours.NewNote(ev, retours.NoteInput{SubmissionID: uuid(e.t), SessionID: session, Kind: kind, Text: text, Lang: "fr"}, rand.Reader, e.Clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if _, _, err := e.Store.PutNote(e.t.Context(), n, ev.ExpiresAt()); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestBilanFromSnapshotIsTheSame downloads every format computed on the
// fly, stores snapshots as the hourly run does, and downloads again: the
// bytes must not change. A new answer then makes the snapshot stale.
func TestBilanFromSnapshotIsTheSame(t *testing.T) {
	env := newEnv(t)
	prev := env.mustCreateEvent(strings.Replace(necDay, `"edition": 3`, `"edition": 2`, 1))
	ce := env.mustCreateEvent(necDay)
	env.putAnswers(prev.ID, "", 8, "Trop court")
	env.putAnswers(ce.ID, ce.Sessions[0].ID, 10, "La médiation numérique <script>alert(1)</script>")
	env.putAnswers(ce.ID, ce.Sessions[1].ID, 3, "=HYPERLINK(\"http://evil.example\")")
	env.putNote(ce.ID, ce.Sessions[1].ID, retours.NotePointFort, "<img src=x onerror=alert(1)> la médiation numérique")
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}

	targets := []string{"format=json", "format=json&lang=en", "format=md", "format=html", "format=html&lang=en", "format=xlsx", "format=csv", "format=csv&sep=semicolon"}
	first := map[string][]byte{}
	for _, q := range targets {
		rec := env.do("GET", "/api/events/"+ce.ID+"/bilan?"+q, nil, auth...)
		want := "computed"
		if strings.HasPrefix(q, "format=csv") {
			want = "raw"
		}
		if rec.Code != http.StatusOK || rec.Header().Get("X-Retours-Bilan") != want {
			t.Fatalf("%s = %d (%s) %s", q, rec.Code, rec.Header().Get("X-Retours-Bilan"), rec.Body)
		}
		first[q] = rec.Body.Bytes()
	}
	if html := string(first["format=html"]); strings.Contains(html, "<script") || strings.Contains(html, "<img") || !strings.Contains(html, "&lt;img") {
		t.Errorf("the html bilan lets participants' markup through")
	}
	var b struct {
		Comparison struct {
			Previous struct {
				ID string `json:"id"`
			} `json:"previous"`
		} `json:"comparison"`
	}
	mustJSON(t, first["format=json"], &b)
	if b.Comparison.Previous.ID != prev.ID {
		t.Errorf("comparison with %q, want the previous edition %q", b.Comparison.Previous.ID, prev.ID)
	}

	env.drain()
	r := &aggregate.Runner{Store: env.Store, Now: env.Clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if res, err := r.Run(t.Context()); err != nil || res.Snapshots != 4 {
		t.Fatalf("aggregate run = %+v, %v; want 2 events in 2 languages", res, err)
	}
	for _, q := range targets {
		rec := env.do("GET", "/api/events/"+ce.ID+"/bilan?"+q, nil, auth...)
		if want := "snapshot"; !strings.HasPrefix(q, "format=csv") && rec.Header().Get("X-Retours-Bilan") != want {
			t.Errorf("%s came from %q, want the snapshot", q, rec.Header().Get("X-Retours-Bilan"))
		}
		if !bytes.Equal(rec.Body.Bytes(), first[q]) {
			t.Errorf("%s from the snapshot differs from the computed one", q)
		}
	}

	// A new answer, not counted yet by the stream's consumer: the snapshot
	// is served for that delay, then the bilan is computed again.
	env.putAnswers(ce.ID, "", 1, "")
	var got struct {
		Answers int `json:"answers"`
	}
	for _, want := range []struct {
		from    string
		answers int
	}{{"snapshot", 13}, {"computed", 14}} {
		rec := env.do("GET", "/api/events/"+ce.ID+"/bilan?format=json", nil, auth...)
		mustJSON(t, rec.Body.Bytes(), &got)
		if rec.Header().Get("X-Retours-Bilan") != want.from || got.Answers != want.answers {
			t.Errorf("after a new answer: %s bilan of %d answers, want %s with %d", rec.Header().Get("X-Retours-Bilan"), got.Answers, want.from, want.answers)
		}
		env.drain()
	}
}

func TestBilanFormatsHeaders(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	env.putAnswers(ce.ID, "", 2, "ok")
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	for _, tc := range []struct{ query, contentType, disposition string }{
		{"format=json", "application/json; charset=utf-8", ""},
		{"", "application/json; charset=utf-8", ""},
		{"format=html", "text/html; charset=utf-8", ""},
		{"format=md", "text/markdown; charset=utf-8", `attachment; filename="bilan-` + ce.ID + `-fr.md"`},
		{"format=xlsx&lang=en", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `attachment; filename="bilan-` + ce.ID + `-en.xlsx"`},
		{"format=csv", "text/csv; charset=utf-8", `attachment; filename="reponses-` + ce.ID + `.csv"`},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rec := env.do("GET", "/api/events/"+ce.ID+"/bilan?"+tc.query, nil, auth...)
			h := rec.Header()
			if rec.Code != http.StatusOK || h.Get("Content-Type") != tc.contentType || h.Get("Content-Disposition") != tc.disposition || h.Get("Cache-Control") != "no-store" {
				t.Errorf("= %d %v", rec.Code, h)
			}
		})
	}
	// The HTML bilan's stylesheet is allowed by its hash, and nothing else.
	rec := env.do("GET", "/api/events/"+ce.ID+"/bilan?format=html", nil, auth...)
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(rec.Body.String())
	if style == nil {
		t.Fatal("the html bilan has no stylesheet")
	}
	sum := sha256.Sum256([]byte(style[1]))
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"';") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q, want the bilan's stylesheet hash only", csp)
	}
	rec = env.do("GET", "/api/events/"+ce.ID+"/bilan?format=pdf", nil, auth...)
	var e struct {
		Error string `json:"error"`
	}
	json.Unmarshal(rec.Body.Bytes(), &e)
	if rec.Code != http.StatusBadRequest || !strings.Contains(e.Error, "xlsx") {
		t.Errorf("format=pdf = %d %s, want 400 naming the formats", rec.Code, rec.Body)
	}
}
