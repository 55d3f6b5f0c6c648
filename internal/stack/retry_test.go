package stack_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamolocal"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// fault is what the faultProxy does with one DynamoDB request.
type fault int

const (
	pass         fault = iota // forward to DynamoDB Local
	throughput                // 400 ProvisionedThroughputExceededException
	throttling                // 400 ThrottlingException
	serverError               // 500 InternalServerError
	lostResponse              // forward, then answer 500: the write happened, its response was lost
	dropped                   // forward, then close the connection without answering
	hang                      // answer nothing until the client gives up
)

func (f fault) String() string {
	return [...]string{"pass", "throughput", "throttling", "serverError", "lostResponse", "dropped", "hang"}[f]
}

// faultProxy stands between a store and DynamoDB Local and fails requests as
// the test says, the way DynamoDB fails them: same status, x-amzn-ErrorType
// header and JSON body.
type faultProxy struct {
	target  string
	srv     *httptest.Server
	closing chan struct{} // closed when the test ends

	mu     sync.Mutex
	queue  map[string][]fault // operation → faults for its next requests
	always map[string]fault   // operation → fault for every request
	calls  map[string]int     // operation → requests received
}

func newFaultProxy(t testing.TB) *faultProxy {
	t.Helper()
	p := &faultProxy{target: dynamotest.Endpoint(t), queue: map[string][]fault{}, always: map[string]fault{}, calls: map[string]int{}}
	p.srv = httptest.NewServer(p)
	p.closing = make(chan struct{})
	t.Cleanup(p.srv.Close)
	t.Cleanup(func() { close(p.closing) }) // runs first: ends hanging requests

	return p
}

// next queues faults for the next requests of op (PutItem, GetItem…).
func (p *faultProxy) next(op string, fs ...fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue[op] = append(p.queue[op], fs...)
}

// set makes every request of op meet f; pass heals it.
func (p *faultProxy) set(op string, f fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.always[op] = f
}

// reset heals every operation and zeroes the counts.
func (p *faultProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue, p.always, p.calls = map[string][]fault{}, map[string]fault{}, map[string]int{}
}

func (p *faultProxy) count(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[op]
}

func (p *faultProxy) take(op string) fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[op]++
	if q := p.queue[op]; len(q) > 0 {
		p.queue[op] = q[1:]
		return q[0]
	}
	return p.always[op]
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	f := p.take(op)
	switch f {
	case throughput:
		awsError(w, http.StatusBadRequest, "ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded.")
		return
	case throttling:
		awsError(w, http.StatusBadRequest, "ThrottlingException", "Rate of requests exceeds the allowed throughput.")
		return
	case serverError:
		awsError(w, http.StatusInternalServerError, "InternalServerError", "Internal server error")
		return
	case hang:
		// Read the request first: only then does the server notice the
		// client hanging up.
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-p.closing:
		}
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	switch f {
	case lostResponse:
		awsError(w, http.StatusInternalServerError, "InternalServerError", "Internal server error")
		return
	case dropped:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(out)
}

func awsError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":%q}`, code, message)
}

// faultEnv is a test server whose store reaches DynamoDB Local through a
// faultProxy, with the production retry policy but millisecond delays, and
// attempts cut after a second.
// Direct reads the same table without the proxy.
type faultEnv struct {
	*testEnv
	Proxy  *faultProxy
	Direct *dynamo.Store
}

func newFaultEnv(t *testing.T, adjust ...func(*stack.Config)) *faultEnv {
	t.Helper()
	p := newFaultProxy(t)
	direct := dynamotest.Client(t)
	table := dynamotest.NewTable(t, direct)
	client := dynamodb.New(dynamolocal.Client(p.srv.URL).Options(), func(o *dynamodb.Options) {
		o.Retryer = retry.AddWithMaxBackoffDelay(dynamo.NewRetryer(), time.Millisecond)
		o.HTTPClient = awshttp.NewBuildableClient().WithTimeout(time.Second)
	})
	env := newEnvWith(t, dynamo.New(client, table), func(c *stack.Config) {
		for _, f := range adjust {
			f(c)
		}
	})
	return &faultEnv{testEnv: env, Proxy: p, Direct: dynamo.New(direct, table)}
}

