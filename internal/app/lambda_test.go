package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/retours/retours/internal/app"
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
	h := app.HTTPOrSchedule(api, func(context.Context) (any, error) { runs++; return nil, nil })

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

func TestCheckDigest(t *testing.T) {
	base := map[string]string{"TABLE_NAME": "t", "DIGEST_SECRET": "0123456789abcdef0123456789abcdef", "PUBLIC_BASE_URL": "https://retours.example.org"}
	for _, tc := range []struct {
		name string
		set  map[string]string
		ok   bool
	}{
		{"digests off", map[string]string{}, true},
		{"digests on", map[string]string{"DIGEST_FROM": "retours <digest@example.org>"}, true},
		{"short secret", map[string]string{"DIGEST_SECRET": "short"}, false},
		{"bad sender", map[string]string{"DIGEST_FROM": "retours"}, false},
		{"no base URL", map[string]string{"DIGEST_FROM": "digest@example.org", "PUBLIC_BASE_URL": ""}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tc.set {
				env[k] = v
			}
			cfg, err := app.FromEnv(func(k string) string { return env[k] }, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.CheckDigest(); (err == nil) != tc.ok {
				t.Errorf("CheckDigest() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
