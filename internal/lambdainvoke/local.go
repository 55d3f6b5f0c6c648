package lambdainvoke

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/retours/retours/internal/sigv4"
)

// Local is a stand-in for Lambda's Invoke API on a loopback port, for
// tests: it takes asynchronous invocations of the functions it was given,
// as Lambda does (202, nothing in the body), and keeps their payloads; any
// other function is not found (404), and a request not signed with the
// credentials Client gives is refused (403). A synchronous invocation runs
// the function's handler (Handle) and answers at its end, 200 with the
// X-Amz-Function-Error header when it failed; it is refused (400) for a
// function without one.
type Local struct {
	// URL is the endpoint to point a client at (Client does).
	URL string

	srv       *http.Server
	functions map[string]bool
	mu        sync.Mutex
	payloads  map[string][][]byte
	handlers  map[string]func(context.Context, []byte) error
}

// Handle runs h on each synchronous invocation of function, one of the
// stand-in's, with its payload.
func (l *Local) Handle(function string, h func(ctx context.Context, payload []byte) error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handlers[function] = h
}

// StartLocal starts a stand-in that knows the named functions.
func StartLocal(functions ...string) (*Local, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &Local{URL: "http://" + ln.Addr().String(), functions: map[string]bool{}, payloads: map[string][][]byte{},
		handlers: map[string]func(context.Context, []byte) error{}}
	for _, f := range functions {
		l.functions[f] = true
	}
	l.srv = &http.Server{Handler: l}
	go l.srv.Serve(ln)
	return l, nil
}

// Close stops the stand-in.
func (l *Local) Close() error { return l.srv.Close() }

// Client returns a client of the stand-in; opts may add a recorder.
func (l *Local) Client(opts ...func(*Options)) *Client {
	return &Client{o: sigv4.New(Options{
		Region: "eu-west-3", BaseEndpoint: aws.String(l.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}, opts...)}
}

// Payloads returns the payloads of the invocations of function so far.
func (l *Local) Payloads(function string) [][]byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([][]byte(nil), l.payloads[function]...)
}

// ServeHTTP answers POST /2015-03-31/functions/{name}/invocations.
func (l *Local) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
	name, ok2 := strings.CutSuffix(name, "/invocations")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method != http.MethodPost || !ok || !ok2:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"Type":"User","message":"unknown operation"}`)
		return
	case !l.functions[name]:
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"Type":"User","message":"Function not found: `+name+`"}`)
		return
	}
	kind := cmp.Or(r.Header.Get("X-Amz-Invocation-Type"), "RequestResponse")
	l.mu.Lock()
	handler := l.handlers[name]
	l.mu.Unlock()
	if kind != "Event" && (kind != "RequestResponse" || handler == nil) {
		w.Header().Set("X-Amzn-ErrorType", "InvalidParameterValueException")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"Type":"User","message":"only asynchronous invocations of `+name+` here"}`)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if !sigv4.Signed(r, body, aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, "lambda", "eu-west-3") {
		w.Header().Set("X-Amzn-ErrorType", "InvalidSignatureException")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"message":"The request signature we calculated does not match the signature you provided."}`)
		return
	}
	l.mu.Lock()
	l.payloads[name] = append(l.payloads[name], body)
	l.mu.Unlock()
	if kind == "Event" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if err := handler(r.Context(), body); err != nil {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.WriteHeader(http.StatusOK)
		json.NewEncoder(w).Encode(map[string]string{"errorType": "errorString", "errorMessage": err.Error()})
		return
	}
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "null")
}