// storedAnswers reads the event's answers straight from DynamoDB Local.
func (e *faultEnv) storedAnswers(event string) map[string]*retours.Answer {
	e.t.Helper()
	out := map[string]*retours.Answer{}
	if err := e.Direct.Answers(e.t.Context(), event, func(a *retours.Answer) error { out[a.SubmissionID] = a; return nil }); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestRetriesRideOutTransientErrors: throttling and 5xx answers from
// DynamoDB are retried by the SDK; the participant sees a success and exactly
// one answer is stored, with the id they were given, even when a write landed
// but its response was lost.
func TestRetriesRideOutTransientErrors(t *testing.T) {
	env := newFaultEnv(t)
	ce := env.MustCreateEvent(necDay)
	for _, tc := range []struct {
		name   string
		op     string
		faults []fault
	}{
		{"write throttled twice", "PutItem", []fault{throughput, throughput}},
		{"write throttled, then a 500", "PutItem", []fault{throttling, serverError}},
		{"write throttled four times", "PutItem", []fault{throughput, throttling, throughput, throttling}},
		{"event read throttled", "GetItem", []fault{throughput, serverError}},
		{"write landed, response lost", "PutItem", []fault{lostResponse}},
		{"write landed, connection dropped", "PutItem", []fault{dropped}},
		{"write landed, response lost, then throttled", "PutItem", []fault{lostResponse, throughput}},
		{"write stuck on a connection", "PutItem", []fault{hang}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env.Proxy.reset()
			env.Proxy.next(tc.op, tc.faults...)
			sub := webtest.UUID(t)
			rec := env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+sub+`","answers":{"satisfaction":4,"commentaire":"ok"}}`)
			if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want success: %s", rec.Code, rec.Body)
			}
			var got struct{ ID string }
			webtest.MustJSON(t, rec.Body.Bytes(), &got)
			stored := env.storedAnswers(ce.ID)[sub]
			if stored == nil || stored.ID != got.ID {
				t.Errorf("answered id %q, stored %+v: want the stored answer's id", got.ID, stored)
			}
			if n, want := env.Proxy.count(tc.op), len(tc.faults)+1; tc.op == "PutItem" && n != want {
				t.Errorf("%s sent %d times, want %d", tc.op, n, want)
			}
		})
	}
	// And a form, throttled: the participant lands on the thanks page.
	env.Proxy.reset()
	env.Proxy.next("PutItem", throughput, serverError)
	rec := env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {webtest.UUID(t)}, "q_satisfaction": {"5"}})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Votre réponse est bien enregistrée") {
		t.Errorf("throttled form = %d, want 200 and the thank-you page: %s", rec.Code, rec.Body)
	}
	if got, want := len(env.storedAnswers(ce.ID)), 9; got != want {
		t.Errorf("stored %d answers, want %d: one per submission", got, want)
	}
}

