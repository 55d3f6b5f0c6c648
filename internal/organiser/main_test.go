package organiser_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/organiser"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// necDay is the tests' event, as the API takes it.
const necDay = webtest.NECDay

// testEnv is the organiser function's handler on an in-memory store: these
// tests are about what organisers and administrators send and get, not
// about the database (internal/stack tests the handlers on DynamoDB Local).
type testEnv struct {
	webtest.Client
	t     testing.TB
	Store *memstore.Store
	Clock *webtest.Clock
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	st := memstore.New()
	c := webtest.NewClock(webtest.T0.Add(3 * time.Hour))
	srv := organiser.New(organiser.Config{Events: st, Answers: st, AdminToken: webtest.AdminToken, BaseURL: webtest.BaseURL, Now: c.Now})
	h, err := web.NewHandler(web.Options{Logger: slog.New(slog.DiscardHandler), Now: c.Now}, srv.Service())
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{Client: webtest.Client{TB: t, Handler: h}, t: t, Store: st, Clock: c}
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
