package storetest

import (
	"context"
	"crypto/rand"
	"reflect"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

// Sheet returns a paper sheet of e, not stored: its answer with the given
// satisfaction and, when box is not "", its rapport d'étonnement note,
// entered at T0+3h by the access by.
func Sheet(tb testing.TB, e *retours.Event, rank int, satisfaction, box, by string) (*retours.Answer, *retours.Note) {
	tb.Helper()
	a, n, err := retours.NewSheet(e, retours.SheetInput{Sheet: retours.SheetNumber(4821, rank), Lang: "fr",
		Raw: map[string][]string{"satisfaction": {satisfaction}}, Note: box}, by, rand.Reader, T0.Add(3*time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	return a, n
}

func testSheets(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	exp := e.ExpiresAt()
	a, n := Sheet(t, e, 1, "4", "Tant d'élus présents", "acc001")
	stored, note, created, err := st.PutSheet(ctx, a, n, exp)
	if err != nil || !created || !reflect.DeepEqual(stored, a) || !reflect.DeepEqual(note, n) {
		t.Fatalf("PutSheet = %+v, %+v, %v, %v; want created", stored, note, created, err)
	}
	web := Answer(t, e, "", "5")
	mustPutAnswer(t, st, e, web)

	// The same sheet again, typed otherwise: nothing stored, the first
	// entry returned.
	again, againNote := Sheet(t, e, 1, "1", "Autre chose", "acc002")
	stored, note, created, err = st.PutSheet(ctx, again, againNote, exp)
	if err != nil || created || !reflect.DeepEqual(stored, a) || !reflect.DeepEqual(note, n) {
		t.Errorf("PutSheet of the same sheet = %+v, %+v, %v, %v; want the first entry", stored, note, created, err)
	}
	gotA, gotN, err := st.Sheet(ctx, e.ID, a.SubmissionID)
	if err != nil || !reflect.DeepEqual(gotA, a) || !reflect.DeepEqual(gotN, n) {
		t.Errorf("Sheet = %+v, %+v, %v", gotA, gotN, err)
	}
	channels := map[string]string{}
	st.Answers(ctx, e.ID, func(x *retours.Answer) error {
		channels[x.SubmissionID] = x.Channel + " " + x.Sheet + " " + x.EnteredBy
		return nil
	})
	if want := map[string]string{a.SubmissionID: "paper " + a.Sheet + " acc001", web.SubmissionID: "web  "}; !reflect.DeepEqual(channels, want) {
		t.Errorf("answers' channels = %v, want %v", channels, want)
	}
	var notes []*retours.Note
	st.Notes(ctx, e.ID, func(x *retours.Note) error { notes = append(notes, x); return nil })
	if len(notes) != 1 || notes[0].Channel != retours.ChannelPaper || notes[0].Kind != retours.NoteEtonnement {
		t.Errorf("notes = %+v, want the sheet's box, on paper", notes)
	}
	if err := st.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Moderation(ctx, e.ID)

	// A correction: another satisfaction, the box emptied.
	fixed, _ := Sheet(t, e, 1, "2", "", "acc001")
	fixed.ID, fixed.CreatedAt = a.ID, a.CreatedAt
	if err := st.ReplaceSheet(ctx, e, fixed, nil, T0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	gotA, gotN, err = st.Sheet(ctx, e.ID, a.SubmissionID)
	if err != nil || gotA.Values["satisfaction"].Number != 2 || gotA.ID != a.ID || gotN != nil {
		t.Errorf("Sheet after the correction = %+v, %+v, %v", gotA, gotN, err)
	}
	// And the box filled again.
	_, box := Sheet(t, e, 1, "2", "Le repas", "acc001")
	if err := st.ReplaceSheet(ctx, e, fixed, box, T0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, gotN, _ = st.Sheet(ctx, e.ID, a.SubmissionID); gotN == nil || gotN.Text != "Le repas" {
		t.Errorf("note after the second correction = %+v", gotN)
	}
	if m, _ := st.Moderation(ctx, e.ID); m != before+2 {
		t.Errorf("moderation count = %d after two corrections, want %d", m, before+2)
	}

	// A web answer is no sheet: neither corrected nor removed.
	if err := st.DeleteSheet(ctx, e, web.SubmissionID, T0.Add(4*time.Hour)); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("DeleteSheet of a web answer = %v, want not found", err)
	}
	if err := st.DeleteSheet(ctx, e, a.SubmissionID, T0.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Sheet(ctx, e.ID, a.SubmissionID); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Sheet after its removal = %v, want not found", err)
	}
	if err := st.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := st.Coverage(ctx, e.ID)
	if err != nil || c.Answers != 1 || c.Notes != 0 || c.Moderation != before+3 {
		t.Errorf("coverage after the removal = %+v, %v; want the web answer alone and 3 more changes", c, err)
	}
	act, err := st.Activity(ctx, e.ID)
	if err != nil || act.Answers != 1 || act.Notes != 0 {
		t.Errorf("activity after the removal = %+v, %v; want 1 answer, no note", act, err)
	}
	if err := st.DeleteSheet(ctx, e, a.SubmissionID, T0.Add(5*time.Hour)); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("DeleteSheet again = %v, want not found", err)
	}
	// Once removed, the sheet may be entered again.
	if _, _, created, err := st.PutSheet(ctx, again, nil, exp); err != nil || !created {
		t.Errorf("PutSheet after the removal = %v, %v; want created", created, err)
	}
	// No sheet is stored for an event that is gone.
	gone := Event(t)
	ga, _ := Sheet(t, gone, 1, "3", "", "")
	if _, _, _, err := st.PutSheet(ctx, ga, nil, exp); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("PutSheet for an event not stored = %v, want not found", err)
	}
}
