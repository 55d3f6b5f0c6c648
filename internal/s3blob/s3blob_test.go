package s3blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/s3blob"
	"github.com/retours/retours/internal/s3local"
	"github.com/retours/retours/internal/webtest"
)

const bucket = "retours-downloads"

// server starts a local S3 whose clock the test moves with skew.
func server(t *testing.T) (*s3local.Server, *atomic.Int64) {
	t.Helper()
	var skew atomic.Int64
	srv, err := s3local.Start(context.Background(), s3local.Options{
		Buckets: []string{bucket},
		Now:     func() time.Time { return time.Now().Add(time.Duration(skew.Load())) },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, &skew
}

// fileOf returns n bytes that do not compress, as an XLSX does not.
func fileOf(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestPublishServesTheWholeFileThroughItsLink(t *testing.T) {
	srv, _ := server(t)
	store := s3blob.New(s3blob.NewClient(srv.Config()), bucket)
	ctx := context.Background()
	tests := []struct {
		name     string
		file     s3blob.File
		wantDisp string
	}{
		{"an XLSX of 9 MB", s3blob.File{
			Key:         "exports/nec-2026/6f1c0e/bilan.xlsx",
			ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			Filename:    "bilan-nec-2026.xlsx",
			Body:        fileOf(9 << 20),
		}, "bilan-nec-2026.xlsx"},
		{"an export of 35 MB with an accented name", s3blob.File{
			Key:         "exports/nec-2026/0a9b3d/export.json",
			ContentType: "application/json",
			Filename:    "export – Numérique En Commun[s].json",
			Body:        bytes.Repeat([]byte(`{"answer":"très bien"},`), 35<<20/23),
		}, "export – Numérique En Commun[s].json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link, err := store.Publish(ctx, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(link)
			if got := u.Query().Get("X-Amz-Expires"); got != strconv.Itoa(int(s3blob.LinkTTL/time.Second)) {
				t.Errorf("X-Amz-Expires = %q, want %v", got, s3blob.LinkTTL)
			}
			resp, body := webtest.Get(t, link)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET = %d %s", resp.StatusCode, body)
			}
			if !bytes.Equal(body, tt.file.Body) {
				t.Fatalf("downloaded %d bytes, not the %d written", len(body), len(tt.file.Body))
			}
			if got := resp.Header.Get("Content-Type"); got != tt.file.ContentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.file.ContentType)
			}
			if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(tt.file.Body)) {
				t.Errorf("Content-Length = %q, want %d", got, len(tt.file.Body))
			}
			disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != tt.wantDisp {
				t.Errorf("Content-Disposition = %q (%v), want an attachment named %q", resp.Header.Get("Content-Disposition"), err, tt.wantDisp)
			}
			if got := resp.Header.Get("X-Amz-Server-Side-Encryption"); got != string(s3blob.Encryption) {
				t.Errorf("x-amz-server-side-encryption = %q, want %q", got, s3blob.Encryption)
			}
		})
	}
}

func TestLinksAreRefused(t *testing.T) {
	srv, skew := server(t)
	store := s3blob.New(s3blob.NewClient(srv.Config()), bucket)
	ctx := context.Background()
	file := s3blob.File{Key: "exports/e/1/bilan.csv", ContentType: "text/csv; charset=utf-8", Filename: "bilan.csv", Body: []byte("a;b\n1;2\n")}
	link, err := store.Publish(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := webtest.Get(t, link); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh link: GET = %d %s", resp.StatusCode, body)
	}
	tampered := strings.Replace(link, "/1/bilan.csv", "/2/bilan.csv", 1)
	missing, _, err := store.Link(ctx, "exports/e/none.csv", time.Minute)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		link     string
		skew     time.Duration
		status   int
		wantCode string
	}{
		{"just before it expires", link, s3blob.LinkTTL - 2*time.Second, http.StatusOK, ""},
		{"once it has expired", link, s3blob.LinkTTL + time.Second, http.StatusForbidden, "<Code>AccessDenied</Code><Message>Request has expired</Message>"},
		{"for another key", tampered, 0, http.StatusForbidden, "<Code>SignatureDoesNotMatch</Code>"},
		{"without its signature", strings.Split(link, "?")[0], 0, http.StatusForbidden, "<Code>AccessDenied</Code>"},
		{"for a file that is not there", missing, 0, http.StatusNotFound, "<Code>NoSuchKey</Code>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skew.Store(int64(tt.skew))
			resp, body := webtest.Get(t, tt.link)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.wantCode) {
				t.Errorf("GET = %d %s, want %d %s", resp.StatusCode, body, tt.status, tt.wantCode)
			}
		})
	}
}

func TestContentDisposition(t *testing.T) {
	for _, name := range []string{"bilan.md", "bilan « NEC » 2026.html", `a"b\c.csv`} {
		t.Run(name, func(t *testing.T) {
			v := s3blob.ContentDisposition(name)
			disp, params, err := mime.ParseMediaType(v)
			if err != nil || disp != "attachment" || params["filename"] != name {
				t.Errorf("ContentDisposition(%q) = %q, reads back as %q %v (%v)", name, v, disp, params, err)
			}
		})
	}
}

