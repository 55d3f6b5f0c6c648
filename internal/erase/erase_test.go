package erase_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var (
	t0    = storetest.T0.Add(40 * 24 * time.Hour) // the erasure starts, after the answers closed
	grace = retours.ErasureGrace(5*time.Second, 10*time.Second)
	quiet = slog.New(slog.DiscardHandler)
)

// clock is the job's clock: it moves when the test or a waiting run moves
// it. Sleep calls during first, if set, once per wait.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	during func(d time.Duration)
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *clock) Sleep(_ context.Context, d time.Duration) error {
	if c.during != nil {
		c.during(d)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return nil
}

// store is what the tests read and write: internal/memstore or
// internal/dynamo.
type store interface {
	retours.EventStore
	retours.AnswerStore
	retours.SnapshotStore
	retours.ModerationStore
	retours.DigestStore
	retours.ErasureStore
	retours.ShareStore
	retours.EditStore
}

// triggers records the runs Start asked for.
type triggers struct {
	mu  sync.Mutex
	ids []string
}

func (tr *triggers) Trigger(_ context.Context, id string) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.ids = append(tr.ids, id)
	return nil
}

func (tr *triggers) count() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.ids)
}

// mustEvent stores an event of a series with n answers and an item of
// every other kind (storetest.Extras): n+storetest.ExtrasItems+2 items with
// its series entry and itself.
func mustEvent(t *testing.T, st store, n int) *retours.Event {
	t.Helper()
	ctx := context.Background()
	e := storetest.Event(t)
	e.Series, e.Edition = "nec-auvergne", 2
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	for range n {
		if _, _, err := st.PutAnswer(ctx, storetest.Answer(t, e, "", "4"), e.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
	}
	storetest.Extras(t, st, e)
	return e
}

// gone checks that nothing of e is left for the stores' readers: the
// event, its answers and notes, its snapshot, activity, unsubscriptions,
// shares and record of changes.
func gone(t *testing.T, st store, e *retours.Event) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.Event(ctx, e.ID); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Event = %v, want not found", err)
	}
	n := 0
	if err := st.Answers(ctx, e.ID, func(*retours.Answer) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := st.Notes(ctx, e.ID, func(*retours.Note) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d answers and notes left", n)
	}
	if _, err := st.Snapshot(ctx, e.ID, "fr"); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Snapshot = %v, want none", err)
	}
	if cov, err := st.Coverage(ctx, e.ID); err != nil || cov != (retours.Coverage{}) {
		t.Errorf("Coverage = %+v, %v; want nothing", cov, err)
	}
	if u, err := st.Unsubscribed(ctx, e.ID); err != nil || len(u) != 0 {
		t.Errorf("Unsubscribed = %v, %v; want none", u, err)
	}
	if shares, err := st.Shares(ctx, e.ID); err != nil || len(shares) != 0 {
		t.Errorf("Shares = %v, %v; want none", shares, err)
	}
	if edits, err := st.Edits(ctx, e.ID, time.Time{}, 10); err != nil || len(edits) != 0 {
		t.Errorf("Edits = %v, %v; want none", edits, err)
	}
}

