package dynamo_test

import (
	"context"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
)

func TestSnapshotRoundTrip(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	if _, err := st.Snapshot(ctx, e.ID, "fr"); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Fatalf("Snapshot before any = %v, want not found", err)
	}
	want := &retours.Snapshot{EventID: e.ID, Lang: "fr", Coverage: retours.Coverage{Answers: 3, Notes: 2, Moderation: 1, Since: t0.Add(59 * time.Minute), After: 2},
		CreatedAt: t0.Add(time.Hour), Expires: e.ExpiresAt(), Data: []byte(`{"version":1,"text":"Très <b>bien</b>"}`)}
	if err := st.PutSnapshot(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := st.Snapshot(ctx, e.ID, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if got.Coverage.Since.Equal(want.Coverage.Since) {
		got.Coverage.Since = want.Coverage.Since
	}
	if got.Coverage != want.Coverage || !got.CreatedAt.Equal(want.CreatedAt) || !got.Expires.Equal(want.Expires) || string(got.Data) != string(want.Data) {
		t.Errorf("Snapshot() = %+v, want %+v", got, want)
	}
	if _, err := st.Snapshot(ctx, e.ID, "en"); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Snapshot(en) = %v, want not found", err)
	}
	big := *want
	big.Data = make([]byte, 1<<20)
	rand.Read(big.Data) // incompressible
	if err := st.PutSnapshot(ctx, &big); retours.ErrorCode(err) != retours.EINVALID {
		t.Errorf("PutSnapshot of 1 MB = %v, want invalid", err)
	}
}

