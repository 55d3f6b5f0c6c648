// Package functions_test runs the functions' bootstraps themselves, built as
// for Lambda (for this machine's architecture), against a minimal Lambda
// Runtime API and DynamoDB Local, with the events AWS sends them: API
// Gateway's HTTP API requests (payload 2.0), the schedules' events and the
// table's stream batches. A function that cannot start must say why to the
// Runtime API and exit, rather than crash at every invocation.
package functions_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/runtimeapi"
	"github.com/retours/retours/internal/s3local"
	"github.com/retours/retours/internal/samtemplate"
	"github.com/retours/retours/internal/web"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

const (
	adminToken   = "bootstrap-admin-token-0123456789abcdef"
	digestSecret = "bootstrap-digest-secret-0123456789abcdef"
	// What Chrome sends for a German reader of English.
	chromeLanguage = "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7"
	chromeEncoding = "gzip, deflate, br, zstd"
	chromeAgent    = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)

// TestBootstraps builds every function once and runs each as Lambda would,
// on one table: the organiser function creates an event, the survey
// function serves its form and takes answers, the activity function counts
// them from the table's stream, the aggregate function stores their bilan's
// snapshot, the digest function answers its schedule and its routes, the
// erase function resumes the event's stalled erasure to its end; then
// each configuration error is reported as the function's initialisation
// error.
func TestBootstraps(t *testing.T) {
	dir := buildAll(t)
	tmpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	st := dynamotest.NewStore(t)
	env := []string{"TABLE_NAME=" + st.Table(), "AWS_ENDPOINT_URL_DYNAMODB=" + dynamotest.Endpoint(t),
		// Any other AWS service is unreachable: no call leaves the machine.
		"AWS_ENDPOINT_URL=http://127.0.0.1:9",
		"ADMIN_TOKEN=" + adminToken, "DIGEST_SECRET=" + digestSecret, "PUBLIC_BASE_URL=https://retours.example.org", "RETENTION_MONTHS=24"}
	start := func(t *testing.T, name string, env ...string) *runtimeapi.Function {
		t.Helper()
		// Lambda's variables, the plain ones of template.yaml, the table's.
		plain, err := tmpl.LiteralEnv(logicalID(name))
		if err != nil {
			t.Fatal(err)
		}
		fn, err := runtimeapi.Start(t.Context(), filepath.Join(dir, name), slices.Concat(runtimeapi.Env(name, "WARN"), plain, env))
		if err != nil {
			t.Fatal(err)
		}
		fn.SetTimeout(timeout(t, tmpl, name))
		t.Cleanup(func() {
			fn.Stop()
			if t.Failed() {
				t.Logf("%s's output:\n%s", name, fn.Output())
			}
		})
		return fn
	}
	functions := map[string]bool{}
	entries, err := os.ReadDir(filepath.Join(moduleRoot(t), "functions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			functions[e.Name()] = true
		}
	}

	var ev struct {
		ID             string `json:"id"`
		OrganiserToken string `json:"organiser_token"`
		Sessions       []struct {
			ID string `json:"id"`
		} `json:"sessions"`
	}
	t.Run("organiser", func(t *testing.T) {
		delete(functions, "organiser")
		fn := start(t, "organiser", env...)
		// An administrator creates the event: JSON, not base64-encoded.
		now := time.Now().UTC()
		body := fmt.Sprintf(`{"title":"Numérique En Commun[s] — journée","place":"Aurillac","starts_at":%q,"ends_at":%q,
			"sessions":[{"title":"Plénière","kind":"pleniere","starts_at":%q},{"title":"Atelier : tiers-lieux","kind":"atelier","starts_at":%q}]}`,
			now.Add(-3*time.Hour).Format(time.RFC3339), now.Add(5*time.Hour).Format(time.RFC3339),
			now.Add(-3*time.Hour).Format(time.RFC3339), now.Add(-2*time.Hour).Format(time.RFC3339))
		resp := invokeHTTP(t, fn, request{method: "POST", route: "POST /api/events", path: "/api/events",
			headers: map[string]string{"authorization": "Bearer " + adminToken, "content-type": "application/json", "user-agent": "curl/8.5.0", "accept": "*/*"},
			body:    body})
		if resp.status != http.StatusCreated {
			t.Fatalf("POST /api/events = %d %s", resp.status, resp.body)
		}
		if err := json.Unmarshal(resp.body, &ev); err != nil || ev.ID == "" || ev.OrganiserToken == "" || len(ev.Sessions) != 2 {
			t.Fatalf("created %s: %v", resp.body, err)
		}
		// The organisers' page, with the organisers' cookie among others, in
		// the cookies array as API Gateway sends them.
		cookies := []string{"_pk_id.1.a1b2=0123456789abcdef.1732950000.", "retours_organiser=" + ev.OrganiserToken, "theme=dark"}
		resp = invokeHTTP(t, fn, request{method: "GET", route: "GET /o/{event}", path: "/o/" + ev.ID, cookies: cookies,
			headers: browserHeaders()})
		if resp.status != http.StatusOK || !strings.Contains(string(resp.body), "Atelier : tiers-lieux") || !strings.Contains(string(resp.body), `<html lang="en"`) {
			t.Errorf("organisers' page with the cookie = %d: %.300s", resp.status, resp.body)
		}
		// A binary answer: the QR code, base64-encoded in the response.
		resp = invokeHTTP(t, fn, request{method: "GET", route: "GET /api/events/{event}/qr.png", path: "/api/events/" + ev.ID + "/qr.png",
			cookies: cookies, headers: browserHeaders()})
		if resp.status != http.StatusOK || !resp.base64 || !bytes.HasPrefix(resp.body, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("QR code = %d, base64 %v, %d bytes starting %q; want a PNG", resp.status, resp.base64, len(resp.body), resp.body[:min(8, len(resp.body))])
		}
		// A query string, as rawQueryString and its parameters.
		resp = invokeHTTP(t, fn, request{method: "GET", route: "GET /api/events/{event}/bilan", path: "/api/events/" + ev.ID + "/bilan",
			query: "format=csv&sep=semicolon", headers: map[string]string{"authorization": "Bearer " + ev.OrganiserToken, "user-agent": "curl/8.5.0"}})
		if resp.status != http.StatusOK || resp.headers["Content-Type"] != "text/csv; charset=utf-8" || !strings.Contains(strings.SplitN(string(resp.body), "\n", 2)[0], ";") {
			t.Errorf("CSV bilan = %d %v: %.200s", resp.status, resp.headers, resp.body)
		}
	})
	if ev.ID == "" {
		t.Fatal("no event to go on with")
	}

	t.Run("survey", func(t *testing.T) {
		delete(functions, "survey")
		fn := start(t, "survey", env...)
		session := ev.Sessions[1].ID
		resp := invokeHTTP(t, fn, request{method: "GET", route: "GET /e/{event}/{session}", path: "/e/" + ev.ID + "/" + session, headers: browserHeaders()})
		m := regexp.MustCompile(`name="submission_id" value="([0-9a-f-]{36})"`).FindSubmatch(resp.body)
		if resp.status != http.StatusOK || resp.headers["Content-Encoding"] != "gzip" || !strings.Contains(string(resp.body), `<html lang="en"`) || m == nil {
			t.Fatalf("form = %d %v: %.300s; want it gzipped, in English, with a submission id", resp.status, resp.headers, resp.body)
		}
		// The form, as a browser posts it: API Gateway base64-encodes it.
		form := url.Values{"submission_id": {string(m[1])}, "session": {session}, "lang": {"en"}, "q_satisfaction": {"4"},
			"q_commentaire": {"Des échanges riches, merci !"}}.Encode()
		post := request{method: "POST", route: "POST /e/{event}/answers", path: "/e/" + ev.ID + "/answers", headers: browserHeaders(),
			body: form, base64: true}
		post.headers["content-type"] = "application/x-www-form-urlencoded"
		post.headers["origin"] = "https://retours.example.org"
		first := invokeHTTP(t, fn, post)
		if first.status != http.StatusOK || !strings.Contains(string(first.body), "Your answer has been saved.") {
			t.Fatalf("form post = %d: %.300s; want the thank-you page", first.status, first.body)
		}
		// A refresh sends it again: the same page, one answer.
		if again := invokeHTTP(t, fn, post); again.status != http.StatusOK || !bytes.Equal(again.body, first.body) {
			t.Errorf("form sent again = %d, the same page %v", again.status, bytes.Equal(again.body, first.body))
		}
		// JSON, as a script posts it.
		resp = invokeHTTP(t, fn, request{method: "POST", route: "POST /e/{event}/answers", path: "/e/" + ev.ID + "/answers",
			headers: map[string]string{"content-type": "application/json; charset=utf-8", "user-agent": "curl/8.5.0"},
			body:    `{"submission_id":"6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f","session":"` + session + `","answers":{"satisfaction":5}}`})
		if resp.status != http.StatusCreated || !strings.Contains(string(resp.body), `"created":true`) {
			t.Errorf("JSON answer = %d %s", resp.status, resp.body)
		}
	})

	t.Run("activity", func(t *testing.T) {
		delete(functions, "activity")
		fn := start(t, "activity", env...)
		// The table's stream, read as the event source mapping reads it,
		// invokes the function with each batch.
		batches := 0
		poller := dynamotest.NewPoller(t, st, func(ctx context.Context, batch events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			batches++
			payload, _ := json.Marshal(batch)
			res, err := fn.Invoke(ctx, payload)
			if err != nil {
				return events.DynamoDBEventResponse{}, err
			}
			if res.Error != nil {
				return events.DynamoDBEventResponse{}, res.Error
			}
			var out events.DynamoDBEventResponse
			return out, json.Unmarshal(res.Body, &out)
		}, nil)
		if err := poller.Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		act, err := st.Activity(t.Context(), ev.ID)
		if err != nil || act.Answers != 2 || batches == 0 {
			t.Errorf("activity after %d batches = %+v, %v; want 2 answers", batches, act, err)
		}
	})

	t.Run("aggregate", func(t *testing.T) {
		delete(functions, "aggregate")
		downloads, err := s3local.Start(t.Context(), s3local.Options{Buckets: []string{"retours-downloads"}})
		if err != nil {
			t.Fatal(err)
		}
		defer downloads.Close()
		fn := start(t, "aggregate", append(env, "DOWNLOADS_BUCKET=retours-downloads", "AWS_ENDPOINT_URL_S3="+downloads.Endpoint)...)
		// The hourly schedule has no input: EventBridge Scheduler sends its
		// own notification, which the function does not read.
		res := invoke(t, fn, scheduled())
		if res.Error != nil || string(res.Body) != "null" {
			t.Fatalf("scheduled run = %s, %v", res.Body, res.Error)
		}
		if _, err := st.Snapshot(t.Context(), ev.ID, "fr"); err != nil {
			t.Errorf("no snapshot of the event after the run: %v", err)
		}
		// The organiser function's invocation with a download to prepare:
		// the file lands in the downloads bucket, at the S3 endpoint the
		// function was given, signed with its credentials.
		job, err := download.NewJob(rand.Reader, time.Now(), ev.ID, download.Request{Format: download.CSV})
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(download.Invocation{Download: &job})
		if res := invoke(t, fn, payload); res.Error != nil || string(res.Body) != "null" {
			t.Fatalf("download run = %s, %v", res.Body, res.Error)
		}
		out, err := downloads.Client().GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("retours-downloads"), Key: aws.String(job.Key())})
		if err != nil {
			t.Fatalf("the prepared download is not in the bucket: %v", err)
		}
		defer out.Body.Close()
		body, _ := io.ReadAll(out.Body)
		if ct := aws.ToString(out.ContentType); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(string(body), "Des échanges riches, merci !") {
			t.Errorf("prepared download: %s %.200s; want the event's answers as CSV", ct, body)
		}
	})

	t.Run("digest", func(t *testing.T) {
		delete(functions, "digest")
		fn := start(t, "digest", env...)
		// The Monday schedule's input, from template.yaml.
		res := invoke(t, fn, []byte(`{"source":"retours.digest.schedule"}`))
		if res.Error != nil || string(res.Body) != "null" {
			t.Errorf("scheduled run with digests off = %s, %v; want nothing done", res.Body, res.Error)
		}
		resp := invokeHTTP(t, fn, request{method: "POST", route: "POST /api/digests/run", path: "/api/digests/run",
			headers: map[string]string{"user-agent": "curl/8.5.0", "content-length": "0"}})
		if resp.status != http.StatusUnauthorized {
			t.Errorf("POST /api/digests/run without the admin token = %d %s", resp.status, resp.body)
		}
		resp = invokeHTTP(t, fn, request{method: "GET", route: "GET /unsubscribe/{token}", path: "/unsubscribe/not-a-token", headers: browserHeaders()})
		if resp.status != http.StatusNotFound || !strings.Contains(string(resp.body), `<html lang="en"`) {
			t.Errorf("unsubscribe page of a bad token = %d %.200s; want 404, in English", resp.status, resp.body)
		}
	})
	t.Run("erase", func(t *testing.T) {
		delete(functions, "erase")
		fn := start(t, "erase", env...)
		request := []byte(`{"erase_event":"` + ev.ID + `"}`)
		// The organiser function's asynchronous invocation, delivered for an
		// event that is not being erased: nothing to do, nothing to retry.
		if res := invoke(t, fn, request); res.Error != nil || string(res.Body) != "null" {
			t.Errorf("run for an event not being erased = %s, %v; want nothing done", res.Body, res.Error)
		}
		// An erasure that started an hour ago and whose run stopped: the
		// hourly schedule resumes it and carries it to its end, the grace
		// for the participants' requests being over.
		if _, err := st.StartErasure(t.Context(), ev.ID, time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		res := invoke(t, fn, scheduled())
		if res.Error != nil || string(res.Body) != `{"finished":1}` {
			t.Fatalf("scheduled run = %s, %v; want one erasure finished", res.Body, res.Error)
		}
		if _, err := st.Event(t.Context(), ev.ID); retours.ErrorCode(err) != retours.ENOTFOUND {
			t.Errorf("event after its erasure: %v; want not found", err)
		}
		// The invocation delivered again after the end: the finished erasure.
		res = invoke(t, fn, request)
		var er retours.Erasure
		if res.Error != nil || json.Unmarshal(res.Body, &er) != nil || !er.Done() || er.Items < 3 {
			t.Errorf("run after the end = %s, %v; want the finished erasure of the event's items", res.Body, res.Error)
		}
	})
	for name := range functions {
		t.Errorf("functions/%s has no case in TestBootstraps", name)
	}

	// Configuration errors: reported as the initialisation error, then the
	// function exits without asking for an invocation.
	for _, tc := range []struct {
		function, change, want string
	}{
		{"survey", "TABLE_NAME=", "TABLE_NAME is not set"},
		{"organiser", "ADMIN_TOKEN=short", "ADMIN_TOKEN must be set to at least 32 characters"},
		{"activity", "RETENTION_MONTHS=forever", "RETENTION_MONTHS"},
		{"aggregate", "AWS_REGION=", "AWS_REGION is not set"},
		{"digest", "PUBLIC_BASE_URL=retours.example.org", "PUBLIC_BASE_URL must start with https://"},
		{"erase", "AWS_SECRET_ACCESS_KEY=", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"},
	} {
		t.Run(tc.function+" with "+tc.change, func(t *testing.T) {
			key, _, _ := strings.Cut(tc.change, "=")
			var e []string
			for _, kv := range append(runtimeapi.Env(tc.function, "WARN"), env...) {
				if !strings.HasPrefix(kv, key+"=") {
					e = append(e, kv)
				}
			}
			if key == "AWS_REGION" {
				e = slicesDelete(e, "AWS_DEFAULT_REGION=")
			}
			fn, err := runtimeapi.Start(t.Context(), filepath.Join(dir, tc.function), append(e, tc.change))
			if err != nil {
				t.Fatal(err)
			}
			defer fn.Stop()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			exit := fn.Wait(ctx)
			ie := fn.InitError()
			if exit == nil || ctx.Err() != nil {
				t.Errorf("exit: %v; want the function to exit with a failure", exit)
			}
			if ie == nil || !strings.Contains(ie.Message, tc.want) || ie.Type != "Runtime.ConfigurationError" || ie.Header != "Runtime.ConfigurationError" {
				t.Errorf("initialisation error %+v; want Runtime.ConfigurationError saying %q\n%s", ie, tc.want, fn.Output())
			}
			if n := fn.Polls(); n != 0 {
				t.Errorf("asked for %d invocations after failing to start", n)
			}
		})
	}
}

// buildAll builds every function for this machine into a folder of the test.
func buildAll(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	args := append(append([]string{}, runtimeapi.LocalBuild...), "-o", dir+string(filepath.Separator), "./functions/...")
	cmd := exec.CommandContext(t.Context(), runtimeapi.GoTool(), args...)
	cmd.Dir = moduleRoot(t)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := samtemplate.Root()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// timeout returns the Timeout template.yaml gives the function name
// (SurveyFunction for survey), or the functions' global one.
func timeout(t *testing.T, tmpl *samtemplate.Template, name string) time.Duration {
	t.Helper()
	res, ok := tmpl.Resource(logicalID(name))
	if !ok {
		t.Fatalf("template.yaml has no function for functions/%s", name)
	}
	props, _ := res["Properties"].(map[string]any)
	secs, ok := props["Timeout"].(float64)
	if !ok {
		globals, _ := tmpl.Raw["Globals"].(map[string]any)
		fn, _ := globals["Function"].(map[string]any)
		if secs, ok = fn["Timeout"].(float64); !ok {
			t.Fatalf("template.yaml gives %s no timeout", name)
		}
	}
	return time.Duration(secs * float64(time.Second))
}

// logicalID returns the logical id in template.yaml of functions/name.
func logicalID(name string) string { return strings.ToUpper(name[:1]) + name[1:] + "Function" }

func slicesDelete(kvs []string, prefix string) []string {
	var out []string
	for _, kv := range kvs {
		if !strings.HasPrefix(kv, prefix) {
			out = append(out, kv)
		}
	}
	return out
}

// browserHeaders are Chrome's on a phone, as API Gateway hands them over:
// lower-case names, a list's values joined with commas.
func browserHeaders() map[string]string {
	return map[string]string{
		"accept":          "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
		"accept-encoding": chromeEncoding, "accept-language": chromeLanguage, "user-agent": chromeAgent,
		"sec-fetch-mode": "navigate", "sec-fetch-site": "same-origin", "upgrade-insecure-requests": "1",
	}
}

// request is an HTTP request as a client sends it to API Gateway.
type request struct {
	method, route, path, query string
	headers                    map[string]string
	cookies                    []string
	body                       string
	base64                     bool // API Gateway base64-encodes the body
}

// event returns the HTTP API's payload 2.0 event for r, with the fields and
// the shapes AWS gives them: routeKey is the route's key in template.yaml,
// the cookies come apart from the headers, the query string raw and parsed
// (repeated parameters joined with commas), and the gateway's own headers.
func (r request) event() []byte {
	headers := map[string]string{
		"host": "retours.example.org", "x-amzn-trace-id": "Root=1-674a6f3c-0a1b2c3d4e5f60718293a4b5",
		"x-forwarded-for": "203.0.113.7", "x-forwarded-port": "443", "x-forwarded-proto": "https",
	}
	for k, v := range r.headers {
		headers[strings.ToLower(k)] = v
	}
	body := r.body
	if r.base64 {
		body = base64.StdEncoding.EncodeToString([]byte(r.body))
	}
	if r.body != "" {
		headers["content-length"] = fmt.Sprint(len(r.body))
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": r.route, "rawPath": r.path, "rawQueryString": r.query, "headers": headers,
		"requestContext": map[string]any{
			"accountId": "123456789012", "apiId": "r3pmxmplak", "domainName": "retours.example.org", "domainPrefix": "retours",
			"http":      map[string]string{"method": r.method, "path": r.path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": headers["user-agent"]},
			"requestId": "JKJaXmPLvHcESHA=", "routeKey": r.route, "stage": "$default",
			"time": time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"), "timeEpoch": time.Now().UnixMilli(),
		},
		"isBase64Encoded": r.base64,
	}
	if len(r.cookies) > 0 {
		ev["cookies"] = r.cookies
	}
	if r.query != "" {
		q, _ := url.ParseQuery(r.query)
		params := map[string]string{}
		for k, vs := range q {
			params[k] = strings.Join(vs, ",")
		}
		ev["queryStringParameters"] = params
	}
	if params := pathParameters(r.route, r.path); len(params) > 0 {
		ev["pathParameters"] = params
	}
	if r.body != "" {
		ev["body"] = body
	}
	data, _ := json.Marshal(ev)
	return data
}

// pathParameters matches a route key's path ("GET /e/{event}") with a path.
func pathParameters(route, path string) map[string]string {
	_, pattern, _ := strings.Cut(route, " ")
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	params := map[string]string{}
	for i := 0; i < len(want) && i < len(got); i++ {
		if name, ok := strings.CutPrefix(want[i], "{"); ok {
			params[strings.TrimSuffix(name, "}")] = got[i]
		}
	}
	return params
}

// response is a function's answer to an HTTP request, its body decoded.
type response struct {
	status  int
	headers map[string]string
	body    []byte
	base64  bool
}

func invoke(t *testing.T, fn *runtimeapi.Function, payload []byte) *runtimeapi.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res, err := fn.Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func invokeHTTP(t *testing.T, fn *runtimeapi.Function, r request) response {
	t.Helper()
	if _, ok := routeKeys()[r.route]; !ok {
		t.Fatalf("%s is no route of web.Routes", r.route)
	}
	res := invoke(t, fn, r.event())
	if res.Error != nil {
		t.Fatalf("%s %s: the function failed: %v", r.method, r.path, res.Error)
	}
	var out events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(res.Body, &out); err != nil {
		t.Fatalf("%s %s: %v: %s", r.method, r.path, err, res.Body)
	}
	body := []byte(out.Body)
	if out.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(out.Body); err != nil {
			t.Fatal(err)
		}
	}
	if out.Headers["Content-Encoding"] == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return response{status: out.StatusCode, headers: out.Headers, body: body, base64: out.IsBase64Encoded}
}

// routeKeys are the routes' keys, as template.yaml and API Gateway name them.
func routeKeys() map[string]bool {
	keys := map[string]bool{}
	for _, r := range web.Routes {
		keys[r.Method+" "+r.Path] = true
	}
	return keys
}

// scheduled is the notification EventBridge sends to a target without input.
func scheduled() []byte {
	data, _ := json.Marshal(events.EventBridgeEvent{Version: "0", ID: "c6f8a1e2-3b4d-4e5f-8a9b-0c1d2e3f4a5b", DetailType: "Scheduled Event",
		Source: "aws.scheduler", AccountID: "123456789012", Time: time.Now().UTC().Truncate(time.Second), Region: "eu-west-3",
		Resources: []string{"arn:aws:scheduler:eu-west-3:123456789012:schedule/default/retours-hourly-snapshots"}, Detail: json.RawMessage(`{}`)})
	return data
}
