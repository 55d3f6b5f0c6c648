package memstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return memstore.New() })
}

func TestFailWith(t *testing.T) {
	st := memstore.New()
	ctx := context.Background()
	e := storetest.Event(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	var ops []string
	st.FailWith(func(op string) error {
		ops = append(ops, op)
		return memstore.FailOn("PutAnswer")(op)
	})
	a := storetest.Answer(t, e, "", "4")
	if _, _, err := st.PutAnswer(ctx, a, e.ExpiresAt()); retours.ErrorCode(err) != retours.EUNAVAILABLE {
		t.Errorf("PutAnswer = %v, want unavailable", err)
	}
	if _, err := st.Event(ctx, e.ID); err != nil {
		t.Errorf("Event = %v, want the event: only PutAnswer fails", err)
	}
	if want := []string{"PutAnswer", "Event"}; len(ops) != 2 || ops[0] != want[0] || ops[1] != want[1] {
		t.Errorf("hook called with %v, want %v", ops, want)
	}
	// The failed write stored nothing; without the hook, it goes through.
	st.FailWith(nil)
	if cov, _ := st.Coverage(ctx, e.ID); cov.Answers != 0 {
		t.Errorf("%d answers after a failed write, want none", cov.Answers)
	}
	if _, created, err := st.PutAnswer(ctx, a, e.ExpiresAt()); err != nil || !created {
		t.Errorf("PutAnswer without the hook = %v, %v; want created", created, err)
	}
}

func TestEndedContext(t *testing.T) {
	st := memstore.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.Event(ctx, "abcdefgh"); retours.ErrorCode(err) != retours.EUNAVAILABLE {
		t.Errorf("Event with an ended context = %v, want unavailable", err)
	}
}

// TestExpiries: every item keeps the erasure date internal/dynamo gives it,
// to the second.
func TestExpiries(t *testing.T) {
	st := memstore.New()
	ctx := context.Background()
	e := storetest.Event(t)
	e.Series, e.Edition = "nec-auvergne", 1
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	a := storetest.Answer(t, e, "", "4")
	custom := e.ExpiresAt().AddDate(0, 1, 0).Add(500 * time.Millisecond)
	if _, _, err := st.PutAnswer(ctx, a, custom); err != nil {
		t.Fatal(err)
	}
	n := storetest.Note(t, e, retours.NoteEtonnement, "Oh", storetest.T0)
	if _, _, err := st.PutNote(ctx, n, e.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSnapshot(ctx, &retours.Snapshot{EventID: e.ID, Lang: "fr", Expires: e.ExpiresAt(), Data: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: n.SubmissionID}, true, storetest.T0, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Unsubscribe(ctx, e, "0123456789abcdef0123456789abcdef", storetest.T0); err != nil {
		t.Fatal(err)
	}
	exp := e.ExpiresAt()
	if got := st.Expiries(e.ID)["activity"]; !got.Equal(exp) {
		t.Errorf("activity of the moderation change expires at %v, want the event's %v", got, exp)
	}
	// Once the answers are counted, the activity lasts as long as they do.
	if err := st.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		"event": exp, "series": exp, "activity": custom.Truncate(time.Second), "answer " + a.SubmissionID: custom.Truncate(time.Second),
		"note " + n.SubmissionID: exp, "snapshot fr": exp, "unsubscription 0123456789abcdef0123456789abcdef": exp,
	}
	got := st.Expiries(e.ID)
	if len(got) != len(want) {
		t.Errorf("Expiries = %v, want %v", got, want)
	}
	for item, w := range want {
		if !got[item].Equal(w) {
			t.Errorf("%s expires at %v, want %v", item, got[item], w)
		}
	}
	if n := st.Len(); n != len(want) {
		t.Errorf("Len() = %d, want the %d items of the event", n, len(want))
	}
}
