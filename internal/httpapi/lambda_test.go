package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/retours/retours/internal/httpapi"
)

// sampleRequest returns AWS's own sample HTTP API (payload 2.0) event, sent
// to method and path.
func sampleRequest(t *testing.T, method, path, contentType, body string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	data, err := os.ReadFile("testdata/apigw-v2-request-no-authorizer.json")
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(data, &req); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(path)
	req.RawPath, req.RawQueryString = u.Path, u.RawQuery
	req.RequestContext.HTTP.Method, req.RequestContext.HTTP.Path = method, u.Path
	req.RouteKey = method + " " + u.Path
	if contentType != "" {
		req.Headers["content-type"] = contentType
		req.Headers["content-length"] = ""
	}
	req.Body = body
	return req
}

// TestLambdaAdapter sends AWS's sample events through the adapter the Lambda
// functions use, to catch handlers that write no status (API Gateway would
// answer 504) and bodies that do not survive the trip.
func TestLambdaAdapter(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	survey := httpadapter.NewV2(env.Server.Handler(httpapi.FuncSurvey))
	organiser := httpadapter.NewV2(env.Server.Handler(httpapi.FuncOrganiser))
	ctx := context.Background()

	resp, err := survey.ProxyWithContext(ctx, sampleRequest(t, "GET", "/e/"+ce.ID+"/"+ce.Sessions[0].ID, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	body := resp.Body
	if resp.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(body)
		body = string(b)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="submission_id"`) {
		t.Errorf("form through the adapter = %d %q", resp.StatusCode, body)
	}
	if got := resp.Headers["Content-Security-Policy"]; got == "" {
		t.Errorf("no Content-Security-Policy header through the adapter: %v", resp.Headers)
	}

	form := url.Values{"submission_id": {uuid(t)}, "session": {ce.Sessions[0].ID}, "q_satisfaction": {"5"}}.Encode()
	resp, err = survey.ProxyWithContext(ctx, sampleRequest(t, "POST", "/e/"+ce.ID+"/answers", "application/x-www-form-urlencoded", form))
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Errorf("form post through the adapter = %d, %v", resp.StatusCode, err)
	}

	resp, err = organiser.ProxyWithContext(ctx, sampleRequest(t, "GET", "/api/events/"+ce.ID+"/bilan?format=json", "", ""))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bilan without token through the adapter = %d, %v", resp.StatusCode, err)
	}
	// The survey function does not serve organiser routes.
	resp, err = survey.ProxyWithContext(ctx, sampleRequest(t, "GET", "/api/events/"+ce.ID+"/bilan", "", ""))
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("organiser route on the survey function = %d, %v", resp.StatusCode, err)
	}
}
