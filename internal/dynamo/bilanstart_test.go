package dynamo_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

var _ bilan.StartReader = (*dynamo.Store)(nil)

// TestBilanStart: the event, its snapshot and its activity read in one
// BatchGetItem are what Event, Snapshot and Activity read one by one.
func TestBilanStart(t *testing.T) {
	st := dynamotest.NewFedStore(t)
	ctx := context.Background()
	e := storetest.Event(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	same := func(t *testing.T, lang string) (*retours.Snapshot, *retours.Activity) {
		t.Helper()
		got, snap, act, err := st.BilanStart(ctx, e.ID, lang)
		if err != nil {
			t.Fatal(err)
		}
		want, err := st.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("event = %+v, want %+v", got, want)
		}
		wantAct, err := st.Activity(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(act, wantAct) {
			t.Errorf("activity = %+v, want %+v", act, wantAct)
		}
		wantSnap, err := st.Snapshot(ctx, e.ID, lang)
		if retours.ErrorCode(err) == retours.ENOTFOUND {
			wantSnap = nil
		} else if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(snap, wantSnap) {
			t.Errorf("snapshot = %+v, want %+v", snap, wantSnap)
		}
		return snap, act
	}

	t.Run("a new event", func(t *testing.T) {
		if snap, act := same(t, "fr"); snap != nil || act.Answers != 0 {
			t.Errorf("snapshot %+v, activity %+v; want none and an empty one", snap, act)
		}
	})
	t.Run("with answers and a snapshot", func(t *testing.T) {
		if _, _, err := st.PutAnswer(ctx, storetest.Answer(t, e, e.Sessions[1].ID, "4"), e.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
		if err := st.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		act, err := st.Activity(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		snap := &retours.Snapshot{EventID: e.ID, Lang: "en", CreatedAt: time.Now().UTC().Truncate(time.Millisecond), Expires: e.ExpiresAt(),
			Coverage: retours.Coverage{Answers: 1, Seq: act.Seq, Version: e.Version}, Data: []byte(`{"version":1}`)}
		if err := st.PutSnapshot(ctx, snap); err != nil {
			t.Fatal(err)
		}
		if got, act := same(t, "en"); got == nil || string(got.Data) != `{"version":1}` || act.Answers != 1 {
			t.Errorf("snapshot %+v, activity %+v; want the snapshot and one answer", got, act)
		}
		if got, _ := same(t, "fr"); got != nil {
			t.Errorf("snapshot in French %+v, want none", got)
		}
	})
	t.Run("unknown or being erased", func(t *testing.T) {
		for _, id := range []string{storetest.Event(t).ID, "../x"} {
			if _, _, _, err := st.BilanStart(ctx, id, "fr"); retours.ErrorCode(err) != retours.ENOTFOUND {
				t.Errorf("BilanStart(%q) = %v, want not found", id, err)
			}
		}
		if _, err := st.StartErasure(ctx, e.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := st.BilanStart(ctx, e.ID, "fr"); retours.ErrorCode(err) != retours.ENOTFOUND {
			t.Errorf("BilanStart of an event being erased = %v, want not found", err)
		}
	})
}
