package storetest

import (
	"context"
	"crypto/rand"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

// The failures of erasures.
const (
	eventErasing       = retours.ENOTFOUND + " event.erasing"
	erasureNotFound    = retours.ENOTFOUND + " erasure.not_found"
	erasureUnfinished  = retours.ECONFLICT + " erasure.unfinished"
	derivedEventIsGone = retours.ENOTFOUND + " event.not_found"
)

// fullEvent stores an event of the series "nec-auvergne" with n answers and
// one item of every other kind (Extras). With its series entry and itself,
// n+8 items.
func fullEvent(t *testing.T, st Store, edition, n int) *retours.Event {
	t.Helper()
	e := Event(t)
	e.Series, e.Edition = "nec-auvergne", edition
	mustCreate(t, st, e)
	for range n {
		mustPutAnswer(t, st, e, Answer(t, e, "", "3"))
	}
	Extras(t, st, e)
	return e
}

// ExtrasStore is what Extras writes through.
type ExtrasStore interface {
	retours.AnswerStore
	retours.SnapshotStore
	retours.ModerationStore
	retours.DigestStore
	retours.ShareStore
}

// ExtrasItems is the number of items Extras stores.
const ExtrasItems = 6

// Extras stores an item of every kind besides answers for the stored event
// e: a note (hidden, which creates the activity), a snapshot, an
// unsubscription, and a share of its first session with the entry of the
// record of changes that says who made it: ExtrasItems items.
func Extras(tb testing.TB, st ExtrasStore, e *retours.Event) {
	tb.Helper()
	ctx := context.Background()
	nt := Note(tb, e, retours.NoteEtonnement, "Oh", T0.Add(time.Hour))
	if _, _, err := st.PutNote(ctx, nt, e.ExpiresAt()); err != nil {
		tb.Fatal(err)
	}
	if err := st.PutSnapshot(ctx, &retours.Snapshot{EventID: e.ID, Lang: "fr", CreatedAt: T0, Expires: e.ExpiresAt(), Data: []byte(`{"notes":["Oh"]}`)}); err != nil {
		tb.Fatal(err)
	}
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: nt.SubmissionID}, true, T0.Add(time.Hour), nil); err != nil {
		tb.Fatal(err)
	}
	if err := st.Unsubscribe(ctx, e, retours.OrganiserID("alice@example.org"), T0); err != nil {
		tb.Fatal(err)
	}
	mustShare(tb, st, e, e.Sessions[0].ID, T0)
}

