// Package sigv4 sends an AWS API request that a package builds itself,
// signed with the SDK's Signature Version 4 signer, as an SDK client would:
// through a middleware stack that sees the service, the operation and the
// input (internal/iamcheck records calls there), and tried again when
// throttled, failed or unreachable. internal/lambdainvoke,
// internal/app/secrets and internal/s3blob use it for the few calls each
// makes, rather than link the SDK's client of the service, whose package
// initialised its schemas and endpoint tables at every cold start.
package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"
)

// Options are a client's settings, those of the SDK's clients it stands
// for.
type Options struct {
	Region      string
	Credentials aws.CredentialsProvider
	// BaseEndpoint replaces AWS's endpoint of the service (a local
	// stand-in's URL).
	BaseEndpoint *string
	// HTTPClient sends the requests; the SDK's default when nil.
	HTTPClient aws.HTTPClient
	// APIOptions are added to the middleware stack each call goes through
	// before it is sent, as to an SDK client's: its Initialize step sees the
	// service id, the operation name and the input, as with the SDK's client.
	APIOptions []func(*middleware.Stack) error
	// Retries is how many times a throttled, failed or unreachable call is
	// tried again (the SDK's standard retryer tries 3 times in all); 2 when
	// zero, none when negative.
	Retries int
}

// FromConfig returns cfg's region, credentials, endpoint, HTTP client and
// API options, then optFns applied, with the defaults filled in.
func FromConfig(cfg aws.Config, optFns ...func(*Options)) Options {
	return New(Options{Region: cfg.Region, Credentials: cfg.Credentials, BaseEndpoint: cfg.BaseEndpoint,
		HTTPClient: cfg.HTTPClient, APIOptions: append([]func(*middleware.Stack) error(nil), cfg.APIOptions...)}, optFns...)
}

// New returns o with optFns applied and the defaults filled in.
func New(o Options, optFns ...func(*Options)) Options {
	for _, f := range optFns {
		f(&o)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = awshttp.NewBuildableClient()
	}
	if o.Retries == 0 {
		o.Retries = 2
	}
	return o
}

// Endpoint sends a client to url instead of its configuration's endpoint,
// when url is not nil (app.Endpoint(os.Getenv, service) in mains:
// AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, as the SDK reads them).
func Endpoint(url *string) func(*Options) {
	return func(o *Options) {
		if url != nil {
			o.BaseEndpoint = url
		}
	}
}

// URL returns the endpoint the requests go to: BaseEndpoint, else
// https://<host>.<region>.amazonaws.com.
func (o *Options) URL(host string) string {
	if o.BaseEndpoint != nil {
		return strings.TrimSuffix(*o.BaseEndpoint, "/")
	}
	return "https://" + host + "." + o.Region + ".amazonaws.com"
}

// Call runs attempt through a middleware stack made of the APIOptions, its
// Initialize step seeing serviceID (the SDK's: "Lambda", "Secrets
// Manager"), operation and in; attempt is tried again, after 50 ms then
// 100 ms, while it fails with an error retryable says the SDK's standard
// retryer would try again, as often as Retries allows and ctx lets it
// (never when retryable is nil). It returns the last attempt's error.
func (o *Options) Call(ctx context.Context, serviceID, operation string, in any, retryable func(error) bool, attempt func(context.Context) error) error {
	stack := middleware.NewStack(operation, func() any { return nil })
	for _, f := range o.APIOptions {
		if err := f(stack); err != nil {
			return err
		}
	}
	send := middleware.HandlerFunc(func(ctx context.Context, _ any) (any, middleware.Metadata, error) {
		for n := 0; ; n++ {
			err := attempt(ctx)
			if err == nil || retryable == nil || !retryable(err) || n >= o.Retries {
				return nil, middleware.Metadata{}, err
			}
			select {
			case <-ctx.Done():
				return nil, middleware.Metadata{}, err
			case <-time.After(time.Duration(50<<n) * time.Millisecond):
			}
		}
	})
	ctx = awsmiddleware.SetServiceID(ctx, serviceID)
	ctx = awsmiddleware.SetOperationName(ctx, operation)
	_, _, err := middleware.DecorateHandler(send, stack).Handle(ctx, in)
	return err
}

// Do signs req, whose body is body, for service (the signing name:
// "lambda", "secretsmanager", "s3") in the region with the credentials, and
// sends it.
func (o *Options) Do(ctx context.Context, req *http.Request, body []byte, service string) (*http.Response, error) {
	creds, err := o.retrieve(ctx)
	if err != nil {
		return nil, err
	}
	if err := sign(ctx, creds, req, body, service, o.Region, time.Now()); err != nil {
		return nil, err
	}
	return o.HTTPClient.Do(req)
}

// Presign returns the URL of req signed in its query string for service in
// the region with the credentials, at signedAt and valid for expires, its
// payload unsigned: S3's presigned links, which anyone holding them may
// follow until then.
func (o *Options) Presign(ctx context.Context, req *http.Request, service string, signedAt time.Time, expires time.Duration) (string, error) {
	creds, err := o.retrieve(ctx)
	if err != nil {
		return "", err
	}
	q := req.URL.Query()
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10))
	req.URL.RawQuery = q.Encode()
	url, _, err := signer(service).PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", service, o.Region, signedAt)
	return url, err
}

func (o *Options) retrieve(ctx context.Context) (aws.Credentials, error) {
	if o.Credentials == nil {
		return aws.Credentials{}, errors.New("no credentials")
	}
	return o.Credentials.Retrieve(ctx)
}

// Unreachable says whether err is a failure to reach the service or to
// read its answer, which the SDK's standard retryer tries again.
func Unreachable(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

func sign(ctx context.Context, creds aws.Credentials, req *http.Request, body []byte, service, region string, at time.Time) error {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if service == "s3" {
		// S3 reads the payload's hash from a header, which the signature
		// covers, and checks the body against it.
		req.Header.Set("X-Amz-Content-Sha256", hash)
	}
	return signer(service).SignHTTP(ctx, creds, req, hash, service, region, at)
}

// signer returns the signer of service's requests: S3 signs the path as it
// is sent, where other services escape it a second time.
func signer(service string) *v4.Signer {
	if service == "s3" {
		return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	}
	return v4.NewSigner()
}

// Signed says whether r, whose body is body, carries the Signature Version
// 4 of creds for service in region over its signed headers and body, as AWS
// checks it: for the local stand-ins.
func Signed(r *http.Request, body []byte, creds aws.Credentials, service, region string) bool {
	auth := r.Header.Get("Authorization")
	_, list, ok := strings.Cut(auth, "SignedHeaders=")
	list, _, _ = strings.Cut(list, ",")
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if !ok || err != nil {
		return false
	}
	again, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return false
	}
	for _, h := range strings.Split(list, ";") {
		if h != "host" && h != "content-length" {
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	if err := sign(r.Context(), creds, again, body, service, region, at); err != nil {
		return false
	}
	return again.Header.Get("Authorization") == auth
}
