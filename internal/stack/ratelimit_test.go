package stack_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/ratelimit"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// instances are several instances of the functions on one table, each
// with its own client, behind the adapter of the HTTP API: what one counts,
// the others see.
type instances struct {
	t     *testing.T
	env   *testEnv
	procs []*httpadapter.HandlerAdapterV2
}

func newInstances(t *testing.T, n int) *instances {
	t.Helper()
	env := newEnvWith(t, dynamotest.NewStore(t), func(c *stack.Config) { c.Limits = true })
	in := &instances{t: t, env: env}
	for range n {
		cfg := env.cfg
		// Each instance has its own DynamoDB client: only the table is
		// shared.
		cfg.StoreOf = func(fn string) stack.Store {
			return dynamotest.ForFunction(t, dynamo.New(dynamotest.Client(t), env.dynamo.Table()), fn)
		}
		h, err := stack.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		in.procs = append(in.procs, httpadapter.NewV2(h))
	}
	return in
}

// send sends a request from the client at sourceIP to instance i.
func (in *instances) send(i int, sourceIP, method, path, ctype, body string, header ...string) events.APIGatewayV2HTTPResponse {
	in.t.Helper()
	req := webtest.LambdaRequest(in.t, method, path, ctype, body)
	req.RequestContext.HTTP.SourceIP = sourceIP
	for j := 0; j+1 < len(header); j += 2 {
		req.Headers[strings.ToLower(header[j])] = header[j+1]
	}
	resp, err := in.procs[i%len(in.procs)].ProxyWithContext(context.Background(), req)
	if err != nil {
		in.t.Fatal(err)
	}
	if resp.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(resp.Body)
		resp.Body = string(b)
	}
	return resp
}

