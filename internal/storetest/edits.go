package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

// testAccesses: accesses are replaced whole, over those read, and the
// change is recorded; a replacement over accesses changed meanwhile is
// refused, and the definition is untouched.
func testAccesses(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	got, err := st.Event(ctx, e.ID)
	if err != nil || !reflect.DeepEqual(got.Accesses, e.Accesses) {
		t.Fatalf("stored accesses = %+v, %v; want %+v", got.Accesses, err, e.Accesses)
	}
	second, _, _ := retours.NewAccess(rand.Reader, "Médiathèque", e.Accesses[0].ID, T0, false)
	both, _ := retours.WithAccess(e.Accesses, second)
	edit := retours.Actor{Access: &e.Accesses[0]}.Edit(retours.ActionAccessAdded, T0, 0, second.ID)
	edit.RefName = second.Name
	if err := st.ReplaceAccesses(ctx, e, both, edit); err != nil {
		t.Fatal(err)
	}
	// A second replacement from the same, stale, accesses is refused.
	_, hash, _ := retours.NewToken(rand.Reader)
	rotated, _ := retours.Rotated(e.Accesses, e.Accesses[0].ID, hash)
	if err := st.ReplaceAccesses(ctx, e, rotated, nil); failure(err) != accessesChanged {
		t.Errorf("ReplaceAccesses over stale accesses = %v, want %s", err, accessesChanged)
	}
	got, err = st.Event(ctx, e.ID)
	if err != nil || !reflect.DeepEqual(got.Accesses, both) {
		t.Fatalf("accesses = %+v, %v; want %+v", got.Accesses, err, both)
	}
	got.Accesses = e.Accesses
	if !reflect.DeepEqual(got, e) {
		t.Errorf("event after new accesses = %+v,\nwant %+v", got, e)
	}
	gone := &retours.Event{ID: "nope", Accesses: e.Accesses}
	if err := st.ReplaceAccesses(ctx, gone, both, nil); failure(err) != eventNotFound {
		t.Errorf("ReplaceAccesses of an unknown event = %v, want not found", err)
	}
	edits, err := st.Edits(ctx, e.ID, time.Time{}, 10)
	if err != nil || len(edits) != 1 || edits[0] != *edit {
		t.Errorf("Edits = %+v, %v; want %+v", edits, err, edit)
	}
}

