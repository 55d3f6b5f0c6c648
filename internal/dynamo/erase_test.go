package dynamo_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
)

func TestReplaceToken(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	_, newHash, _ := retours.NewToken(rand.Reader)
	for _, tc := range []struct {
		name, event, old string
		want             string
	}{
		{"unknown event", "nope", e.TokenHash, retours.ENOTFOUND},
		{"odd id", "../x", e.TokenHash, retours.ENOTFOUND},
		{"stale hash", e.ID, retours.HashToken("rto_old"), retours.ECONFLICT},
		{"current hash", e.ID, e.TokenHash, ""},
		{"the same rotation again", e.ID, e.TokenHash, retours.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := st.ReplaceToken(ctx, tc.event, tc.old, newHash); retours.ErrorCode(err) != tc.want {
				t.Errorf("ReplaceToken = %v, want code %q", err, tc.want)
			}
		})
	}
	got, err := st.Event(ctx, e.ID)
	if err != nil || got.TokenHash != newHash {
		t.Errorf("stored hash = %q, %v; want %q", got.TokenHash, err, newHash)
	}
}

func TestEraseEvent(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e, keep := mustEvent(t), mustEvent(t)
	for _, ev := range []*retours.Event{e, keep} {
		if err := st.CreateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 60; i++ {
			if _, _, err := st.PutAnswer(ctx, mustAnswer(t, ev, "", "3"), ev.ExpiresAt()); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := st.EraseEvent(ctx, e.ID)
	if err != nil || n != 61 {
		t.Fatalf("EraseEvent = %d, %v; want 61 items", n, err)
	}
	if _, err := st.Event(ctx, e.ID); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Event after erasure: %v, want not found", err)
	}
	count := func(id string) (n int) {
		st.Answers(ctx, id, func(*retours.Answer) error { n++; return nil })
		return n
	}
	if a, b := count(e.ID), count(keep.ID); a != 0 || b != 60 {
		t.Errorf("answers left: %d erased event, %d other; want 0 and 60", a, b)
	}
	for _, id := range []string{e.ID, "nope", "../x"} {
		if _, err := st.EraseEvent(ctx, id); retours.ErrorCode(err) != retours.ENOTFOUND {
			t.Errorf("EraseEvent(%q) = %v, want not found", id, err)
		}
	}
}
