package aggregate_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = storetest.T0

func mustEvent(tb testing.TB, st storetest.Store) *retours.Event {
	tb.Helper()
	e := storetest.Event(tb)
	if err := st.CreateEvent(context.Background(), e); err != nil {
		tb.Fatal(err)
	}
	return e
}

// mustAnswer stores an answer and lets the stream's consumer count it.
func mustAnswer(tb testing.TB, st storetest.Store, e *retours.Event, at time.Time, satisfaction string) *retours.Answer {
	tb.Helper()
	a := storetest.AnswerAt(tb, e, e.Sessions[1].ID, satisfaction, at)
	if _, _, err := st.PutAnswer(context.Background(), a, e.ExpiresAt()); err != nil {
		tb.Fatal(err)
	}
	if err := st.Drain(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return a
}

// TestRun follows an event through its hourly runs on DynamoDB Local, end
// to end; the other tests keep their data in memory.
func TestRun(t *testing.T) {
	st := dynamotest.NewFedStore(t)
	ctx := context.Background()
	e := mustEvent(t, st)
	quiet := mustEvent(t, st)
	var answers []*retours.Answer
	for i := 0; i < 6; i++ {
		answers = append(answers, mustAnswer(t, st, e, t0.Add(3*time.Hour), "4"))
	}
	now := t0.Add(3*time.Hour + 30*time.Minute)
	r := &aggregate.Runner{Store: dynamotest.ForFunction(t, st, "AggregateFunction"), Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Period: time.Hour}

	run := func(name string, want aggregate.Result) {
		t.Helper()
		got, err := r.Run(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != want {
			t.Errorf("%s: run = %+v, want %+v", name, got, want)
		}
	}
	run("first run", aggregate.Result{Events: 1, Snapshots: 2})
	for _, lang := range []string{"fr", "en"} {
		snap, err := st.Snapshot(ctx, e.ID, lang)
		if err != nil || snap.Coverage.Answers != 6 || snap.Coverage.Notes != 0 || snap.Coverage.Moderation != 0 {
			t.Fatalf("snapshot %s = %+v, %v; want one covering 6 answers", lang, snap, err)
		}
	}
	if _, err := st.Snapshot(ctx, quiet.ID, "fr"); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("event without answers got a snapshot: %v", err)
	}

	now = now.Add(time.Hour)
	run("nothing new", aggregate.Result{Events: 1, Current: 2})

	mustAnswer(t, st, e, now.Add(-time.Minute), "2")
	run("a new answer", aggregate.Result{Events: 1, Snapshots: 2})

	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: answers[0].SubmissionID, Question: "commentaire"}, true, now, nil); err != nil {
		t.Fatal(err)
	}
	run("a moderation change", aggregate.Result{Events: 1, Snapshots: 2})
	if snap, _ := st.Snapshot(ctx, e.ID, "fr"); snap.Coverage.Answers != 7 || snap.Coverage.Moderation != 1 {
		t.Errorf("coverage after moderation = %+v", snap.Coverage)
	}

	// Once more after the answers close, though nothing changed (and a
	// first, empty one for the quiet event); then not again.
	now = e.ClosesAt.Add(10 * time.Minute)
	run("answers closed", aggregate.Result{Events: 2, Snapshots: 4})
	for range 2 {
		now = now.Add(time.Hour)
		run("closed, within two periods", aggregate.Result{Events: 2, Current: 4})
	}
	now = now.Add(time.Hour)
	run("closed and done", aggregate.Result{})
}

