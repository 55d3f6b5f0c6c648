// Package s3blob keeps files too large for a Lambda response (6 MB, base64
// included) in an S3 bucket and hands out short-lived links to them: the
// function writes the file, then answers with a redirect to a presigned GET
// URL, which the browser follows straight to S3.
//
// The bucket is private (public access blocked, encrypted, objects deleted
// by a lifecycle rule after a day, see template.yaml); a link is the only
// way in, signed with the function's own credentials, so the function needs
// s3:PutObject and s3:GetObject on the bucket's objects and nothing else.
//
// The store receives its client: pointing it at AWS or at the local S3
// (internal/s3local) is the caller's choice. On AWS, give the client an HTTP
// client without the DynamoDB client's two-second attempt timeout
// (dynamo.NewHTTPClient): an upload of tens of megabytes takes longer.
package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/retours/retours/internal/retours"
)

// LinkTTL is how long a download link stays valid: long enough to follow a
// redirect on a slow network, short enough that a link copied from the
// address bar soon leads nowhere.
const LinkTTL = 5 * time.Minute

// Encryption is the server-side encryption every object is written with:
// S3-managed keys, which need no KMS permission and cost nothing.
const Encryption = types.ServerSideEncryptionAes256

// Store writes files into one bucket and signs links to them.
type Store struct {
	clients func() clients
	bucket  string
}

type clients struct {
	client  *s3.Client
	presign *s3.PresignClient
}

// New returns a store on bucket through client.
func New(client *s3.Client, bucket string) *Store {
	return Lazy(func() *s3.Client { return client }, bucket)
}

// Lazy returns a store on bucket whose client newClient makes on the
// store's first use: a function that hands out a large download now and
// then does not make S3's client at each cold start.
func Lazy(newClient func() *s3.Client, bucket string) *Store {
	return &Store{bucket: bucket, clients: sync.OnceValue(func() clients {
		c := newClient()
		return clients{client: c, presign: s3.NewPresignClient(c)}
	})}
}

// Bucket returns the store's bucket.
func (s *Store) Bucket() string { return s.bucket }

// File is one file to keep.
type File struct {
	// Key is the object's key; callers put something unguessable in it
	// (the event and a random id), so that keys never collide.
	Key string
	// ContentType is sent back as the download's Content-Type.
	ContentType string
	// Filename is the name a browser saves the file under (Content-Disposition:
	// attachment); non-ASCII names are encoded as RFC 6266 says.
	Filename string
	// Body is the file's content.
	Body []byte
}

// Put writes f, encrypted at rest. EUNAVAILABLE when S3 asks to slow down.
func (s *Store) Put(ctx context.Context, f File) error {
	if f.Key == "" || f.ContentType == "" || f.Filename == "" {
		return errors.New("s3blob: a file needs a key, a content type and a file name")
	}
	_, err := s.clients().client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               aws.String(s.bucket),
		Key:                  aws.String(f.Key),
		Body:                 bytes.NewReader(f.Body),
		ContentLength:        aws.Int64(int64(len(f.Body))),
		ContentType:          aws.String(f.ContentType),
		ContentDisposition:   aws.String(ContentDisposition(f.Filename)),
		CacheControl:         aws.String("private, no-store"),
		ServerSideEncryption: Encryption,
	})
	if err != nil {
		return translate("put "+f.Key, err)
	}
	return nil
}

// Link returns a URL that downloads key with a plain GET until ttl has
// passed, and when that is.
func (s *Store) Link(ctx context.Context, key string, ttl time.Duration) (url string, expires time.Time, err error) {
	signedAt := time.Now()
	req, err := s.clients().presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(key),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("s3blob: sign %s: %w", key, err)
	}
	return req.URL, signedAt.Add(ttl), nil
}

// Exists reports whether key holds a file: what a function asks of a
// download another run is preparing. S3 answers 404 for a missing key only
// to a caller allowed s3:ListBucket on the bucket, and 403 otherwise, which
// is an error here.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	_, err := s.clients().client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	var missing *types.NotFound
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &missing):
		return false, nil
	}
	return false, translate("head "+key, err)
}

// Publish writes f and returns a link to it valid for LinkTTL: what a
// handler calls before redirecting to the link.
func (s *Store) Publish(ctx context.Context, f File) (string, error) {
	if err := s.Put(ctx, f); err != nil {
		return "", err
	}
	url, _, err := s.Link(ctx, f.Key, LinkTTL)
	return url, err
}

// ContentDisposition returns the header that makes a browser save the
// download as filename.
func ContentDisposition(filename string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": filename}); v != "" {
		return v
	}
	return "attachment"
}

// translate keeps S3's words out of the domain: throttling becomes
// EUNAVAILABLE, anything else an internal error with S3's code.
func translate(op string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "SlowDown", "ServiceUnavailable", "RequestTimeout":
			return fmt.Errorf("s3blob: %s: %s: %w", op, api.ErrorCode(), retours.NewError(retours.EUNAVAILABLE, "unavailable"))
		}
		return fmt.Errorf("s3blob: %s: %s", op, api.ErrorCode())
	}
	return fmt.Errorf("s3blob: %s: %w", op, err)
}
