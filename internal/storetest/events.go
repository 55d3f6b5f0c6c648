package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func mustCreate(tb testing.TB, st Store, e *retours.Event) *retours.Event {
	tb.Helper()
	if err := st.CreateEvent(context.Background(), e); err != nil {
		tb.Fatal(err)
	}
	return e
}

func mustPutAnswer(tb testing.TB, st Store, e *retours.Event, a *retours.Answer) *retours.Answer {
	tb.Helper()
	if _, _, err := st.PutAnswer(context.Background(), a, e.ExpiresAt()); err != nil {
		tb.Fatal(err)
	}
	return a
}

func mustPutNote(tb testing.TB, st Store, e *retours.Event, n *retours.Note) *retours.Note {
	tb.Helper()
	if _, _, err := st.PutNote(context.Background(), n, e.ExpiresAt()); err != nil {
		tb.Fatal(err)
	}
	return n
}

// failure returns err's code and message key ("not_found event.not_found"),
// "" for nil: the contract holds every store to the same codes and the same
// messages.
func failure(err error) string {
	var e *retours.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code + " " + e.Key
	}
	return retours.EINTERNAL + " " + err.Error()
}

// The failures the contract expects.
const (
	eventExists       = retours.ECONFLICT + " event.exists"
	eventNotFound     = retours.ENOTFOUND + " event.not_found"
	accessesChanged   = retours.ECONFLICT + " accesses.changed"
	eventChanged      = retours.ESTALE + " event.changed"
	shareNotFound     = retours.ENOTFOUND + " share.not_found"
	invalidSubmission = retours.EINVALID + " submission_id.invalid"
	snapshotNotFound  = retours.ENOTFOUND + " not_found"
	bilanTooLarge     = retours.EINVALID + " bilan.too_large"
	eventTooLarge     = retours.EINVALID + " event.too_large"
	textNotFound      = retours.ENOTFOUND + " text.not_found"
	noPrevious        = retours.ENOTFOUND + " series.no_previous"
	digestClaimed     = retours.ECONFLICT + " digest.claimed"
	digestSent        = retours.ECONFLICT + " digest.sent"
	leaseLost         = retours.ECONFLICT + " digest.lease_lost"
)

// testEventTooLarge: an event whose definition would pass DynamoDB's item
// limit once encoded (< takes six bytes) is refused as invalid, not as an
// internal error, and nothing of it is stored, its series entry included.
func testEventTooLarge(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	e.Series, e.Edition = "nec-auvergne", 2
	for i := range e.Questionnaire.Questions {
		e.Questionnaire.Questions[i].Label = retours.Text{"fr": strings.Repeat("<", 20_000)}
	}
	if n := e.EncodedSize(); n <= retours.MaxEventBytes {
		t.Fatalf("the event takes %d bytes, want more than %d", n, retours.MaxEventBytes)
	}
	if err := st.CreateEvent(ctx, e); failure(err) != eventTooLarge {
		t.Fatalf("CreateEvent of %d bytes = %v, want %s", e.EncodedSize(), err, eventTooLarge)
	}
	if _, err := st.Event(ctx, e.ID); failure(err) != eventNotFound {
		t.Errorf("Event after the refusal = %v, want not found", err)
	}
	next := Event(t)
	next.Series, next.Edition = "nec-auvergne", 3
	mustCreate(t, st, next)
	if prev, err := st.PreviousEdition(ctx, next); failure(err) != noPrevious {
		t.Errorf("PreviousEdition after the refusal = %s, %v; want none", edition(prev), err)
	}
}

func testEvents(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := st.Event(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Errorf("Event() = %+v,\nwant %+v", got, e)
	}
	// What the caller does with its copy changes nothing stored.
	got.Title = "Changed"
	if again, _ := st.Event(ctx, e.ID); again.Title != e.Title {
		t.Errorf("Event() after changing a copy: title %q, want %q", again.Title, e.Title)
	}
	// The same event again is a retry whose first answer was lost: it
	// succeeds and changes nothing. Another event under its id conflicts.
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Errorf("CreateEvent retried: %v", err)
	}
	other := *e
	other.Title = "Another"
	if err := st.CreateEvent(ctx, &other); failure(err) != eventExists {
		t.Errorf("CreateEvent of another event with the same id: got %v, want conflict", err)
	}
	if again, _ := st.Event(ctx, e.ID); again == nil || again.Title != e.Title {
		t.Errorf("Event() after a conflicting create: %+v", again)
	}
	for _, id := range []string{"nope", "../etc", ""} {
		if _, err := st.Event(ctx, id); failure(err) != eventNotFound {
			t.Errorf("Event(%q): got %v, want not found", id, err)
		}
	}
}