// mustFinishErasure deletes the items of an event being erased until none
// is left, and finishes its erasure at at.
func mustFinishErasure(tb testing.TB, st Store, eventID string, at time.Time) *retours.Erasure {
	tb.Helper()
	ctx := context.Background()
	for {
		n, err := st.EraseItems(ctx, eventID, 100, at)
		if err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	er, err := st.FinishErasure(ctx, eventID, at)
	if err != nil {
		tb.Fatal(err)
	}
	return er
}

// sameErasure reports whether got is want.
func sameErasure(got *retours.Erasure, want retours.Erasure) bool {
	return reflect.DeepEqual(*got, want)
}

// testErasure follows an erasure through its steps: marked at once, its
// items deleted in batches, finished, its record kept.
func testErasure(t *testing.T, st Store) {
	ctx := context.Background()
	prev := fullEvent(t, st, 1, 3)
	e := fullEvent(t, st, 2, 60)
	next := fullEvent(t, st, 3, 2)
	started := T0.Add(40 * 24 * time.Hour)

	for _, id := range []string{"nope", "../x"} {
		if _, err := st.StartErasure(ctx, id, started); failure(err) != eventNotFound {
			t.Errorf("StartErasure(%q) = %v, want %s", id, err, eventNotFound)
		}
		if _, err := st.Erasure(ctx, id); failure(err) != erasureNotFound {
			t.Errorf("Erasure(%q) = %v, want %s", id, err, erasureNotFound)
		}
	}
	if _, err := st.Erasure(ctx, e.ID); failure(err) != erasureNotFound {
		t.Errorf("Erasure before it started = %v, want %s", err, erasureNotFound)
	}
	if _, err := st.EraseItems(ctx, e.ID, 100, started); failure(err) != erasureNotFound {
		t.Errorf("EraseItems of an event not being erased = %v, want %s", err, erasureNotFound)
	}
	if countAnswers(t, st, e.ID) != 60 {
		t.Fatal("EraseItems deleted answers of an event not being erased")
	}

	er, err := st.StartErasure(ctx, e.ID, started)
	want := retours.Erasure{EventID: e.ID, State: retours.ErasureRunning, Items: 1, StartedAt: started, Progress: started, AccessHashes: e.AccessHashes()}
	if err != nil || !sameErasure(er, want) {
		t.Fatalf("StartErasure = %+v, %v; want %+v (its series entry deleted)", er, err, want)
	}
	// Marked at once: the event is read by no one.
	if _, err := st.Event(ctx, e.ID); failure(err) != eventErasing {
		t.Errorf("Event while erasing = %v, want %s", err, eventErasing)
	}
	if got, err := st.PreviousEdition(ctx, next); err != nil || got.ID != prev.ID {
		t.Errorf("PreviousEdition of the next edition = %s, %v; want the first", edition(got), err)
	}
	if events, err := st.EventsClosingSince(ctx, T0); err != nil || slices.ContainsFunc(events, func(x *retours.Event) bool { return x.ID == e.ID }) {
		t.Errorf("EventsClosingSince lists the event being erased: %v", err)
	}
	if ids, err := st.ChangedEvents(ctx, e.ClosesAt.Add(-time.Minute), e.ClosesAt.Add(time.Minute)); err != nil || slices.Contains(ids, e.ID) {
		t.Errorf("ChangedEvents lists the event being erased among the closed ones: %v, %v", ids, err)
	}
	// Again: the same erasure.
	if again, err := st.StartErasure(ctx, e.ID, started.Add(time.Minute)); err != nil || !sameErasure(again, want) {
		t.Errorf("StartErasure again = %+v, %v; want %+v", again, err, want)
	}
	if got, err := st.Erasure(ctx, e.ID); err != nil || !sameErasure(got, want) {
		t.Errorf("Erasure = %+v, %v; want %+v", got, err, want)
	}
	if _, err := st.FinishErasure(ctx, e.ID, started); failure(err) != erasureUnfinished {
		t.Errorf("FinishErasure with items left = %v, want %s", err, erasureUnfinished)
	}

	// In batches: 60 answers, a note, a snapshot, the activity, an
	// unsubscription, a share and its entry in the record of changes.
	var batches []int
	for at := started.Add(time.Second); ; at = at.Add(time.Second) {
		n, err := st.EraseItems(ctx, e.ID, 25, at)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		batches = append(batches, n)
		if got, err := st.Erasure(ctx, e.ID); err != nil || !got.Progress.Equal(at) {
			t.Errorf("progress after a batch = %+v, %v; want %v", got, err, at)
		}
	}
	if !slices.Equal(batches, []int{25, 25, 16}) {
		t.Errorf("batches of %v items, want 25, 25 and 16", batches)
	}
	if got, err := st.Erasure(ctx, e.ID); err != nil || got.Items != 67 || got.State != retours.ErasureRunning {
		t.Errorf("Erasure after the batches = %+v, %v; want 67 items, running", got, err)
	}
	finished := started.Add(time.Minute)
	done, err := st.FinishErasure(ctx, e.ID, finished)
	want = retours.Erasure{EventID: e.ID, State: retours.ErasureDone, Items: 68, StartedAt: started, FinishedAt: finished, Progress: finished, AccessHashes: e.AccessHashes()}
	if err != nil || !sameErasure(done, want) {
		t.Fatalf("FinishErasure = %+v, %v; want %+v", done, err, want)
	}
	if !done.Done() || done.CheckToken("") || done.CheckToken("rto_nope") {
		t.Errorf("Done() = %v, or CheckToken accepts any token", done.Done())
	}
	// Nothing of it is left; its record says so, and answers again.
	if _, err := st.Event(ctx, e.ID); failure(err) != eventNotFound {
		t.Errorf("Event after the erasure = %v, want %s", err, eventNotFound)
	}
	if countAnswers(t, st, e.ID)+countNotes(t, st, e.ID) != 0 {
		t.Error("answers or notes left")
	}
	if _, err := st.Snapshot(ctx, e.ID, "fr"); failure(err) != snapshotNotFound {
		t.Errorf("Snapshot after the erasure = %v, want none", err)
	}
	if u, err := st.Unsubscribed(ctx, e.ID); err != nil || len(u) != 0 {
		t.Errorf("Unsubscribed after the erasure = %v, %v; want none", u, err)
	}
	if a, err := st.Activity(ctx, e.ID); err != nil || a.Answers+a.Notes+a.Moderation != 0 {
		t.Errorf("Activity after the erasure = %+v, %v; want none", a, err)
	}
	if shares, err := st.Shares(ctx, e.ID); err != nil || len(shares) != 0 {
		t.Errorf("Shares after the erasure = %+v, %v; want none", shares, err)
	}
	if edits, err := st.Edits(ctx, e.ID, time.Time{}, 10); err != nil || len(edits) != 0 {
		t.Errorf("Edits after the erasure = %+v, %v; want none", edits, err)
	}
	for name, call := range map[string]func() (*retours.Erasure, error){
		"Erasure":       func() (*retours.Erasure, error) { return st.Erasure(ctx, e.ID) },
		"StartErasure":  func() (*retours.Erasure, error) { return st.StartErasure(ctx, e.ID, finished.Add(time.Hour)) },
		"FinishErasure": func() (*retours.Erasure, error) { return st.FinishErasure(ctx, e.ID, finished.Add(time.Hour)) },
	} {
		if got, err := call(); err != nil || !sameErasure(got, want) {
			t.Errorf("%s after the erasure = %+v, %v; want %+v", name, got, err, want)
		}
	}
	if _, err := st.EraseItems(ctx, e.ID, 25, finished); failure(err) != erasureNotFound {
		t.Errorf("EraseItems after the erasure = %v, want %s", err, erasureNotFound)
	}
	if _, err := st.EraseEvent(ctx, e.ID); failure(err) != eventNotFound {
		t.Errorf("EraseEvent after the erasure = %v, want %s", err, eventNotFound)
	}
	// The other editions are whole.
	for _, other := range []*retours.Event{prev, next} {
		if _, err := st.Event(ctx, other.ID); err != nil || countAnswers(t, st, other.ID) == 0 {
			t.Errorf("edition %d after the erasure: %v", other.Edition, err)
		}
	}
	if got, err := st.PreviousEdition(ctx, next); err != nil || got.ID != prev.ID {
		t.Errorf("PreviousEdition of the next edition = %s, %v; want the first", edition(got), err)
	}
}

// testErasureStopsDerivedWrites: once an erasure starts, and once it is
// done, nothing derived from the event is written any more: a snapshot, a
// moderation change, an unsubscription, an edit, new accesses, a share
// created or revoked, an entry of the record of changes, the activity of a
// change counted late. An answer from a copy of the event read before is
// still stored, and the erasure's items delete it.
func testErasureStopsDerivedWrites(t *testing.T, st Store) {
	ctx := context.Background()
	for _, finish := range []bool{false, true} {
		e := mustCreate(t, st, Event(t))
		a := mustPutAnswer(t, st, e, Answer(t, e, "", "4"))
		nt := mustPutNote(t, st, e, Note(t, e, retours.NotePointFort, "Bien", T0.Add(time.Hour)))
		by := retours.Actor{Access: &e.Accesses[0]}
		shared, _ := mustShare(t, st, e, e.Sessions[0].ID, T0)
		at := T0.Add(48 * time.Hour)
		if _, err := st.StartErasure(ctx, e.ID, at); err != nil {
			t.Fatal(err)
		}
		if finish {
			mustFinishErasure(t, st, e.ID, at)
		}
		// Writes to the event's own item say it is being erased, as reading
		// it does; once it is gone, that it does not exist. A share found
		// before its revocation is refused with its event; once erased, it
		// is not found.
		wantItem, wantRevoke := eventErasing, derivedEventIsGone
		if finish {
			wantItem, wantRevoke = eventNotFound, shareNotFound
		}
		_, newHash, _ := retours.NewToken(rand.Reader)
		rotated, err := retours.Rotated(e.Accesses, e.Accesses[0].ID, newHash)
		if err != nil {
			t.Fatal(err)
		}
		edited := *e
		edited.Version, edited.Title = e.Version+1, "Renommé"
		share, _, _ := retours.NewShare(e, e.Sessions[1].ID, rand.Reader, by.ID(), at)
		for _, tc := range []struct {
			name string
			err  error
			want string
		}{
			{"PutSnapshot", st.PutSnapshot(ctx, &retours.Snapshot{EventID: e.ID, Lang: "fr", CreatedAt: at, Expires: e.ExpiresAt(), Data: []byte(`{"notes":["Bien"]}`)}), derivedEventIsGone},
			{"SetHidden of a note", st.SetHidden(ctx, e, retours.TextRef{SubmissionID: nt.SubmissionID}, true, at, by.Edit(retours.ActionHidden, at, 0, nt.SubmissionID)), derivedEventIsGone},
			{"SetHidden of an answer", st.SetHidden(ctx, e, retours.TextRef{SubmissionID: a.SubmissionID, Question: "commentaire"}, true, at, nil), derivedEventIsGone},
			{"Unsubscribe", st.Unsubscribe(ctx, e, retours.OrganiserID("alice@example.org"), at), derivedEventIsGone},
			{"UpdateEvent", st.UpdateEvent(ctx, &edited, by.Edit(retours.ActionUpdated, at, edited.Version, "")), wantItem},
			{"ReplaceAccesses", st.ReplaceAccesses(ctx, e, rotated, by.Edit(retours.ActionAccessRotated, at, 0, e.Accesses[0].ID)), wantItem},
			{"CreateShare", st.CreateShare(ctx, e, share, by.Edit(retours.ActionShareCreated, at, 0, share.ID)), derivedEventIsGone},
			{"RevokeShare", st.RevokeShare(ctx, e, shared.ID, by.Edit(retours.ActionShareRevoked, at, 0, shared.ID)), wantRevoke},
		} {
			if failure(tc.err) != tc.want {
				t.Errorf("finished %v: %s = %v, want %s", finish, tc.name, tc.err, tc.want)
			}
		}
		// None of them recorded a change, nor left a share.
		wantKept := 1 // the share made before, and its entry in the record
		if finish {
			wantKept = 0
		}
		if edits, err := st.Edits(ctx, e.ID, time.Time{}, 10); err != nil || len(edits) != wantKept {
			t.Errorf("finished %v: Edits = %+v, %v; want %d", finish, edits, err, wantKept)
		}
		if shares, err := st.Shares(ctx, e.ID); err != nil || len(shares) != wantKept {
			t.Errorf("finished %v: Shares = %+v, %v; want %d", finish, shares, err, wantKept)
		}
		// The stream's records of the answer and the note, counted now,
		// create no activity.
		mustDrain(t, st)
		if n, err := st.ApplyChanges(ctx, e.ID, []retours.Change{{Seq: "99999999999999999999", SessionID: "", CreatedAt: at, Expires: e.ExpiresAt()}}); err != nil || n != 0 {
			t.Errorf("finished %v: ApplyChanges = %d, %v; want nothing counted", finish, n, err)
		}
		if act, err := st.Activity(ctx, e.ID); err != nil || act.Answers+act.Notes+act.Moderation != 0 {
			t.Errorf("finished %v: Activity = %+v, %v; want none", finish, act, err)
		}
		if _, err := st.Snapshot(ctx, e.ID, "fr"); failure(err) != snapshotNotFound {
			t.Errorf("finished %v: a snapshot was stored: %v", finish, err)
		}
		if u, err := st.Unsubscribed(ctx, e.ID); err != nil || len(u) != 0 {
			t.Errorf("finished %v: Unsubscribed = %v, %v; want none", finish, u, err)
		}
		if finish {
			continue
		}
		// A participant's answer from a copy read before the start is one
		// write with no condition: stored, then deleted with the rest.
		mustPutAnswer(t, st, e, Answer(t, e, "", "5"))
		n, err := st.EraseItems(ctx, e.ID, 100, at)
		if err != nil || n != 5 {
			t.Errorf("EraseItems = %d, %v; want the two answers, the note, the share and its entry in the record", n, err)
		}
		if countAnswers(t, st, e.ID) != 0 {
			t.Error("the late answer is left")
		}
	}
}

// testErasureKeepsAccesses: an erasure's record holds the hash of every
// access the event had when it started, so that each of its organisers
// follows it with their own token, and not an access revoked before; no
// access is granted once it started.
func testErasureKeepsAccesses(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	first, firstToken, err := retours.NewAccess(rand.Reader, "", "", T0, true)
	if err != nil {
		t.Fatal(err)
	}
	e.Accesses = []retours.Access{first}
	mustCreate(t, st, e)
	second, secondToken, _ := retours.NewAccess(rand.Reader, "Médiathèque de Vichy", first.ID, T0, false)
	revoked, revokedToken, _ := retours.NewAccess(rand.Reader, "Conseil départemental", first.ID, T0, false)
	late, lateToken, _ := retours.NewAccess(rand.Reader, "Tiers-lieu", first.ID, T0, false)
	three := []retours.Access{first, second, revoked}
	kept, _ := retours.WithoutAccess(three, revoked.ID, true)
	for _, accesses := range [][]retours.Access{three, kept} {
		cur, err := st.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.ReplaceAccesses(ctx, cur, accesses, nil); err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string, er *retours.Erasure) {
		t.Helper()
		if want := []string{first.Hash, second.Hash}; !slices.Equal(er.AccessHashes, want) {
			t.Errorf("%s: AccessHashes = %v, want %v", step, er.AccessHashes, want)
		}
		for _, tok := range []string{firstToken, secondToken} {
			if !er.CheckToken(tok) {
				t.Errorf("%s: CheckToken refuses the token of an access the event had", step)
			}
		}
		for name, tok := range map[string]string{"revoked": revokedToken, "granted too late": lateToken, "empty": "", "wrong": firstToken + "x"} {
			if er.CheckToken(tok) {
				t.Errorf("%s: CheckToken accepts a %s token", step, name)
			}
		}
	}
	at := T0.Add(48 * time.Hour)
	er, err := st.StartErasure(ctx, e.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	check("StartErasure", er)
	withKept := *e
	withKept.Accesses = kept
	more, _ := retours.WithAccess(kept, late)
	if err := st.ReplaceAccesses(ctx, &withKept, more, nil); failure(err) != eventErasing {
		t.Errorf("ReplaceAccesses once the erasure started = %v, want %s", err, eventErasing)
	}
	if er, err = st.Erasure(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	check("Erasure", er)
	check("FinishErasure", mustFinishErasure(t, st, e.ID, at.Add(time.Minute)))
}

// testStalledErasures: erasures whose progress stopped are found, by the
// time of their last progress; finished ones are not.
func testStalledErasures(t *testing.T, st Store) {
	ctx := context.Background()
	at := T0.Add(48 * time.Hour)
	stalled, running, done, live := mustCreate(t, st, Event(t)), mustCreate(t, st, Event(t)), mustCreate(t, st, Event(t)), mustCreate(t, st, Event(t))
	for _, e := range []*retours.Event{stalled, running, done} {
		mustPutAnswer(t, st, e, Answer(t, e, "", "4"))
		if _, err := st.StartErasure(ctx, e.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	mustPutAnswer(t, st, live, Answer(t, live, "", "4"))
	if _, err := st.EraseItems(ctx, running.ID, 100, at.Add(20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EraseItems(ctx, done.ID, 100, at); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FinishErasure(ctx, done.ID, at); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		before time.Time
		want   []string
	}{
		{"before any started", at, nil},
		{"after one's start", at.Add(time.Minute), []string{stalled.ID}},
		{"after both moved", at.Add(time.Hour), []string{stalled.ID, running.ID}},
	} {
		got, err := st.StalledErasures(ctx, tc.before)
		slices.Sort(got)
		slices.Sort(tc.want)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: StalledErasures = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
