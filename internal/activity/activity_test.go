package activity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/retours/retours/internal/activity"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamolocal"
	"github.com/retours/retours/internal/dynamostream"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/iamcheck"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = storetest.T0

// counts is what an event's activity should hold.
type counts struct {
	answers, notes int
	sessions       map[string]int
}

// fixture is a table with answers and notes of several events, interleaved
// in the stream so that one batch holds records of every event.
type fixture struct {
	st     *dynamo.Store
	events []*retours.Event
	want   map[string]*counts
}

func newFixture(t *testing.T, nEvents, nAnswers int) *fixture {
	t.Helper()
	f := &fixture{st: dynamotest.NewStore(t), want: map[string]*counts{}}
	ctx := context.Background()
	for range nEvents {
		e := storetest.Event(t)
		if err := f.st.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		f.events = append(f.events, e)
		f.want[e.ID] = &counts{sessions: map[string]int{}}
	}
	for i := range nAnswers {
		e := f.events[i%nEvents]
		session := []string{"", e.Sessions[0].ID, e.Sessions[1].ID}[i%3]
		f.answer(t, e, session, t0.Add(time.Duration(i)*time.Minute))
		if i%7 == 0 {
			n := storetest.Note(t, e, retours.NoteEtonnement, "Oh", t0.Add(time.Duration(i)*time.Minute))
			if _, _, err := f.st.PutNote(ctx, n, e.ExpiresAt()); err != nil {
				t.Fatal(err)
			}
			f.want[e.ID].notes++
		}
	}
	return f
}

func (f *fixture) answer(t *testing.T, e *retours.Event, session string, at time.Time) {
	t.Helper()
	if _, _, err := f.st.PutAnswer(context.Background(), storetest.AnswerAt(t, e, session, "4", at), e.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
	f.want[e.ID].answers++
	f.want[e.ID].sessions[session]++
}

// check compares every event's activity with what was stored.
func (f *fixture) check(t *testing.T) {
	t.Helper()
	for _, e := range f.events {
		a, err := f.st.Activity(context.Background(), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		w := f.want[e.ID]
		if a.Answers != w.answers || a.Notes != w.notes || fmt.Sprint(a.Sessions) != fmt.Sprint(w.sessions) {
			t.Errorf("event %s: %d answers, %d notes, sessions %v; want %d, %d, %v", e.ID, a.Answers, a.Notes, a.Sessions, w.answers, w.notes, w.sessions)
		}
		days := 0
		for _, d := range a.Days {
			days += d.Answers + d.Notes
		}
		if days != w.answers+w.notes {
			t.Errorf("event %s: %d answers and notes by day, want %d", e.ID, days, w.answers+w.notes)
		}
	}
}

// flaky is the activity store of a consumer that fails: write number n
// (from 1) fails when fail(n, event) says so.
type flaky struct {
	retours.ActivityStore
	mu     sync.Mutex
	writes int
	fail   func(n int, eventID string) bool
}

var errFlaky = errors.New("the database went away")

func (s *flaky) ApplyChanges(ctx context.Context, eventID string, changes []retours.Change) (int, error) {
	s.mu.Lock()
	s.writes++
	fail := s.fail(s.writes, eventID)
	s.mu.Unlock()
	if fail {
		return 0, errFlaky
	}
	return s.ActivityStore.ApplyChanges(ctx, eventID, changes)
}

// TestCrashMidBatchCountsOnce: the first invocation writes the activity of
// some events, then the function dies (an error, as a crash or a timeout
// is to Lambda); the event source mapping retries the batch, in halves, and
// every count comes out exact.
func TestCrashMidBatchCountsOnce(t *testing.T) {
	f := newFixture(t, 5, 60)
	crashed := false
	var invocations int
	handler := func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		invocations++
		if crashed {
			return dynamotest.Consumer(f.st).Handle(ctx, ev)
		}
		crashed = true
		// Two events' activities are written, then the process dies.
		c := dynamotest.Consumer(&flaky{ActivityStore: f.st, fail: func(n int, _ string) bool { return n > 2 }})
		c.Handle(ctx, ev)
		return events.DynamoDBEventResponse{}, errors.New("the function crashed")
	}
	if err := dynamotest.NewPoller(t, f.st, handler, nil).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if invocations < 3 {
		t.Errorf("%d invocations, want the crashed one and its retry in two halves", invocations)
	}
	written := 0
	for _, e := range f.events {
		if a, _ := f.st.Activity(context.Background(), e.ID); a.Answers > 0 {
			written++
		}
	}
	if written != len(f.events) {
		t.Errorf("%d events counted, want %d", written, len(f.events))
	}
	f.check(t)
}

// TestPartialFailureRetriesFromTheFailedRecord: one event's write fails;
// the consumer reports its first record, the mapping retries from there
// (records of events counted already among them), and counts stay exact.
func TestPartialFailureRetriesFromTheFailedRecord(t *testing.T) {
	f := newFixture(t, 4, 40)
	victim := f.events[2].ID
	failed := false
	st := &flaky{ActivityStore: f.st, fail: func(_ int, id string) bool {
		if id == victim && !failed {
			failed = true
			return true
		}
		return false
	}}
	var responses []events.DynamoDBEventResponse
	var batches []events.DynamoDBEvent
	handler := func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		resp, err := dynamotest.Consumer(st).Handle(ctx, ev)
		batches, responses = append(batches, ev), append(responses, resp)
		return resp, err
	}
	if err := dynamotest.NewPoller(t, f.st, handler, nil).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(responses) < 2 || len(responses[0].BatchItemFailures) != 1 {
		t.Fatalf("responses = %+v, want one failed record, then a retry", responses)
	}
	// The reported record is the victim's first in the batch.
	id, _, _ := dynamo.StreamChange(recordOf(batches[0], responses[0].BatchItemFailures[0].ItemIdentifier))
	if id != victim {
		t.Errorf("reported a record of event %s, want the failed event %s", id, victim)
	}
	f.check(t)
}

