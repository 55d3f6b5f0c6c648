package download

import (
	"context"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/s3blob"
)

// JobTimeout is how long a job may take before its file is given up as
// never coming: the aggregate function's 10 minutes, Lambda's retry a minute
// or two after a failure, and a second run.
const JobTimeout = 25 * time.Minute

// Job is a download prepared outside the request: a Worker renders it and
// writes its file to Key in the downloads bucket.
type Job struct {
	// ID is opaque to its readers: when it was made and 120 random bits.
	ID      string  `json:"id"`
	Event   string  `json:"event"`
	Request Request `json:"request"`
}

// jobID encodes ids: lower-case base32 without padding.
var jobID = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewJob returns a new job of req for eventID, made at now.
func NewJob(random io.Reader, now time.Time, eventID string, req Request) (Job, error) {
	var b [20]byte
	binary.BigEndian.PutUint32(b[:4], uint32(now.Unix()))
	if _, err := io.ReadFull(random, b[4:]); err != nil {
		return Job{}, fmt.Errorf("download: job id: %w", err)
	}
	return Job{ID: strings.ToLower(jobID.EncodeToString(b[:])), Event: eventID, Request: req}, nil
}

// JobStarted returns when the job of id was made, and false when id is not
// a job's.
func JobStarted(id string) (time.Time, bool) {
	if len(id) != 32 || strings.ToLower(id) != id {
		return time.Time{}, false
	}
	b, err := jobID.DecodeString(strings.ToUpper(id))
	if err != nil || len(b) != 20 {
		return time.Time{}, false
	}
	return time.Unix(int64(binary.BigEndian.Uint32(b[:4])), 0).UTC(), true
}

// Key is where the job's file goes in the downloads bucket: under its event,
// so that a job id of another event leads nowhere; a session's report under
// its session, so that a speaker's link leads to no other file.
func (j Job) Key() string {
	if j.Request.Format == Session {
		return SessionKey(j.Event, j.Request.Session, j.ID)
	}
	return Key(j.Event, j.ID)
}

// SessionKey is where the session's report of job id goes in the downloads
// bucket.
func SessionKey(eventID, sessionID, id string) string {
	return "downloads/" + eventID + "/sessions/" + sessionID + "/" + id
}

// Key is where the file of job id of event goes in the downloads bucket.
func Key(eventID, id string) string { return "downloads/" + eventID + "/" + id }

// Files keeps the files too large for a response and those of jobs, and
// hands out short-lived links to them (internal/s3blob on the downloads
// bucket).
type Files interface {
	Put(ctx context.Context, f s3blob.File) error
	Exists(ctx context.Context, key string) (bool, error)
	Link(ctx context.Context, key string, ttl time.Duration) (url string, expires time.Time, err error)
}

var _ Files = (*s3blob.Store)(nil)

// Worker prepares the downloads of jobs.
type Worker struct {
	Events retours.EventStore
	Store  Store
	Files  Files
	// XLSX writes spreadsheets (internal/bilan/xlsx.Write).
	XLSX XLSXWriter
	Now  func() time.Time
	Log  *slog.Logger
}

var _ Preparer = (*Worker)(nil)

// Prepare renders the job's file, whatever the event's size, and writes it
// to the job's key. An event erased or being erased meanwhile gets no file:
// nothing of it is written once its erasure has started.
func (w *Worker) Prepare(ctx context.Context, job Job) error {
	if w.Files == nil {
		return errors.New("download: no downloads bucket (DOWNLOADS_BUCKET) to write the file to")
	}
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	log := w.log()
	e, err := w.Events.Event(ctx, job.Event)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		log.LogAttrs(ctx, slog.LevelInfo, "download of an erased event dropped", slog.String("event", job.Event))
		return nil
	}
	if err != nil {
		return err
	}
	f, err := Renderer{XLSX: w.XLSX}.Render(ctx, w.Store, e, job.Request, now)
	if err != nil {
		return err
	}
	if err := w.Files.Put(ctx, s3blob.File{Key: job.Key(), ContentType: f.ContentType, Filename: f.Name, Body: f.Body}); err != nil {
		return err
	}
	log.LogAttrs(ctx, slog.LevelInfo, "download prepared", slog.String("event", job.Event), slog.String("format", job.Request.Format),
		slog.Int("bytes", len(f.Body)), slog.Duration("took", time.Since(now)))
	return nil
}

// Starter has a job prepared elsewhere.
type Starter interface {
	Start(ctx context.Context, job Job) error
}

// Preparer prepares a job and returns once its file is written: a Worker,
// or another function invoked and waited for (InvokeAndWait).
type Preparer interface {
	Prepare(ctx context.Context, job Job) error
}

// Invocation is the payload of an invocation of the function that prepares
// downloads; any other payload is that function's schedule.
type Invocation struct {
	Download *Job `json:"download"`
}

// Invoker invokes a function asynchronously with a payload
// (internal/lambdainvoke).
type Invoker interface {
	InvokeAsync(ctx context.Context, payload any) error
}

// Waiter invokes a function with a payload and waits for the end of its
// run (internal/lambdainvoke): an error when the run failed.
type Waiter interface {
	InvokeAndWait(ctx context.Context, payload any) error
}

// InvokeAndWait returns the Preparer that has a function prepare a job
// while the request waits: a synchronous invocation, whose failure is the
// request's.
func InvokeAndWait(inv Waiter) Preparer { return waitPreparer{inv} }

type waitPreparer struct{ inv Waiter }

func (p waitPreparer) Prepare(ctx context.Context, job Job) error {
	return p.inv.InvokeAndWait(ctx, Invocation{Download: &job})
}

// Invoke returns the Starter that has a function prepare jobs: an
// asynchronous invocation, which Lambda retries when it fails.
func Invoke(inv Invoker) Starter { return invokeStarter{inv} }

type invokeStarter struct{ inv Invoker }

func (s invokeStarter) Start(ctx context.Context, job Job) error {
	return s.inv.InvokeAsync(ctx, Invocation{Download: &job})
}

// InProcess returns the Starter of the local server and the tests: the job
// is prepared in a goroutine of this process. Its failure is logged, and
// its file never comes.
func InProcess(w *Worker) Starter { return inProcess{w} }

type inProcess struct{ w *Worker }

func (p inProcess) Start(ctx context.Context, job Job) error {
	go func() {
		ctx := context.WithoutCancel(ctx)
		if err := p.w.Prepare(ctx, job); err != nil {
			p.w.log().LogAttrs(ctx, slog.LevelError, "download not prepared", slog.String("event", job.Event),
				slog.String("code", retours.ErrorCode(err)), slog.String("error", err.Error()))
		}
	}()
	return nil
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}

// Dispatch returns the Lambda handler of a function that prepares jobs
// besides its scheduled work: an Invocation with a job prepares it (its
// error makes Lambda retry), any other payload runs scheduled.
func Dispatch(w *Worker, scheduled func(context.Context) error) func(context.Context, json.RawMessage) error {
	return func(ctx context.Context, raw json.RawMessage) error {
		var inv Invocation
		if json.Unmarshal(raw, &inv) == nil && inv.Download != nil {
			return w.Prepare(ctx, *inv.Download)
		}
		return scheduled(ctx)
	}
}
