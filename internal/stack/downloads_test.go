package stack_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/app/gateway"
	"github.com/retours/retours/internal/bilan/xlsx"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/s3blob"
	"github.com/retours/retours/internal/s3local"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// downloadsBucket is the tests' bucket of large downloads.
const downloadsBucket = "retours-downloads"

// withDownloads starts a local S3 and sets it as the stack's downloads
// bucket.
func withDownloads(t testing.TB) func(*stack.Config) {
	t.Helper()
	srv, err := s3local.Start(context.Background(), s3local.Options{Buckets: []string{downloadsBucket}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return func(c *stack.Config) { c.Files = s3blob.New(s3blob.NewClient(srv.Config()), downloadsBucket) }
}

// seedAnswers stores n answers to the event's open sessions straight into
// st, one in three with a free text, and nNotes notes, then lets the
// stream's consumer count them.
func seedAnswers(t testing.TB, st *memstore.Store, e *retours.Event, now time.Time, n, nNotes int) (texts int) {
	t.Helper()
	ctx := t.Context()
	open := []string{""}
	for _, ss := range e.Sessions {
		if opens, _ := e.Window(ss.ID); !opens.After(now) {
			open = append(open, ss.ID)
		}
	}
	for i := range n {
		in := retours.AnswerInput{SubmissionID: fmt.Sprintf("%08x-%04x-4000-8000-%012x", i, i%65536, i), SessionID: open[i%len(open)], Lang: "fr",
			Raw: map[string][]string{"satisfaction": {fmt.Sprint(1 + i%5)}, "nps": {fmt.Sprint(i % 11)}, "profil": {[]string{"elu", "association", "agent"}[i%3]}}}
		if i%3 == 0 {
			in.Raw["commentaire"] = []string{fmt.Sprintf("Réponse n° %d : des ateliers « très » concrets, merci", i)}
			texts++
		}
		a, err := retours.NewAnswer(e, in, rand.Reader, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.PutAnswer(ctx, a, e.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range nNotes {
		note, err := retours.NewNote(e, retours.NoteInput{SubmissionID: fmt.Sprintf("%08x-%04x-4000-9000-%012x", i, i%65536, i),
			Kind: retours.NoteEtonnement, Text: fmt.Sprintf("Note n° %d", i), Lang: "fr"}, rand.Reader, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.PutNote(ctx, note, e.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	return texts + nNotes
}

// lambdaFunction invokes a function's handler as Lambda does: the event as
// JSON in, the response as the runtime writes it out, which must hold in
// web.MaxLambdaResponse.
type lambdaFunction struct {
	t      testing.TB
	handle func(context.Context, json.RawMessage) (any, error)
	header map[string]string
	cookie string
}

func (f lambdaFunction) invoke(method, target string) events.APIGatewayV2HTTPResponse {
	f.t.Helper()
	req := webtest.LambdaRequest(f.t, method, target, "", "")
	for k, v := range f.header {
		req.Headers[k] = v
	}
	if f.cookie != "" {
		req.Cookies = []string{f.cookie}
	}
	raw, err := json.Marshal(req)
	if err != nil {
		f.t.Fatal(err)
	}
	out, err := f.handle(f.t.Context(), raw)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, target, err)
	}
	resp := out.(events.APIGatewayV2HTTPResponse)
	var payload bytes.Buffer
	enc := json.NewEncoder(&payload)
	enc.SetEscapeHTML(false) // as aws-lambda-go's runtime encodes responses
	if err := enc.Encode(resp); err != nil {
		f.t.Fatal(err)
	}
	if payload.Len() > web.MaxLambdaResponse {
		f.t.Errorf("%s %s: a response of %d bytes, over Lambda's %d", method, target, payload.Len(), web.MaxLambdaResponse)
	}
	return resp
}

// body decodes a response's body as API Gateway does (base64), and as the
// client does (gzip).
func body(t testing.TB, resp events.APIGatewayV2HTTPResponse) []byte {
	t.Helper()
	b := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if b, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	if resp.Headers["Content-Encoding"] == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// download gets target through the function, waits for a file prepared
// outside the request, follows a redirect to the bucket, and returns the
// file with how it came: "inline", "bucket" or "prepared".
func (f lambdaFunction) download(target string) ([]byte, string) {
	f.t.Helper()
	how := "inline"
	resp := f.invoke("GET", target)
	for deadline := time.Now().Add(2 * time.Minute); resp.StatusCode == http.StatusAccepted; {
		how = "prepared"
		var status struct{ URL string }
		webtest.MustJSON(f.t, body(f.t, resp), &status)
		if time.Now().After(deadline) {
			f.t.Fatalf("%s: still being prepared", target)
		}
		time.Sleep(20 * time.Millisecond)
		resp = f.invoke("GET", status.URL)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return body(f.t, resp), how
	case http.StatusSeeOther:
		if how == "inline" {
			how = "bucket"
		}
		got, err := http.Get(resp.Headers["Location"])
		if err != nil {
			f.t.Fatal(err)
		}
		defer got.Body.Close()
		b, err := io.ReadAll(got.Body)
		if err != nil || got.StatusCode != http.StatusOK {
			f.t.Fatalf("%s: the bucket answered %d (%v)", target, got.StatusCode, err)
		}
		return b, how
	}
	f.t.Fatalf("GET %s = %d %.300s", target, resp.StatusCode, body(f.t, resp))
	return nil, ""
}

// TestDownloadsOfALargeEventThroughLambda downloads every format of an event
// of 100,000 answers from the organiser function as Lambda runs it (AWS's
// event in, the runtime's JSON out), and checks that each response holds in
// a Lambda response, base64 included, and that each file is whole. The
// answers are in memory: the database is not the point here.
func TestDownloadsOfALargeEventThroughLambda(t *testing.T) {
	t.Parallel() // with the other heavy tests, after the sequential ones
	const answers, notes = 100_000, 1_000
	st := memstore.New()
	env := newEnvWith(t, st, withDownloads(t))
	ce := env.MustCreateEvent(necDay)
	e, err := st.Event(t.Context(), ce.ID)
	if err != nil {
		t.Fatal(err)
	}
	texts := seedAnswers(t, st, e, env.Clock.Now(), answers, notes)
	fn := lambdaFunction{t: t, handle: gateway.HTTPOrSchedule(env.function(web.FuncOrganiser), func(context.Context) (any, error) {
		t.Fatal("an API request was taken for a schedule")
		return nil, nil
	}), header: map[string]string{"accept-encoding": "gzip, deflate, br"}, cookie: "retours_organiser=" + ce.OrganiserToken}
	base := "/api/events/" + ce.ID

	// The bilan's formats are compared with what Render makes of the same
	// answers, once per format for both runs; the raw ones are counted.
	var rendered sync.Map // download.Request → func() []byte
	render := func(req download.Request) []byte {
		once, _ := rendered.LoadOrStore(req, sync.OnceValue(func() []byte {
			f, err := download.Renderer{XLSX: xlsx.Write}.Render(context.Background(), st, e, req, env.Clock.Now())
			if err != nil {
				t.Error(err)
				return nil
			}
			return f.Body
		}))
		return once.(func() []byte)()
	}
	csvRows := func(b []byte, comma rune) int {
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
		r.Comma, r.ReuseRecord = comma, true
		n := 0
		for {
			if _, err := r.Read(); err == io.EOF {
				return n
			} else if err != nil {
				t.Fatalf("CSV row %d: %v", n, err)
			}
			n++
		}
	}
	tests := []struct {
		name, query string
		check       func(t *testing.T, b []byte)
	}{
		{"csv", "/bilan?format=csv", func(t *testing.T, b []byte) {
			if n := csvRows(b, ','); n != answers+1 {
				t.Errorf("%d rows, want a header and %d answers", n, answers)
			}
		}},
		{"csv for French Excel", "/bilan?format=csv&sep=semicolon", func(t *testing.T, b []byte) {
			if n := csvRows(b, ';'); n != answers+1 {
				t.Errorf("%d rows, want a header and %d answers", n, answers)
			}
		}},
		{"xlsx", "/bilan?format=xlsx&lang=en", func(t *testing.T, b []byte) {
			// The answers sheet's rows, counted in its XML: excelize would
			// take seconds to read 100,000 rows.
			z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			sheet, err := z.Open("xl/worksheets/sheet2.xml")
			if err != nil {
				t.Fatal(err)
			}
			xml, err := io.ReadAll(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(xml, []byte("<row ")); n != answers+1 || !bytes.HasSuffix(xml, []byte("</worksheet>")) {
				t.Errorf("answers sheet: %d rows, want a header and %d answers", n, answers)
			}
		}},
		{"export", "/export", func(t *testing.T, b []byte) {
			var doc struct {
				Format  string
				Answers []json.RawMessage
				Notes   []json.RawMessage
			}
			webtest.MustJSON(t, b, &doc)
			if doc.Format != download.ExportVersion || len(doc.Answers) != answers || len(doc.Notes) != notes {
				t.Errorf("export %q: %d answers, %d notes; want %d and %d", doc.Format, len(doc.Answers), len(doc.Notes), answers, notes)
			}
		}},
		{"json", "/bilan?format=json", func(t *testing.T, b []byte) {
			if !bytes.Equal(b, render(download.Request{Format: "json"})) {
				t.Errorf("the bilan's JSON differs from the event's: %.300s", b)
			}
		}},
		{"md", "/bilan?format=md&lang=en", func(t *testing.T, b []byte) {
			if !bytes.Equal(b, render(download.Request{Format: "md", Lang: "en"})) {
				t.Errorf("the Markdown bilan differs from the event's: %.300s", b)
			}
		}},
		{"html", "/bilan?format=html", func(t *testing.T, b []byte) {
			want := render(download.Request{Format: "html"})
			if !bytes.Equal(b, want) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("</html>")) {
				i := 0
				for i < min(len(b), len(want)) && b[i] == want[i] {
					i++
				}
				t.Errorf("the HTML bilan differs from the event's at byte %d of %d (%d): %q", i, len(b), len(want), b[max(0, i-100):min(len(b), i+100)])
			}
		}},
	}
	t.Run("without a snapshot", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				fn := fn
				fn.t = t
				b, how := fn.download(base + tc.query)
				if how != "prepared" {
					t.Errorf("came %s; a file of 100,000 answers is prepared outside the request", how)
				}
				tc.check(t, b)
			})
		}
	})
	t.Run("with a snapshot", func(t *testing.T) {
		runner := &aggregate.Runner{Store: st, Now: env.Clock.Now, Log: slog.New(slog.DiscardHandler)}
		if _, err := runner.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		fn := fn
		fn.t = t
		for _, tc := range tests[4:] {
			b, how := fn.download(base + tc.query)
			if how != "inline" {
				t.Errorf("%s came %s, want inline from the snapshot", tc.name, how)
			}
			tc.check(t, b)
		}
	})
	t.Run("texts, page after page", func(t *testing.T) {
		fn := fn
		fn.t = t
		seen := map[string]bool{}
		for cursor, pages := "", 0; ; pages++ {
			resp := fn.invoke("GET", base+"/texts?limit=500&cursor="+cursor)
			var page struct {
				Texts []struct{ Ref string }
				Next  string
			}
			webtest.MustJSON(t, body(t, resp), &page)
			for _, tx := range page.Texts {
				seen[tx.Ref] = true
			}
			if page.Next == "" {
				break
			}
			if pages > texts/500+10 {
				t.Fatalf("%d pages and more", pages)
			}
			cursor = page.Next
		}
		if len(seen) != texts {
			t.Errorf("%d texts listed, want %d", len(seen), texts)
		}
	})
	t.Run("a browser waits on a page", func(t *testing.T) {
		fn := fn
		fn.t = t
		fn.header = map[string]string{"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
		resp := fn.invoke("GET", base+"/bilan?format=csv")
		page := string(body(t, resp))
		u, _ := url.Parse(base)
		if resp.StatusCode != http.StatusAccepted || !strings.Contains(page, `<meta http-equiv="refresh" content="5;url=`+u.Path+`/downloads/`) {
			t.Errorf("= %d %.500s", resp.StatusCode, page)
		}
	})
}
