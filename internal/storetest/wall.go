package storetest

import (
	"context"
	"crypto/rand"
	"reflect"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func testWall(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	by := retours.Actor{Access: &e.Accesses[0]}
	var notes []*retours.Note
	for i := range 5 {
		notes = append(notes, mustPutNote(t, st, e, Note(t, e, retours.NoteEtonnement, "Étonnement "+string(rune('A'+i)), T0.Add(time.Duration(i)*time.Minute))))
	}
	wall := func(after string, limit int) ([]string, string) {
		t.Helper()
		got, next, err := st.WallNotes(ctx, e.ID, after, limit)
		if err != nil {
			t.Fatalf("WallNotes(%q, %d): %v", after, limit, err)
		}
		var texts []string
		for _, w := range got {
			if w.EventID != e.ID || w.Kind != retours.NoteEtonnement || w.Lang != "fr" {
				t.Errorf("wall note %+v: want event %s, kind etonnement, fr", w, e.ID)
			}
			texts = append(texts, w.Text)
		}
		return texts, next
	}
	if got, next := wall("", 10); len(got) != 0 || next != "" {
		t.Fatalf("wall before any approval = %v, %q; want nothing", got, next)
	}
	// Approve notes 0, 1, 3, 2 in that order, a minute apart; 4 stays off.
	at := T0.Add(10 * time.Hour)
	for i, k := range []int{0, 1, 3, 2} {
		now := at.Add(time.Duration(i) * time.Minute)
		if err := st.SetOnWall(ctx, e, notes[k].SubmissionID, true, now, by.Edit(retours.ActionWallShown, now, 0, "n."+notes[k].SubmissionID)); err != nil {
			t.Fatalf("approve note %d: %v", k, err)
		}
	}
	// Approving again changes nothing, not even its place.
	if err := st.SetOnWall(ctx, e, notes[0].SubmissionID, true, at.Add(time.Hour), nil); err != nil {
		t.Fatalf("approve again: %v", err)
	}
	got, next := wall("", 10)
	if want := []string{"Étonnement C", "Étonnement D", "Étonnement B", "Étonnement A"}; !reflect.DeepEqual(got, want) || next != "" {
		t.Fatalf("wall = %v, %q; want newest approved first %v and no next page", got, next, want)
	}
	// Pages of two follow each other, then stop.
	first, next := wall("", 2)
	if !reflect.DeepEqual(first, []string{"Étonnement C", "Étonnement D"}) || next == "" {
		t.Fatalf("first page = %v, %q; want C, D and a next page", first, next)
	}
	second, last := wall(next, 2)
	if !reflect.DeepEqual(second, []string{"Étonnement B", "Étonnement A"}) || last != "" {
		t.Fatalf("second page = %v, %q; want B, A and no next page", second, last)
	}
	one, _, err := st.WallNotes(ctx, e.ID, "", 1)
	if err != nil || len(one) != 1 || one[0].ApprovedBy != e.Accesses[0].ID || !one[0].ApprovedAt.Equal(at.Add(3*time.Minute)) || one[0].SubmissionID != notes[2].SubmissionID {
		t.Errorf("newest wall note = %+v, %v; want note 2 approved at %v by %s", one, err, at.Add(3*time.Minute), e.Accesses[0].ID)
	}
	for _, bad := range []string{"nope", "MTIz", retours.WallCursor(at, "../x")} {
		if _, _, err := st.WallNotes(ctx, e.ID, bad, 2); failure(err) != "invalid wall.cursor" {
			t.Errorf("WallNotes(%q) = %v, want invalid wall.cursor", bad, err)
		}
	}
	// The notes say they are on the wall.
	onWall := map[string]bool{}
	st.Notes(ctx, e.ID, func(n *retours.Note) error { onWall[n.SubmissionID] = n.OnWall; return nil })
	for i, n := range notes {
		if want := i != 4; onWall[n.SubmissionID] != want {
			t.Errorf("note %d OnWall = %v, want %v", i, onWall[n.SubmissionID], want)
		}
	}
	// Withdrawing takes it off; withdrawing again changes nothing.
	for range 2 {
		if err := st.SetOnWall(ctx, e, notes[1].SubmissionID, false, at.Add(time.Hour), by.Edit(retours.ActionWallWithdrawn, at, 0, "")); err != nil {
			t.Fatalf("withdraw: %v", err)
		}
	}
	// Hiding a note on the wall takes it off, even when shown again, and a
	// hidden note cannot be approved.
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: notes[3].SubmissionID}, true, at.Add(time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if err := st.SetOnWall(ctx, e, notes[3].SubmissionID, true, at.Add(time.Hour), nil); failure(err) != "conflict wall.hidden" {
		t.Errorf("approve a hidden note = %v, want conflict wall.hidden", err)
	}
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: notes[3].SubmissionID}, false, at.Add(time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := wall("", 10); !reflect.DeepEqual(got, []string{"Étonnement C", "Étonnement A"}) {
		t.Errorf("wall after a withdrawal and a hidden note = %v, want C, A", got)
	}
	onWall = map[string]bool{}
	st.Notes(ctx, e.ID, func(n *retours.Note) error { onWall[n.SubmissionID] = n.OnWall; return nil })
	if onWall[notes[1].SubmissionID] || onWall[notes[3].SubmissionID] {
		t.Errorf("withdrawn or hidden notes still marked on the wall: %v", onWall)
	}
	// The approvals are in the record of changes, with who made them.
	edits, err := st.Edits(ctx, e.ID, time.Time{}, 20)
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, ed := range edits {
		if ed.Action == retours.ActionWallShown && ed.By == e.Accesses[0].ID {
			shown++
		}
	}
	if shown != 4 {
		t.Errorf("record of changes holds %d approvals by %s, want 4: %+v", shown, e.Accesses[0].ID, edits)
	}
	for _, tc := range []struct {
		name, sub, want string
	}{
		{"unknown note", "00000000-0000-4000-8000-000000000000", textNotFound},
		{"bad submission id", "../x", textNotFound},
	} {
		if err := st.SetOnWall(ctx, e, tc.sub, true, at, nil); failure(err) != tc.want {
			t.Errorf("%s: SetOnWall = %v, want %q", tc.name, err, tc.want)
		}
	}
	if got, next, err := st.WallNotes(ctx, Event(t).ID, "", 5); err != nil || len(got) != 0 || next != "" {
		t.Errorf("wall of another event = %v, %q, %v; want nothing", got, next, err)
	}
	// A paper sheet's note leaves the wall when the sheet is corrected
	// (approved again, its new text) or removed.
	for i, fix := range []string{"corrected", "removed"} {
		a, n := Sheet(t, e, 10+i, "4", "Sur le papier "+fix, e.Accesses[0].ID)
		if _, _, _, err := st.PutSheet(ctx, a, n, e.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
		if err := st.SetOnWall(ctx, e, n.SubmissionID, true, at.Add(2*time.Hour), nil); err != nil {
			t.Fatalf("approve a sheet's note: %v", err)
		}
		if got, _ := wall("", 1); len(got) != 1 || got[0] != "Sur le papier "+fix {
			t.Fatalf("wall = %v, want the sheet's note first", got)
		}
		var err error
		if fix == "corrected" {
			c, cn := Sheet(t, e, 10+i, "5", "Sur le papier, corrigé", e.Accesses[0].ID)
			c.SubmissionID, cn.SubmissionID, cn.ID = a.SubmissionID, n.SubmissionID, n.ID
			err = st.ReplaceSheet(ctx, e, c, cn, at.Add(3*time.Hour))
		} else {
			err = st.DeleteSheet(ctx, e, a.SubmissionID, at.Add(3*time.Hour))
		}
		if err != nil {
			t.Fatalf("sheet %s: %v", fix, err)
		}
		if got, _ := wall("", 10); !reflect.DeepEqual(got, []string{"Étonnement C", "Étonnement A"}) {
			t.Errorf("wall after a sheet %s = %v, want C, A", fix, got)
		}
	}
	// An erasure takes the wall's copies with the rest, and approving is
	// refused once it started.
	if _, err := st.StartErasure(ctx, e.ID, at); err != nil {
		t.Fatal(err)
	}
	if err := st.SetOnWall(ctx, e, notes[4].SubmissionID, true, at, nil); failure(err) != "not_found event.not_found" {
		t.Errorf("approve during an erasure = %v, want not_found event.not_found", err)
	}
	for {
		n, err := st.EraseItems(ctx, e.ID, 1000, at)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if got, _, err := st.WallNotes(ctx, e.ID, "", 10); err != nil || len(got) != 0 {
		t.Errorf("wall after the erasure = %v, %v; want nothing", got, err)
	}
}

// testRoleAccesses: an access keeps its role, and a role-limited access is
// not an organiser's.
func testRoleAccesses(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	w, token, err := retours.NewRoleAccess(rand.Reader, "Ordinateur de la salle", e.Accesses[0].ID, retours.RoleWall, T0, false)
	if err != nil {
		t.Fatal(err)
	}
	both, _ := retours.WithAccess(e.Accesses, w)
	if err := st.ReplaceAccesses(ctx, e, both, nil); err != nil {
		t.Fatal(err)
	}
	got, err := st.Event(ctx, e.ID)
	if err != nil || !reflect.DeepEqual(got.Accesses, both) {
		t.Fatalf("accesses = %+v, %v; want %+v", got.Accesses, err, both)
	}
	if _, ok := got.AccessFor(token); ok {
		t.Error("a wall access is accepted as an organiser's")
	}
	if a, ok := got.RoleAccessFor(token, retours.RoleWall); !ok || a.ID != w.ID {
		t.Errorf("RoleAccessFor(wall) = %v, %v; want %s", a, ok, w.ID)
	}
	if hashes := got.AccessHashes(); !reflect.DeepEqual(hashes, []string{e.Accesses[0].Hash}) {
		t.Errorf("AccessHashes = %v, want the organiser's alone", hashes)
	}
}
