package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/retours/retours/internal/app/gateway"
	"github.com/retours/retours/internal/webtest"
)

// TestHTTPOrScheduleDispatches checks that a function invoked both ways,
// as the digest function is, tells API Gateway's requests from the
// schedule's event.
func TestHTTPOrScheduleDispatches(t *testing.T) {
	var served string
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served = r.Method + " " + r.URL.Path
		w.WriteHeader(http.StatusTeapot)
	})
	runs := 0
	h := gateway.HTTPOrSchedule(api, func(context.Context) (any, error) { runs++; return nil, nil })

	raw, _ := json.Marshal(webtest.LambdaRequest(t, "POST", "/api/digests/run", "", ""))
	out, err := h(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if resp, ok := out.(events.APIGatewayV2HTTPResponse); !ok || resp.StatusCode != http.StatusTeapot || served != "POST /api/digests/run" || runs != 0 {
		t.Errorf("API request: served %q, answered %+v, %d scheduled runs", served, out, runs)
	}

	served = ""
	for i, payload := range []string{`{"source":"retours.digest.schedule"}`, `{}`} {
		out, err := h(t.Context(), json.RawMessage(payload))
		if err != nil || out != nil || served != "" || runs != i+1 {
			t.Errorf("schedule event %s: %v, %v, served %q, %d scheduled runs; want a scheduled run", payload, out, err, served, runs)
		}
	}
}
