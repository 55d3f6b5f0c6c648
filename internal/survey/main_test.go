package survey_test

import (
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
type testEnv struct{ *webtest.Env }

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	st, c := memstore.New(), webtest.NewClock(webtest.T0.Add(3*time.Hour))
	srv := survey.New(survey.Config{Events: st, Answers: st, Deps: web.Deps{Now: c.Now}})
	return &testEnv{webtest.NewEnv(t, st, c, srv.Service())}
}

// createEvent stores the tests' Numérique En Commun[s] day, changed by
// adjust when set.
func (e *testEnv) createEvent(adjust ...func(*retours.EventInput)) *retours.Event {
	e.TB.Helper()
	in := webtest.NECDayInput()
	for _, f := range adjust {
		f(&in)
	}
	ev, _ := webtest.CreateEvent(e.TB, e.Store, in)
	return ev
}
