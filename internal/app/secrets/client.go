package secrets

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/retours/retours/internal/sigv4"
)

// Options are a Client's settings, those of the SDK's clients it uses:
// its APIOptions' middleware stack sees the service "Secrets Manager", the
// operation "GetSecretValue" and a *GetSecretValueInput, as with the SDK's
// client (internal/iamcheck records calls there).
type Options = sigv4.Options

// Client reads secrets with Secrets Manager's GetSecretValue, which it
// sends itself in the service's JSON protocol, signed with the SDK's
// Signature Version 4 signer.
type Client struct{ o Options }

var _ SecretReader = (*Client)(nil)

// NewClient returns a client with cfg's region, credentials, endpoint,
// HTTP client and API options, then optFns applied.
func NewClient(cfg aws.Config, optFns ...func(*Options)) *Client {
	return &Client{o: sigv4.FromConfig(cfg, optFns...)}
}

// Endpoint sends a client to url instead of its configuration's endpoint,
// when url is not nil (app.Endpoint(os.Getenv, "SECRETS_MANAGER"):
// AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL, as the SDK reads
// them).
func Endpoint(url *string) func(*Options) { return sigv4.Endpoint(url) }

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
	var out string
	err = c.o.Call(ctx, "Secrets Manager", "GetSecretValue", &GetSecretValueInput{SecretId: aws.String(id)}, retryable,
		func(ctx context.Context) error {
			var err error
			out, err = c.send(ctx, body)
			return err
		})
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
	return sigv4.Unreachable(err)
}

// send makes one attempt: POST / with X-Amz-Target
// secretsmanager.GetSecretValue, signed for the service "secretsmanager".
func (c *Client) send(ctx context.Context, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.URL("secretsmanager")+"/", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	resp, err := c.o.Do(ctx, req, body, "secretsmanager")
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
