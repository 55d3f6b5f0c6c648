// Package lambdainvoke runs another Lambda function of the stack: an
// asynchronous invocation (InvocationType Event), which Lambda queues,
// answers at once and retries on failure as the function's
// EventInvokeConfig says; or a synchronous one (RequestResponse), which
// answers at the end of the function's run.
//
// It sends Lambda's Invoke request itself, signed with the SDK's Signature
// Version 4 signer, rather than through the SDK's Lambda client: that
// client's package, linked for this one call, initialised its schemas and
// endpoint tables at every cold start of the functions that link it.
package lambdainvoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/sigv4"
)

// Options are a Client's settings, those of the SDK's clients it uses:
// its APIOptions' middleware stack sees the service "Lambda", the operation
// "Invoke" and an *InvokeInput with the FunctionName, as with the SDK's
// client (internal/iamcheck records calls there).
type Options = sigv4.Options

// Client sends Lambda's Invoke requests.
type Client struct{ o Options }

// NewClient returns a client with cfg's region, credentials, endpoint,
// HTTP client and API options, then optFns applied.
func NewClient(cfg aws.Config, optFns ...func(*Options)) *Client {
	return &Client{o: sigv4.FromConfig(cfg, optFns...)}
}

// InvokeInput is what the middleware stack sees of an invocation, named
// as the SDK's lambda.InvokeInput is.
type InvokeInput struct {
	FunctionName   *string
	InvocationType string
	Payload        []byte
}

// Function invokes one function.
type Function struct {
	client   *Client
	function string
}

// New returns an invoker of function (its name or ARN) through client.
// Pointing client at AWS or elsewhere is the caller's choice.
func New(client *Client, function string) *Function {
	return &Function{client: client, function: function}
}

// InvokeAsync queues an invocation of the function with payload as JSON.
// EUNAVAILABLE when Lambda does not take it (throttled, unreachable, or the
// function unknown to it).
func (f *Function) InvokeAsync(ctx context.Context, payload any) error {
	_, err := f.call(ctx, "Event", payload)
	return err
}

// InvokeAndWait invokes the function with payload as JSON and waits for
// the end of its run, as long as ctx lets it. EUNAVAILABLE when Lambda does
// not take the invocation; a *FunctionError when the run failed, which is
// not tried again.
func (f *Function) InvokeAndWait(ctx context.Context, payload any) error {
	_, err := f.call(ctx, "RequestResponse", payload)
	return err
}

// FunctionError is the failure of a synchronous invocation's run, as
// Lambda reports it: the X-Amz-Function-Error header, and the error the
// function returned in the body.
type FunctionError struct {
	Function string
	Type     string `json:"errorType"`
	Message  string `json:"errorMessage"`
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("lambdainvoke: %s failed: %s: %s", e.Function, e.Type, e.Message)
}

// call sends one invocation of type kind through the client's middleware
// stack and returns the function's response (nil for an asynchronous one).
func (f *Function) call(ctx context.Context, kind string, payload any) ([]byte, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("lambdainvoke: %w", err)
	}
	var out []byte
	in := &InvokeInput{FunctionName: aws.String(f.function), InvocationType: kind, Payload: body}
	err = f.client.o.Call(ctx, "Lambda", "Invoke", in, retryable, func(ctx context.Context) error {
		var err error
		out, err = f.client.send(ctx, f.function, kind, body)
		return err
	})
	var (
		se *statusError
		fe *FunctionError
	)
	switch {
	case err == nil:
		return out, nil
	case errors.As(err, &fe):
		return nil, err
	case errors.As(err, &se) && se.status/100 == 2:
		return nil, fmt.Errorf("lambdainvoke: invoke %s: status %d, want %d", f.function, se.status, wantStatus(kind))
	}
	return nil, fmt.Errorf("lambdainvoke: invoke %s: %v: %w", f.function, err, &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"})
}

// statusError is Lambda's answer other than 202.
type statusError struct {
	status int
	kind   string // X-Amzn-ErrorType: ResourceNotFoundException…
	msg    string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("status %d %s: %s", e.status, e.kind, e.msg)
}

// retryable says whether the SDK's standard retryer would try again.
func retryable(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.status == http.StatusTooManyRequests || se.status >= 500
	}
	return sigv4.Unreachable(err)
}

// wantStatus is Lambda's status for an invocation of type kind taken: 202
// queued, 200 run.
func wantStatus(kind string) int {
	if kind == "Event" {
		return http.StatusAccepted
	}
	return http.StatusOK
}

// send makes one attempt: POST /2015-03-31/functions/{name}/invocations
// with X-Amz-Invocation-Type kind, signed for the service "lambda".
func (c *Client) send(ctx context.Context, function, kind string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		c.o.URL("lambda")+"/2015-03-31/functions/"+url.PathEscape(function)+"/invocations", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", kind)
	resp, err := c.o.Do(ctx, req, body, "lambda")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// A synchronous invocation answers with the function's response, 6 MB
	// at most.
	out, err := io.ReadAll(io.LimitReader(resp.Body, 6<<20+1))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != wantStatus(kind) {
		msg := out[:min(len(out), 1024)]
		return nil, &statusError{status: resp.StatusCode, kind: resp.Header.Get("X-Amzn-ErrorType"), msg: strings.TrimSpace(string(msg))}
	}
	if resp.Header.Get("X-Amz-Function-Error") != "" {
		fe := &FunctionError{Function: function}
		if json.Unmarshal(out, fe) != nil || fe.Message == "" {
			fe.Type, fe.Message = resp.Header.Get("X-Amz-Function-Error"), strings.TrimSpace(string(out[:min(len(out), 1024)]))
		}
		return nil, fe
	}
	if kind == "Event" {
		return nil, nil
	}
	return out, nil
}

// Endpoint sends a client to url instead of its configuration's endpoint,
// when url is not nil (app.Endpoint(os.Getenv, "LAMBDA") in mains:
// AWS_ENDPOINT_URL_LAMBDA, else AWS_ENDPOINT_URL, as the SDK reads them).
func Endpoint(url *string) func(*Options) { return sigv4.Endpoint(url) }
