// Package webtest helps test the HTTP handlers of every function: a
// settable clock, a client that sends a request to a handler and returns
// the recorded response, AWS's sample API Gateway event, and the event the
// tests share, as the API creates it and as a store holds it.
package webtest

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	_ "embed"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// AdminToken is the admin token of the tests' servers.
const AdminToken = "admin-token-for-tests-0123456789abcdef"

// BaseURL is the public URL of the tests' servers.
const BaseURL = "https://retours.example.org"

// T0 is the start of the test event: Tuesday 13 October 2026, 09:00 in Paris.
var T0 = time.Date(2026, 10, 13, 7, 0, 0, 0, time.UTC)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Set stops the clock at t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// Client sends requests to a handler, as a browser or an API client would.
type Client struct {
	TB      testing.TB
	Handler http.Handler
}

// Do sends a request and returns the response. header lists names and
// values.
func (c Client) Do(method, target string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	c.TB.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	c.Handler.ServeHTTP(rec, req)
	return rec
}

// PostJSON posts body as JSON.
func (c Client) PostJSON(target, body string, header ...string) *httptest.ResponseRecorder {
	c.TB.Helper()
	return c.Do("POST", target, strings.NewReader(body), append([]string{"Content-Type", "application/json"}, header...)...)
}

// PostForm posts form as a browser does.
func (c Client) PostForm(target string, form url.Values, header ...string) *httptest.ResponseRecorder {
	c.TB.Helper()
	return c.Do("POST", target, strings.NewReader(form.Encode()), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
}

// UUID returns a fresh submission id.
func UUID(tb testing.TB) string {
	tb.Helper()
	id, err := retours.NewSubmissionID(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// MustJSON decodes data into v.
func MustJSON(tb testing.TB, data []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("bad JSON %q: %v", data, err)
	}
}

// Gunzip returns data decompressed.
func Gunzip(tb testing.TB, data []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// CountItems returns the number of answers and notes stored for event.
func CountItems(tb testing.TB, st retours.AnswerStore, event string) (answers, notes int) {
	tb.Helper()
	ctx := tb.Context()
	if err := st.Answers(ctx, event, func(*retours.Answer) error { answers++; return nil }); err != nil {
		tb.Fatal(err)
	}
	if err := st.Notes(ctx, event, func(*retours.Note) error { notes++; return nil }); err != nil {
		tb.Fatal(err)
	}
	return answers, notes
}

//go:embed testdata/apigw-v2-request-no-authorizer.json
var sampleRequest []byte

// LambdaRequest returns AWS's own sample HTTP API (payload 2.0) event, sent
// to method and path, with a body of contentType when it is not "".
func LambdaRequest(tb testing.TB, method, path, contentType, body string) events.APIGatewayV2HTTPRequest {
	tb.Helper()
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(sampleRequest, &req); err != nil {
		tb.Fatal(err)
	}
	u, _ := url.Parse(path)
	req.RawPath, req.RawQueryString = u.Path, u.RawQuery
	req.RequestContext.HTTP.Method, req.RequestContext.HTTP.Path = method, u.Path
	req.RouteKey = method + " " + u.Path
	if contentType != "" {
		req.Headers["content-type"] = contentType
		req.Headers["content-length"] = ""
	}
	req.Body = body
	return req
}

// Env is a handler under test, the store behind it and its clock.
type Env struct {
	Client
	Store Store
	Clock *Clock
}

// NewEnv returns the handler of services on st, logging nothing, its
// middleware on clock c, as each function mounts them.
func NewEnv(tb testing.TB, st Store, c *Clock, services ...web.Service) *Env {
	tb.Helper()
	h, err := web.NewHandler(web.Options{Logger: slog.New(slog.DiscardHandler), Now: c.Now}, services...)
	if err != nil {
		tb.Fatal(err)
	}
	return &Env{Client: Client{TB: tb, Handler: h}, Store: st, Clock: c}
}

// PutAnswers stores n answers straight into the store (see PutAnswers),
// as of the clock's time.
func (e *Env) PutAnswers(eventID, session string, n int, text string) []*retours.Answer {
	e.TB.Helper()
	return PutAnswers(e.TB, e.Store, e.Clock.Now(), eventID, session, n, text)
}

// PutNote stores a note straight into the store, as of the clock's time.
func (e *Env) PutNote(eventID, session, kind, text string) *retours.Note {
	e.TB.Helper()
	return PutNote(e.TB, e.Store, e.Clock.Now(), eventID, session, kind, text)
}

// CountItems returns the number of answers and notes stored for event.
func (e *Env) CountItems(event string) (answers, notes int) {
	e.TB.Helper()
	return CountItems(e.TB, e.Store, event)
}

// Get fetches link and returns its response and whole body, failing t on
// any error.
func Get(t testing.TB, link string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}