func TestRunSkipsErasedEvents(t *testing.T) {
	st := memstore.New()
	ctx := context.Background()
	e := mustEvent(t, st)
	mustAnswer(t, st, e, t0.Add(3*time.Hour), "5")
	if _, err := st.EraseEvent(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(3*time.Hour + 30*time.Minute)
	r := &aggregate.Runner{Store: st, Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if got, err := r.Run(ctx); err != nil || got != (aggregate.Result{}) {
		t.Errorf("run after erasure = %+v, %v; want nothing done", got, err)
	}
}

// A run that cannot store a snapshot reports the error and leaves the event
// to the next run, which stores it.
func TestFailedRunIsCaughtUp(t *testing.T) {
	st := memstore.New()
	ctx := context.Background()
	e := mustEvent(t, st)
	mustAnswer(t, st, e, t0.Add(3*time.Hour), "5")
	now := t0.Add(3*time.Hour + 30*time.Minute)
	r := &aggregate.Runner{Store: st, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler), Period: time.Hour}
	st.FailWith(memstore.FailOn("PutSnapshot"))
	got, err := r.Run(ctx)
	if retours.ErrorCode(err) != retours.EUNAVAILABLE || got != (aggregate.Result{Events: 1}) {
		t.Fatalf("run with snapshots unwritable = %+v, %v; want the event and an unavailable error", got, err)
	}
	st.FailWith(nil)
	now = now.Add(time.Hour)
	if got, err := r.Run(ctx); err != nil || got != (aggregate.Result{Events: 1, Snapshots: 2}) {
		t.Errorf("next run = %+v, %v; want both snapshots", got, err)
	}
}

// erasedBetween is the store as a run sees it when an erasure runs between
// its read of the event's answers and its write of the snapshot: before
// each PutSnapshot, erase erases the event (starts it, or runs it to its
// end).
type erasedBetween struct {
	storetest.Store
	erase func(ctx context.Context, eventID string) error
}

func (s *erasedBetween) PutSnapshot(ctx context.Context, snap *retours.Snapshot) error {
	if err := s.erase(ctx, snap.EventID); err != nil {
		return err
	}
	return s.Store.PutSnapshot(ctx, snap)
}

// TestErasureBetweenReadAndWrite: an erasure that runs while the hourly
// run computes an event's bilan leaves no snapshot behind, on either
// store, whether it has only started or already finished; the run goes on
// without an error.
func TestErasureBetweenReadAndWrite(t *testing.T) {
	started := func(st storetest.Store) func(context.Context, string) error {
		return func(ctx context.Context, id string) error {
			_, err := st.StartErasure(ctx, id, t0.Add(4*time.Hour))
			return err
		}
	}
	finished := func(st storetest.Store) func(context.Context, string) error {
		return func(ctx context.Context, id string) error {
			at := t0.Add(4 * time.Hour)
			if _, err := st.StartErasure(ctx, id, at); err != nil {
				return err
			}
			for {
				n, err := st.EraseItems(ctx, id, 100, at)
				if err != nil {
					return err
				}
				if n == 0 {
					break
				}
			}
			_, err := st.FinishErasure(ctx, id, at)
			return err
		}
	}
	for _, store := range []struct {
		name string
		new  func(t *testing.T) storetest.Store
	}{
		{"memstore", func(*testing.T) storetest.Store { return memstore.New() }},
		{"DynamoDB", func(t *testing.T) storetest.Store { return dynamotest.NewFedStore(t) }},
	} {
		for _, erasure := range []struct {
			name  string
			erase func(storetest.Store) func(context.Context, string) error
		}{
			{"started", started},
			{"finished", finished},
		} {
			t.Run(store.name+"/"+erasure.name, func(t *testing.T) {
				st := store.new(t)
				ctx := context.Background()
				e := mustEvent(t, st)
				kept := mustEvent(t, st)
				for _, ev := range []*retours.Event{e, kept} {
					mustAnswer(t, st, ev, t0.Add(3*time.Hour), "5")
				}
				var erased []string
				wrapped := &erasedBetween{Store: dynamotest.ForFunction(t, st, "AggregateFunction"), erase: func(ctx context.Context, id string) error {
					if id != e.ID || slices.Contains(erased, id) {
						return nil
					}
					erased = append(erased, id)
					return erasure.erase(st)(ctx, id)
				}}
				now := t0.Add(3*time.Hour + 30*time.Minute)
				r := &aggregate.Runner{Store: wrapped, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler), Period: time.Hour}
				got, err := r.Run(ctx)
				if err != nil || got != (aggregate.Result{Events: 2, Snapshots: 2}) {
					t.Errorf("run = %+v, %v; want both events read, the other's two snapshots stored, no error", got, err)
				}
				for _, lang := range e.Languages {
					if _, err := st.Snapshot(ctx, e.ID, lang); retours.ErrorCode(err) != retours.ENOTFOUND {
						t.Errorf("snapshot %s of the erased event: %v, want none", lang, err)
					}
					if _, err := st.Snapshot(ctx, kept.ID, lang); err != nil {
						t.Errorf("snapshot %s of the other event: %v", lang, err)
					}
				}
				if erasure.name == "started" {
					// The erasure then runs to its end and leaves nothing.
					if err := finished(st)(ctx, e.ID); err != nil {
						t.Fatal(err)
					}
				}
				if cov, err := st.Coverage(ctx, e.ID); err != nil || cov != (retours.Coverage{}) {
					t.Errorf("coverage after the erasure = %+v, %v; want nothing", cov, err)
				}
				if fed, ok := st.(*dynamotest.FedStore); ok {
					out, err := dynamotest.Client(t).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(fed.Table())})
					if err != nil {
						t.Fatal(err)
					}
					for _, item := range out.Items {
						if pk, _ := item["PK"].(*types.AttributeValueMemberS); pk != nil && pk.Value == "EVENT#"+e.ID {
							sk, _ := item["SK"].(*types.AttributeValueMemberS)
							t.Errorf("item %s left in the erased event's partition", sk.Value)
						}
					}
				}
			})
		}
	}
}