// testEraseEvent erases an event with one item of each kind, and answers
// enough to take several batches.
func testEraseEvent(t *testing.T, st Store) {
	ctx := context.Background()
	e, keep := Event(t), Event(t)
	e.Series, e.Edition = "nec-auvergne", 2
	keep.Series, keep.Edition = "nec-auvergne", 3
	for _, ev := range []*retours.Event{e, keep} {
		mustCreate(t, st, ev)
		for i := 0; i < 60; i++ {
			mustPutAnswer(t, st, ev, Answer(t, ev, "", "3"))
		}
	}
	Extras(t, st, e)

	// The event, 60 answers, a note, a snapshot, the activity (its
	// moderation count), an unsubscription, a share, its entry in the
	// record of changes and the series entry.
	n, err := st.EraseEvent(ctx, e.ID)
	if err != nil || n != 68 {
		t.Fatalf("EraseEvent = %d, %v; want 68 items", n, err)
	}
	if _, err := st.Event(ctx, e.ID); failure(err) != eventNotFound {
		t.Errorf("Event after erasure: %v, want not found", err)
	}
	if a, b := countAnswers(t, st, e.ID), countAnswers(t, st, keep.ID); a != 0 || b != 60 {
		t.Errorf("answers left: %d erased event, %d other; want 0 and 60", a, b)
	}
	if n := countNotes(t, st, e.ID); n != 0 {
		t.Errorf("%d notes left, want none", n)
	}
	if _, err := st.Snapshot(ctx, e.ID, "fr"); failure(err) != snapshotNotFound {
		t.Errorf("Snapshot after erasure: %v, want not found", err)
	}
	if cov, err := st.Coverage(ctx, e.ID); err != nil || cov != (retours.Coverage{}) {
		t.Errorf("Coverage after erasure = %+v, %v; want nothing", cov, err)
	}
	if u, err := st.Unsubscribed(ctx, e.ID); err != nil || len(u) != 0 {
		t.Errorf("Unsubscribed after erasure = %v, %v; want none", u, err)
	}
	if _, err := st.PreviousEdition(ctx, keep); failure(err) != noPrevious {
		t.Errorf("PreviousEdition of the next edition: %v, want not found", err)
	}
	// The answers' changes, counted after the erasure, bring nothing back.
	mustDrain(t, st)
	if a, err := st.Activity(ctx, e.ID); err != nil || a.Answers+a.Notes+a.Moderation != 0 {
		t.Errorf("Activity after erasure = %+v, %v; want none", a, err)
	}
	if a, err := st.Activity(ctx, keep.ID); err != nil || a.Answers != 60 {
		t.Errorf("other event's Activity = %+v, %v; want its 60 answers", a, err)
	}
	if ids, err := st.ChangedEvents(ctx, T0, e.ClosesAt.Add(time.Hour)); err != nil || slices.Contains(ids, e.ID) {
		t.Errorf("ChangedEvents after erasure = %v, %v; want without %s", ids, err, e.ID)
	}
	for _, id := range []string{e.ID, "nope", "../x"} {
		if _, err := st.EraseEvent(ctx, id); failure(err) != eventNotFound {
			t.Errorf("EraseEvent(%q) = %v, want not found", id, err)
		}
	}
}

// testEraseLateAnswer: an answer written after its event was erased (by a
// request that read the event just before) is erased by erasing again.
func testEraseLateAnswer(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	if n, err := st.EraseEvent(ctx, e.ID); err != nil || n != 1 {
		t.Fatalf("EraseEvent = %d, %v; want the event alone", n, err)
	}
	mustPutAnswer(t, st, e, Answer(t, e, "", "4"))
	mustDrain(t, st) // counting it creates no activity for the erased event
	if n, err := st.EraseEvent(ctx, e.ID); err != nil || n != 1 {
		t.Errorf("EraseEvent of the late answer = %d, %v; want 1 item", n, err)
	}
	if n := countAnswers(t, st, e.ID); n != 0 {
		t.Errorf("%d answers left, want none", n)
	}
}

func countAnswers(tb testing.TB, st Store, eventID string) (n int) {
	tb.Helper()
	if err := st.Answers(context.Background(), eventID, func(*retours.Answer) error { n++; return nil }); err != nil {
		tb.Fatal(err)
	}
	return n
}

func countNotes(tb testing.TB, st Store, eventID string) (n int) {
	tb.Helper()
	if err := st.Notes(context.Background(), eventID, func(*retours.Note) error { n++; return nil }); err != nil {
		tb.Fatal(err)
	}
	return n
}
