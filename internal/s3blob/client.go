package s3blob

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/retours/retours/internal/sigv4"
)

// Options are a Client's settings, those of the SDK's clients it uses.
// BaseEndpoint replaces https://<bucket>.s3.<region>.amazonaws.com (a
// local stand-in's URL); the bucket then goes in the path, as with the
// SDK's UsePathStyle: a server on 127.0.0.1 has no subdomains. The
// APIOptions' middleware stack sees the service "S3", the operation
// (PutObject, HeadObject, or GetObject for a link, as with the SDK's
// presigner) and an *ObjectInput with the Bucket and Key (internal/iamcheck
// records calls there). The SDK's default HTTP client cuts no attempt
// short, as an upload of tens of megabytes needs.
type Options = sigv4.Options

// Client sends S3's PutObject and HeadObject requests and signs links to
// GetObject (internal/sigv4).
type Client struct{ o Options }

// NewClient returns a client with cfg's region, credentials, endpoint,
// HTTP client and API options, then optFns applied.
func NewClient(cfg aws.Config, optFns ...func(*Options)) *Client {
	return &Client{o: sigv4.FromConfig(cfg, optFns...)}
}

// Endpoint sends a client to url instead of its configuration's endpoint,
// when url is not nil (app.Endpoint(os.Getenv, "S3") in mains:
// AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, as the SDK reads them).
func Endpoint(url *string) func(*Options) { return sigv4.Endpoint(url) }

// ObjectInput is what the middleware stack sees of a call, named as the
// SDK's s3.PutObjectInput, s3.HeadObjectInput and s3.GetObjectInput name
// the object.
type ObjectInput struct {
	Bucket *string
	Key    *string
}

// put sends PutObject of f to bucket with its metadata, encrypted at rest.
func (c *Client) put(ctx context.Context, bucket string, f File) error {
	return c.call(ctx, "PutObject", bucket, f.Key, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.objectURL(bucket, f.Key), bytes.NewReader(f.Body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", f.ContentType)
		req.Header.Set("Content-Disposition", ContentDisposition(f.Filename))
		req.Header.Set("Cache-Control", "private, no-store")
		req.Header.Set("X-Amz-Server-Side-Encryption", Encryption)
		return c.send(ctx, req, f.Body)
	})
}

// head sends HeadObject of key in bucket: nil when it is there.
func (c *Client) head(ctx context.Context, bucket, key string) error {
	return c.call(ctx, "HeadObject", bucket, key, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, c.objectURL(bucket, key), nil)
		if err != nil {
			return err
		}
		return c.send(ctx, req, nil)
	})
}

// presignGet returns a URL that gets key from bucket until ttl after
// signedAt, signed in its query string.
func (c *Client) presignGet(ctx context.Context, bucket, key string, ttl time.Duration, signedAt time.Time) (string, error) {
	var link string
	err := c.o.Call(ctx, "S3", "GetObject", object(bucket, key), nil, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.objectURL(bucket, key), nil)
		if err != nil {
			return err
		}
		link, err = c.o.Presign(ctx, req, "s3", signedAt, ttl)
		return err
	})
	return link, err
}

// objectURL is key's URL: virtual-hosted on AWS, path style at an
// endpoint given, each segment of the key escaped as S3 signs it.
func (c *Client) objectURL(bucket, key string) string {
	path := "/" + escapeKey(key)
	if c.o.BaseEndpoint != nil || strings.Contains(bucket, ".") {
		// A dotted name does not match the certificate's *.s3 wildcard.
		return c.o.URL("s3") + "/" + bucket + path
	}
	return c.o.URL(bucket+".s3") + path
}

// escapeKey percent-encodes every byte of key but the unreserved
// characters of RFC 3986 and "/", as S3 and the SDK do.
func escapeKey(key string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		switch ch := key[i]; {
		case 'A' <= ch && ch <= 'Z', 'a' <= ch && ch <= 'z', '0' <= ch && ch <= '9',
			ch == '-', ch == '.', ch == '_', ch == '~', ch == '/':
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[ch>>4])
			b.WriteByte(hexDigits[ch&15])
		}
	}
	return b.String()
}

// call runs attempt, which sends one request, as the operation op on key
// in bucket, and tries it again as the SDK would.
func (c *Client) call(ctx context.Context, op, bucket, key string, attempt func(context.Context) error) error {
	return c.o.Call(ctx, "S3", op, object(bucket, key), retryable, attempt)
}

func object(bucket, key string) *ObjectInput {
	return &ObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
}

// send signs req, whose body is body, and sends it: nil when S3 answers
// 2xx.
func (c *Client) send(ctx context.Context, req *http.Request, body []byte) error {
	resp, err := c.o.Do(ctx, req, body, "s3")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// S3's error bodies are short; a success's is empty.
	out, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return newAPIError(resp.StatusCode, out)
}

// apiError is S3's refusal of a call: the code and message of its XML
// error body, or, for a HEAD, which has none, its status in the SDK's
// words (NotFound, Forbidden…).
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("status %d %s: %s", e.Status, e.Code, e.Message)
}

func newAPIError(status int, body []byte) *apiError {
	e := &apiError{Status: status}
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(body, &doc) == nil && doc.Code != "" {
		e.Code, e.Message = doc.Code, doc.Message
		return e
	}
	e.Code = strings.ReplaceAll(http.StatusText(status), " ", "")
	if status == http.StatusNotFound {
		e.Code = "NotFound"
	}
	if e.Code == "" {
		e.Code = strconv.Itoa(status)
	}
	e.Message = strings.TrimSpace(string(body[:min(len(body), 256)]))
	return e
}

// retryable says whether the SDK's standard retryer would try again.
func retryable(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status == http.StatusTooManyRequests || ae.Status >= 500 || ae.Code == "RequestTimeout"
	}
	return sigv4.Unreachable(err)
}
