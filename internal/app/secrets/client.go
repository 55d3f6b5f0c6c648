package secrets

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Options are a Client's settings, those of the SDK's clients it uses.
type Options struct {
	Region      string
	Credentials aws.CredentialsProvider
	// BaseEndpoint replaces https://secretsmanager.<region>.amazonaws.com
	// (a local stand-in's URL).
	BaseEndpoint *string
	// HTTPClient sends the requests; the SDK's default when nil.
	HTTPClient aws.HTTPClient
	// APIOptions are added to the middleware stack each read goes through
	// before it is sent, as to an SDK client's: its Initialize step sees the
	// service "Secrets Manager", the operation "GetSecretValue" and a
	// *GetSecretValueInput, as with the SDK's client (internal/iamcheck
	// records calls there).
	APIOptions []func(*middleware.Stack) error
	// Retries is how many times a throttled, failed or unreachable read is
	// tried again (the SDK's standard retryer tries 3 times in all); 2 when
	// zero, none when negative.
	Retries int
}

// Client reads secrets with Secrets Manager's GetSecretValue, which it
// sends itself in the service's JSON protocol, signed with the SDK's
// Signature Version 4 signer.
type Client struct{ o Options }

var _ SecretReader = (*Client)(nil)

// NewClient returns a client with cfg's region, credentials, endpoint,
// HTTP client and API options, then optFns applied.
func NewClient(cfg aws.Config, optFns ...func(*Options)) *Client {
	o := Options{Region: cfg.Region, Credentials: cfg.Credentials, BaseEndpoint: cfg.BaseEndpoint,
		HTTPClient: cfg.HTTPClient, APIOptions: append([]func(*middleware.Stack) error(nil), cfg.APIOptions...)}
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

// Endpoint sends a client to url instead of its configuration's endpoint,
// when url is not nil (app.Endpoint(os.Getenv, "SECRETS_MANAGER"):
// AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL, as the SDK reads
// them).
func Endpoint(url *string) func(*Options) {
	return func(o *Options) {
		if url != nil {
			o.BaseEndpoint = url
		}
	}
}

// GetSecretValueInput is what the middleware stack sees of a read, named
// as the SDK's secretsmanager.GetSecretValueInput is.
type GetSecretValueInput struct {
	SecretId *string // the secret's name or ARN
}

// APIError is Secrets Manager's refusal of a read: its error type
// (ResourceNotFoundException, AccessDeniedException…) and message. It is a
// smithy.APIError, as the SDK's errors are.
type APIError struct {
	Status  int
	Code    string
	Message string
}

var _ smithy.APIError = (*APIError)(nil)

func (e *APIError) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// ErrorCode is the error's type, without its namespace.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage is Secrets Manager's message.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorFault says whether Secrets Manager or the caller is at fault.
func (e *APIError) ErrorFault() smithy.ErrorFault {
	if e.Status >= 500 {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

// SecretString returns the text of the secret id (a name or an ARN) in its
// current version, through the client's middleware stack. A refusal is an
// *APIError.
func (c *Client) SecretString(ctx context.Context, id string) (string, error) {
	body, err := json.Marshal(map[string]string{"SecretId": id})
	if err != nil {
		return "", err
	}
	stack := middleware.NewStack("GetSecretValue", func() any { return nil })
	for _, o := range c.o.APIOptions {
		if err := o(stack); err != nil {
			return "", fmt.Errorf("secrets: %w", err)
		}
	}
	var out string
	send := middleware.HandlerFunc(func(ctx context.Context, _ any) (any, middleware.Metadata, error) {
		var err error
		out, err = c.read(ctx, body)
		return nil, middleware.Metadata{}, err
	})
	ctx = awsmiddleware.SetServiceID(ctx, "Secrets Manager")
	ctx = awsmiddleware.SetOperationName(ctx, "GetSecretValue")
	_, _, err = middleware.DecorateHandler(send, stack).Handle(ctx, &GetSecretValueInput{SecretId: aws.String(id)})
	return out, err
}

// throttles are the error types the SDK's standard retryer takes for
// throttling, as Secrets Manager sends them (with status 400).
var throttles = []string{"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestThrottledException", "RequestLimitExceeded"}

// retryable says whether the SDK's standard retryer would try again.
func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusTooManyRequests || ae.Status >= 500 || slices.Contains(throttles, ae.Code)
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// read sends the request until it is answered, refused for good, or tried
// as often as the client allows.
func (c *Client) read(ctx context.Context, body []byte) (string, error) {
	for attempt := 0; ; attempt++ {
		out, err := c.send(ctx, body)
		if err == nil || !retryable(err) || attempt >= c.o.Retries {
			return out, err
		}
		select {
		case <-ctx.Done():
			return "", err
		case <-time.After(time.Duration(50<<attempt) * time.Millisecond):
		}
	}
}

// send makes one attempt: POST / with X-Amz-Target
// secretsmanager.GetSecretValue, signed for the service "secretsmanager".
func (c *Client) send(ctx context.Context, body []byte) (string, error) {
	endpoint := "https://secretsmanager." + c.o.Region + ".amazonaws.com"
	if c.o.BaseEndpoint != nil {
		endpoint = strings.TrimSuffix(*c.o.BaseEndpoint, "/")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	if c.o.Credentials == nil {
		return "", errors.New("no credentials")
	}
	creds, err := c.o.Credentials.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", c.o.Region, time.Now()); err != nil {
		return "", err
	}
	resp, err := c.o.HTTPClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	// A secret holds 64 KiB at most.
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", apiError(resp, raw)
	}
	// A secret stored as binary (SecretBinary) has no SecretString: ""
	// as with the SDK's client, which Resolve refuses as holding no text.
	var out struct{ SecretString string }
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("GetSecretValue's answer: %w", err)
	}
	return out.SecretString, nil
}

// apiError reads a JSON protocol error: its type from the X-Amzn-ErrorType
// header or the body's __type (or code), without the namespace before '#'
// or the URL after ':', and its message from Message or message.
func apiError(resp *http.Response, raw []byte) *APIError {
	var body struct {
		Type    string `json:"__type"`
		Code    string `json:"code"`
		Message string `json:"Message"`
		Lower   string `json:"message"`
	}
	json.Unmarshal(raw, &body) // a body that is not JSON leaves the status alone
	code, _, _ := strings.Cut(cmp.Or(resp.Header.Get("X-Amzn-ErrorType"), body.Type, body.Code), ":")
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = http.StatusText(resp.StatusCode)
	}
	msg := cmp.Or(body.Message, body.Lower)
	if msg == "" && body.Type == "" && len(raw) > 0 {
		msg = strings.TrimSpace(string(raw[:min(len(raw), 1024)]))
	}
	return &APIError{Status: resp.StatusCode, Code: code, Message: msg}
}
