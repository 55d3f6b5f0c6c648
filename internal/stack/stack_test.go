package stack_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// TestEveryRouteIsServed sends a request to each route of web.Routes, on
// the stack and on its function alone, and reads in the request log that a
// handler of that route answered it, not the page of an unknown address.
func TestEveryRouteIsServed(t *testing.T) {
	var logs bytes.Buffer // requests are served one at a time
	cfg := stack.Config{Store: memstore.New(), AdminToken: adminToken, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	all, err := stack.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range web.Routes {
		alone, err := stack.New(cfg, r.Function)
		if err != nil {
			t.Fatal(err)
		}
		path := wildcardPattern.ReplaceAllString(r.Path, "zzzzzzzz")
		for name, h := range map[string]webtest.Client{"stack": {TB: t, Handler: all}, r.Function: {TB: t, Handler: alone}} {
			logs.Reset()
			h.Do(r.Method, path, strings.NewReader("{}"), "Content-Type", "application/json")
			if want := `"route":"` + r.Pattern() + `"`; !strings.Contains(logs.String(), want) {
				t.Errorf("%s on %s: no handler answered; log:\n%s", r.Pattern(), name, logs.String())
			}
		}
	}
	if _, err := stack.New(cfg, "nothing"); err == nil {
		t.Error("a function that does not exist was mounted")
	}
}
