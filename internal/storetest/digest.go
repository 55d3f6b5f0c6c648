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
	lease := 45 * time.Second
	alice := retours.OrganiserID("alice@example.org")
	first := retours.DigestClaim{Week: "2026-W42", Organiser: alice, Attempt: "first"}
	second := first
	second.Attempt = "second"
	third := first
	third.Attempt = "third"
	bob := retours.DigestClaim{Week: "2026-W42", Organiser: retours.OrganiserID("bob@example.org"), Attempt: "first"}
	nextWeek := first
	nextWeek.Week = "2026-W43"
	claim := func(c retours.DigestClaim, at, until time.Time) func() (time.Time, error) {
		return func() (time.Time, error) { return st.ClaimDigest(ctx, c, at, until) }
	}
	renew := func(c retours.DigestClaim, until time.Time) func() (time.Time, error) {
		return func() (time.Time, error) { return time.Time{}, st.RenewDigest(ctx, c, until) }
	}
	sent := func(c retours.DigestClaim, at time.Time, id string) func() (time.Time, error) {
		return func() (time.Time, error) { return time.Time{}, st.DigestSent(ctx, c, at, id) }
	}
	failed := func(c retours.DigestClaim) func() (time.Time, error) {
		return func() (time.Time, error) { return time.Time{}, st.DigestFailed(ctx, c, retours.EUNAVAILABLE) }
	}
	for _, step := range []struct {
		name string
		do   func() (time.Time, error)
		want string
		// held is the end of the lease a refused claim reports.
		held time.Time
	}{
		{"sent before any claim", sent(first, now, "m0"), leaseLost, time.Time{}},
		{"failed before any claim", failed(first), leaseLost, time.Time{}},
		{"renewed before any claim", renew(first, now.Add(lease)), leaseLost, time.Time{}},
		{"a first claim", claim(first, now, now.Add(lease)), "", time.Time{}},
		{"another attempt during the lease", claim(second, now.Add(10*time.Second), now.Add(10*time.Second+lease)), digestClaimed, now.Add(lease)},
		{"the same attempt again", claim(first, now.Add(10*time.Second), now.Add(10*time.Second+lease)), digestClaimed, now.Add(lease)},
		{"at the lease's very end", claim(second, now.Add(lease), now.Add(2*lease)), digestClaimed, now.Add(lease)},
		{"another organiser", claim(bob, now, now.Add(lease)), "", time.Time{}},
		{"another week", claim(nextWeek, now, now.Add(lease)), "", time.Time{}},
		{"the holder renews", renew(first, now.Add(30*time.Second+lease)), "", time.Time{}},
		{"another attempt after the first lease", claim(second, now.Add(lease+time.Millisecond), now.Add(2*lease)), digestClaimed, now.Add(30*time.Second + lease)},
		{"another attempt after the renewed lease", claim(second, now.Add(30*time.Second+lease+time.Millisecond), now.Add(2*lease)), "", time.Time{}},
		{"the first attempt renews late", renew(first, now.Add(3*lease)), leaseLost, time.Time{}},
		{"the first attempt, sent late", sent(first, now.Add(lease), "late"), leaseLost, time.Time{}},
		{"the first attempt, failed late", failed(first), leaseLost, time.Time{}},
		{"the holder fails", failed(second), "", time.Time{}},
		{"failed twice", failed(second), "", time.Time{}},
		{"claimed again at once after a failure", claim(third, now.Add(lease+time.Second), now.Add(2*lease)), "", time.Time{}},
		{"the failed attempt, sent", sent(second, now.Add(lease+time.Second), "m1"), leaseLost, time.Time{}},
		{"the holder sends", sent(third, now.Add(lease+2*time.Second), "m2"), "", time.Time{}},
		{"sent twice", sent(third, now.Add(lease+2*time.Second), "m2"), leaseLost, time.Time{}},
		{"failed after sending", failed(third), leaseLost, time.Time{}},
		{"renewed after sending", renew(third, now.Add(3*lease)), leaseLost, time.Time{}},
		{"claimed after sending", claim(first, now.Add(24*time.Hour), now.Add(24*time.Hour+lease)), digestSent, time.Time{}},
	} {
		held, err := step.do()
		if failure(err) != step.want {
			t.Fatalf("%s: %v, want %q", step.name, err, step.want)
		}
		if !held.Equal(step.held) {
			t.Fatalf("%s: held until %v, want %v", step.name, held, step.held)
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

func testDigestRuns(t *testing.T, st Store) {
	ctx := context.Background()
	if _, err := st.DigestRun(ctx, "nosuchrun"); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("DigestRun of no run = %v, want ENOTFOUND", err)
	}
	started := retours.DigestRun{ID: "r1abc", Until: T0.Add(7 * 24 * time.Hour), State: retours.DigestRunRunning, StartedAt: T0.Add(time.Minute)}
	other := retours.DigestRun{ID: "r2abc", Until: T0, State: retours.DigestRunRunning, StartedAt: T0}
	for _, r := range []retours.DigestRun{started, other} {
		if err := st.PutDigestRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.DigestRun(ctx, started.ID)
	if err != nil || !reflect.DeepEqual(*got, started) {
		t.Errorf("DigestRun = %+v, %v; want %+v", got, err, started)
	}
	done := started
	done.State, done.Week, done.FinishedAt = retours.DigestRunFailed, "2026-W43", T0.Add(2*time.Minute)
	done.Sent, done.Skipped, done.Failed = 3, 1, 2
	if err := st.PutDigestRun(ctx, &done); err != nil {
		t.Fatal(err)
	}
	if got, err := st.DigestRun(ctx, started.ID); err != nil || !reflect.DeepEqual(*got, done) {
		t.Errorf("DigestRun once recorded = %+v, %v; want %+v", got, err, done)
	}
	if got, err := st.DigestRun(ctx, other.ID); err != nil || !reflect.DeepEqual(*got, other) {
		t.Errorf("the other run = %+v, %v; want %+v", got, err, other)
	}
}
