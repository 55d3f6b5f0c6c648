package dynamo_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC)

func mustEvent(tb testing.TB) *retours.Event {
	tb.Helper()
	e, err := retours.NewEvent(retours.EventInput{
		Title: "Numérique En Commun[s] Auvergne", Place: "Clermont-Ferrand",
		StartsAt: t0, EndsAt: t0.Add(8 * time.Hour), RegisteredCount: 165,
		Sessions: []retours.SessionInput{
			{Title: "Plénière d'ouverture", Kind: retours.KindPleniere, StartsAt: t0},
			{Title: "Atelier inclusion", Kind: retours.KindAtelier, StartsAt: t0.Add(2 * time.Hour)},
		},
	}, rand.Reader, t0.Add(-24*time.Hour), 24)
	if err != nil {
		tb.Fatal(err)
	}
	_, e.TokenHash, _ = retours.NewToken(rand.Reader)
	return e
}

func mustAnswer(tb testing.TB, e *retours.Event, session string, satisfaction string) *retours.Answer {
	tb.Helper()
	sub, _ := retours.NewSubmissionID(rand.Reader)
	a, err := retours.NewAnswer(e, retours.AnswerInput{
		SubmissionID: sub, SessionID: session, Lang: "fr",
		Raw: map[string][]string{"satisfaction": {satisfaction}, "nps": {"0"}, "profil": {"elu"}, "commentaire": {"Très bien, <b>merci</b> !"}},
	}, rand.Reader, t0.Add(3*time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func TestEventRoundTrip(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
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
	if err := st.CreateEvent(ctx, e); retours.ErrorCode(err) != retours.ECONFLICT {
		t.Errorf("second CreateEvent: got %v, want conflict", err)
	}
	for _, id := range []string{"nope", "../etc", ""} {
		if _, err := st.Event(ctx, id); retours.ErrorCode(err) != retours.ENOTFOUND {
			t.Errorf("Event(%q): got %v, want not found", id, err)
		}
	}
}

func TestPutAnswerIsIdempotent(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	a := mustAnswer(t, e, e.Sessions[1].ID, "4")
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
}

func TestConcurrentDuplicatesStoreOne(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	a := mustAnswer(t, e, "", "5")
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

func TestNotes(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	sub, _ := retours.NewSubmissionID(rand.Reader)
	nt, err := retours.NewNote(e, retours.NoteInput{SubmissionID: sub, Kind: retours.NoteEtonnement, Text: "Autant d'élus !\nSurprenant.", Lang: "fr"}, rand.Reader, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		stored, created, err := st.PutNote(ctx, nt, e.ExpiresAt())
		if err != nil || created != (i == 0) || !reflect.DeepEqual(stored, nt) {
			t.Fatalf("PutNote #%d = %+v, %v, %v", i, stored, created, err)
		}
	}
	var got []*retours.Note
	st.Notes(ctx, e.ID, func(n *retours.Note) error { got = append(got, n); return nil })
	if len(got) != 1 || !reflect.DeepEqual(got[0], nt) {
		t.Errorf("Notes() = %+v, want [%+v]", got, nt)
	}
}

// TestAnswersReadsLargePartitions stores more answers than one Query page
// holds, so they are read in parallel key ranges: each must come back once.
func TestAnswersReadsLargePartitions(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	const n = 3000 // about 1.5 MB: two pages or more
	want := mustSeedLongAnswers(t, st, e, n)

	seen := map[string]int{}
	err := st.Answers(ctx, e.ID, func(a *retours.Answer) error {
		seen[a.ID]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Errorf("read %d distinct answers, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 || !want[id] {
			t.Errorf("answer %s read %d times", id, c)
		}
	}

	// An error from the callback stops the read and is returned.
	stop := errors.New("stop")
	calls := 0
	err = st.Answers(ctx, e.ID, func(*retours.Answer) error {
		if calls++; calls == 2000 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2000 {
		t.Errorf("Answers() = %v after %d calls, want the callback's error after 2000", err, calls)
	}

	// A read cut short by its context fails rather than returning part of
	// the answers.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	calls = 0
	err = st.Answers(cctx, e.ID, func(*retours.Answer) error {
		if calls++; calls == 100 {
			cancel()
		}
		return nil
	})
	if retours.ErrorCode(err) != retours.EUNAVAILABLE || calls >= n {
		t.Errorf("Answers() with its context cancelled = %v after %d calls, want unavailable before %d", err, calls, n)
	}
}

// mustSeedLongAnswers writes n answers with a long text to e's partition with
// BatchWriteItem (more than one Query page from about 2,000 on) and returns
// their ids.
func mustSeedLongAnswers(tb testing.TB, st *dynamo.Store, e *retours.Event, n int) map[string]bool {
	tb.Helper()
	ctx := context.Background()
	long := strings.Repeat("Des échanges riches entre élus et associations. ", 10)
	ids := map[string]bool{}
	var items []types.WriteRequest
	flush := func() {
		for len(items) > 0 {
			out, err := st.Client().BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{st.Table(): items}})
			if err != nil {
				tb.Fatal(err)
			}
			items = out.UnprocessedItems[st.Table()]
		}
	}
	for i := 0; i < n; i++ {
		sub, _ := retours.NewSubmissionID(rand.Reader)
		a := &retours.Answer{EventID: e.ID, ID: fmt.Sprintf("a%05d", i), SubmissionID: sub, Lang: "fr", CreatedAt: t0,
			Values: map[string]retours.Value{"satisfaction": {Number: 1 + i%5}, "commentaire": {Text: long}}}
		ids[a.ID] = true
		items = append(items, types.WriteRequest{PutRequest: &types.PutRequest{Item: dynamo.AnswerItem(a, e.ExpiresAt())}})
		if len(items) == 25 {
			flush()
		}
	}
	flush()
	return ids
}