// testUpdateEvent: an edit is written over the version it was made from,
// moves the series entry, keeps the accesses, and a stale one is refused.
func testUpdateEvent(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	e.Series, e.Edition = "nec-auvergne", 2
	mustCreate(t, st, e)
	next := Event(t)
	next.Series, next.Edition = "nec-auvergne", 4
	mustCreate(t, st, next)

	in := retours.EditOf(e)
	in.Title, in.Edition = "NEC Auvergne 2026", 3
	in.Sessions[0].Cancelled = true
	in.Sessions = append(in.Sessions, retours.SessionEdit{SessionInput: retours.SessionInput{Title: "Atelier données", Kind: retours.KindAtelier, StartsAt: T0.Add(3 * time.Hour)}})
	edited, err := e.Edit(in, false, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	by := retours.Actor{Access: &e.Accesses[0]}
	if err := st.UpdateEvent(ctx, edited, by.Edit(retours.ActionUpdated, T0, edited.Version, "")); err != nil {
		t.Fatal(err)
	}
	got, err := st.Event(ctx, e.ID)
	if err != nil || !reflect.DeepEqual(got, edited) {
		t.Fatalf("Event after the edit = %+v, %v;\nwant %+v", got, err, edited)
	}
	if got.Version != 2 {
		t.Errorf("version %d, want 2", got.Version)
	}
	// The same edit again is made from a version that is gone.
	if err := st.UpdateEvent(ctx, edited, nil); failure(err) != eventChanged {
		t.Errorf("UpdateEvent from a stale version = %v, want %s", err, eventChanged)
	}
	if again, _ := st.Event(ctx, e.ID); !reflect.DeepEqual(again, edited) {
		t.Errorf("the refused edit changed the event: %+v", again)
	}
	// The series entry moved with the edition.
	if prev, err := st.PreviousEdition(ctx, next); err != nil || prev.ID != e.ID || prev.Edition != 3 {
		t.Errorf("PreviousEdition of edition 4 = %s, %v; want %s as edition 3", edition(prev), err, e.ID)
	}
	// Out of the series, it is no one's previous edition.
	in = retours.EditOf(edited)
	in.Series = ""
	out, err := edited.Edit(in, false, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateEvent(ctx, out, nil); err != nil {
		t.Fatal(err)
	}
	if prev, err := st.PreviousEdition(ctx, next); failure(err) != noPrevious {
		t.Errorf("PreviousEdition once it left the series = %s, %v; want none", edition(prev), err)
	}
	unknown := *edited
	unknown.ID = "nope"
	if err := st.UpdateEvent(ctx, &unknown, nil); failure(err) != eventNotFound {
		t.Errorf("UpdateEvent of an unknown event = %v, want not found", err)
	}
	// The record holds the first edit only: the others carried none.
	if edits, err := st.Edits(ctx, e.ID, time.Time{}, 10); err != nil || len(edits) != 1 || edits[0].Version != 2 || edits[0].By != e.Accesses[0].ID {
		t.Errorf("Edits = %+v, %v", edits, err)
	}
}

// testEditLog: the record of changes comes newest first, page by page, with
// moderation recorded in the same write as the change.
func testEditLog(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	n := mustPutNote(t, st, e, Note(t, e, retours.NoteEtonnement, "Oh", T0))
	by := retours.Actor{Access: &e.Accesses[0]}
	var want []retours.Edit
	for i := range 5 {
		at := T0.Add(time.Duration(i) * time.Minute)
		ed := by.Edit(retours.ActionHidden, at, 0, "n."+n.SubmissionID)
		if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: n.SubmissionID}, i%2 == 0, at, ed); err != nil {
			t.Fatal(err)
		}
		want = append([]retours.Edit{*ed}, want...)
	}
	// A refused change records nothing.
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: SubmissionID(t)}, true, T0.Add(time.Hour), by.Edit(retours.ActionHidden, T0.Add(time.Hour), 0, "x")); failure(err) != textNotFound {
		t.Fatalf("SetHidden of an unknown note = %v", err)
	}
	first, err := st.Edits(ctx, e.ID, time.Time{}, 3)
	if err != nil || !reflect.DeepEqual(first, want[:3]) {
		t.Fatalf("first page = %+v, %v; want %+v", first, err, want[:3])
	}
	rest, err := st.Edits(ctx, e.ID, first[2].At, 3)
	if err != nil || !reflect.DeepEqual(rest, want[3:]) {
		t.Errorf("second page = %+v, %v; want %+v", rest, err, want[3:])
	}
	if other, err := st.Edits(ctx, "nope", time.Time{}, 3); err != nil || len(other) != 0 {
		t.Errorf("Edits of an unknown event = %v, %v", other, err)
	}
}

