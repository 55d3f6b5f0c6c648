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
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"

	"github.com/retours/retours/internal/retours"
)

// Options are a Client's settings, those of the SDK's clients it uses.
type Options struct {
	Region      string
	Credentials aws.CredentialsProvider
	// BaseEndpoint replaces https://lambda.<region>.amazonaws.com (a
	// local stand-in's URL).
	BaseEndpoint *string
	// HTTPClient sends the requests; the SDK's default when nil.
	HTTPClient aws.HTTPClient
	// APIOptions are added to the middleware stack each invocation goes
	// through before it is sent, as to an SDK client's: its Initialize step
	// sees the service "Lambda", the operation "Invoke" and an input with
	// the FunctionName, as with the SDK's client (internal/iamcheck records
	// calls there).
	APIOptions []func(*middleware.Stack) error
	// Retries is how many times a throttled, failed or unreachable
	// invocation is tried again (the SDK's standard retryer tries 3 times
	// in all); 2 when zero, none when negative.
	Retries int
}

// Client sends Lambda's Invoke requests.
type Client struct{ o Options }

// NewClient returns a client with cfg's region, credentials, endpoint,
// HTTP client and API options, then optFns applied.
func NewClient(cfg aws.Config, optFns ...func(*Options)) *Client {
	o := Options{Region: cfg.Region, Credentials: cfg.Credentials, BaseEndpoint: cfg.BaseEndpoint,
		HTTPClient: cfg.HTTPClient, APIOptions: append([]func(*middleware.Stack) error(nil), cfg.APIOptions...)}
	return newClient(o, optFns...)
}

func newClient(o Options, optFns ...func(*Options)) *Client {
	for _, f := range optFns {
		f(&o)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = awshttp.NewBuildableClient()
	}
	if o.Retries == 0 {
		o.Retries = 2
	}
	return &Client{o: o}
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
	stack := middleware.NewStack("Invoke", func() any { return nil })
	for _, o := range f.client.o.APIOptions {
		if err := o(stack); err != nil {
			return nil, fmt.Errorf("lambdainvoke: %w", err)
		}
	}
	var out []byte
	send := middleware.HandlerFunc(func(ctx context.Context, _ any) (any, middleware.Metadata, error) {
		var err error
		out, err = f.client.invoke(ctx, f.function, kind, body)
		return nil, middleware.Metadata{}, err
	})
	ctx = awsmiddleware.SetServiceID(ctx, "Lambda")
	ctx = awsmiddleware.SetOperationName(ctx, "Invoke")
	in := &InvokeInput{FunctionName: aws.String(f.function), InvocationType: kind, Payload: body}
	_, _, err = middleware.DecorateHandler(send, stack).Handle(ctx, in)
	return out, err
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
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

func (c *Client) invoke(ctx context.Context, function, kind string, body []byte) ([]byte, error) {
	var (
		out []byte
		err error
	)
	for attempt := 0; ; attempt++ {
		if out, err = c.send(ctx, function, kind, body); err == nil || !retryable(err) || attempt >= c.o.Retries {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lambdainvoke: invoke %s: %v: %w", function, err, &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"})
		case <-time.After(time.Duration(50<<attempt) * time.Millisecond):
		}
	}
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
		return nil, fmt.Errorf("lambdainvoke: invoke %s: status %d, want %d", function, se.status, wantStatus(kind))
	}
	return nil, fmt.Errorf("lambdainvoke: invoke %s: %v: %w", function, err, &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"})
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
	endpoint := "https://lambda." + c.o.Region + ".amazonaws.com"
	if c.o.BaseEndpoint != nil {
		endpoint = strings.TrimSuffix(*c.o.BaseEndpoint, "/")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		endpoint+"/2015-03-31/functions/"+url.PathEscape(function)+"/invocations", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", kind)
	if c.o.Credentials == nil {
		return nil, errors.New("no credentials")
	}
	creds, err := c.o.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", c.o.Region, time.Now()); err != nil {
		return nil, err
	}
	resp, err := c.o.HTTPClient.Do(req)
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
func Endpoint(url *string) func(*Options) {
	return func(o *Options) {
		if url != nil {
			o.BaseEndpoint = url
		}
	}
}
