// Package s3local runs an S3-compatible server on a loopback port, in this
// process, for the tests and the local run: gofakes3 with an in-memory
// backend, served over real HTTP, so that the code writing downloads
// (internal/s3blob) talks to it through the same requests and Signature
// Version 4 signer as on AWS.
//
// gofakes3 checks neither signatures nor the expiry of presigned URLs, which
// AWS does and which the downloads rely on. The server therefore verifies
// every request's Signature Version 4 itself, with the one pair of static
// credentials its clients use: a request signed with other credentials, for
// another region, tampered with after signing, or a presigned URL past its
// expiry is refused with 403 and S3's error code, as AWS would.
package s3local

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// The credentials and region every local client uses, like DynamoDB Local's.
const (
	AccessKeyID     = "local"
	SecretAccessKey = "local"
	Region          = "eu-west-3"
)

// Options configure Start.
type Options struct {
	// Buckets are created when the server starts.
	Buckets []string
	// Now is the server's clock, against which presigned URLs expire;
	// time.Now when nil.
	Now func() time.Time
}

// Server is a running local S3.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string

	hs  *http.Server
	now func() time.Time
}

// Start serves a new, empty S3 on a free loopback port and creates
// opts.Buckets. The server runs until Close.
func Start(ctx context.Context, opts Options) (*Server, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("s3local: listen: %w", err)
	}
	fake := gofakes3.New(s3mem.New(), gofakes3.WithTimeSource(clock(now)))
	s := &Server{
		Endpoint: "http://" + ln.Addr().String(),
		now:      now,
	}
	s.hs = &http.Server{Handler: verify(fake.Server(), now), ReadHeaderTimeout: 10 * time.Second}
	go s.hs.Serve(ln)
	client := s.Client()
	for _, b := range opts.Buckets {
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			s.Close()
			return nil, fmt.Errorf("s3local: create bucket %s: %w", b, err)
		}
	}
	return s, nil
}

// Config returns the configuration of a client of the server: its region,
// the static dummy credentials and BaseEndpoint, to which internal/s3blob's
// client sends path-style requests.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
		BaseEndpoint: aws.String(s.Endpoint),
	}
}

// Client returns the SDK's S3 client for the server, which creates the
// buckets and with which tests look inside them: Config's settings and
// path-style addressing (the bucket in the path, since 127.0.0.1 has no
// subdomains). optFns apply after these, so a test may add middleware.
func (s *Server) Client(optFns ...func(*s3.Options)) *s3.Client {
	cfg := s.Config()
	return s3.New(s3.Options{
		Region:       cfg.Region,
		Credentials:  cfg.Credentials,
		BaseEndpoint: cfg.BaseEndpoint,
		UsePathStyle: true,
	}, optFns...)
}

// Close stops the server; its objects are gone.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.hs.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("s3local: stop: %w", err)
	}
	return nil
}

// clock adapts a func to gofakes3's TimeSource.
type clock func() time.Time

func (c clock) Now() time.Time                  { return c() }
func (c clock) Since(t time.Time) time.Duration { return c().Sub(t) }
