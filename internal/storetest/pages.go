package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func testPages(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	var answers, notes []string
	for range 23 {
		a := Answer(t, e, "", "4")
		if _, _, err := st.PutAnswer(ctx, a, e.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
		answers = append(answers, a.SubmissionID)
	}
	for range 3 {
		n := Note(t, e, retours.NoteEtonnement, "Étonnant", T0.Add(3*time.Hour))
		if _, _, err := st.PutNote(ctx, n, e.ExpiresAt()); err != nil {
			t.Fatal(err)
		}
		notes = append(notes, n.SubmissionID)
	}
	other := Event(t)
	if _, _, err := st.PutAnswer(ctx, Answer(t, other, "", "1"), other.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
	slices.Sort(answers)
	slices.Sort(notes)

	// Pages of 5 answers, then of 2 notes, follow each other to the end.
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		page, err := st.AnswersAfter(ctx, e.ID, after, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			if a.EventID != e.ID || a.Values["commentaire"].Text == "" {
				t.Errorf("answer %+v, want one of the event, whole", a)
			}
			got = append(got, a.SubmissionID)
		}
		if len(page) < 5 {
			if pages != 4 || len(page) != 3 {
				t.Errorf("the last page is page %d with %d answers, want page 4 with 3", pages, len(page))
			}
			break
		}
		after = page[len(page)-1].SubmissionID
	}
	if !slices.Equal(got, answers) {
		t.Errorf("answers page by page = %v, want each once in submission order %v", got, answers)
	}
	first, err := st.NotesAfter(ctx, e.ID, "", 2)
	if err != nil || len(first) != 2 || first[0].SubmissionID != notes[0] || first[1].SubmissionID != notes[1] || first[0].Text != "Étonnant" {
		t.Fatalf("first page of notes = %v, %v", first, err)
	}
	rest, err := st.NotesAfter(ctx, e.ID, first[1].SubmissionID, 2)
	if err != nil || len(rest) != 1 || rest[0].SubmissionID != notes[2] {
		t.Errorf("second page of notes = %v, %v", rest, err)
	}
	// After an id that is not stored, the page starts at the next one.
	mid := answers[10][:35] + "0"
	if mid >= answers[10] {
		mid = answers[9]
	}
	page, err := st.AnswersAfter(ctx, e.ID, mid, 100)
	if err != nil || len(page) == 0 || page[0].SubmissionID <= mid {
		t.Errorf("answers after %s = %d, %v", mid, len(page), err)
	}
	if page, err := st.AnswersAfter(ctx, "nosuchevent", "", 10); err != nil || len(page) != 0 {
		t.Errorf("answers of an unknown event = %v, %v; want none", page, err)
	}
	if _, err := st.AnswersAfter(ctx, e.ID, "ANSWER#x", 10); retours.ErrorCode(err) != retours.EINVALID {
		t.Errorf("answers after a malformed id: %v, want invalid", err)
	}
}
