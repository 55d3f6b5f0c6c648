// Package runtimeapi runs a function's bootstrap as Lambda does: as a
// process with Lambda's environment variables, taking its invocations from a
// minimal Lambda Runtime API (version 2018-06-01: next invocation, response,
// invocation error, initialisation error) served on a loopback port. The
// benchmark times the functions' start-ups with it and the tests run the
// built functions with it. No function links it.
package runtimeapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LocalBuild is how the tests and the benchmark's smoke run build the
// functions for this machine: as make build does (no RPC shim, stripped),
// but without -trimpath and with the machine's cgo setting, so that go build
// reuses what go test compiled.
var LocalBuild = []string{"build", "-ldflags", "-s -w", "-tags", "lambda.norpc"}

// GoTool returns the go command of the toolchain running the tests, which
// builds the functions as they were compiled; "go" from the PATH when it
// has none.
func GoTool() string {
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

// Env returns the variables Lambda sets for a function named name at 256 MB,
// with JSON logs at level, a region and dummy credentials of its role; the
// caller adds the function's own configuration. Start adds
// AWS_LAMBDA_RUNTIME_API.
func Env(name, level string) []string {
	return []string{
		"AWS_LAMBDA_FUNCTION_NAME=retours-" + name, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=" + level,
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/retours-" + name, "AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT=/var/task", "TZ=:UTC",
		"AWS_REGION=eu-west-3", "AWS_DEFAULT_REGION=eu-west-3",
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_SESSION_TOKEN=local",
	}
}

// ErrorReport is an error a function posted to the Runtime API.
type ErrorReport struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
	// Header is the Lambda-Runtime-Function-Error-Type header it sent.
	Header string `json:"-"`
}

func (e *ErrorReport) Error() string { return e.Type + ": " + e.Message }

// Response is what a function answered to an invocation.
type Response struct {
	At    time.Time    // when the answer arrived
	Body  []byte       // the response, when the function answered
	Error *ErrorReport // the error, when the function failed
}

// ErrExited is returned by Invoke when the process ended without answering.
var ErrExited = errors.New("runtimeapi: the function exited")

// Function is a bootstrap running against its own Runtime API.
type Function struct {
	// Started is when the process started.
	Started time.Time

	cmd     *exec.Cmd
	srv     *http.Server
	queue   chan invocation
	exited  chan struct{}
	exitErr error
	out     lockedBuffer

	mu        sync.Mutex
	pending   map[string]chan Response
	initError *ErrorReport
	polls     int
	seq       int
	timeout   time.Duration
}

// DefaultTimeout is an invocation's time when SetTimeout was not called.
const DefaultTimeout = 30 * time.Second

// SetTimeout sets the function's timeout, as template.yaml sets it: each
// invocation's deadline is that long after the function receives it.
func (f *Function) SetTimeout(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.timeout = d
}

type invocation struct {
	id      string
	payload []byte
}

// Start starts bootstrap with env (see Env) and AWS_LAMBDA_RUNTIME_API set to
// a Runtime API of its own, and nothing else of this process's environment.
func Start(ctx context.Context, bootstrap string, env []string) (*Function, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &Function{queue: make(chan invocation, 16), exited: make(chan struct{}), pending: map[string]chan Response{}}
	f.srv = &http.Server{Handler: f}
	go f.srv.Serve(ln)
	f.cmd = exec.CommandContext(ctx, bootstrap)
	f.cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String()}, env...)
	f.cmd.Stdout, f.cmd.Stderr = &f.out, &f.out
	f.Started = time.Now()
	if err := f.cmd.Start(); err != nil {
		f.srv.Close()
		return nil, err
	}
	go func() {
		f.exitErr = f.cmd.Wait()
		close(f.exited)
	}()
	return f, nil
}

// Invoke hands payload to the function at its next poll and returns its
// answer. It returns ErrExited, with the initialisation error the function
// reported if any, when the process ends first.
func (f *Function) Invoke(ctx context.Context, payload []byte) (*Response, error) {
	f.mu.Lock()
	f.seq++
	id := fmt.Sprintf("%08d-0000-4000-8000-%012d", f.seq, f.seq)
	done := make(chan Response, 1)
	f.pending[id] = done
	f.mu.Unlock()
	f.queue <- invocation{id: id, payload: payload}
	select {
	case r := <-done:
		return &r, nil
	case <-f.exited:
		if ie := f.InitError(); ie != nil {
			return nil, fmt.Errorf("%w after reporting an initialisation error: %v", ErrExited, ie)
		}
		return nil, fmt.Errorf("%w (%v)", ErrExited, f.exitErr)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Wait waits for the process to end and returns how it ended.
func (f *Function) Wait(ctx context.Context) error {
	select {
	case <-f.exited:
		return f.exitErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// InitError returns the initialisation error the function reported, if any.
func (f *Function) InitError() *ErrorReport {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.initError
}

// Polls returns how many times the function asked for its next invocation.
func (f *Function) Polls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.polls
}

// Output returns what the process wrote to stdout and stderr so far.
func (f *Function) Output() string { return f.out.String() }

// Stop ends the process and its Runtime API.
func (f *Function) Stop() {
	f.cmd.Process.Kill()
	<-f.exited
	f.srv.Close()
}

const prefix = "/2018-06-01/runtime/"

// ServeHTTP is the Runtime API.
func (f *Function) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		f.mu.Lock()
		f.polls++
		timeout := cmp.Or(f.timeout, DefaultTimeout)
		f.mu.Unlock()
		var inv invocation
		select {
		case inv = <-f.queue:
		case <-r.Context().Done():
			return
		}
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(timeout).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-3:123456789012:function:retours")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
		h.Set("Content-Type", "application/json")
		w.Write(inv.payload)
	case r.Method == http.MethodPost && path == "init/error":
		rep := readError(r)
		f.mu.Lock()
		f.initError = rep
		f.mu.Unlock()
		accepted(w)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		id, what, _ := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		f.mu.Lock()
		done, ok := f.pending[id]
		delete(f.pending, id)
		f.mu.Unlock()
		if !ok {
			http.Error(w, `{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		res := Response{}
		switch what {
		case "response":
			res.Body, _ = io.ReadAll(r.Body)
		case "error":
			res.Error = readError(r)
		default:
			http.NotFound(w, r)
			return
		}
		res.At = time.Now()
		accepted(w)
		done <- res
	default:
		http.NotFound(w, r)
	}
}

func readError(r *http.Request) *ErrorReport {
	rep := &ErrorReport{Header: r.Header.Get("Lambda-Runtime-Function-Error-Type")}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, rep); err != nil {
		rep.Message = string(body)
	}
	return rep
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	w.Write([]byte(`{"status":"OK"}`))
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
