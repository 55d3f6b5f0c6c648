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

// mustDrain counts what was stored so far into the activity.
func mustDrain(tb testing.TB, st Store) {
	tb.Helper()
	if err := st.Drain(context.Background()); err != nil {
		tb.Fatalf("Drain: %v", err)
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
	// Not counted yet: the change feed sees what the activity counted.
	got, err := st.ChangedEvents(ctx, eve.Add(-time.Hour), T0.Add(4*time.Hour))
	checkIDs(t, "ChangedEvents before the changes are counted", got, err, events)
	mustDrain(t, st)

	answered := T0.Add(3 * time.Hour)
	closes := events[0].ClosesAt
	for _, tc := range []struct {
		name         string
		since, until time.Time
		want         []int
	}{
		{"the morning of the answers", T0, T0.Add(4 * time.Hour), []int{0, 2}},
		{"since the answers, to the millisecond", answered, answered.Add(time.Hour), []int{0, 2}},
		{"just after the answers", answered.Add(time.Millisecond), answered.Add(time.Hour), nil},
		{"from the evening before", eve.Add(-time.Hour), T0, []int{0, 2, 4}},
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
	mustDrain(t, st)
	if err := st.SetHidden(ctx, events[2], retours.TextRef{SubmissionID: old.SubmissionID, Question: "commentaire"}, true, day2, nil); err != nil {
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
		{"within the second day, around the note", day2.Add(30 * time.Minute), day2.Add(90 * time.Minute), []int{1}},
		{"after the note", day2.Add(time.Hour + time.Nanosecond), day2.Add(24 * time.Hour), nil},
		{"a week", T0.Add(-72 * time.Hour), T0.Add(96 * time.Hour), []int{0, 1, 2}},
	} {
		got, err := st.ActiveEvents(ctx, tc.from, tc.to)
		checkIDs(t, tc.name+": ActiveEvents", got, err, events, tc.want...)
	}
}

// testActivity: the activity counts what was stored, once counted, by
// session and by day in Paris, and moderation changes at once.
func testActivity(t *testing.T, st Store) {
	ctx := context.Background()
	e, other := mustCreate(t, st, Event(t)), mustCreate(t, st, Event(t))
	if a, err := st.Activity(ctx, e.ID); err != nil || a.EventID != e.ID || a.Answers+a.Notes+a.Moderation != 0 || a.Seq != "" || !a.LastWrite.IsZero() {
		t.Fatalf("Activity before anything = %+v, %v; want an empty one", a, err)
	}
	s1 := e.Sessions[0].ID
	// 23:30 UTC is the next day in Paris.
	late := T0.Truncate(24 * time.Hour).Add(23*time.Hour + 30*time.Minute)
	mustPutAnswer(t, st, e, AnswerAt(t, e, s1, "5", T0.Add(time.Hour)))
	mustPutAnswer(t, st, e, AnswerAt(t, e, s1, "4", T0.Add(2*time.Hour)))
	mustPutAnswer(t, st, e, AnswerAt(t, e, "", "3", late))
	nt := mustPutNote(t, st, e, Note(t, e, retours.NotePointFort, "Bien", T0.Add(90*time.Minute)))
	mustPutAnswer(t, st, other, Answer(t, other, "", "5"))
	if a, err := st.Activity(ctx, e.ID); err != nil || a.Answers != 0 || a.Seq != "" {
		t.Errorf("Activity before the changes are counted = %+v, %v; want none counted", a, err)
	}
	mustDrain(t, st)
	a, err := st.Activity(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Answers != 3 || a.Notes != 1 || a.Moderation != 0 || a.Seq == "" || !a.LastWrite.Equal(late) {
		t.Errorf("Activity = %+v; want 3 answers, 1 note, a sequence number, last write %v", a, late)
	}
	if want := map[string]int{s1: 2, "": 1}; !maps(a.Sessions, want) {
		t.Errorf("Activity.Sessions = %v, want %v", a.Sessions, want)
	}
	want := map[string]retours.DayActivity{
		"2026-10-15": {Answers: 2, Notes: 1, First: T0.Add(time.Hour), Last: T0.Add(2 * time.Hour)},
		"2026-10-16": {Answers: 1, First: late, Last: late},
	}
	if len(a.Days) != len(want) {
		t.Errorf("Activity.Days = %v, want %v", a.Days, want)
	}
	for day, w := range want {
		if g := a.Days[day]; g.Answers != w.Answers || g.Notes != w.Notes || !g.First.Equal(w.First) || !g.Last.Equal(w.Last) {
			t.Errorf("Activity.Days[%s] = %+v, want %+v", day, g, w)
		}
	}
	if o, err := st.Activity(ctx, other.ID); err != nil || o.Answers != 1 || o.Notes != 0 {
		t.Errorf("other event's Activity = %+v, %v; want 1 answer", o, err)
	}

	// Moderation counts at once, and moves the last write.
	moderated := T0.Add(48 * time.Hour)
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: nt.SubmissionID}, true, moderated, nil); err != nil {
		t.Fatal(err)
	}
	if a, err := st.Activity(ctx, e.ID); err != nil || a.Moderation != 1 || a.Answers != 3 || !a.LastWrite.Equal(moderated) {
		t.Errorf("Activity after moderation = %+v, %v; want 1 change, 3 answers, last write %v", a, err, moderated)
	}
	// Counting again changes nothing.
	mustDrain(t, st)
	if b, err := st.Activity(ctx, e.ID); err != nil || b.Answers != 3 || b.Notes != 1 || b.Moderation != 1 {
		t.Errorf("Activity after a second Drain = %+v, %v; want the same counts", b, err)
	}
}

func maps(got, want map[string]int) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// testApplyChangesOnce: changes delivered again, whole, in part or with new
// ones, count once; sequence numbers compare as numbers; changes of an
// erased or unknown event create nothing.
func testApplyChangesOnce(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	at := T0.Add(time.Hour)
	ch := func(seq string, note bool) retours.Change {
		return retours.Change{Seq: seq, Note: note, SessionID: e.Sessions[1].ID, CreatedAt: at, Expires: e.ExpiresAt()}
	}
	c98, c99, c100, c101 := ch("98", false), ch("99", true), ch("0100", false), ch("000000000000000000101", false)
	apply := func(name string, want int, changes ...retours.Change) {
		t.Helper()
		if got, err := st.ApplyChanges(ctx, e.ID, changes); err != nil || got != want {
			t.Errorf("%s: ApplyChanges = %d, %v; want %d", name, got, err, want)
		}
	}
	apply("a first batch", 2, c98, c99)
	apply("the same batch again", 0, c98, c99)
	apply("a retry from its start with a new change", 1, c98, c99, c100)
	apply("a half of a bisected batch", 0, c99)
	apply("the next batch", 1, c101)
	apply("nothing", 0)
	a, err := st.Activity(ctx, e.ID)
	if err != nil || a.Answers != 3 || a.Notes != 1 || a.Sessions[e.Sessions[1].ID] != 3 || retours.SeqLess(a.Seq, "101") || retours.SeqLess("101", a.Seq) {
		t.Errorf("Activity = %+v, %v; want 3 answers and 1 note, up to 101", a, err)
	}
	// A moderation change between two batches is kept.
	n := mustPutNote(t, st, e, Note(t, e, retours.NoteEtonnement, "Oh", at))
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: n.SubmissionID}, true, at.Add(time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	apply("after a moderation change", 1, ch("102", true))
	if a, err := st.Activity(ctx, e.ID); err != nil || a.Moderation != 1 || a.Notes != 2 || !a.LastWrite.Equal(at.Add(time.Hour)) {
		t.Errorf("Activity after moderation = %+v, %v; want 1 change, 2 notes, the change's time", a, err)
	}

	// Erased: late changes are dropped, nothing comes back.
	if _, err := st.EraseEvent(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	apply("after erasure", 0, ch("103", false))
	if a, err := st.Activity(ctx, e.ID); err != nil || a.Answers+a.Notes+a.Moderation != 0 || a.Seq != "" {
		t.Errorf("Activity after erasure = %+v, %v; want none", a, err)
	}
	unknown := Event(t)
	if got, err := st.ApplyChanges(ctx, unknown.ID, []retours.Change{ch("1", false)}); err != nil || got != 0 {
		t.Errorf("ApplyChanges of an unknown event = %d, %v; want 0", got, err)
	}
	if a, err := st.Activity(ctx, unknown.ID); err != nil || a.Answers != 0 {
		t.Errorf("Activity of an unknown event = %+v, %v; want none", a, err)
	}
}
