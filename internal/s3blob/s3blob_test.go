package s3blob_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

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
	store := s3blob.New(srv.Client(), bucket)
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
	store := s3blob.New(srv.Client(), bucket)
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
	store := s3blob.New(srv.Client(), bucket)
	err := store.Put(context.Background(), s3blob.File{Key: "k", Body: []byte("x")})
	if err == nil {
		t.Error("Put without a content type or a file name succeeded")
	}
}

func TestExists(t *testing.T) {
	srv, _ := server(t)
	store := s3blob.New(srv.Client(), bucket)
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
	store := s3blob.Lazy(func() *s3.Client { made++; return srv.Client() }, bucket)
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
