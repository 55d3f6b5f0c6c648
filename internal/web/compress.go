package web

import (
	"compress/gzip"
	"mime"
	"net/http"
	"strings"
	"sync"
)

// gzipMinSize is the smallest body worth compressing: below it, gzip's own
// header and trailer eat most of the saving.
const gzipMinSize = 512

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return w
}}

// compressWriter gzips text bodies for clients that accept it. It holds the
// status and the first bytes until it knows the body is worth compressing.
//
// Behind API Gateway, the Lambda adapter (aws-lambda-go-api-proxy core,
// ProxyResponseWriterV2.GetProxyResponse) sends a body as text when it is
// valid UTF-8 and base64-encodes it otherwise. A gzip stream starts with the
// bytes 1f 8b, never valid UTF-8, so compressed bodies always travel as
// base64 and API Gateway decodes them back to the same bytes.
type compressWriter struct {
	http.ResponseWriter
	accept  bool
	status  int
	buf     []byte
	decided bool
	gz      *gzip.Writer
}

func newCompressWriter(w http.ResponseWriter, r *http.Request) *compressWriter {
	return &compressWriter{ResponseWriter: w, accept: r.Method != http.MethodHead && acceptsGzip(HeaderList(r.Header, "Accept-Encoding"))}
}

func (c *compressWriter) WriteHeader(code int) {
	if c.decided {
		c.ResponseWriter.WriteHeader(code)
		return
	}
	if c.status == 0 {
		c.status = code
	}
}

func (c *compressWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if !c.decided {
		c.buf = append(c.buf, p...)
		if len(c.buf) >= gzipMinSize {
			if err := c.decide(); err != nil {
				return 0, err
			}
		}
		return len(p), nil
	}
	if c.gz != nil {
		return c.gz.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

// decide sets the encoding, then writes the held status and bytes.
func (c *compressWriter) decide() error {
	c.decided = true
	h := c.Header()
	if compressible(h.Get("Content-Type")) {
		h.Add("Vary", "Accept-Encoding")
		if c.accept && len(c.buf) >= gzipMinSize && h.Get("Content-Encoding") == "" &&
			c.status != http.StatusNoContent && c.status != http.StatusNotModified && c.status != http.StatusPartialContent {
			h.Set("Content-Encoding", "gzip")
			h.Del("Content-Length")
			c.gz = gzipWriters.Get().(*gzip.Writer)
			c.gz.Reset(c.ResponseWriter)
		}
	}
	c.ResponseWriter.WriteHeader(c.status)
	buf := c.buf
	c.buf = nil
	if len(buf) == 0 {
		return nil
	}
	var err error
	if c.gz != nil {
		_, err = c.gz.Write(buf)
	} else {
		_, err = c.ResponseWriter.Write(buf)
	}
	return err
}

// Close writes what is held and ends the gzip stream. A response with no
// status yet is left alone.
func (c *compressWriter) Close() error {
	if !c.decided {
		if c.status == 0 {
			return nil
		}
		if err := c.decide(); err != nil {
			return err
		}
	}
	if c.gz == nil {
		return nil
	}
	err := c.gz.Close()
	c.gz.Reset(nil)
	gzipWriters.Put(c.gz)
	c.gz = nil
	return err
}

// compressible reports whether a content type is text that gzip shrinks;
// PNGs and other compressed formats are not.
func compressible(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "image/svg+xml", mt == "application/xml":
		return true
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip: named
// with a q value above zero, or covered by "*" when not named.
func acceptsGzip(h string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, part := range strings.Split(h, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if f, err := parseQ(v); err == nil {
				q = f
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzipQ = q
		case "*":
			starQ = q
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
