package stack_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/webtest"
)

// TestEraseOutlivesCachedEvents: a participant whose request uses a cached
// copy of an event being erased may store an answer after the first sweep;
// the erasure's last sweep removes it, so nothing survives the erasure.
func TestEraseOutlivesCachedEvents(t *testing.T) {
	st := dynamotest.NewStore(t)
	env := newEnvWith(t, st, func(c *stack.Config) {
		// The cache runs on the frozen test clock, so its copy stays valid; the
		// erasure really waits 2 s before its last sweep.
		c.SurveyEventTTL, c.SurveyTimeout = time.Second, time.Second
		c.EraseGrace = 2 * time.Second
	})
	ce := env.MustCreateEvent(necDay)
	if rec := env.Do("GET", "/e/"+ce.ID+"/"+ce.Sessions[0].ID, nil); rec.Code != http.StatusOK {
		t.Fatalf("form = %d", rec.Code)
	}

	if rec := env.Do("DELETE", "/api/events/"+ce.ID+"?confirm="+ce.ID, nil, "Authorization", "Bearer "+ce.OrganiserToken); rec.Code != http.StatusAccepted {
		t.Fatalf("erase = %d %s", rec.Code, rec.Body)
	}
	if _, err := st.Event(t.Context(), ce.ID); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Fatalf("the event reads as %v once its erasure started, want gone", err)
	}
	// The cached copy still accepts an answer, within the grace.
	rec := env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+webtest.UUID(t)+`","session":"`+ce.Sessions[0].ID+`","answers":{"satisfaction":4}}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("answer from the cached event = %d %s", rec.Code, rec.Body)
	}
	env.erased(ce.ID, ce.OrganiserToken)
	if a, n := env.countItems(ce.ID); a != 0 || n != 0 {
		t.Errorf("after the erasure: %d answers and %d notes left", a, n)
	}
	if rec := env.Do("GET", "/e/"+ce.ID+"/"+ce.Sessions[0].ID, nil); rec.Code != http.StatusOK {
		t.Logf("form after the erasure, from the cache for its remaining lifetime: %d", rec.Code)
	}
}
