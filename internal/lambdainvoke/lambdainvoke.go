// Package lambdainvoke starts a run of another Lambda function of the
// stack: an asynchronous invocation (InvocationType Event), which Lambda
// queues, answers at once and retries on failure as the function's
// EventInvokeConfig says.
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

// Async invokes one function asynchronously.
type Async struct {
	client   *Client
	function string
}

// New returns an invoker of function (its name or ARN) through client.
// Pointing client at AWS or elsewhere is the caller's choice.
func New(client *Client, function string) *Async {
	return &Async{client: client, function: function}
}

// InvokeAsync queues an invocation of the function with payload as JSON.
// EUNAVAILABLE when Lambda does not take it (throttled, unreachable, or the
// function unknown to it).
func (a *Async) InvokeAsync(ctx context.Context, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("lambdainvoke: %w", err)
	}
	stack := middleware.NewStack("Invoke", func() any { return nil })
	for _, f := range a.client.o.APIOptions {
		if err := f(stack); err != nil {
			return fmt.Errorf("lambdainvoke: %w", err)
		}
	}
	send := middleware.HandlerFunc(func(ctx context.Context, _ any) (any, middleware.Metadata, error) {
		return nil, middleware.Metadata{}, a.client.invoke(ctx, a.function, body)
	})
	ctx = awsmiddleware.SetServiceID(ctx, "Lambda")
	ctx = awsmiddleware.SetOperationName(ctx, "Invoke")
	in := &InvokeInput{FunctionName: aws.String(a.function), InvocationType: "Event", Payload: body}
	_, _, err = middleware.DecorateHandler(send, stack).Handle(ctx, in)
	return err
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

func (c *Client) invoke(ctx context.Context, function string, body []byte) error {
	var err error
	for attempt := 0; ; attempt++ {
		if err = c.send(ctx, function, body); err == nil || !retryable(err) || attempt >= c.o.Retries {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("lambdainvoke: invoke %s: %v: %w", function, err, &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"})
		case <-time.After(time.Duration(50<<attempt) * time.Millisecond):
		}
	}
	var se *statusError
	if err != nil && errors.As(err, &se) && se.status/100 == 2 {
		return fmt.Errorf("lambdainvoke: invoke %s: status %d, want 202", function, se.status)
	}
	if err != nil {
		return fmt.Errorf("lambdainvoke: invoke %s: %v: %w", function, err, &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"})
	}
	return nil
}

// send makes one attempt: POST /2015-03-31/functions/{name}/invocations
// with X-Amz-Invocation-Type: Event, signed for the service "lambda".
func (c *Client) send(ctx context.Context, function string, body []byte) error {
	endpoint := "https://lambda." + c.o.Region + ".amazonaws.com"
	if c.o.BaseEndpoint != nil {
		endpoint = strings.TrimSuffix(*c.o.BaseEndpoint, "/")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		endpoint+"/2015-03-31/functions/"+url.PathEscape(function)+"/invocations", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "Event")
	if c.o.Credentials == nil {
		return errors.New("no credentials")
	}
	creds, err := c.o.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", c.o.Region, time.Now()); err != nil {
		return err
	}
	resp, err := c.o.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusAccepted {
		return &statusError{status: resp.StatusCode, kind: resp.Header.Get("X-Amzn-ErrorType"), msg: strings.TrimSpace(string(msg))}
	}
	return nil
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