func recordOf(ev events.DynamoDBEvent, seq string) events.DynamoDBEventRecord {
	for _, r := range ev.Records {
		if r.Change.SequenceNumber == seq {
			return r
		}
	}
	return events.DynamoDBEventRecord{}
}

// TestBatchDeliveredTwiceCountsOnce: Lambda may deliver a batch again (a
// timeout after the writes); the second delivery counts nothing.
func TestBatchDeliveredTwiceCountsOnce(t *testing.T) {
	f := newFixture(t, 3, 30)
	handler := func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		c := dynamotest.Consumer(f.st)
		if _, err := c.Handle(ctx, ev); err != nil {
			return events.DynamoDBEventResponse{}, err
		}
		return c.Handle(ctx, ev)
	}
	if err := dynamotest.NewPoller(t, f.st, handler, nil).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.check(t)
	// More answers, in smaller batches this time.
	f.answer(t, f.events[0], "", t0.Add(5*time.Hour))
	f.answer(t, f.events[1], "", t0.Add(5*time.Hour))
	if err := dynamotest.NewPoller(t, f.st, handler, func(o *dynamostream.Options) { o.BatchSize = 1 }).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.check(t)
}

// TestGivenUpRecordsGoToTheDestination: an event whose activity cannot be
// written is given up after the retries, its records handed to the
// on-failure destination; the other events are counted once.
func TestGivenUpRecordsGoToTheDestination(t *testing.T) {
	f := newFixture(t, 3, 30)
	victim := f.events[1]
	st := &flaky{ActivityStore: f.st, fail: func(_ int, id string) bool { return id == victim.ID }}
	var given []events.DynamoDBEventRecord
	p := dynamotest.NewPoller(t, f.st, dynamotest.Consumer(st).Handle, func(o *dynamostream.Options) {
		o.OnFailure = func(_ context.Context, records []events.DynamoDBEventRecord, err error) {
			given = append(given, records...)
		}
	})
	if err := p.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	victimRecords := 0
	for _, r := range given {
		if id, _, ok := dynamo.StreamChange(r); ok && id == victim.ID {
			victimRecords++
		}
	}
	if w := f.want[victim.ID]; victimRecords != w.answers+w.notes {
		t.Errorf("%d of the event's records given up, want its %d answers and notes", victimRecords, w.answers+w.notes)
	}
	f.want[victim.ID] = &counts{sessions: map[string]int{}}
	f.check(t)
}

// TestHandleLambdaEvent decodes a batch as Lambda sends it: an answer
// inserted, a note modified (hidden), an answer removed by the TTL; only the
// insertion counts.
func TestHandleLambdaEvent(t *testing.T) {
	st := memstore.New()
	e := storetest.Event(t)
	if err := st.CreateEvent(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/stream-event.json")
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("EVENTID"), []byte(e.ID)), []byte("SESSIONID"), []byte(e.Sessions[0].ID))
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	c := &activity.Consumer{Store: st, Log: slog.New(slog.DiscardHandler)}
	for range 2 { // delivered twice: counted once
		if resp, err := c.Handle(t.Context(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("Handle = %+v, %v", resp, err)
		}
	}
	a, err := st.Activity(t.Context(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 10, 15, 11, 0, 0, 250e6, time.UTC)
	if a.Answers != 1 || a.Notes != 0 || a.Sessions[e.Sessions[0].ID] != 1 || a.Seq != "4421584500000000017450439091" ||
		!a.LastWrite.Equal(created) || a.Days["2026-10-15"].Answers != 1 {
		t.Errorf("Activity = %+v; want the inserted answer alone, created at %v", a, created)
	}
	if got := st.Expiries(e.ID)["activity"]; !got.Equal(time.Unix(1855242000, 0)) {
		t.Errorf("activity expires at %v, want the answer's expiry", got)
	}
}

// TestCallsAreAllowed: every call the consumer makes, a first activity's
// transaction and a conditional update included, is allowed by the activity
// function's policy in template.yaml. (The stream reads are the event source
// mapping's, with the same role: TestActivityStream checks them.)
func TestCallsAreAllowed(t *testing.T) {
	f := newFixture(t, 2, 6)
	calls := iamcheck.NewRecorder()
	st := dynamo.New(dynamolocal.Client(dynamotest.Endpoint(t), calls.DynamoDB, iamcheck.For("ActivityFunction").DynamoDB), f.st.Table())
	if err := dynamotest.NewPoller(t, f.st, dynamotest.Consumer(st).Handle, nil).Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.answer(t, f.events[0], "", t0.Add(time.Hour))
	if err := dynamotest.NewPoller(t, f.st, dynamotest.Consumer(st).Handle, nil).Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	f.check(t)
	ops := map[string]bool{}
	for _, c := range calls.Calls() {
		ops[c.Operation] = true
	}
	if !ops["TransactWriteItems"] || !ops["UpdateItem"] || !ops["GetItem"] {
		t.Errorf("calls %v, want a first activity's transaction, a read and an update", calls.Calls())
	}
	iamcheck.CheckAllowed(t, "ActivityFunction", calls.Calls(), iamcheck.World{Names: map[string]string{"Table": f.st.Table()}})
}
