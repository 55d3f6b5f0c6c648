package s3local_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/retours/retours/internal/s3local"
)

func start(t *testing.T, now func() time.Time) *s3local.Server {
	t.Helper()
	srv, err := s3local.Start(context.Background(), s3local.Options{Buckets: []string{"bkt"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func put(c *s3.Client) error {
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/k"), Body: strings.NewReader("hello")})
	return err
}

func TestTheLocalClientWritesAndReads(t *testing.T) {
	srv := start(t, nil)
	if err := put(srv.Client()); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := srv.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/k")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if body, _ := io.ReadAll(out.Body); string(body) != "hello" {
		t.Errorf("GetObject = %q, want hello", body)
	}
}

// TestSignaturesAreChecked: what gofakes3 lets through and AWS refuses is
// refused here too.
func TestSignaturesAreChecked(t *testing.T) {
	var skew atomic.Int64
	srv := start(t, func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	tests := []struct {
		name     string
		skew     time.Duration
		opt      func(*s3.Options)
		wantCode string
	}{
		{"another secret key", 0, func(o *s3.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider(s3local.AccessKeyID, "other", "")
		}, "SignatureDoesNotMatch"},
		{"another access key", 0, func(o *s3.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider("someone", s3local.SecretAccessKey, "")
		}, "InvalidAccessKeyId"},
		{"another region", 0, func(o *s3.Options) { o.Region = "us-east-1" }, "AuthorizationHeaderMalformed"},
		// The SDK corrects its clock and retries after this error: without
		// retries, the first answer shows.
		{"a clock an hour late", time.Hour, func(o *s3.Options) { o.Retryer = aws.NopRetryer{} }, "RequestTimeTooSkewed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skew.Store(int64(tt.skew))
			err := put(srv.Client(tt.opt))
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tt.wantCode {
				t.Errorf("PutObject = %v, want %s", err, tt.wantCode)
			}
		})
	}
}

func TestAnonymousRequestsAreRefused(t *testing.T) {
	srv := start(t, nil)
	if err := put(srv.Client()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.Endpoint + "/bkt/dir/k")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>AccessDenied</Code>") {
		t.Errorf("anonymous GET = %d %s, want 403 AccessDenied", resp.StatusCode, body)
	}
}