// TestErasure follows an erasure from the organisers' request to its end:
// marked at once, a run started, items deleted in steps, an answer stored
// during the grace from a copy of the event read before swept, the
// progress readable throughout.
func TestErasure(t *testing.T) {
	st := memstore.New()
	ctx := context.Background()
	e := mustEvent(t, st, 2500)
	other := mustEvent(t, st, 3)
	clk := &clock{now: t0}
	runs := &triggers{}
	j := &erase.Job{Store: st, Trigger: runs, Grace: grace, Now: clk.Now, Sleep: clk.Sleep, Log: quiet}

	er, err := j.Start(ctx, e.ID)
	if err != nil || er.State != retours.ErasureRunning || er.Items != 1 || !er.StartedAt.Equal(t0) {
		t.Fatalf("Start = %+v, %v; want running since t0, the series entry deleted", er, err)
	}
	if !slices.Equal(runs.ids, []string{e.ID}) {
		t.Errorf("runs started for %v, want one for the event", runs.ids)
	}
	if _, err := st.Event(ctx, e.ID); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Event after Start = %v, want not found at once", err)
	}
	// Again, as a second DELETE: its progress, and no second run.
	clk.Set(t0.Add(time.Second))
	if again, err := j.Start(ctx, e.ID); err != nil || !reflect.DeepEqual(again, er) || runs.count() != 1 {
		t.Errorf("Start again = %+v, %v, %d runs; want the same erasure and one run", again, err, runs.count())
	}
	if _, err := j.Start(ctx, "nope"); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Start of an unknown event = %v, want not found", err)
	}

	// A participant's request that read the event just before the start
	// stores an answer while the run waits for the grace.
	var waits []time.Duration
	clk.during = func(d time.Duration) {
		waits = append(waits, d)
		if len(waits) == 1 {
			if _, _, err := st.PutAnswer(ctx, storetest.Answer(t, e, "", "5"), e.ExpiresAt()); err != nil {
				t.Error(err)
			}
		}
	}
	done, err := j.Run(ctx, e.ID)
	// The series entry, 2,501 answers, the extras and the event.
	if want := 2501 + storetest.ExtrasItems + 2; err != nil || !done.Done() || done.Items != want {
		t.Fatalf("Run = %+v, %v; want done with %d items", done, err, want)
	}
	if want := grace - time.Second; !slices.Equal(waits, []time.Duration{want}) {
		t.Errorf("the run waited %v, want %v: until the grace ended", waits, want)
	}
	if !done.FinishedAt.Equal(t0.Add(grace)) {
		t.Errorf("finished at %v, want at the grace's end %v", done.FinishedAt, t0.Add(grace))
	}
	gone(t, st, e)
	if got, err := j.Progress(ctx, e.ID); err != nil || !reflect.DeepEqual(got, done) {
		t.Errorf("Progress = %+v, %v; want %+v", got, err, done)
	}
	if again, err := j.Start(ctx, e.ID); err != nil || !reflect.DeepEqual(again, done) || runs.count() != 1 {
		t.Errorf("Start after the end = %+v, %v; want the finished erasure, no run", again, err)
	}
	if again, err := j.Run(ctx, e.ID); err != nil || !reflect.DeepEqual(again, done) {
		t.Errorf("Run after the end = %+v, %v; want the finished erasure", again, err)
	}
	if cov, err := st.Coverage(ctx, other.ID); err != nil || cov.Answers != 3 {
		t.Errorf("the other event: %+v, %v", cov, err)
	}
}