func TestPutNeedsItsMetadata(t *testing.T) {
	srv, _ := server(t)
	store := s3blob.New(s3blob.NewClient(srv.Config()), bucket)
	err := store.Put(context.Background(), s3blob.File{Key: "k", Body: []byte("x")})
	if err == nil {
		t.Error("Put without a content type or a file name succeeded")
	}
}

func TestExists(t *testing.T) {
	srv, _ := server(t)
	store := s3blob.New(s3blob.NewClient(srv.Config()), bucket)
	ctx := context.Background()
	if err := store.Put(ctx, s3blob.File{Key: "downloads/e/1", ContentType: "text/csv", Filename: "a.csv", Body: []byte("a\n")}); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{"downloads/e/1": true, "downloads/e/2": false, "downloads/e": false} {
		if got, err := store.Exists(ctx, key); err != nil || got != want {
			t.Errorf("Exists(%q) = %v, %v; want %v", key, got, err, want)
		}
	}
}

// TestLazyMakesItsClientOnFirstUse: a lazy store makes its client when it
// first writes a file, once, and not before.
func TestLazyMakesItsClientOnFirstUse(t *testing.T) {
	srv, _ := server(t)
	made := 0
	store := s3blob.Lazy(func() *s3blob.Client { made++; return s3blob.NewClient(srv.Config()) }, bucket)
	if made != 0 {
		t.Fatalf("clients made before the first use = %d, want 0", made)
	}
	ctx := context.Background()
	for i := range 2 {
		f := s3blob.File{Key: "exports/e/" + strconv.Itoa(i), ContentType: "text/csv", Filename: "bilan.csv", Body: []byte("a\n")}
		if err := store.Put(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if made != 1 {
		t.Errorf("clients made after two files = %d, want 1", made)
	}
}

// TestKeysAreEscapedAsS3SignsThem: a key with spaces, accents and the
// characters a URL path leaves as they are is written, found and served
// under its own name, and its link has the path the SDK's presigner gives
// it (S3 signs the path it decodes, escaped again its own way).
func TestKeysAreEscapedAsS3SignsThem(t *testing.T) {
	srv, _ := server(t)
	store := s3blob.New(s3blob.NewClient(srv.Config()), bucket)
	ctx := context.Background()
	for _, key := range []string{
		"exports/nec 2026/bilan (v2)+été!.csv",
		"exports/a=b&c;d,e@f:g$h'i*/~_-.csv",
		"exports/100%/« clôture ».md",
	} {
		t.Run(key, func(t *testing.T) {
			body := []byte("a;b\n" + key + "\n")
			link, err := store.Publish(ctx, s3blob.File{Key: key, ContentType: "text/csv", Filename: "bilan.csv", Body: body})
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := store.Exists(ctx, key); err != nil || !ok {
				t.Errorf("Exists = %v, %v; want true", ok, err)
			}
			if resp, got := webtest.Get(t, link); resp.StatusCode != http.StatusOK || !bytes.Equal(got, body) {
				t.Errorf("GET = %d %q, want 200 %q", resp.StatusCode, got, body)
			}
			sdk, err := s3.NewPresignClient(srv.Client()).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Split(link, "?")[0], strings.Split(sdk.URL, "?")[0]; got != want {
				t.Errorf("link = %s, want %s as the SDK's", got, want)
			}
			out, err := srv.Client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("the SDK's client finds no object under the key: %v", err)
			}
			out.Body.Close()
		})
	}
}

// TestCallsAreSigned: S3 refuses a call signed with other credentials or
// for another region, and the store reports S3's code, not a throttling.
func TestCallsAreSigned(t *testing.T) {
	srv, _ := server(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		opt      func(*s3blob.Options)
		wantCode string
		wantHead string // HEAD has no body: S3's status is all there is
	}{
		{"another secret key", func(o *s3blob.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider(s3local.AccessKeyID, "other", "")
		}, "SignatureDoesNotMatch", "Forbidden"},
		{"another region", func(o *s3blob.Options) { o.Region = "us-east-1" }, "AuthorizationHeaderMalformed", "BadRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := s3blob.New(s3blob.NewClient(srv.Config(), tt.opt), bucket)
			err := store.Put(ctx, s3blob.File{Key: "k", ContentType: "text/csv", Filename: "a.csv", Body: []byte("a\n")})
			if err == nil || !strings.Contains(err.Error(), tt.wantCode) || retours.ErrorCode(err) == retours.EUNAVAILABLE {
				t.Errorf("Put = %v, want an error naming %s", err, tt.wantCode)
			}
			if ok, err := store.Exists(ctx, "k"); err == nil || !strings.Contains(err.Error(), tt.wantHead) {
				t.Errorf("Exists = %v, %v; want an error naming %s", ok, err, tt.wantHead)
			}
		})
	}
}

