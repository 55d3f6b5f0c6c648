package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func testSnapshots(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	if _, err := st.Snapshot(ctx, e.ID, "fr"); failure(err) != snapshotNotFound {
		t.Fatalf("Snapshot before any = %v, want not found", err)
	}
	want := &retours.Snapshot{EventID: e.ID, Lang: "fr", Coverage: retours.Coverage{Answers: 3, Notes: 2, Moderation: 1, Seq: "000000000000000000042", Version: 3},
		CreatedAt: T0.Add(time.Hour), Expires: e.ExpiresAt(), Data: []byte(`{"version":1,"text":"Très <b>bien</b>"}`)}
	if err := st.PutSnapshot(ctx, want); err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, st, want)
	if _, err := st.Snapshot(ctx, e.ID, "en"); failure(err) != snapshotNotFound {
		t.Errorf("Snapshot(en) = %v, want not found", err)
	}

	// A later run replaces it; a coverage without Seq (an event without
	// activity) stays without.
	next := *want
	next.Coverage = retours.Coverage{Answers: 4, Notes: 2, Moderation: 1}
	next.CreatedAt = T0.Add(2 * time.Hour)
	// A large bilan is stored as long as it compresses well.
	next.Data = bytes.Repeat([]byte(`{"theme":"médiation numérique"},`), 20_000)
	if err := st.PutSnapshot(ctx, &next); err != nil {
		t.Fatalf("PutSnapshot of %d compressible bytes: %v", len(next.Data), err)
	}
	checkSnapshot(t, st, &next)

	big := next
	big.Data = make([]byte, 1<<20)
	rand.Read(big.Data) // incompressible
	if err := st.PutSnapshot(ctx, &big); failure(err) != bilanTooLarge {
		t.Errorf("PutSnapshot of 1 MB = %v, want invalid", err)
	}
	checkSnapshot(t, st, &next)
}

func checkSnapshot(t *testing.T, st Store, want *retours.Snapshot) {
	t.Helper()
	got, err := st.Snapshot(context.Background(), want.EventID, want.Lang)
	if err != nil {
		t.Fatal(err)
	}
	if got.EventID != want.EventID || got.Lang != want.Lang ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.Expires.Equal(want.Expires) || !bytes.Equal(got.Data, want.Data) {
		t.Errorf("Snapshot() = %+v, want %+v", got, want)
	}
	if got.Coverage != want.Coverage {
		t.Errorf("Snapshot().Coverage = %+v, want %+v", got.Coverage, want.Coverage)
	}
}

func testCoverageAndHiding(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	a := mustPutAnswer(t, st, e, Answer(t, e, e.Sessions[0].ID, "4"))
	nt := mustPutNote(t, st, e, Note(t, e, retours.NotePointFort, "Bien", T0.Add(time.Hour)))
	cov, err := st.Coverage(ctx, e.ID)
	if err != nil || cov != (retours.Coverage{Answers: 1, Notes: 1}) {
		t.Fatalf("Coverage = %+v, %v; want 1 answer, 1 note", cov, err)
	}
	if m, err := st.Moderation(ctx, e.ID); err != nil || m != 0 {
		t.Errorf("Moderation before any = %d, %v; want 0", m, err)
	}
	now := T0.Add(48 * time.Hour)
	for _, tc := range []struct {
		name   string
		ref    retours.TextRef
		hidden bool
		want   string
	}{
		{"hide a note", retours.TextRef{SubmissionID: nt.SubmissionID}, true, ""},
		{"hide a text answer", retours.TextRef{SubmissionID: a.SubmissionID, Question: "commentaire"}, true, ""},
		{"hide it again", retours.TextRef{SubmissionID: a.SubmissionID, Question: "commentaire"}, true, ""},
		{"show the note again", retours.TextRef{SubmissionID: nt.SubmissionID}, false, ""},
		{"unknown note", retours.TextRef{SubmissionID: "00000000-0000-4000-8000-000000000000"}, true, textNotFound},
		{"unknown answer", retours.TextRef{SubmissionID: "00000000-0000-4000-8000-000000000000", Question: "commentaire"}, true, textNotFound},
		{"a note's id as an answer", retours.TextRef{SubmissionID: nt.SubmissionID, Question: "commentaire"}, true, textNotFound},
		{"not a text question", retours.TextRef{SubmissionID: a.SubmissionID, Question: "satisfaction"}, true, textNotFound},
		{"unanswered text question", retours.TextRef{SubmissionID: a.SubmissionID, Question: "suites"}, true, textNotFound},
		{"no such question", retours.TextRef{SubmissionID: a.SubmissionID, Question: "nope"}, true, textNotFound},
		{"bad submission id", retours.TextRef{SubmissionID: "../x"}, true, textNotFound},
	} {
		if err := st.SetHidden(ctx, e, tc.ref, tc.hidden, now, nil); failure(err) != tc.want {
			t.Errorf("%s: SetHidden = %v, want %q", tc.name, err, tc.want)
		}
	}
	var notes []*retours.Note
	st.Notes(ctx, e.ID, func(n *retours.Note) error { notes = append(notes, n); return nil })
	var answers []*retours.Answer
	st.Answers(ctx, e.ID, func(a *retours.Answer) error { answers = append(answers, a); return nil })
	if len(notes) != 1 || notes[0].Hidden || len(answers) != 1 || !slices.Equal(answers[0].Hidden, []string{"commentaire"}) {
		t.Fatalf("after moderation: notes %+v, answers %+v; want the answer's text hidden only", notes, answers)
	}
	// Each change counts, even one that changed nothing; refused ones do not.
	if cov, err := st.Coverage(ctx, e.ID); err != nil || cov != (retours.Coverage{Answers: 1, Notes: 1, Moderation: 4}) {
		t.Errorf("Coverage after moderation = %+v, %v; want 4 changes", cov, err)
	}
	if m, err := st.Moderation(ctx, e.ID); err != nil || m != 4 {
		t.Errorf("Moderation = %d, %v; want 4", m, err)
	}
	// Showing the answer's text again leaves nothing hidden.
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: a.SubmissionID, Question: "commentaire"}, false, now, nil); err != nil {
		t.Fatal(err)
	}
	answers = nil
	st.Answers(ctx, e.ID, func(a *retours.Answer) error { answers = append(answers, a); return nil })
	if len(answers[0].Hidden) != 0 {
		t.Errorf("hidden after showing again = %v, want none", answers[0].Hidden)
	}
	// The changes put the event among the day's changed events.
	ids, err := st.ChangedEvents(ctx, now.Add(-time.Hour), now)
	if err != nil || !slices.Contains(ids, e.ID) {
		t.Errorf("ChangedEvents after moderation = %v, %v; want %s", ids, err, e.ID)
	}
	if m, err := st.Moderation(ctx, Event(t).ID); err != nil || m != 0 {
		t.Errorf("Moderation of another event = %d, %v; want 0", m, err)
	}
}