// TestRetriesExhausted: when DynamoDB keeps failing, the participant is told
// to try again (the form comes back with their answers and the same
// submission id; JSON clients get 503 with Retry-After), and trying again
// once it recovers stores one answer.
func TestRetriesExhausted(t *testing.T) {
	env := newFaultEnv(t)
	ce := env.MustCreateEvent(necDay)
	atelier := ce.Sessions[1].ID

	t.Run("form", func(t *testing.T) {
		env.Proxy.reset()
		env.Proxy.set("PutItem", throughput)
		sub := webtest.UUID(t)
		form := url.Values{"submission_id": {sub}, "session": {atelier}, "lang": {"fr"},
			"q_satisfaction": {"4"}, "q_nps": {"9"}, "q_commentaire": {"Des échanges utiles"}}
		rec := env.PostForm("/e/"+ce.ID+"/answers", form)
		body := rec.Body.String()
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("status = %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
		}
		for _, want := range []string{"réessayez dans un instant", `name="submission_id" value="` + sub + `"`,
			`name="q_satisfaction" value="4" checked`, `name="q_nps" value="9" checked`, "Des échanges utiles", "<form"} {
			if !strings.Contains(body, want) {
				t.Errorf("try-again page lacks %q", want)
			}
		}
		if n := env.Proxy.count("PutItem"); n != dynamo.RetryMaxAttempts {
			t.Errorf("PutItem sent %d times, want %d", n, dynamo.RetryMaxAttempts)
		}
		if got := env.storedAnswers(ce.ID)[sub]; got != nil {
			t.Errorf("stored %+v after a failed write", got)
		}
		env.Proxy.set("PutItem", pass)
		if rec := env.PostForm("/e/"+ce.ID+"/answers", form); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Votre réponse est bien enregistrée") {
			t.Errorf("sent again = %d, want 200 and the thank-you page", rec.Code)
		}
		if got := env.storedAnswers(ce.ID)[sub]; got == nil || got.Values["commentaire"].Text != "Des échanges utiles" {
			t.Errorf("stored %+v, want the answer", got)
		}
	})

	t.Run("JSON", func(t *testing.T) {
		env.Proxy.reset()
		env.Proxy.set("PutItem", serverError)
		sub := webtest.UUID(t)
		answer := `{"submission_id":"` + sub + `","answers":{"satisfaction":2}}`
		rec := env.PostJSON("/e/"+ce.ID+"/answers", answer)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"code":"unavailable"`) {
			t.Fatalf("status = %d, Retry-After %q, body %s; want 503 unavailable with Retry-After", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
		if strings.Contains(rec.Body.String(), "InternalServerError") {
			t.Errorf("503 body shows DynamoDB's error: %s", rec.Body)
		}
		env.Proxy.set("PutItem", pass)
		if rec := env.PostJSON("/e/"+ce.ID+"/answers", answer); rec.Code != http.StatusCreated {
			t.Errorf("sent again = %d, want 201: %s", rec.Code, rec.Body)
		}
	})

	t.Run("note form", func(t *testing.T) {
		env.Proxy.reset()
		env.Proxy.set("PutItem", throttling)
		sub := webtest.UUID(t)
		rec := env.PostForm("/e/"+ce.ID+"/notes", url.Values{"submission_id": {sub}, "kind": {"etonnement"}, "text": {"Le monde !"}})
		body := rec.Body.String()
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
			!strings.Contains(body, `value="`+sub+`"`) || !strings.Contains(body, "Le monde !") {
			t.Errorf("note = %d, Retry-After %q: want 503 with the note kept:\n%s", rec.Code, rec.Header().Get("Retry-After"), body)
		}
		if !strings.Contains(body, "réessayez dans un instant") {
			t.Errorf("note page does not say to try again:\n%s", body)
		}
	})

	// A Lambda that times out after its write but before answering looks,
	// to the participant, like a failure: they send again with the same
	// submission id and get the answer that was stored, not a second one.
	t.Run("write landed, every response lost", func(t *testing.T) {
		env.Proxy.reset()
		env.Proxy.set("PutItem", lostResponse)
		sub := webtest.UUID(t)
		answer := `{"submission_id":"` + sub + `","answers":{"satisfaction":5}}`
		if rec := env.PostJSON("/e/"+ce.ID+"/answers", answer); rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("status = %d, want 503: %s", rec.Code, rec.Body)
		}
		stored := env.storedAnswers(ce.ID)[sub]
		if stored == nil {
			t.Fatal("the write did not land")
		}
		env.Proxy.set("PutItem", pass)
		rec := env.PostJSON("/e/"+ce.ID+"/answers", answer)
		var got struct {
			ID      string
			Created bool
		}
		webtest.MustJSON(t, rec.Body.Bytes(), &got)
		if rec.Code != http.StatusOK || got.ID != stored.ID || got.Created {
			t.Errorf("sent again = %d %+v, want 200 with the stored id %s", rec.Code, got, stored.ID)
		}
		if n := len(env.storedAnswers(ce.ID)); n != 3 {
			t.Errorf("stored %d answers, want 3", n)
		}
	})
}

// TestDeadlineLeavesTimeToAnswer: when DynamoDB does not answer at all, the
// participant still gets the "try again" page before the invocation's
// deadline, instead of the gateway's timeout. The deadline and the margin
// kept before it are shorter than on AWS (web.DefaultReplyMargin), so that
// the test waits less than a second for each.
func TestDeadlineLeavesTimeToAnswer(t *testing.T) {
	const wait, margin = 1200 * time.Millisecond, 400 * time.Millisecond
	env := newFaultEnv(t, func(c *stack.Config) { c.ReplyMargin = margin })
	ce := env.MustCreateEvent(necDay)
	env.Proxy.set("PutItem", hang)
	sub := webtest.UUID(t)
	form := url.Values{"submission_id": {sub}, "q_satisfaction": {"4"}, "q_commentaire": {"Patience"}}
	start := time.Now()
	deadline := start.Add(wait)
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, "POST", "/e/"+ce.ID+"/answers", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, req)
	if done := time.Now(); !done.Before(deadline) || done.Sub(start) < wait-margin {
		t.Errorf("answered after %v, want between %v and the deadline, %v", done.Sub(start), wait-margin, wait)
	}
	body := rec.Body.String()
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(body, "réessayez dans un instant") || !strings.Contains(body, `value="`+sub+`"`) || !strings.Contains(body, "Patience") {
		t.Errorf("status = %d, want 503 with the form kept:\n%s", rec.Code, body)
	}

	// The same through the Lambda adapter, whose context carries the
	// invocation's deadline.
	deadline = time.Now().Add(wait)
	lctx, lcancel := context.WithDeadline(t.Context(), deadline)
	defer lcancel()
	resp, err := httpadapter.NewV2(env.function(web.FuncSurvey)).ProxyWithContext(lctx,
		webtest.LambdaRequest(t, "POST", "/e/"+ce.ID+"/answers", "application/x-www-form-urlencoded", form.Encode()))
	if done := time.Now(); err != nil || !done.Before(deadline) {
		t.Errorf("through the adapter: %v, answered %v after the deadline", err, done.Sub(deadline))
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Headers["Retry-After"] == "" {
		t.Errorf("through the adapter: status = %d, headers %v; want 503 with Retry-After", resp.StatusCode, resp.Headers)
	}
}
