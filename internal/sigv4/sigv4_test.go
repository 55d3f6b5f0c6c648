package sigv4_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"

	"github.com/retours/retours/internal/sigv4"
)

var local = aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}

// TestSigned: a request signed with the stand-in's credentials, for its
// service and region, verifies; one signed otherwise, or whose body was
// changed on the way, does not.
func TestSigned(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		service string
		body    string // what the server reads, when not what was signed
		want    bool
	}{
		{"the right credentials", "local", "secretsmanager", "", true},
		{"another secret key", "not-local", "secretsmanager", "", false},
		{"another service", "local", "lambda", "", false},
		{"a changed body", "local", "secretsmanager", `{"SecretId":"other"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const sent = `{"SecretId":"s"}`
			var got bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if tt.body != "" {
					body = []byte(tt.body)
				}
				got = sigv4.Signed(r, body, local, "secretsmanager", "eu-west-3")
			}))
			defer srv.Close()
			o := sigv4.FromConfig(aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("local", tt.secret, "")})
			req, err := http.NewRequest(http.MethodPost, o.URL("secretsmanager")+"/", strings.NewReader(sent))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
			resp, err := o.Do(context.Background(), req, []byte(sent), tt.service)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got != tt.want {
				t.Errorf("Signed = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCall: the middleware stack sees the service, the operation and the
// input before the first attempt; a retryable failure is tried again, 3
// times in all, and another is not.
func TestCall(t *testing.T) {
	errRetry, errFinal := errors.New("throttled"), errors.New("refused")
	tests := []struct {
		name         string
		fails        []error
		wantAttempts int
		wantErr      error
	}{
		{"answered at once", nil, 1, nil},
		{"throttled once", []error{errRetry}, 2, nil},
		{"throttled every time", []error{errRetry, errRetry, errRetry, errRetry}, 3, errRetry},
		{"refused", []error{errFinal, errFinal}, 1, errFinal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []string
			see := func(stack *middleware.Stack) error {
				return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("see",
					func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
						seen = append(seen, awsmiddleware.GetServiceID(ctx)+" "+awsmiddleware.GetOperationName(ctx)+" "+*in.Parameters.(*string))
						return next.HandleInitialize(ctx, in)
					}), middleware.After)
			}
			o := sigv4.FromConfig(aws.Config{Region: "eu-west-3", APIOptions: []func(*middleware.Stack) error{see}})
			attempts := 0
			err := o.Call(context.Background(), "Secrets Manager", "GetSecretValue", aws.String("s"),
				func(err error) bool { return err == errRetry },
				func(context.Context) error {
					attempts++
					if attempts <= len(tt.fails) {
						return tt.fails[attempts-1]
					}
					return nil
				})
			if err != tt.wantErr || attempts != tt.wantAttempts {
				t.Errorf("Call = %v after %d attempts, want %v after %d", err, attempts, tt.wantErr, tt.wantAttempts)
			}
			if len(seen) != 1 || seen[0] != "Secrets Manager GetSecretValue s" {
				t.Errorf("the stack saw %q, want the call once", seen)
			}
		})
	}
}

// TestCallWithoutRetryable: a call that says no error is worth another
// attempt (a link's signing) is tried once.
func TestCallWithoutRetryable(t *testing.T) {
	o := sigv4.FromConfig(aws.Config{Region: "eu-west-3"})
	attempts := 0
	errFailed := errors.New("failed")
	err := o.Call(context.Background(), "S3", "GetObject", aws.String("k"), nil, func(context.Context) error {
		attempts++
		return errFailed
	})
	if err != errFailed || attempts != 1 {
		t.Errorf("Call = %v after %d attempts, want %v after 1", err, attempts, errFailed)
	}
}
