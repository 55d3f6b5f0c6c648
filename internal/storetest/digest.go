package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func testEventsClosingSince(t *testing.T, st Store) {
	ctx := context.Background()
	closes := T0.Add(30 * 24 * time.Hour)
	var events []*retours.Event
	for _, at := range []time.Time{closes.Add(-24 * time.Hour), closes, closes.Add(24 * time.Hour), closes.Add(48 * time.Hour)} {
		e := Event(t)
		e.ClosesAt = at
		events = append(events, mustCreate(t, st, e))
	}
	if _, err := st.EraseEvent(ctx, events[3].ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		t    time.Time
		want []int
	}{
		{"before them all", T0, []int{0, 1, 2}},
		{"at a closing time", closes, []int{1, 2}},
		{"just after it", closes.Add(time.Second), []int{2}},
		{"after them all", closes.Add(72 * time.Hour), nil},
	} {
		got, err := st.EventsClosingSince(ctx, tc.t)
		var gotIDs []string
		for _, e := range got {
			gotIDs = append(gotIDs, e.ID)
			if i := slices.IndexFunc(events, func(s *retours.Event) bool { return s.ID == e.ID }); i < 0 || !reflect.DeepEqual(e, events[i]) {
				t.Errorf("%s: EventsClosingSince returned %+v, not an event as stored", tc.name, e)
			}
		}
		checkIDs(t, tc.name+": EventsClosingSince", gotIDs, err, events, tc.want...)
	}
}

func testDigestClaims(t *testing.T, st Store) {
	ctx := context.Background()
	now := T0
	lease := 5 * time.Minute
	alice := retours.OrganiserID("alice@example.org")
	first := retours.DigestClaim{Week: "2026-W42", Organiser: alice, Attempt: "first"}
	second := first
	second.Attempt = "second"
	third := first
	third.Attempt = "third"
	bob := retours.DigestClaim{Week: "2026-W42", Organiser: retours.OrganiserID("bob@example.org"), Attempt: "first"}
	nextWeek := first
	nextWeek.Week = "2026-W43"
	for _, step := range []struct {
		name string
		do   func() error
		want string
	}{
		{"sent before any claim", func() error { return st.DigestSent(ctx, first, now, "m0") }, leaseLost},
		{"failed before any claim", func() error { return st.DigestFailed(ctx, first, retours.EUNAVAILABLE) }, leaseLost},
		{"a first claim", func() error { return st.ClaimDigest(ctx, first, now, now.Add(lease)) }, ""},
		{"another attempt during the lease", func() error { return st.ClaimDigest(ctx, second, now.Add(time.Minute), now.Add(time.Minute+lease)) }, digestClaimed},
		{"the same attempt again", func() error { return st.ClaimDigest(ctx, first, now.Add(time.Minute), now.Add(time.Minute+lease)) }, digestClaimed},
		{"at the lease's very end", func() error { return st.ClaimDigest(ctx, second, now.Add(lease), now.Add(2*lease)) }, digestClaimed},
		{"another organiser", func() error { return st.ClaimDigest(ctx, bob, now, now.Add(lease)) }, ""},
		{"another week", func() error { return st.ClaimDigest(ctx, nextWeek, now, now.Add(lease)) }, ""},
		{"another attempt after the lease", func() error { return st.ClaimDigest(ctx, second, now.Add(lease+time.Millisecond), now.Add(2*lease)) }, ""},
		{"the first attempt, sent late", func() error { return st.DigestSent(ctx, first, now.Add(lease), "late") }, leaseLost},
		{"the first attempt, failed late", func() error { return st.DigestFailed(ctx, first, retours.EUNAVAILABLE) }, leaseLost},
		{"the holder fails", func() error { return st.DigestFailed(ctx, second, retours.EUNAVAILABLE) }, ""},
		{"failed twice", func() error { return st.DigestFailed(ctx, second, retours.EUNAVAILABLE) }, ""},
		{"claimed again at once after a failure", func() error { return st.ClaimDigest(ctx, third, now.Add(lease+time.Second), now.Add(2*lease)) }, ""},
		{"the failed attempt, sent", func() error { return st.DigestSent(ctx, second, now.Add(lease+time.Second), "m1") }, leaseLost},
		{"the holder sends", func() error { return st.DigestSent(ctx, third, now.Add(lease+2*time.Second), "m2") }, ""},
		{"sent twice", func() error { return st.DigestSent(ctx, third, now.Add(lease+2*time.Second), "m2") }, leaseLost},
		{"failed after sending", func() error { return st.DigestFailed(ctx, third, retours.EUNAVAILABLE) }, leaseLost},
		{"claimed after sending", func() error { return st.ClaimDigest(ctx, first, now.Add(24*time.Hour), now.Add(24*time.Hour+lease)) }, digestClaimed},
	} {
		if err := step.do(); failure(err) != step.want {
			t.Fatalf("%s: %v, want %q", step.name, err, step.want)
		}
	}
}

func testUnsubscriptions(t *testing.T, st Store) {
	ctx := context.Background()
	e, other := mustCreate(t, st, Event(t)), mustCreate(t, st, Event(t))
	alice, bob := retours.OrganiserID("alice@example.org"), retours.OrganiserID("bob@example.org")
	if got, err := st.Unsubscribed(ctx, e.ID); err != nil || len(got) != 0 {
		t.Errorf("Unsubscribed before any = %v, %v; want none", got, err)
	}
	for _, org := range []string{alice, alice, bob} {
		if err := st.Unsubscribe(ctx, e, org, T0); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Unsubscribe(ctx, other, bob, T0); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Unsubscribed(ctx, e.ID); err != nil || !reflect.DeepEqual(got, map[string]bool{alice: true, bob: true}) {
		t.Errorf("Unsubscribed = %v, %v; want alice and bob", got, err)
	}
	if got, err := st.Unsubscribed(ctx, other.ID); err != nil || !reflect.DeepEqual(got, map[string]bool{bob: true}) {
		t.Errorf("Unsubscribed from the other event = %v, %v; want bob", got, err)
	}
}
