package survey_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/survey"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// testEnv is the survey function's handler on an in-memory store: these
// tests are about the pages and the handling of what participants send,
// not about the database (internal/stack tests the handlers on DynamoDB
// Local).
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
	srv := survey.New(survey.Config{Events: st, Answers: st, Now: c.Now})
	h, err := web.NewHandler(web.Options{Logger: slog.New(slog.DiscardHandler), Now: c.Now}, srv.Service())
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{Client: webtest.Client{TB: t, Handler: h}, t: t, Store: st, Clock: c}
}

// createEvent stores the tests' Numérique En Commun[s] day, changed by
// adjust when set.
func (e *testEnv) createEvent(adjust ...func(*retours.EventInput)) *retours.Event {
	e.t.Helper()
	in := webtest.NECDayInput()
	for _, f := range adjust {
		f(&in)
	}
	ev, _ := webtest.CreateEvent(e.t, e.Store, in)
	return ev
}

func (e *testEnv) countItems(event string) (answers, notes int) {
	e.t.Helper()
	return webtest.CountItems(e.t, e.Store, event)
}
