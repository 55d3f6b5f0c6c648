package stack_test

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamostream"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/webtest"
)

// The tests here cross functions (an answer posted to the survey function
// read back from the organiser function's bilan), walk every route, or are
// about storage under load and failure: those run on DynamoDB Local
// (newEnv), the others in memory (newMemEnv).
func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	adminToken = webtest.AdminToken
	necDay     = webtest.NECDay
)

// t0 is the start of the test event: Tuesday 13 October 2026, 09:00 in Paris.
var t0 = webtest.T0

// testEnv is every function's routes on one store.
type testEnv struct {
	webtest.Client
	t      testing.TB
	Store  stack.Store
	Clock  *webtest.Clock
	cfg    stack.Config
	dynamo *dynamo.Store   // the store on DynamoDB Local, or nil
	memory *memstore.Store // the store in memory, or nil
	stream *dynamostream.Poller
}

// newEnv is every route on a fresh DynamoDB Local table.
func newEnv(t testing.TB) *testEnv {
	t.Helper()
	return newEnvWith(t, dynamotest.NewStore(t), recordCalls(t))
}

// recordCalls gives each function a client of its own on the table, which
// records its calls; dynamotest.Main holds them to its policy in
// template.yaml after the tests.
func recordCalls(t testing.TB) func(*stack.Config) {
	return func(c *stack.Config) {
		st := c.Store
		c.StoreOf = func(fn string) stack.Store { return dynamotest.ForFunction(t, st, fn) }
	}
}

// newMemEnv is every route on a fresh in-memory store.
func newMemEnv(t testing.TB) *testEnv {
	t.Helper()
	return newEnvWith(t, memstore.New(), nil)
}

// newEnvWith is every route on st; adjust, when set, changes the
// configuration before the handler is made.
func newEnvWith(t testing.TB, st stack.Store, adjust func(*stack.Config)) *testEnv {
	t.Helper()
	c := webtest.NewClock(t0.Add(3 * time.Hour))
	cfg := stack.Config{Store: st, AdminToken: adminToken, BaseURL: webtest.BaseURL, Now: c.Now, Logger: slog.New(slog.DiscardHandler),
		// Erasures wait a little for the participants' requests, not the
		// production's 20 seconds.
		EraseGrace: 100 * time.Millisecond}
	if adjust != nil {
		adjust(&cfg)
	}
	env := &testEnv{t: t, Store: st, Clock: c, cfg: cfg}
	env.dynamo, _ = st.(*dynamo.Store)
	env.memory, _ = st.(*memstore.Store)
	env.Client = webtest.Client{TB: t, Handler: env.function()}
	return env
}

// function returns the handler of the named functions, as each serves its
// routes on AWS; of every route when none is named.
func (e *testEnv) function(names ...string) http.Handler {
	e.t.Helper()
	h, err := stack.New(e.cfg, names...)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// erased waits until the erasure of event, started by its organisers, is
// over, and returns its progress as the organisers' API gives it.
func (e *testEnv) erased(event, token string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rec := e.Do("GET", "/api/events/"+event+"/erasure", nil, "Authorization", "Bearer "+token)
		var p map[string]any
		webtest.MustJSON(e.t, rec.Body.Bytes(), &p)
		if rec.Code != http.StatusOK {
			e.t.Fatalf("erasure progress = %d %v", rec.Code, p)
		}
		if p["state"] == "erased" {
			return p
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the erasure did not finish: %v", p)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// drain lets the consumer of the table's stream count every answer and
// note stored so far into their events' activity, as Lambda does on AWS a
// second or so after they are written.
func (e *testEnv) drain() {
	e.t.Helper()
	var err error
	if e.memory != nil {
		err = e.memory.Drain(e.t.Context())
	} else {
		if e.stream == nil {
			e.stream = dynamotest.NewPoller(e.t, e.dynamo, nil, nil)
		}
		err = e.stream.Drain(e.t.Context())
	}
	if err != nil {
		e.t.Fatal(err)
	}
}

// items returns the number of items the table holds.
func (e *testEnv) items() int {
	e.t.Helper()
	if e.memory != nil {
		return e.memory.Len()
	}
	return len(e.rawItems())
}

// countItems returns the number of answers and notes stored for event.
func (e *testEnv) countItems(event string) (answers, notes int) {
	e.t.Helper()
	return webtest.CountItems(e.t, e.Store, event)
}

// putAnswers stores n answers to the event's session (or the event when
// session is ""), with text, straight into the store.
func (e *testEnv) putAnswers(eventID, session string, n int, text string) []*retours.Answer {
	e.t.Helper()
	return webtest.PutAnswers(e.t, e.Store, e.Clock.Now(), eventID, session, n, text)
}

func (e *testEnv) putNote(eventID, session, kind, text string) *retours.Note {
	e.t.Helper()
	return webtest.PutNote(e.t, e.Store, e.Clock.Now(), eventID, session, kind, text)
}