// testListEvents: pages of events, latest closing first, filtered, with a
// cursor that goes on where the last page ended.
func testListEvents(t *testing.T, st Store) {
	ctx := context.Background()
	var all []*retours.Event
	for i := range 7 {
		e := Event(t)
		e.Title = fmt.Sprintf("Rencontre %d", i)
		if i%3 == 0 {
			e.Title = fmt.Sprintf("Atelier %d", i)
		}
		e.ClosesAt = T0.Add(time.Duration(24*(i%4)) * time.Hour).Add(40 * 24 * time.Hour)
		all = append(all, mustCreate(t, st, e))
	}
	slices.SortFunc(all, func(a, b *retours.Event) int {
		if c := b.ClosesAt.Compare(a.ClosesAt); c != 0 {
			return c
		}
		return -cmpString(a.ID, b.ID)
	})
	ids := func(es []*retours.Event) (out []string) {
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	got := listAll(t, st, retours.EventQuery{Limit: 3})
	if !slices.Equal(ids(got), ids(all)) {
		t.Errorf("events listed %v, want %v", ids(got), ids(all))
	}
	if len(got) > 0 && !reflect.DeepEqual(got[0], all[0]) {
		t.Errorf("listed event = %+v,\nwant %+v", got[0], all[0])
	}
	// A filter that keeps few events, read at most 2 at a time: the pages
	// may be short, and together hold them all.
	atelier := func(e *retours.Event) bool { return e.Matches("atelier") }
	var want []*retours.Event
	for _, e := range all {
		if atelier(e) {
			want = append(want, e)
		}
	}
	got = listAll(t, st, retours.EventQuery{Limit: 2, Match: atelier, MaxScan: 2})
	if !slices.Equal(ids(got), ids(want)) {
		t.Errorf("filtered events %v, want %v", ids(got), ids(want))
	}
	// An event being erased is listed no more.
	if _, err := st.StartErasure(ctx, all[1].ID, T0.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got = listAll(t, st, retours.EventQuery{Limit: 3})
	if want := slices.Delete(slices.Clone(all), 1, 2); !slices.Equal(ids(got), ids(want)) {
		t.Errorf("events listed while one is being erased %v, want %v", ids(got), ids(want))
	}
}

// listAll reads every page of the events q lists, each no longer than its
// limit.
func listAll(tb testing.TB, st Store, q retours.EventQuery) []*retours.Event {
	tb.Helper()
	var all []*retours.Event
	for page := 0; ; page++ {
		p, err := st.ListEvents(context.Background(), q)
		if err != nil {
			tb.Fatal(err)
		}
		if len(p.Events) > q.Limit {
			tb.Errorf("page %d has %d events, limit %d", page, len(p.Events), q.Limit)
		}
		all = append(all, p.Events...)
		if p.Next == nil {
			return all
		}
		if page > 20 {
			tb.Fatal("the list does not end")
		}
		q.After = p.Next
	}
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mustShare stores a share of the session of e, made at at by its first
// access with the entry of the record of changes that says so, and returns
// it and its token.
func mustShare(tb testing.TB, st retours.ShareStore, e *retours.Event, session string, at time.Time) (*retours.Share, string) {
	tb.Helper()
	by := retours.Actor{Access: &e.Accesses[0]}
	sh, token, err := retours.NewShare(e, session, rand.Reader, by.ID(), at)
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.CreateShare(context.Background(), e, sh, by.Edit(retours.ActionShareCreated, at, 0, sh.ID)); err != nil {
		tb.Fatal(err)
	}
	return sh, token
}

// testShares: a share is found by its token's hash alone, listed, revoked
// with a record of who did it, and erased with its event.
func testShares(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	by := retours.Actor{Access: &e.Accesses[0]}
	sh, token := mustShare(t, st, e, e.Sessions[1].ID, T0)
	got, err := st.ShareByHash(ctx, e.ID, retours.HashToken(token))
	if err != nil || !reflect.DeepEqual(got, sh) {
		t.Fatalf("ShareByHash = %+v, %v; want %+v", got, err, sh)
	}
	for _, tc := range []struct{ event, hash string }{{e.ID, retours.HashToken(token + "x")}, {"nope", sh.Hash}, {e.ID, ""}} {
		if _, err := st.ShareByHash(ctx, tc.event, tc.hash); failure(err) != shareNotFound {
			t.Errorf("ShareByHash(%s, %s) = %v, want not found", tc.event, tc.hash, err)
		}
	}
	if list, err := st.Shares(ctx, e.ID); err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], *sh) {
		t.Errorf("Shares = %+v, %v", list, err)
	}
	if err := st.RevokeShare(ctx, e, "zzzzzz", nil); failure(err) != shareNotFound {
		t.Errorf("RevokeShare of an unknown share = %v", err)
	}
	if err := st.RevokeShare(ctx, e, sh.ID, by.Edit(retours.ActionShareRevoked, T0.Add(time.Minute), 0, sh.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ShareByHash(ctx, e.ID, sh.Hash); failure(err) != shareNotFound {
		t.Errorf("ShareByHash after revoking = %v, want not found", err)
	}
	if list, err := st.Shares(ctx, e.ID); err != nil || len(list) != 0 {
		t.Errorf("Shares after revoking = %+v, %v", list, err)
	}
	if edits, err := st.Edits(ctx, e.ID, time.Time{}, 10); err != nil || len(edits) != 2 || edits[0].Action != retours.ActionShareRevoked {
		t.Errorf("Edits = %+v, %v", edits, err)
	}
	// Erasing the event erases its shares and record too: the event, two
	// entries of the record.
	other, _, _ := retours.NewShare(e, e.Sessions[0].ID, rand.Reader, by.ID(), T0)
	if err := st.CreateShare(ctx, e, other, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := st.EraseEvent(ctx, e.ID); err != nil || n != 4 {
		t.Errorf("EraseEvent = %d, %v; want 4 items", n, err)
	}
	if _, err := st.ShareByHash(ctx, e.ID, other.Hash); failure(err) != shareNotFound {
		t.Errorf("ShareByHash after erasure = %v, want not found", err)
	}
}