// TestRequests: what reaches S3, on AWS's host and at an endpoint given.
func TestRequests(t *testing.T) {
	var got []*http.Request
	var bodies [][]byte
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, bodies = append(got, r), append(bodies, b)
	}))
	defer endpoint.Close()
	creds := credentials.NewStaticCredentialsProvider("AKID", "secret", "token")
	cfg := aws.Config{Region: "eu-west-3", Credentials: creds}
	ctx := context.Background()

	t.Run("PutObject", func(t *testing.T) {
		store := s3blob.New(s3blob.NewClient(cfg, s3blob.Endpoint(aws.String(endpoint.URL+"/"))), bucket)
		body := []byte("a;b\n1;2\n")
		if err := store.Put(ctx, s3blob.File{Key: "exports/e 1/bilan.csv", ContentType: "text/csv", Filename: "bilan « 1 ».csv", Body: body}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("%d requests, want 1", len(got))
		}
		r := got[0]
		sum := sha256.Sum256(body)
		for name, want := range map[string]string{
			"Method":                       r.Method,
			"RequestURI":                   "/" + bucket + "/exports/e%201/bilan.csv",
			"Content-Type":                 "text/csv",
			"Content-Disposition":          s3blob.ContentDisposition("bilan « 1 ».csv"),
			"Cache-Control":                "private, no-store",
			"X-Amz-Server-Side-Encryption": "AES256",
			"X-Amz-Content-Sha256":         hex.EncodeToString(sum[:]),
			"X-Amz-Security-Token":         "token",
		} {
			v := r.Header.Get(name)
			switch name {
			case "Method":
				v, want = r.Method, http.MethodPut
			case "RequestURI":
				v = r.RequestURI
			}
			if v != want {
				t.Errorf("%s = %q, want %q", name, v, want)
			}
		}
		if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/eu-west-3/s3/aws4_request") ||
			!strings.Contains(auth, "x-amz-server-side-encryption") {
			t.Errorf("Authorization = %q, want a signature for s3 in eu-west-3 that covers the encryption", auth)
		}
		if !bytes.Equal(bodies[0], body) {
			t.Errorf("body = %q, want %q", bodies[0], body)
		}
	})

	t.Run("a link on AWS", func(t *testing.T) {
		store := s3blob.New(s3blob.NewClient(cfg), bucket)
		link, _, err := store.Link(ctx, "exports/e 1/bilan é.csv", 90*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		if want := "https://" + bucket + ".s3.eu-west-3.amazonaws.com/exports/e%201/bilan%20%C3%A9.csv"; u.Scheme+"://"+u.Host+u.EscapedPath() != want {
			t.Errorf("link = %s, want %s?…", link, want)
		}
		q := u.Query()
		for k, want := range map[string]string{"X-Amz-Expires": "90", "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-SignedHeaders": "host", "X-Amz-Security-Token": "token"} {
			if q.Get(k) != want {
				t.Errorf("%s = %q, want %q", k, q.Get(k), want)
			}
		}
		if c := q.Get("X-Amz-Credential"); !strings.HasSuffix(c, "/eu-west-3/s3/aws4_request") {
			t.Errorf("X-Amz-Credential = %q, want the scope of s3 in eu-west-3", c)
		}
	})
}

// TestThrottlingIsTriedAgain: S3's SlowDown and a 503 without a body are
// tried again, as the SDK's standard retryer would, then reported as
// unavailable; a refusal is not tried again.
func TestThrottlingIsTriedAgain(t *testing.T) {
	slowDown := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		if r.Method != http.MethodHead {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
		}
	}
	denied := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
	}
	tests := []struct {
		name      string
		failing   int
		fail      http.HandlerFunc
		wantCalls int
		wantCode  string // in the error; "" for none
		wantUnav  bool
	}{
		{"slowed down once", 1, slowDown, 2, "", false},
		{"slowed down every time", 10, slowDown, 3, "SlowDown", true},
		{"denied", 10, denied, 1, "AccessDenied", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, op := range []string{"put", "head"} {
				calls := 0
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.Copy(io.Discard, r.Body)
					if calls++; calls <= tt.failing {
						tt.fail(w, r)
					}
				}))
				client := s3blob.NewClient(aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(srv.URL),
					Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
				store := s3blob.New(client, bucket)
				var err error
				if op == "put" {
					err = store.Put(context.Background(), s3blob.File{Key: "k", ContentType: "text/csv", Filename: "a.csv", Body: []byte("a\n")})
				} else {
					_, err = store.Exists(context.Background(), "k")
				}
				srv.Close()
				wantCode := tt.wantCode
				if op == "head" && wantCode == "SlowDown" {
					wantCode = "ServiceUnavailable" // no body to name it
				} else if op == "head" && wantCode == "AccessDenied" {
					wantCode = "Forbidden"
				}
				if calls != tt.wantCalls || (err == nil) != (wantCode == "") || (err != nil && !strings.Contains(err.Error(), wantCode)) {
					t.Errorf("%s: err = %v after %d calls, want %q after %d", op, err, calls, wantCode, tt.wantCalls)
				}
				if unav := retours.ErrorCode(err) == retours.EUNAVAILABLE; unav != tt.wantUnav {
					t.Errorf("%s: err = %v, unavailable %v, want %v", op, err, unav, tt.wantUnav)
				}
			}
		})
	}
}
