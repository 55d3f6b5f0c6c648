package stack_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/webtest"
)

// TestBilanFromSnapshotIsTheSame downloads every format computed on the
// fly, stores snapshots as the hourly run does, and downloads again: the
// bytes must not change. A new answer then makes the snapshot stale.
func TestBilanFromSnapshotIsTheSame(t *testing.T) {
	t.Parallel() // with the other heavy tests, after the sequential ones
	env := newEnv(t)
	prev := env.MustCreateEvent(strings.Replace(necDay, `"edition": 3`, `"edition": 2`, 1))
	ce := env.MustCreateEvent(necDay)
	env.putAnswers(prev.ID, "", 8, "Trop court")
	env.putAnswers(ce.ID, ce.Sessions[0].ID, 10, "La médiation numérique <script>alert(1)</script>")
	env.putAnswers(ce.ID, ce.Sessions[1].ID, 3, "=HYPERLINK(\"http://evil.example\")")
	env.putNote(ce.ID, ce.Sessions[1].ID, retours.NotePointFort, "<img src=x onerror=alert(1)> la médiation numérique")
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}

	targets := []string{"format=json", "format=json&lang=en", "format=md", "format=html", "format=html&lang=en", "format=xlsx", "format=csv", "format=csv&sep=semicolon"}
	first := map[string][]byte{}
	for _, q := range targets {
		rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?"+q, nil, auth...)
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
	webtest.MustJSON(t, first["format=json"], &b)
	if b.Comparison.Previous.ID != prev.ID {
		t.Errorf("comparison with %q, want the previous edition %q", b.Comparison.Previous.ID, prev.ID)
	}

	env.drain()
	r := &aggregate.Runner{Store: env.Store, Now: env.Clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if res, err := r.Run(t.Context()); err != nil || res.Snapshots != 4 {
		t.Fatalf("aggregate run = %+v, %v; want 2 events in 2 languages", res, err)
	}
	for _, q := range targets {
		rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?"+q, nil, auth...)
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
		rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=json", nil, auth...)
		webtest.MustJSON(t, rec.Body.Bytes(), &got)
		if rec.Header().Get("X-Retours-Bilan") != want.from || got.Answers != want.answers {
			t.Errorf("after a new answer: %s bilan of %d answers, want %s with %d", rec.Header().Get("X-Retours-Bilan"), got.Answers, want.from, want.answers)
		}
		env.drain()
	}
}
