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
// It sends S3's PutObject and HeadObject requests and signs its links
// itself, with the SDK's Signature Version 4 signer, rather than through
// the SDK's S3 client: that client's package, linked for these three
// calls, made the organiser's bootstrap 4.8 MB larger and initialised its
// endpoint rules, its SigV4a signer and its checksum tables at every cold
// start of the functions that link it.
//
// The store receives its client: pointing it at AWS or at the local S3
// (internal/s3local) is the caller's choice. Leave the client the SDK's
// default HTTP client, or give it one without the DynamoDB client's
// two-second attempt timeout (dynamo.NewHTTPClient): an upload of tens of
// megabytes takes longer.
package s3blob

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/retours/retours/internal/retours"
)

// LinkTTL is how long a download link stays valid: long enough to follow a
// redirect on a slow network, short enough that a link copied from the
// address bar soon leads nowhere.
const LinkTTL = 5 * time.Minute

// Encryption is the server-side encryption every object is written with:
// S3-managed keys, which need no KMS permission and cost nothing.
const Encryption = "AES256"

// Store writes files into one bucket and signs links to them.
type Store struct {
	client func() *Client
	bucket string
}

// New returns a store on bucket through client.
func New(client *Client, bucket string) *Store {
	return Lazy(func() *Client { return client }, bucket)
}

// Lazy returns a store on bucket whose client newClient makes on the
// store's first use: a function that hands out a large download now and
// then makes nothing of it at each cold start.
func Lazy(newClient func() *Client, bucket string) *Store {
	return &Store{bucket: bucket, client: sync.OnceValue(newClient)}
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
	if err := s.client().put(ctx, s.bucket, f); err != nil {
		return translate("put "+f.Key, err)
	}
	return nil
}

// Link returns a URL that downloads key with a plain GET until ttl has
// passed, and when that is.
func (s *Store) Link(ctx context.Context, key string, ttl time.Duration) (url string, expires time.Time, err error) {
	signedAt := time.Now()
	url, err = s.client().presignGet(ctx, s.bucket, key, ttl, signedAt)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("s3blob: sign %s: %w", key, err)
	}
	return url, signedAt.Add(ttl), nil
}

// Exists reports whether key holds a file: what a function asks of a
// download another run is preparing. S3 answers 404 for a missing key only
// to a caller allowed s3:ListBucket on the bucket, and 403 otherwise, which
// is an error here.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	err := s.client().head(ctx, s.bucket, key)
	var ae *apiError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
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
	var ae *apiError
	if errors.As(err, &ae) {
		switch {
		case ae.Code == "SlowDown", ae.Code == "ServiceUnavailable", ae.Code == "RequestTimeout",
			ae.Status == http.StatusServiceUnavailable:
			return fmt.Errorf("s3blob: %s: %s: %w", op, ae.Code, retours.NewError(retours.EUNAVAILABLE, "unavailable"))
		}
		return fmt.Errorf("s3blob: %s: %s", op, ae.Code)
	}
	return fmt.Errorf("s3blob: %s: %w", op, err)
}
