package activity_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/ses"
	"github.com/retours/retours/internal/storetest"
)

// TestDigestAndSnapshotsFindEveryChange: the hourly snapshots and the
// weekly digest find what changed through the stream's consumer alone, even
// when it crashed in the middle of a batch and the retry finished it. Four
// events of one organiser: two with answers in the last hour, one with
// answers earlier in the week, one with answers before the week.
func TestDigestAndSnapshotsFindEveryChange(t *testing.T) {
	f := &fixture{st: dynamotest.NewStore(t), want: map[string]*counts{}}
	ctx := context.Background()
	// Monday 19 October 2026, 08:00 in Paris: the digest's run and an hourly
	// one.
	monday := time.Date(2026, 10, 19, 6, 0, 0, 0, time.UTC)
	for range 4 {
		e := storetest.Event(t)
		if err := f.st.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		f.events = append(f.events, e)
		f.want[e.ID] = &counts{sessions: map[string]int{}}
	}
	lastHour, inWeek, before := f.events[:2], f.events[2], f.events[3]
	for i := range 30 {
		e := lastHour[i%2]
		f.answer(t, e, e.Sessions[i%2].ID, monday.Add(-time.Duration(i+1)*time.Minute))
	}
	for i := range 5 {
		f.answer(t, inWeek, "", t0.Add(time.Duration(i)*time.Hour))
	}
	f.answer(t, before, "", monday.AddDate(0, 0, -9))

	crashed := false
	handler := func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if crashed {
			return dynamotest.Consumer(f.st).Handle(ctx, ev)
		}
		crashed = true
		dynamotest.Consumer(&flaky{ActivityStore: f.st, fail: func(n int, _ string) bool { return n > 1 }}).Handle(ctx, ev)
		return events.DynamoDBEventResponse{}, errors.New("the function crashed")
	}
	if err := dynamotest.NewPoller(t, f.st, handler, nil).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	f.check(t)

	r := &aggregate.Runner{Store: f.st, Now: func() time.Time { return monday }, Log: slog.New(slog.DiscardHandler), Period: time.Hour}
	res, err := r.Run(ctx)
	langs := len(lastHour[0].Languages)
	if err != nil || res != (aggregate.Result{Events: 2, Snapshots: 2 * langs}) {
		t.Fatalf("hourly run = %+v, %v; want the snapshots of the 2 events with answers in the last hour", res, err)
	}
	for _, e := range lastHour {
		snap, err := f.st.Snapshot(ctx, e.ID, e.Languages[0])
		if err != nil || snap.Coverage.Answers != f.want[e.ID].answers {
			t.Fatalf("snapshot of %s = %+v, %v; want %d answers", e.ID, snap, err, f.want[e.ID].answers)
		}
	}

	sender, err := ses.NewFolder(t.TempDir(), "retours <digest@example.org>", nil)
	if err != nil {
		t.Fatal(err)
	}
	runner := digest.New(digest.Config{Events: f.st, Answers: f.st, Digests: f.st, Changes: f.st, Sender: sender,
		BaseURL: "https://retours.example.org", Secret: []byte("digest-secret-for-tests-0123456789"),
		Now: func() time.Time { return monday }, Logger: slog.New(slog.DiscardHandler)})
	rep, err := runner.Run(ctx, monday)
	if err != nil || rep.Sent != 1 || len(rep.Digests) != 1 {
		t.Fatalf("digest run = %+v, %v; want one digest", rep, err)
	}
	want := []string{lastHour[0].ID, lastHour[1].ID, inWeek.ID}
	slices.Sort(want)
	if got := slices.Sorted(slices.Values(rep.Digests[0].Events)); !slices.Equal(got, want) {
		t.Errorf("digest about %v, want the events with answers in the week %v (not %s)", got, want, before.ID)
	}
}
