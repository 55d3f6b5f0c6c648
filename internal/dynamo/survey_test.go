package dynamo_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

// TestSurveyStore: the survey function's part of the store, made of
// GetItem and PutItem alone as the function makes it, reads and writes what
// the whole store does.
func TestSurveyStore(t *testing.T) {
	c := dynamotest.Client(t)
	table := dynamotest.NewTable(t, c)
	st, sv := dynamo.New(c, table), dynamo.NewSurvey(c, table)
	ctx := context.Background()
	e := storetest.Event(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := sv.Event(ctx, e.ID)
	if err != nil || got.ID != e.ID || got.Title != e.Title {
		t.Fatalf("Event() = %+v, %v", got, err)
	}
	if _, err := sv.Event(ctx, storetest.Event(t).ID); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Event(unknown) = %v, want not found", err)
	}

	a := storetest.Answer(t, e, e.Sessions[1].ID, "4")
	for i, wantCreated := range []bool{true, false} {
		stored, created, err := sv.PutAnswer(ctx, a, e.ExpiresAt())
		if err != nil || created != wantCreated || !reflect.DeepEqual(stored, a) {
			t.Errorf("PutAnswer #%d = %+v, %v, %v; want created %v", i+1, stored, created, err, wantCreated)
		}
	}
	n := storetest.Note(t, e, retours.NoteKinds[0], "Autant d'élus que d'associations", time.Now())
	for i, wantCreated := range []bool{true, false} {
		if _, created, err := sv.PutNote(ctx, n, e.ExpiresAt()); err != nil || created != wantCreated {
			t.Errorf("PutNote #%d = %v, %v; want created %v", i+1, created, err, wantCreated)
		}
	}
	answers, notes := 0, 0
	st.Answers(ctx, e.ID, func(*retours.Answer) error { answers++; return nil })
	st.Notes(ctx, e.ID, func(*retours.Note) error { notes++; return nil })
	if answers != 1 || notes != 1 {
		t.Errorf("the store holds %d answers and %d notes, want 1 and 1", answers, notes)
	}
}
