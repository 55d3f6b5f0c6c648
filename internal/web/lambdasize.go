package web

import (
	"encoding/base64"
	"unicode/utf8"
)

// MaxLambdaResponse is the largest response a Lambda function may give API
// Gateway: 6 MB for the invocation's whole JSON payload (status, headers,
// body as a JSON string, base64 included). A larger one fails the
// invocation, and the client gets a 502.
const MaxLambdaResponse = 6 << 20

// responseHeadroom is what FitsLambdaResponse keeps for the status, the
// headers, the cookies and the payload's JSON around the body: a response's
// headers take about 2 KB.
const responseHeadroom = 64 << 10

// FitsLambdaResponse reports whether a response with body fits in a Lambda
// response, however it travels: the adapter sends a body that is valid UTF-8
// as a JSON string (where `"`, `\` and control characters take two bytes or
// more) and base64-encodes any other (a third more); the middleware may gzip
// a text body first for a client that accepts it, which is then
// base64-encoded. Handlers of files that grow with an event ask it before
// answering inline, and hand larger files out through S3.
func FitsLambdaResponse(body []byte) bool {
	return LambdaBodySize(body) <= MaxLambdaResponse-responseHeadroom
}

// LambdaBodySize returns the most bytes body can take in a Lambda response's
// JSON payload: as text, base64-encoded, or gzipped then base64-encoded.
func LambdaBodySize(body []byte) int {
	// Gzip stores data that does not compress in blocks of 5 bytes of
	// header each, ends with an empty one, and adds 18 bytes of header and
	// trailer; compress/flate ends a block every 16 KB at most.
	gzipped := base64.StdEncoding.EncodedLen(len(body) + 5*(len(body)/16384+2) + 32)
	if !utf8.Valid(body) {
		return max(base64.StdEncoding.EncodedLen(len(body)), gzipped)
	}
	return max(jsonStringLen(body), gzipped)
}

// jsonStringLen returns the length of body as a JSON string, quotes
// included, as Lambda's runtime encodes it (encoding/json without HTML
// escaping; U+2028 and U+2029 are escaped all the same).
func jsonStringLen(body []byte) int {
	n := 2
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
			n += 2
			i++
		case c < 0x20:
			n += 6
			i++
		case c < utf8.RuneSelf:
			n++
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			if r == '\u2028' || r == '\u2029' {
				n += 6
			} else {
				n += size
			}
			i += size
		}
	}
	return n
}
