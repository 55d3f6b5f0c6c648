package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func testPutAnswerIsIdempotent(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	a := Answer(t, e, e.Sessions[1].ID, "4")
	exp := e.ExpiresAt()

	stored, created, err := st.PutAnswer(ctx, a, exp)
	if err != nil || !created || stored.ID != a.ID {
		t.Fatalf("first PutAnswer = %v, %v, %v; want created %s", stored, created, err, a.ID)
	}
	// The same submission with other content (a double tap after an edit)
	// returns the first answer.
	again := *a
	again.ID = "other"
	again.Values = map[string]retours.Value{"satisfaction": {Number: 1}}
	stored, created, err = st.PutAnswer(ctx, &again, exp)
	if err != nil || created {
		t.Fatalf("second PutAnswer = %v, %v; want not created", created, err)
	}
	if !reflect.DeepEqual(stored, a) {
		t.Errorf("second PutAnswer returned %+v, want the first %+v", stored, a)
	}

	var got []*retours.Answer
	if err := st.Answers(ctx, e.ID, func(a *retours.Answer) error { got = append(got, a); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], a) {
		t.Errorf("Answers() = %+v, want [%+v]", got, a)
	}
	// Another event's answers are its own.
	if n := countAnswers(t, st, Event(t).ID); n != 0 {
		t.Errorf("another event has %d answers, want none", n)
	}
}

func testConcurrentDuplicatesStoreOne(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	a := Answer(t, e, "", "5")
	const n = 16
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		ids     = map[string]int{}
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cp := *a
			stored, c, err := st.PutAnswer(ctx, &cp, e.ExpiresAt())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if c {
				created++
			}
			ids[stored.ID]++
		}()
	}
	wg.Wait()
	if created != 1 || len(ids) != 1 || ids[a.ID] != n {
		t.Errorf("created %d times, ids %v; want once, all %s", created, ids, a.ID)
	}
}

// testAnswerValues: every kind of value comes back as it was stored, and
// times come back in UTC.
func testAnswerValues(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	at := time.Date(2026, 10, 15, 11, 30, 12, 345678900, paris)
	a := &retours.Answer{EventID: e.ID, SessionID: e.Sessions[0].ID, ID: "a1", SubmissionID: SubmissionID(t), Lang: "en", CreatedAt: at,
		Values: map[string]retours.Value{
			"satisfaction": {Number: 4},
			"nps":          {Number: 0},
			"profil":       {Choices: []string{"elu", "agent"}},
			"rencontres":   {Choices: []string{}},
			"commentaire":  {Text: "Très bien, <b>merci</b> !\nÀ refaire."},
		},
		Hidden: []string{"commentaire"},
	}
	mustPutAnswer(t, st, e, a)
	var got []*retours.Answer
	if err := st.Answers(ctx, e.ID, func(a *retours.Answer) error { got = append(got, a); return nil }); err != nil {
		t.Fatal(err)
	}
	want := *a
	want.CreatedAt = at.UTC()
	want.Channel = retours.ChannelWeb // an answer stored without one came from the web
	if len(got) != 1 || !reflect.DeepEqual(got[0], &want) {
		t.Fatalf("Answers() = %+v, want [%+v]", got, &want)
	}
	if got[0].CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt in %v, want UTC", got[0].CreatedAt.Location())
	}
	// What the caller does with its copy changes nothing stored.
	got[0].Values["satisfaction"] = retours.Value{Number: 1}
	got[0].Hidden[0] = "nps"
	got = nil
	st.Answers(ctx, e.ID, func(a *retours.Answer) error { got = append(got, a); return nil })
	if !reflect.DeepEqual(got[0], &want) {
		t.Errorf("Answers() after changing a copy = %+v, want %+v", got[0], &want)
	}
}

func testNotes(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	nt := Note(t, e, retours.NoteEtonnement, "Autant d'élus !\nSurprenant.", T0.Add(time.Hour))
	nt.SessionID = e.Sessions[1].ID
	for i := 0; i < 2; i++ {
		stored, created, err := st.PutNote(ctx, nt, e.ExpiresAt())
		if err != nil || created != (i == 0) || !reflect.DeepEqual(stored, nt) {
			t.Fatalf("PutNote #%d = %+v, %v, %v", i, stored, created, err)
		}
	}
	other := *nt
	other.Text = "Autre chose"
	if stored, created, err := st.PutNote(ctx, &other, e.ExpiresAt()); err != nil || created || !reflect.DeepEqual(stored, nt) {
		t.Errorf("PutNote of the same submission = %+v, %v, %v; want the first", stored, created, err)
	}
	var got []*retours.Note
	if err := st.Notes(ctx, e.ID, func(n *retours.Note) error { got = append(got, n); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], nt) {
		t.Errorf("Notes() = %+v, want [%+v]", got, nt)
	}
	if n := countAnswers(t, st, e.ID); n != 0 {
		t.Errorf("a note made %d answers, want none", n)
	}
}

func testReadsStop(t *testing.T, st Store) {
	ctx := context.Background()
	e := Event(t)
	for i := 0; i < 5; i++ {
		mustPutAnswer(t, st, e, Answer(t, e, "", "4"))
		mustPutNote(t, st, e, Note(t, e, retours.NotePointFort, "Bien", T0.Add(time.Hour)))
	}
	stop := errors.New("stop")
	calls := 0
	err := st.Answers(ctx, e.ID, func(*retours.Answer) error {
		if calls++; calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Errorf("Answers() = %v after %d calls, want the callback's error after 2", err, calls)
	}
	calls = 0
	err = st.Notes(ctx, e.ID, func(*retours.Note) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Notes() = %v after %d calls, want the callback's error after 1", err, calls)
	}
}

func testInvalidSubmissionIDs(t *testing.T, st Store) {
	ctx := context.Background()
	e := mustCreate(t, st, Event(t))
	for _, id := range []string{"", "../x", "6F1C2D3E-4B5A-4C6D-8E7F-0A1B2C3D4E5F"} {
		a := Answer(t, e, "", "4")
		a.SubmissionID = id
		if _, _, err := st.PutAnswer(ctx, a, e.ExpiresAt()); failure(err) != invalidSubmission {
			t.Errorf("PutAnswer with submission id %q = %v, want invalid", id, err)
		}
		n := Note(t, e, retours.NotePointFort, "Bien", T0)
		n.SubmissionID = id
		if _, _, err := st.PutNote(ctx, n, e.ExpiresAt()); failure(err) != invalidSubmission {
			t.Errorf("PutNote with submission id %q = %v, want invalid", id, err)
		}
	}
	if a, n := countAnswers(t, st, e.ID), countNotes(t, st, e.ID); a != 0 || n != 0 {
		t.Errorf("stored %d answers and %d notes, want none", a, n)
	}
}
