package httpapi_test

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamostream"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/httpapi"
	"github.com/retours/retours/internal/retours"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const adminToken = "admin-token-for-tests-0123456789abcdef"

// t0 is the start of the test event: Tuesday 13 October 2026, 09:00 in Paris.
var t0 = time.Date(2026, 10, 13, 7, 0, 0, 0, time.UTC)

// clock is a settable clock shared by a test server.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// testEnv is a server on a fresh DynamoDB Local table.
type testEnv struct {
	t       testing.TB
	Store   *dynamo.Store
	Server  *httpapi.Server
	Handler http.Handler
	Clock   *clock
	stream  *dynamostream.Poller
}

// drain lets the consumer of the table's stream count every answer and
// note stored so far into their events' activity, as Lambda does on AWS a
// second or so after they are written.
func (e *testEnv) drain() {
	e.t.Helper()
	if e.stream == nil {
		e.stream = dynamotest.NewPoller(e.t, e.Store, nil, nil)
	}
	if err := e.stream.Drain(e.t.Context()); err != nil {
		e.t.Fatal(err)
	}
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	return newEnvWith(t, dynamotest.NewStore(t), nil)
}

// newEnvWith is newEnv on the given store; adjust, when set, changes the
// server's configuration before it starts.
func newEnvWith(t testing.TB, st *dynamo.Store, adjust func(*httpapi.Config)) *testEnv {
	t.Helper()
	c := &clock{now: t0.Add(3 * time.Hour)}
	cfg := httpapi.Config{
		Events: st, Answers: st, AdminToken: adminToken,
		BaseURL: "https://retours.example.org", Now: c.Now,
	}
	if adjust != nil {
		adjust(&cfg)
	}
	srv := httpapi.New(cfg)
	return &testEnv{t: t, Store: st, Server: srv, Handler: srv.Handler(""), Clock: c}
}

// do sends a request through the full router and returns the response.
func (e *testEnv) do(method, target string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, req)
	return rec
}

func (e *testEnv) postJSON(target, body string, header ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do("POST", target, strings.NewReader(body), append([]string{"Content-Type", "application/json"}, header...)...)
}

func (e *testEnv) postForm(target string, form url.Values, header ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do("POST", target, strings.NewReader(form.Encode()), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
}

// createdEvent is the API's answer to POST /api/events.
type createdEvent struct {
	ID             string `json:"id"`
	OrganiserToken string `json:"organiser_token"`
	SurveyURL      string `json:"survey_url"`
	Sessions       []struct {
		ID        string `json:"id"`
		Title     string `json:"title"`
		Kind      string `json:"kind"`
		SurveyURL string `json:"survey_url"`
	} `json:"sessions"`
}

// necDay is a Numérique En Commun[s]-style day: a plénière, three ateliers
// and a table ronde.
var necDay = `{
  "title": "Numérique En Commun[s] Auvergne",
  "place": "Clermont-Ferrand",
  "starts_at": "2026-10-13T09:00:00+02:00",
  "ends_at": "2026-10-13T17:30:00+02:00",
  "series": "nec-auvergne", "edition": 3, "registered_count": 165,
  "organiser_emails": ["orga@example.org"],
  "sessions": [
    {"title": "Plénière d'ouverture", "kind": "pleniere", "starts_at": "2026-10-13T09:30:00+02:00"},
    {"title": "Atelier inclusion", "kind": "atelier", "starts_at": "2026-10-13T11:00:00+02:00"},
    {"title": "Atelier données", "kind": "atelier", "starts_at": "2026-10-13T11:00:00+02:00"},
    {"title": "Atelier tiers-lieux", "kind": "atelier", "starts_at": "2026-10-13T14:00:00+02:00"},
    {"title": "Table ronde ruralité", "kind": "table-ronde", "starts_at": "2026-10-13T16:00:00+02:00"}
  ]
}`

// mustCreateEvent creates an event through the API.
func (e *testEnv) mustCreateEvent(body string) *createdEvent {
	e.t.Helper()
	rec := e.postJSON("/api/events", body, "Authorization", "Bearer "+adminToken)
	if rec.Code != http.StatusCreated {
		e.t.Fatalf("POST /api/events = %d %s", rec.Code, rec.Body)
	}
	var ce createdEvent
	mustJSON(e.t, rec.Body.Bytes(), &ce)
	return &ce
}

func mustJSON(t testing.TB, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("bad JSON %q: %v", data, err)
	}
}

// countItems returns the number of answers and notes stored for event.
func (e *testEnv) countItems(event string) (answers, notes int) {
	e.t.Helper()
	ctx := e.t.Context()
	if err := e.Store.Answers(ctx, event, func(*retours.Answer) error { answers++; return nil }); err != nil {
		e.t.Fatal(err)
	}
	if err := e.Store.Notes(ctx, event, func(*retours.Note) error { notes++; return nil }); err != nil {
		e.t.Fatal(err)
	}
	return answers, notes
}

func uuid(t testing.TB) string {
	t.Helper()
	id, err := retours.NewSubmissionID(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