// TestClientLimits: each limited route refuses a client past its limit,
// counted across instances, with 429 and Retry-After; another client, and
// the same client on another event, are not affected; X-Forwarded-For does
// not make a new client; participants are never limited.
func TestClientLimits(t *testing.T) {
	in := newInstances(t, 2)
	ce := in.env.MustCreateEvent(necDay)
	other := in.env.MustCreateEvent(necDay)
	const ip, ip2 = "203.0.113.9", "198.51.100.4"
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	admin := bearer(adminToken)
	const form = "application/x-www-form-urlencoded"

	// refusedAfter sends n+1 requests alternating between the instances,
	// and wants the first n to be let through, the last refused.
	refusedAfter := func(t *testing.T, n int, send func(i int) events.APIGatewayV2HTTPResponse) events.APIGatewayV2HTTPResponse {
		t.Helper()
		for i := range n {
			if resp := send(i); resp.StatusCode == http.StatusTooManyRequests {
				t.Fatalf("request %d of %d refused: %s", i+1, n, resp.Body)
			}
		}
		resp := send(n)
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("request %d = %d %q, want 429", n+1, resp.StatusCode, resp.Body)
		}
		if s, err := strconv.Atoi(resp.Headers["Retry-After"]); err != nil || s < 1 || s > 3600 {
			t.Errorf("Retry-After = %q, want seconds until the window ends", resp.Headers["Retry-After"])
		}
		return resp
	}
	wantJSON := func(t *testing.T, resp events.APIGatewayV2HTTPResponse) {
		t.Helper()
		var body struct {
			Error, Code string
			Fields      map[string]string
		}
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Code != "too_many" || !strings.Contains(body.Error, "Trop de demandes") || body.Fields["retry_after"] != resp.Headers["Retry-After"] {
			t.Errorf("429 body = %q, want JSON saying when to try again", resp.Body)
		}
	}

	t.Run("wrong tokens on the login form", func(t *testing.T) {
		rule := ratelimit.Rules[web.LimitLogin]
		wrong := url.Values{"token": {"rto_pas-le-bon-jeton"}}.Encode()
		resp := refusedAfter(t, rule.N, func(i int) events.APIGatewayV2HTTPResponse {
			// A client changing its X-Forwarded-For is the same client.
			return in.send(i, ip, "POST", "/o/"+ce.ID+"/login", form, wrong, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i))
		})
		if !strings.HasPrefix(resp.Headers["Content-Type"], "text/html") || !strings.Contains(resp.Body, "Trop de demandes") {
			t.Errorf("refused login is not a page saying why: %q", resp.Body)
		}
		right := url.Values{"token": {ce.OrganiserToken}}.Encode()
		if resp := in.send(1, ip, "POST", "/o/"+ce.ID+"/login", form, right); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("the right token after too many wrong ones = %d, want 429 until the window ends", resp.StatusCode)
		}
		if resp := in.send(0, ip2, "POST", "/o/"+ce.ID+"/login", form, right); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("another client's login = %d, want 303", resp.StatusCode)
		}
		if resp := in.send(0, ip, "POST", "/o/"+other.ID+"/login", form, wrong); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the same client on another event = %d, want 403", resp.StatusCode)
		}
		// Wrong bearer tokens on the API count against the same limit.
		if resp := in.send(1, ip, "GET", "/api/events/"+ce.ID+"/bilan?format=json", "", "", bearer("rto_faux")...); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("a wrong bearer token past the limit = %d, want 429", resp.StatusCode)
		}
	})
	t.Run("wrong admin tokens", func(t *testing.T) {
		const ip3, ip4 = "192.0.2.77", "192.0.2.78"
		wrong := url.Values{"token": {"adm_pas-le-bon-jeton"}}.Encode()
		// The admin space's login form and the admin API count together.
		refusedAfter(t, ratelimit.Rules[web.LimitLogin].N, func(i int) events.APIGatewayV2HTTPResponse {
			if i%2 == 0 {
				return in.send(i, ip3, "POST", "/admin/login", form, wrong)
			}
			return in.send(i, ip3, "GET", "/api/events", "", "", bearer("adm_faux")...)
		})
		right := url.Values{"token": {adminToken}}.Encode()
		if resp := in.send(0, ip3, "POST", "/admin/login", form, right); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("the right admin token after too many wrong ones = %d, want 429 until the window ends", resp.StatusCode)
		}
		if resp := in.send(1, ip3, "GET", "/api/events", "", "", admin...); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("the admin API after too many wrong tokens = %d, want 429", resp.StatusCode)
		}
		if resp := in.send(0, ip4, "POST", "/admin/login", form, right); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("another client's admin login = %d, want 303", resp.StatusCode)
		}
	})
	t.Run("token rotation and new accesses", func(t *testing.T) {
		auth := bearer(other.OrganiserToken)
		resp := refusedAfter(t, ratelimit.Rules[web.LimitToken].N, func(i int) events.APIGatewayV2HTTPResponse {
			if i%2 == 0 {
				resp := in.send(i, ip, "POST", "/api/events/"+other.ID+"/token", "", "", auth...)
				var body struct {
					Token string `json:"organiser_token"`
				}
				if json.Unmarshal([]byte(resp.Body), &body) == nil && body.Token != "" {
					auth = bearer(body.Token)
				}
				return resp
			}
			return in.send(i, ip, "POST", "/api/events/"+other.ID+"/accesses", "application/json", `{"name":"Camille"}`, auth...)
		})
		wantJSON(t, resp)
	})
	t.Run("bilan, export and texts downloads", func(t *testing.T) {
		auth := bearer(ce.OrganiserToken)
		paths := []string{"/bilan?format=json", "/export", "/texts"}
		resp := refusedAfter(t, ratelimit.Rules[web.LimitDownload].N, func(i int) events.APIGatewayV2HTTPResponse {
			return in.send(i, ip2, "GET", "/api/events/"+ce.ID+paths[i%len(paths)], "", "", auth...)
		})
		wantJSON(t, resp)
		// Refused before any work: an event that does not exist is not
		// even looked for.
		if resp := in.send(0, ip2, "GET", "/api/events/zzzzzzzz/bilan", "", "", auth...); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another event = %d, want 404: the limit is per event", resp.StatusCode)
		}
	})
	t.Run("event creation", func(t *testing.T) {
		refusedAfter(t, ratelimit.Rules[web.LimitCreate].N, func(i int) events.APIGatewayV2HTTPResponse {
			return in.send(i, "192.0.2.50", "POST", "/api/events", "application/json", "{}", admin...)
		})
	})
	t.Run("erasure", func(t *testing.T) {
		refusedAfter(t, ratelimit.Rules[web.LimitErase].N, func(i int) events.APIGatewayV2HTTPResponse {
			// Without the event's id confirmed, each is answered 400 and
			// erases nothing; the API and the page's form count together.
			if i%2 == 1 {
				return in.send(i, "192.0.2.51", "POST", "/o/"+ce.ID+"/erase", form, "confirm=non", "Cookie", "retours_organiser="+ce.OrganiserToken)
			}
			return in.send(i, "192.0.2.51", "DELETE", "/api/events/"+ce.ID, "", "", bearer(ce.OrganiserToken)...)
		})
	})
	t.Run("digest run and unsubscribe links", func(t *testing.T) {
		refusedAfter(t, ratelimit.Rules[web.LimitDigest].N, func(i int) events.APIGatewayV2HTTPResponse {
			return in.send(i, "192.0.2.52", "POST", "/api/digests/run", "", "", admin...)
		})
		refusedAfter(t, ratelimit.Rules[web.LimitUnsubscribe].N, func(i int) events.APIGatewayV2HTTPResponse {
			return in.send(i, "192.0.2.53", "GET", "/unsubscribe/zzzz.zzzz.zzzz", "", "")
		})
	})
	t.Run("participants are never limited", func(t *testing.T) {
		for i := range 60 {
			sub := url.Values{"submission_id": {webtest.UUID(t)}, "session": {ce.Sessions[0].ID}, "q_satisfaction": {"4"}}.Encode()
			if resp := in.send(i, ip, "POST", "/e/"+ce.ID+"/answers", form, sub); resp.StatusCode != http.StatusOK {
				t.Fatalf("answer %d = %d, want 200, the thank-you page", i+1, resp.StatusCode)
			}
		}
	})
}

// TestRouteLimitsNameRoutes: every limited route is a route of the
// organisers or the digest, never the participants', and every class has
// its rule.
func TestRouteLimitsNameRoutes(t *testing.T) {
	routes := map[string]web.Route{}
	for _, r := range web.Routes {
		routes[r.Pattern()] = r
	}
	for pattern, class := range web.RouteLimits {
		r, ok := routes[pattern]
		switch {
		case !ok:
			t.Errorf("RouteLimits names %q, which is not a route", pattern)
		case r.Function == web.FuncSurvey:
			t.Errorf("RouteLimits limits the participants' route %q", pattern)
		}
		if _, ok := ratelimit.Rules[class]; !ok {
			t.Errorf("class %q of %q has no rule", class, pattern)
		}
	}
}
