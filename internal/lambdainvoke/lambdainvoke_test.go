package lambdainvoke_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/retours/retours/internal/lambdainvoke"
	"github.com/retours/retours/internal/retours"
)

// TestInvokeAsync: the real SDK's asynchronous invocation reaches the
// function with its payload; a function Lambda does not know is an error.
func TestInvokeAsync(t *testing.T) {
	local, err := lambdainvoke.StartLocal("retours-erase")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	ctx := context.Background()
	inv := lambdainvoke.New(local.Client(), "retours-erase")
	if err := inv.InvokeAsync(ctx, map[string]string{"erase_event": "k3vq2a7b"}); err != nil {
		t.Fatal(err)
	}
	got := local.Payloads("retours-erase")
	if len(got) != 1 || string(got[0]) != `{"erase_event":"k3vq2a7b"}` {
		t.Errorf("payloads = %q, want the event's", got)
	}
	err = lambdainvoke.New(local.Client(), "retours-nope").InvokeAsync(ctx, map[string]string{})
	if retours.ErrorCode(err) != retours.EUNAVAILABLE {
		t.Errorf("invoking an unknown function = %v, want unavailable", err)
	}
}

// TestInvokeAndWait: a synchronous invocation returns at the end of the
// function's run, with its failure as a *FunctionError, which is not tried
// again; a function that takes no synchronous invocation is refused, as an
// unknown one is unavailable.
func TestInvokeAndWait(t *testing.T) {
	local, err := lambdainvoke.StartLocal("retours-aggregate", "retours-erase")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	var runs []string
	local.Handle("retours-aggregate", func(_ context.Context, payload []byte) error {
		runs = append(runs, string(payload))
		if strings.Contains(string(payload), "fail") {
			return errors.New("download: no downloads bucket")
		}
		return nil
	})
	ctx := context.Background()
	inv := lambdainvoke.New(local.Client(), "retours-aggregate")
	if err := inv.InvokeAndWait(ctx, map[string]string{"job": "j1"}); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0] != `{"job":"j1"}` {
		t.Errorf("runs = %q, want the job's, once, before InvokeAndWait returned", runs)
	}
	err = inv.InvokeAndWait(ctx, map[string]string{"job": "fail"})
	var fe *lambdainvoke.FunctionError
	if !errors.As(err, &fe) || fe.Function != "retours-aggregate" || fe.Message != "download: no downloads bucket" || fe.Type != "errorString" {
		t.Errorf("a failed run = %v, want its error", err)
	}
	if len(runs) != 2 {
		t.Errorf("%d runs, want 2: a failed run is not tried again", len(runs))
	}
	if err := lambdainvoke.New(local.Client(), "retours-erase").InvokeAndWait(ctx, 1); err == nil || !strings.Contains(err.Error(), "InvalidParameterValueException") {
		t.Errorf("waiting on a function that takes none = %v, want InvalidParameterValueException", err)
	}
	if err := lambdainvoke.New(local.Client(), "retours-nope").InvokeAndWait(ctx, 1); retours.ErrorCode(err) != retours.EUNAVAILABLE {
		t.Errorf("waiting on an unknown function = %v, want unavailable", err)
	}
}

// TestInvokeSigned: the invocation is signed with the client's
// credentials, as Lambda checks; one signed with others is refused.
func TestInvokeSigned(t *testing.T) {
	local, err := lambdainvoke.StartLocal("retours-erase")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	client := lambdainvoke.NewClient(aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(local.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "not-local", "")})
	err = lambdainvoke.New(client, "retours-erase").InvokeAsync(context.Background(), map[string]string{"erase_event": "k3vq2a7b"})
	if retours.ErrorCode(err) != retours.EUNAVAILABLE || !strings.Contains(err.Error(), "InvalidSignatureException") {
		t.Errorf("invoking with the wrong secret = %v, want unavailable, InvalidSignatureException", err)
	}
	if got := local.Payloads("retours-erase"); len(got) != 0 {
		t.Errorf("payloads = %q, want none", got)
	}
}

// TestInvokeRetries: a throttled invocation is tried again, as the SDK's
// standard retryer would, and fails when Lambda keeps throttling it.
func TestInvokeRetries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		throttled int
		wantCalls int
		wantErr   bool
	}{
		{"throttled once", 1, 2, false},
		{"throttled every time", 10, 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if calls <= tc.throttled {
					w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.WriteHeader(http.StatusAccepted)
			}))
			defer srv.Close()
			client := lambdainvoke.NewClient(aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(srv.URL),
				Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
			err := lambdainvoke.New(client, "retours-erase").InvokeAsync(context.Background(), map[string]string{})
			if (err != nil) != tc.wantErr || calls != tc.wantCalls {
				t.Errorf("err = %v after %d calls, want error %v after %d", err, calls, tc.wantErr, tc.wantCalls)
			}
			if tc.wantErr && retours.ErrorCode(err) != retours.EUNAVAILABLE {
				t.Errorf("err = %v, want unavailable", err)
			}
		})
	}
}

// TestEndpoint: the Lambda endpoint a main reads (AWS_ENDPOINT_URL_LAMBDA)
// wins over the configuration's own (AWS_ENDPOINT_URL), and none leaves it.
func TestEndpoint(t *testing.T) {
	local, err := lambdainvoke.StartLocal("retours-erase")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	cfg := aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String("http://127.0.0.1:9"),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	ctx := context.Background()
	if err := lambdainvoke.New(lambdainvoke.NewClient(cfg, lambdainvoke.Endpoint(aws.String(local.URL))), "retours-erase").InvokeAsync(ctx, 1); err != nil {
		t.Errorf("invoking through the Lambda endpoint = %v", err)
	}
	cfg.BaseEndpoint = aws.String(local.URL)
	if err := lambdainvoke.New(lambdainvoke.NewClient(cfg, lambdainvoke.Endpoint(nil)), "retours-erase").InvokeAsync(ctx, 2); err != nil {
		t.Errorf("invoking through the configuration's endpoint = %v", err)
	}
	if got := local.Payloads("retours-erase"); len(got) != 2 {
		t.Errorf("payloads = %q, want two", got)
	}
}