func testPreviousEdition(t *testing.T, st Store) {
	ctx := context.Background()
	mk := func(series string, edition int) *retours.Event {
		e := Event(t)
		e.Series, e.Edition = series, edition
		return mustCreate(t, st, e)
	}
	first, second, other := mk("nec-auvergne", 1), mk("nec-auvergne", 2), mk("nec-bretagne", 2)
	fourth := mk("nec-auvergne", 4)
	alone := mustCreate(t, st, Event(t))
	if err := st.CreateEvent(ctx, second); err != nil {
		t.Errorf("creating an event in a series, retried: %v", err)
	}
	clash := *second
	clash.Edition = 3
	if err := st.CreateEvent(ctx, &clash); failure(err) != eventExists {
		t.Errorf("creating another event with an existing id in a series = %v, want conflict", err)
	}
	for _, tc := range []struct {
		name string
		e    *retours.Event
		want string
	}{
		{"the edition before", second, first.ID},
		{"a gap in editions", fourth, second.ID},
		{"the first edition", first, ""},
		{"alone in its series", other, ""},
		{"in no series", alone, ""},
	} {
		got, err := st.PreviousEdition(ctx, tc.e)
		if tc.want == "" {
			if failure(err) != noPrevious {
				t.Errorf("%s: PreviousEdition = %v, %v; want not found", tc.name, got, err)
			}
			continue
		}
		if err != nil || got.ID != tc.want {
			t.Errorf("%s: PreviousEdition = %v, %v; want %s", tc.name, got, err, tc.want)
		}
	}
	// An erased edition is skipped.
	if _, err := st.EraseEvent(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := st.PreviousEdition(ctx, fourth); err != nil || got.ID != first.ID {
		t.Errorf("PreviousEdition after erasing the 2nd = %v, %v; want the 1st", got, err)
	}
}

// testSeriesOwners: a series belongs to its organisers. Two organisers who
// both call their series "nec" never see each other's editions; an edition
// they organise together follows both.
func testSeriesOwners(t *testing.T, st Store) {
	ctx := context.Background()
	mk := func(edition int, organisers ...string) *retours.Event {
		e := Event(t)
		e.Series, e.Edition, e.OrganiserEmails = "nec", edition, organisers
		return mustCreate(t, st, e)
	}
	alice1 := mk(1, "alice@example.org")
	bob2 := mk(2, "bob@example.org")
	alice3 := mk(3, "Alice@Example.org", "claire@example.org")
	bob4 := mk(4, "bob@example.org")
	both5 := mk(5, "bob@example.org", "alice@example.org")
	admin2 := mk(2)
	admin6 := mk(6)
	claire7 := mk(7, "claire@example.org")
	dan8 := mk(8, "dan@example.org")
	for _, tc := range []struct {
		name string
		e    *retours.Event
		want string
	}{
		{"not another organiser's higher edition", alice3, alice1.ID},
		{"not another organiser's lower one either", bob2, ""},
		{"the organiser's own, whatever lies between", bob4, bob2.ID},
		{"an edition organised together follows either", both5, bob4.ID},
		{"events without organisers are the administrator's", admin6, admin2.ID},
		{"an organiser's events are not the administrator's", alice1, ""},
		{"a co-organiser's series goes on without the others", claire7, alice3.ID},
		{"an organiser of no earlier edition", dan8, ""},
	} {
		got, err := st.PreviousEdition(ctx, tc.e)
		if tc.want == "" {
			if failure(err) != noPrevious {
				t.Errorf("%s: PreviousEdition = %s, %v; want not found", tc.name, edition(got), err)
			}
			continue
		}
		if err != nil || got.ID != tc.want {
			t.Errorf("%s: PreviousEdition = %s, %v; want %s", tc.name, edition(got), err, tc.want)
		}
	}
}

// edition names an event by its id, series and edition.
func edition(e *retours.Event) string {
	if e == nil {
		return "none"
	}
	return fmt.Sprintf("%s (%s %d)", e.ID, e.Series, e.Edition)
}
