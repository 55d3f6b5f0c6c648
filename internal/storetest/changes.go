package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

// ids returns the ids of events in events picked by index, sorted.
func ids(events []*retours.Event, picked ...int) []string {
	var out []string
	for _, i := range picked {
		out = append(out, events[i].ID)
	}
	slices.Sort(out)
	return out
}

// checkIDs reports an error unless got holds the ids of the picked events,
// in any order.
func checkIDs(t *testing.T, what string, got []string, err error, events []*retours.Event, picked ...int) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	got = slices.Sorted(slices.Values(got))
	if want := ids(events, picked...); !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func testChangedEvents(t *testing.T, st Store) {
	ctx := context.Background()
	var events []*retours.Event
	for i := 0; i < 5; i++ {
		events = append(events, mustCreate(t, st, Event(t)))
	}
	// Answers for events 0 and 2 at T0+3h, a note for event 4 at 23:30
	// (UTC) the day before; every event's answers close at the same time.
	for _, i := range []int{0, 2, 2} {
		mustPutAnswer(t, st, events[i], Answer(t, events[i], "", "5"))
	}
	eve := T0.Truncate(24 * time.Hour).Add(-30 * time.Minute)
	mustPutNote(t, st, events[4], Note(t, events[4], retours.NoteEtonnement, "Oh", eve))
	closes := events[0].ClosesAt
	for _, tc := range []struct {
		name         string
		since, until time.Time
		want         []int
	}{
		{"the day of the answers", T0, T0.Add(4 * time.Hour), []int{0, 2}},
		// The day, not the hour: answers earlier on since's day count.
		{"later on the day of the answers", T0.Add(5 * time.Hour), T0.Add(6 * time.Hour), []int{0, 2}},
		{"from the evening before", eve.Add(-time.Hour), T0, []int{0, 2, 4}},
		{"the day before", eve.Add(-time.Hour), eve, []int{4}},
		{"the days the answers closed", closes.Add(-time.Hour), closes.Add(time.Hour), []int{0, 1, 2, 3, 4}},
		{"closing at until, to the second", closes.Add(-time.Hour), closes.Add(500 * time.Millisecond), []int{0, 1, 2, 3, 4}},
		{"closing at since, to the second", closes, closes.Add(time.Hour), []int{0, 1, 2, 3, 4}},
		{"closing just before since", closes.Add(time.Second), closes.Add(time.Hour), nil},
		{"a quiet day", T0.Add(72 * time.Hour), T0.Add(73 * time.Hour), nil},
	} {
		got, err := st.ChangedEvents(ctx, tc.since, tc.until)
		checkIDs(t, tc.name+": ChangedEvents", got, err, events, tc.want...)
	}
}

func testActiveEvents(t *testing.T, st Store) {
	ctx := context.Background()
	var events []*retours.Event
	for i := 0; i < 4; i++ {
		events = append(events, mustCreate(t, st, Event(t)))
	}
	day2 := T0.Add(24 * time.Hour)
	// Event 0: answers on T0 and the next day; event 1: a note the next
	// day; event 2: a moderation change only, the next day; event 3:
	// nothing.
	for _, at := range []time.Time{T0, T0, day2} {
		mustPutAnswer(t, st, events[0], AnswerAt(t, events[0], "", "4", at))
	}
	mustPutNote(t, st, events[1], Note(t, events[1], retours.NoteEtonnement, "Oh", day2.Add(time.Hour)))
	old := mustPutAnswer(t, st, events[2], AnswerAt(t, events[2], "", "4", T0.Add(-48*time.Hour)))
	if err := st.SetHidden(ctx, events[2], retours.TextRef{SubmissionID: old.SubmissionID, Question: "commentaire"}, true, day2); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     []int
	}{
		{"two days", T0, day2.Add(24 * time.Hour), []int{0, 1}},
		{"from the first answers on", T0, day2, []int{0}},
		{"up to the first answers", T0.Add(-time.Hour), T0, nil},
		{"the second day", day2, day2.Add(2 * time.Hour), []int{0, 1}},
		{"after the note", day2.Add(time.Hour + time.Nanosecond), day2.Add(24 * time.Hour), nil},
		{"a week", T0.Add(-72 * time.Hour), T0.Add(96 * time.Hour), []int{0, 1, 2}},
	} {
		got, err := st.ActiveEvents(ctx, tc.from, tc.to)
		checkIDs(t, tc.name+": ActiveEvents", got, err, events, tc.want...)
	}
}

func testCountSince(t *testing.T, st Store) {
	ctx := context.Background()
	e, other := mustCreate(t, st, Event(t)), mustCreate(t, st, Event(t))
	// Answers at T0+3h, a note a day later at 10:00:00.5, and a moderation
	// change, which is not an answer.
	for i := 0; i < 3; i++ {
		mustPutAnswer(t, st, e, Answer(t, e, "", "5"))
	}
	mustPutAnswer(t, st, other, Answer(t, other, "", "5"))
	late := T0.Add(25*time.Hour + 500*time.Millisecond)
	nt := mustPutNote(t, st, e, Note(t, e, retours.NotePointFort, "Bien", late))
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: nt.SubmissionID}, true, late); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		since, until time.Time
		want         int
	}{
		{"everything", T0, T0.Add(48 * time.Hour), 4},
		{"after the answers", T0.Add(3 * time.Hour), T0.Add(48 * time.Hour), 1},
		{"within the note's second", T0.Add(25 * time.Hour), T0.Add(48 * time.Hour), 1},
		{"after the note", late, T0.Add(48 * time.Hour), 0},
		{"until the note", T0, late, 4},
		{"until before the note", T0, T0.Add(24 * time.Hour), 3},
	} {
		if got, err := st.CountSince(ctx, e, tc.since, tc.until); err != nil || got != tc.want {
			t.Errorf("%s: CountSince = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}
