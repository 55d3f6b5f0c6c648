// Package storetest is the contract of retours' stores: tests that every
// implementation of the store interfaces of internal/retours must pass.
// internal/dynamo runs them against DynamoDB Local and internal/memstore
// against its maps, so the in-memory store that handler tests use cannot
// drift from the real one.
//
// A new store method gets its contract test here first:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Store { return newStore(t) })
//	}
package storetest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

// Store is every store interface of retours, what the contract covers, and
// Drain.
type Store interface {
	retours.EventStore
	retours.AnswerStore
	retours.SheetStore
	retours.SnapshotStore
	retours.ModerationStore
	retours.SeriesStore
	retours.ChangeFeed
	retours.ActivityStore
	retours.DigestStore
	retours.DigestRunStore
	retours.ErasureStore
	retours.EditStore
	retours.ShareStore
	retours.EventLister
	retours.AnswerPager
	retours.WallStore
	// Drain counts every answer and note stored so far into the activity,
	// as the consumer of the table's stream does (DynamoDB: the stream read
	// through internal/activity's consumer), and returns once they are.
	Drain(ctx context.Context) error
}

// T0 is the morning of the events the contract and its fixtures create:
// Thursday 15 October 2026, 09:00 UTC.
var T0 = time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC)

// Run runs the contract against the stores newStore returns: a fresh,
// empty store for each test, which may run in parallel with the others.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Store)
	}{
		{"events", testEvents},
		{"an event too large for one item", testEventTooLarge},
		{"accesses", testAccesses},
		{"update event", testUpdateEvent},
		{"edits are recorded", testEditLog},
		{"list events", testListEvents},
		{"shares", testShares},
		{"erase event", testEraseEvent},
		{"erase a late answer", testEraseLateAnswer},
		{"erasure", testErasure},
		{"an erasure stops derived writes", testErasureStopsDerivedWrites},
		{"an erasure keeps every access", testErasureKeepsAccesses},
		{"stalled erasures", testStalledErasures},
		{"answers are idempotent", testPutAnswerIsIdempotent},
		{"concurrent duplicates store one", testConcurrentDuplicatesStoreOne},
		{"answers keep their values", testAnswerValues},
		{"notes", testNotes},
		{"paper sheets", testSheets},
		{"reads stop at the callback's error", testReadsStop},
		{"answers and notes a page at a time", testPages},
		{"invalid submission ids", testInvalidSubmissionIDs},
		{"snapshots", testSnapshots},
		{"coverage and hiding", testCoverageAndHiding},
		{"the closing wall", testWall},
		{"accesses with a role", testRoleAccesses},
		{"previous edition", testPreviousEdition},
		{"series belong to their organisers", testSeriesOwners},
		{"changed events", testChangedEvents},
		{"active events", testActiveEvents},
		{"activity", testActivity},
		{"changes count once", testApplyChangesOnce},
		{"events closing since", testEventsClosingSince},
		{"digest claims", testDigestClaims},
		{"unsubscriptions", testUnsubscriptions},
		{"digest runs", testDigestRuns},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, newStore(t))
		})
	}
}

// Event returns a new event, not stored: a day with two sessions starting at
// T0, in no series, with an organiser token.
func Event(tb testing.TB) *retours.Event {
	tb.Helper()
	e, err := retours.NewEvent(retours.EventInput{
		Title: "Numérique En Commun[s] Auvergne", Place: "Clermont-Ferrand",
		StartsAt: T0, EndsAt: T0.Add(8 * time.Hour), RegisteredCount: 165,
		OrganiserEmails: []string{"alice@example.org"},
		Sessions: []retours.SessionInput{
			{Title: "Plénière d'ouverture", Kind: retours.KindPleniere, StartsAt: T0},
			{Title: "Atelier inclusion", Kind: retours.KindAtelier, StartsAt: T0.Add(2 * time.Hour)},
		},
	}, rand.Reader, T0.Add(-24*time.Hour), 24)
	if err != nil {
		tb.Fatal(err)
	}
	a, _, err := retours.NewAccess(rand.Reader, "", "", T0.Add(-24*time.Hour), true)
	if err != nil {
		tb.Fatal(err)
	}
	e.Accesses = []retours.Access{a}
	return e
}

// Answer returns a new answer to e, not stored, created at T0+3h in session
// ("" for the event as a whole), with the given satisfaction and a comment.
func Answer(tb testing.TB, e *retours.Event, session, satisfaction string) *retours.Answer {
	tb.Helper()
	return AnswerAt(tb, e, session, satisfaction, T0.Add(3*time.Hour))
}

// AnswerAt is Answer created at the given time, whatever e's answer window.
func AnswerAt(tb testing.TB, e *retours.Event, session, satisfaction string, at time.Time) *retours.Answer {
	tb.Helper()
	a, err := retours.NewAnswer(e, retours.AnswerInput{
		SubmissionID: SubmissionID(tb), SessionID: session, Lang: "fr",
		Raw: map[string][]string{"satisfaction": {satisfaction}, "nps": {"0"}, "profil": {"elu"}, "commentaire": {"Très bien, <b>merci</b> !"}},
	}, rand.Reader, T0.Add(3*time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	a.CreatedAt = at.UTC()
	return a
}

// Note returns a new note about e, not stored, created at the given time,
// whatever e's answer window.
func Note(tb testing.TB, e *retours.Event, kind, text string, at time.Time) *retours.Note {
	tb.Helper()
	n, err := retours.NewNote(e, retours.NoteInput{SubmissionID: SubmissionID(tb), Kind: kind, Text: text, Lang: "fr"}, rand.Reader, T0.Add(3*time.Hour))
	if err != nil {
		tb.Fatal(err)
	}
	n.CreatedAt = at.UTC()
	return n
}

// SubmissionID returns a new random submission id.
func SubmissionID(tb testing.TB) string {
	tb.Helper()
	id, err := retours.NewSubmissionID(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}
