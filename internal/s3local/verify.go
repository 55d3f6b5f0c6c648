package s3local

import (
	"crypto/subtle"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	amzDateFormat = "20060102T150405Z"
	algorithm     = "AWS4-HMAC-SHA256"
	// maxExpires is the longest validity S3 accepts for a presigned URL.
	maxExpires = 7 * 24 * time.Hour
	// maxSkew is how far a header-signed request's date may be from the
	// server's clock, as on S3.
	maxSkew = 15 * time.Minute
)

// verify refuses, before h sees it, any request whose Signature Version 4
// does not check out against the local credentials and now: S3's own
// behaviour, which gofakes3 does not implement.
func verify(h http.Handler, now func() time.Time) http.Handler {
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var problem *s3Error
		if r.URL.Query().Has("X-Amz-Signature") {
			problem = checkPresigned(r, signer, creds, now())
		} else {
			problem = checkHeaderSigned(r, signer, creds, now())
		}
		if problem != nil {
			problem.write(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// checkPresigned checks a URL signed in its query string, as the downloads'
// links are: its credentials, its validity window and its signature.
func checkPresigned(r *http.Request, signer *v4.Signer, creds aws.Credentials, now time.Time) *s3Error {
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != algorithm {
		return errAuth("AuthorizationQueryParametersError", "X-Amz-Algorithm only supports \""+algorithm+"\"")
	}
	scope, err := parseCredential(q.Get("X-Amz-Credential"))
	if err != nil {
		return err
	}
	signedAt, perr := time.Parse(amzDateFormat, q.Get("X-Amz-Date"))
	if perr != nil {
		return errAuth("AuthorizationQueryParametersError", "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	secs, perr := strconv.Atoi(q.Get("X-Amz-Expires"))
	if perr != nil || secs < 1 || time.Duration(secs)*time.Second > maxExpires {
		return errAuth("AuthorizationQueryParametersError", "X-Amz-Expires must be a number of seconds from 1 to 604800")
	}
	if now.Before(signedAt.Add(-maxSkew)) {
		return errAuth("AccessDenied", "Request is not valid yet")
	}
	if !now.Before(signedAt.Add(time.Duration(secs) * time.Second)) {
		return errAuth("AccessDenied", "Request has expired")
	}

	// Sign the same request again, at the same instant, and compare.
	unsigned := *r.URL
	rest := url.Values{}
	for k, v := range q {
		switch k {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature":
		default:
			rest[k] = v
		}
	}
	unsigned.RawQuery = rest.Encode()
	req := &http.Request{Method: r.Method, URL: &unsigned, Host: r.Host, Header: signedHeaders(r, q.Get("X-Amz-SignedHeaders"))}
	signed, _, serr := signer.PresignHTTP(r.Context(), creds, req, "UNSIGNED-PAYLOAD", "s3", scope.region, signedAt)
	if serr != nil {
		return errAuth("SignatureDoesNotMatch", serr.Error())
	}
	u, uerr := url.Parse(signed)
	if uerr != nil || !equal(u.Query().Get("X-Amz-Signature"), q.Get("X-Amz-Signature")) {
		return errSignature()
	}
	return nil
}

// checkHeaderSigned checks a request signed in its Authorization header, as
// every SDK call is.
func checkHeaderSigned(r *http.Request, signer *v4.Signer, creds aws.Credentials, now time.Time) *s3Error {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return errAuth("AccessDenied", "Access Denied")
	}
	alg, fields, _ := strings.Cut(auth, " ")
	if alg != algorithm {
		return errAuth("InvalidRequest", "The authorization mechanism you have provided is not supported. Please use "+algorithm+".")
	}
	parts := map[string]string{}
	for _, f := range strings.Split(fields, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		parts[k] = v
	}
	scope, err := parseCredential(parts["Credential"])
	if err != nil {
		return err
	}
	signedAt, perr := time.Parse(amzDateFormat, r.Header.Get("X-Amz-Date"))
	if perr != nil {
		return errAuth("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
	}
	if d := now.Sub(signedAt); d > maxSkew || d < -maxSkew {
		return errAuth("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		return errAuth("InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
	}
	req := &http.Request{Method: r.Method, URL: r.URL, Host: r.Host, Header: signedHeaders(r, parts["SignedHeaders"])}
	if strings.Contains(";"+parts["SignedHeaders"]+";", ";content-length;") {
		req.ContentLength = r.ContentLength
	}
	if serr := signer.SignHTTP(r.Context(), creds, req, payload, "s3", scope.region, signedAt); serr != nil {
		return errAuth("SignatureDoesNotMatch", serr.Error())
	}
	_, again, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
	if !equal(again, parts["Signature"]) {
		return errSignature()
	}
	return nil
}

// signedHeaders returns the headers of r named in list (a;b;c), which are
// the ones the signature covers: the transport adds others after signing.
func signedHeaders(r *http.Request, list string) http.Header {
	h := http.Header{}
	for _, name := range strings.Split(list, ";") {
		switch name {
		case "", "host", "content-length":
			// The signer reads these from Host and ContentLength.
		default:
			if v := r.Header.Values(name); len(v) > 0 {
				h[http.CanonicalHeaderKey(name)] = v
			}
		}
	}
	return h
}

type credentialScope struct{ region string }

// parseCredential checks a credential scope, KEY/DATE/REGION/s3/aws4_request.
func parseCredential(c string) (credentialScope, *s3Error) {
	parts := strings.Split(c, "/")
	if len(parts) != 5 || parts[3] != "s3" || parts[4] != "aws4_request" {
		return credentialScope{}, errAuth("AuthorizationHeaderMalformed", "The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if parts[0] != AccessKeyID {
		return credentialScope{}, errAuth("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	}
	if parts[2] != Region {
		return credentialScope{}, errAuth("AuthorizationHeaderMalformed", "The authorization header is malformed; the region '"+parts[2]+"' is wrong; expecting '"+Region+"'")
	}
	return credentialScope{region: parts[2]}, nil
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// s3Error is an error response in S3's XML shape.
type s3Error struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
	status  int
}

func errAuth(code, msg string) *s3Error {
	status := http.StatusForbidden
	switch code {
	case "AuthorizationQueryParametersError", "AuthorizationHeaderMalformed", "InvalidRequest":
		status = http.StatusBadRequest
	}
	return &s3Error{Code: code, Message: msg, status: status}
}

func errSignature() *s3Error {
	return errAuth("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}

func (e *s3Error) write(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.status)
	if r.Method == http.MethodHead {
		return
	}
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(e)
}