// TestRunStopsBeforeItsDeadline: a run near its deadline stops between
// steps with ErrUnfinished, as Lambda's retry of the erase function then
// carries on.
func TestRunStopsBeforeItsDeadline(t *testing.T) {
	st := memstore.New()
	e := mustEvent(t, st, 10)
	clk := &clock{now: t0}
	j := &erase.Job{Store: st, Grace: grace, Batch: 5, Now: clk.Now, Sleep: clk.Sleep, Log: quiet}
	if _, err := j.Start(t.Context(), e.ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	er, err := j.Run(ctx, e.ID)
	if !errors.Is(err, erase.ErrUnfinished) || er == nil || er.Done() || er.Items != 1 {
		t.Fatalf("Run near its deadline = %+v, %v; want ErrUnfinished, nothing more deleted", er, err)
	}
	done, err := j.Run(t.Context(), e.ID)
	if want := 10 + storetest.ExtrasItems + 2; err != nil || !done.Done() || done.Items != want {
		t.Errorf("the next run = %+v, %v; want done with %d items", done, err, want)
	}
	gone(t, st, e)
}

// TestResume: the hourly resumption takes up the erasures whose progress
// stopped, and leaves alone those a run is working on.
func TestResume(t *testing.T) {
	st := memstore.New()
	ctx := context.Background()
	stalled, running := mustEvent(t, st, 5), mustEvent(t, st, 5)
	clk := &clock{now: t0}
	runs := &triggers{}
	j := &erase.Job{Store: st, Trigger: runs, Grace: grace, Batch: 2, Now: clk.Now, Sleep: clk.Sleep, Log: quiet}
	for _, e := range []*retours.Event{stalled, running} {
		if _, err := j.Start(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	// A run of the stalled one died after a step; the other's run deleted
	// items ten minutes ago, and works on.
	if _, err := st.EraseItems(ctx, stalled.ID, 2, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EraseItems(ctx, running.ID, 2, t0.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(25 * time.Minute))
	if n, err := j.Resume(ctx); err != nil || n != 1 {
		t.Fatalf("Resume = %d, %v; want the stalled erasure finished", n, err)
	}
	gone(t, st, stalled)
	if er, err := st.Erasure(ctx, running.ID); err != nil || er.Done() {
		t.Errorf("the running erasure = %+v, %v; want left to its run", er, err)
	}
	// A DELETE of the stalled-looking one starts a run again.
	clk.Set(t0.Add(time.Hour))
	if _, err := j.Start(ctx, running.ID); err != nil || runs.count() != 3 {
		t.Errorf("Start of a stalled erasure: %v, %d runs; want a third run", err, runs.count())
	}
	if n, err := j.Resume(ctx); err != nil || n != 1 {
		t.Errorf("Resume an hour later = %d, %v; want it finished", n, err)
	}
	gone(t, st, running)
	if n, err := j.Resume(ctx); err != nil || n != 0 {
		t.Errorf("Resume with nothing stalled = %d, %v", n, err)
	}
}

// TestInProcess: the local server's trigger runs the erasure to its end in
// the background.
func TestInProcess(t *testing.T) {
	st := memstore.New()
	ctx := context.Background()
	e := mustEvent(t, st, 30)
	j := &erase.Job{Store: st, Grace: 50 * time.Millisecond, Log: quiet}
	j.Trigger = erase.InProcess(j)
	if _, err := j.Start(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		er, err := j.Progress(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if er.Done() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the erasure did not finish: %+v", er)
		}
		time.Sleep(10 * time.Millisecond)
	}
	gone(t, st, e)
}

// TestHandleDispatches checks the erase function runs the erasure an
// invocation names, and resumes stalled erasures on its schedule's event.
func TestHandleDispatches(t *testing.T) {
	st := memstore.New()
	ctx := t.Context()
	var events []*retours.Event
	for range 2 {
		e := storetest.Event(t)
		if err := st.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	now := t0
	j := &erase.Job{Store: st, Grace: time.Second, Now: func() time.Time { return now }, Log: quiet}
	for _, e := range events {
		if _, err := j.Start(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(time.Minute)
	payload, _ := json.Marshal(erase.Request{Event: events[0].ID})
	out, err := j.Handle(ctx, payload)
	if er, ok := out.(*retours.Erasure); err != nil || !ok || !er.Done() || er.EventID != events[0].ID {
		t.Errorf("an invocation for the first event = %+v, %v; want it erased", out, err)
	}
	if er, _ := st.Erasure(ctx, events[1].ID); er.Done() {
		t.Error("the other erasure ran too")
	}
	if out, err := j.Handle(ctx, json.RawMessage(`{"erase_event":"nope"}`)); out != nil || err != nil {
		t.Errorf("an invocation for no erasure = %v, %v; want nothing done, no retry", out, err)
	}
	// The hourly schedule's event, once the other erasure stalled.
	now = now.Add(time.Hour)
	out, err = j.Handle(ctx, json.RawMessage(`{"version":"0","source":"aws.scheduler","detail-type":"Scheduled Event","detail":{}}`))
	if got, ok := out.(map[string]int); err != nil || !ok || got["finished"] != 1 {
		t.Errorf("the schedule's event = %v, %v; want the stalled erasure finished", out, err)
	}
	if er, _ := st.Erasure(ctx, events[1].ID); !er.Done() {
		t.Errorf("the stalled erasure = %+v, want done", er)
	}
}