func TestCoverageAndHiding(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	a := mustAnswer(t, e, e.Sessions[0].ID, "4")
	if _, _, err := st.PutAnswer(ctx, a, e.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
	sub, _ := retours.NewSubmissionID(rand.Reader)
	nt, _ := retours.NewNote(e, retours.NoteInput{SubmissionID: sub, Kind: retours.NotePointFort, Text: "Bien"}, rand.Reader, t0.Add(time.Hour))
	if _, _, err := st.PutNote(ctx, nt, e.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
	cov, err := st.Coverage(ctx, e.ID)
	if err != nil || cov != (retours.Coverage{Answers: 1, Notes: 1}) {
		t.Fatalf("Coverage = %+v, %v; want 1 answer, 1 note", cov, err)
	}
	now := t0.Add(48 * time.Hour)
	for _, tc := range []struct {
		name     string
		ref      retours.TextRef
		hidden   bool
		wantCode string
	}{
		{"hide a note", retours.TextRef{SubmissionID: nt.SubmissionID}, true, ""},
		{"hide a text answer", retours.TextRef{SubmissionID: a.SubmissionID, Question: "commentaire"}, true, ""},
		{"show the note again", retours.TextRef{SubmissionID: nt.SubmissionID}, false, ""},
		{"unknown note", retours.TextRef{SubmissionID: "00000000-0000-4000-8000-000000000000"}, true, retours.ENOTFOUND},
		{"not a text question", retours.TextRef{SubmissionID: a.SubmissionID, Question: "satisfaction"}, true, retours.ENOTFOUND},
		{"unanswered text question", retours.TextRef{SubmissionID: a.SubmissionID, Question: "suites"}, true, retours.ENOTFOUND},
		{"bad submission id", retours.TextRef{SubmissionID: "../x"}, true, retours.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := st.SetHidden(ctx, e, tc.ref, tc.hidden, now); retours.ErrorCode(err) != tc.wantCode {
				t.Errorf("SetHidden = %v, want code %q", err, tc.wantCode)
			}
		})
	}
	var notes []*retours.Note
	st.Notes(ctx, e.ID, func(n *retours.Note) error { notes = append(notes, n); return nil })
	var answers []*retours.Answer
	st.Answers(ctx, e.ID, func(a *retours.Answer) error { answers = append(answers, a); return nil })
	if len(notes) != 1 || notes[0].Hidden || len(answers) != 1 || !slices.Equal(answers[0].Hidden, []string{"commentaire"}) {
		t.Errorf("after moderation: note hidden %v, answer hidden %v; want the answer's text hidden only", notes[0].Hidden, answers[0].Hidden)
	}
	if cov, _ := st.Coverage(ctx, e.ID); cov.Moderation != 3 {
		t.Errorf("moderation count = %d, want 3 changes", cov.Moderation)
	}
	// The changes put the event among the day's changed events.
	ids, err := st.ChangedEvents(ctx, now.Add(-time.Hour), now)
	if err != nil || !slices.Contains(ids, e.ID) {
		t.Errorf("ChangedEvents after moderation = %v, %v; want %s", ids, err, e.ID)
	}
}

func TestChangedEvents(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	var events []*retours.Event
	for i := 0; i < 4; i++ {
		e := mustEvent(t)
		if err := st.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	// Answers for events 0 and 2 at t0+3h (mustAnswer's time); event 3's
	// answers close then.
	for _, i := range []int{0, 2, 2} {
		if _, _, err := st.PutAnswer(ctx, mustAnswer(t, events[i], "", "5"), events[i].ExpiresAt()); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name         string
		since, until time.Time
		want         []int
	}{
		{"the day of the answers", t0, t0.Add(4 * time.Hour), []int{0, 2}},
		{"the days the answers closed", events[3].ClosesAt.Add(-time.Hour), events[3].ClosesAt.Add(time.Hour), []int{0, 1, 2, 3}},
		{"a quiet day", t0.Add(72 * time.Hour), t0.Add(73 * time.Hour), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.ChangedEvents(ctx, tc.since, tc.until)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, i := range tc.want {
				want = append(want, events[i].ID)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("ChangedEvents = %v, want %v", got, want)
			}
		})
	}
}

func TestPreviousEdition(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	mk := func(series string, edition int) *retours.Event {
		e := mustEvent(t)
		e.Series, e.Edition = series, edition
		if err := st.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	first, second, other := mk("nec-auvergne", 1), mk("nec-auvergne", 2), mk("nec-bretagne", 2)
	fourth := mk("nec-auvergne", 4)
	if err := st.CreateEvent(ctx, second); retours.ErrorCode(err) != retours.ECONFLICT {
		t.Errorf("creating an event in a series twice = %v, want conflict", err)
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.PreviousEdition(ctx, tc.e)
			if tc.want == "" {
				if retours.ErrorCode(err) != retours.ENOTFOUND {
					t.Errorf("PreviousEdition = %v, %v; want not found", got, err)
				}
				return
			}
			if err != nil || got.ID != tc.want {
				t.Errorf("PreviousEdition = %v, %v; want %s", got, err, tc.want)
			}
		})
	}
	// An erased edition is skipped.
	if _, err := st.EraseEvent(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := st.PreviousEdition(ctx, fourth); err != nil || got.ID != first.ID {
		t.Errorf("PreviousEdition after erasing the 2nd = %v, %v; want the 1st", got, err)
	}
}

// TestCoverageOfALargePartition counts answers over several pages, where
// the count runs over parallel key ranges.
func TestCoverageOfALargePartition(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	const n = 2500 // about 1.3 MB: more than one page
	mustSeedLongAnswers(t, st, e, n)
	if cov, err := st.Coverage(ctx, e.ID); err != nil || cov.Answers != n {
		t.Errorf("Coverage = %+v, %v; want %d answers", cov, err, n)
	}
}

func TestCountSince(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e, other := mustEvent(t), mustEvent(t)
	for _, ev := range []*retours.Event{e, other} {
		if err := st.CreateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	// Answers at t0+3h (mustAnswer's time), a note a day later at 10:00:00.5,
	// and a moderation change, which is not an answer.
	for i := 0; i < 3; i++ {
		if _, _, err := st.PutAnswer(ctx, mustAnswer(t, e, "", "5"), e.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
	}
	st.PutAnswer(ctx, mustAnswer(t, other, "", "5"), other.ExpiresAt())
	sub, _ := retours.NewSubmissionID(rand.Reader)
	late := t0.Add(25*time.Hour + 500*time.Millisecond)
	nt, _ := retours.NewNote(e, retours.NoteInput{SubmissionID: sub, Kind: retours.NotePointFort, Text: "Bien"}, rand.Reader, late)
	if _, _, err := st.PutNote(ctx, nt, e.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
	st.SetHidden(ctx, e, retours.TextRef{SubmissionID: sub}, true, late)
	for _, tc := range []struct {
		name         string
		since, until time.Time
		want         int
	}{
		{"everything", t0, t0.Add(48 * time.Hour), 4},
		{"after the answers", t0.Add(3 * time.Hour), t0.Add(48 * time.Hour), 1},
		{"within the note's second", t0.Add(25 * time.Hour), t0.Add(48 * time.Hour), 1},
		{"after the note", late, t0.Add(48 * time.Hour), 0},
		{"until before the note", t0, t0.Add(24 * time.Hour), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := st.CountSince(ctx, e, tc.since, tc.until); err != nil || got != tc.want {
				t.Errorf("CountSince = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}
