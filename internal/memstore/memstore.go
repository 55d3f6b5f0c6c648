// Package memstore keeps retours' data in maps behind a mutex: a store for
// tests of handlers and scheduled runs where the database is not the point,
// and that then need no JVM. It implements every store interface of
// internal/retours with the semantics of internal/dynamo (idempotent puts,
// the same error codes and message keys, conditional digest claims, erasure,
// expiry dates kept), and internal/storetest's contract tests hold both to
// them. Storage behaviour itself is tested against DynamoDB Local.
//
// FailWith injects failures, such as an overloaded database. Answers and
// notes reach the change feed as DynamoDB's stream carries them, once
// counted: Drain counts them.
package memstore

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/retours/retours/internal/retours"
)

// Store is an in-memory implementation of the store interfaces of retours.
// Its zero value is not ready: use New.
type Store struct {
	mu      sync.Mutex
	fail    func(op string) error
	events  map[string]*partition         // by event id
	series  map[string]map[string]edition // by series, then event id
	digests map[digestKey]*digestRecord
	// erasures are the records of erasures, by event id: internal/dynamo
	// keeps them outside the event's partition.
	erasures map[string]*erasureRecord
	// digestRuns are the records of digest runs started on demand, by id.
	digestRuns map[string]retours.DigestRun
	log        []change // stored answers and notes not yet counted by Drain
	seq        int64    // the last change's sequence number
}

var (
	_ retours.EventStore      = (*Store)(nil)
	_ retours.AnswerStore     = (*Store)(nil)
	_ retours.SnapshotStore   = (*Store)(nil)
	_ retours.ModerationStore = (*Store)(nil)
	_ retours.SeriesStore     = (*Store)(nil)
	_ retours.ChangeFeed      = (*Store)(nil)
	_ retours.ActivityStore   = (*Store)(nil)
	_ retours.DigestStore     = (*Store)(nil)
	_ retours.ErasureStore    = (*Store)(nil)
	_ retours.EditStore       = (*Store)(nil)
	_ retours.ShareStore      = (*Store)(nil)
	_ retours.EventLister     = (*Store)(nil)
	_ retours.WallStore       = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{
		events:   map[string]*partition{},
		series:   map[string]map[string]edition{},
		digests:  map[digestKey]*digestRecord{},
		erasures: map[string]*erasureRecord{},
	}
}

// partition is what internal/dynamo keeps under one event's partition key:
// the event and every item erased with it.
type partition struct {
	event        *storedEvent                        // nil when there is none
	answers      map[string]*stored[*retours.Answer] // by submission id
	notes        map[string]*stored[*retours.Note]
	snapshots    map[string]*storedSnapshot           // by language
	activity     *activity                            // nil before the first answer, note or moderation counted
	unsubscribed map[string]expiring                  // by organiser
	shares       map[string]*storedShare              // by token hash
	edits        []storedEdit                         // in the order written
	wall         map[string]*stored[retours.WallNote] // notes on the closing wall, by submission id

	// answerIDs and noteIDs are the submission ids of answers and notes in
	// order, for reads in that order that neither sort nor scan the whole
	// partition each time; nil once a write made them stale. Every write
	// that adds or deletes an answer or a note calls idsChanged.
	answerIDs, noteIDs []string
}

// idsChanged marks the ids in order stale, after answers or notes were
// added or deleted.
func (p *partition) idsChanged() { p.answerIDs, p.noteIDs = nil, nil }

// kind selects answers or notes in a partition: their map by submission
// id, and the cache of its ids in order.
type kind[T any] func(*partition) (map[string]*stored[T], *[]string)

func answersOf(p *partition) (map[string]*stored[*retours.Answer], *[]string) {
	return p.answers, &p.answerIDs
}

func notesOf(p *partition) (map[string]*stored[*retours.Note], *[]string) {
	return p.notes, &p.noteIDs
}

// sortedIDs returns the ids of m in order, sorting them only after a write.
// The slice returned is never changed afterwards.
func sortedIDs[T any](m map[string]*stored[T], cache *[]string) []string {
	if *cache == nil {
		*cache = slices.Sorted(maps.Keys(m))
	}
	return *cache
}

// expiring is an item's erasure date (DynamoDB's TTL, to the second) and
// when it was written.
type expiring struct {
	Written, Expires time.Time
}

// FailWith makes every later operation call f first with the operation's
// name, that of the method ("PutAnswer", "Event"…); when f returns an error,
// the operation returns it and changes nothing. f runs outside the store's
// lock, so it may also wait, to hold an operation back. nil removes the
// hook.
func (s *Store) FailWith(f func(op string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

// FailOn returns a hook for FailWith that fails the named operations, every
// time, with EUNAVAILABLE, as an overloaded database does.
func FailOn(ops ...string) func(op string) error {
	return func(op string) error {
		for _, o := range ops {
			if o == op {
				return unavailable()
			}
		}
		return nil
	}
}

// unavailable is internal/dynamo's error for an overloaded database or an
// ended context.
func unavailable() error {
	return &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"}
}

// begin runs the failure hook and checks ctx before operation op, and
// returns with the store locked when neither fails.
func (s *Store) begin(ctx context.Context, op string) error {
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	if fail != nil {
		if err := fail(op); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return unavailable()
	}
	s.mu.Lock()
	return nil
}

// partition returns the partition of an event, creating it if create is set
// (else it may return nil). The store is locked.
func (s *Store) partition(eventID string, create bool) *partition {
	p := s.events[eventID]
	if p == nil && create {
		p = &partition{
			answers:      map[string]*stored[*retours.Answer]{},
			notes:        map[string]*stored[*retours.Note]{},
			snapshots:    map[string]*storedSnapshot{},
			unsubscribed: map[string]expiring{},
			shares:       map[string]*storedShare{},
		}
		s.events[eventID] = p
	}
	return p
}

// live returns the partition of an event that exists and is not being
// erased, or nil: what internal/dynamo's derived writes check in their
// transaction. The store is locked.
func (s *Store) live(eventID string) *partition {
	p := s.partition(eventID, false)
	if p == nil || p.event == nil || !p.event.erasing.IsZero() {
		return nil
	}
	return p
}

// eventGone is internal/dynamo's error for a derived write refused because
// its event is erased or being erased.
func eventGone() error { return retours.NewError(retours.ENOTFOUND, "event.not_found") }

// Expiries returns the erasure date (DynamoDB's TTL attribute) of every item
// kept for the event, by item: "event", "series", "activity", "answer
// <submission>", "note <submission>", "snapshot <lang>", "unsubscription
// <organiser>", "share <id>", "edit <n>", "wall <submission>".
func (s *Store) Expiries(eventID string) map[string]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expiries(eventID)
}

// Len returns the number of items internal/dynamo would hold for what the
// store holds: every event's items (see Expiries), and the digests' claims.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.digests)
	for id := range s.events {
		n += len(s.expiries(id))
	}
	return n
}

// expiries is Expiries with the store locked.
func (s *Store) expiries(eventID string) map[string]time.Time {
	out := map[string]time.Time{}
	p := s.partition(eventID, false)
	if p == nil {
		return out
	}
	if p.event != nil {
		out["event"] = p.event.Expires
		if e := p.event; e.series != "" {
			out["series"] = s.series[e.series][eventID].Expires
		}
	}
	if p.activity != nil {
		out["activity"] = p.activity.Expires
	}
	for sub, a := range p.answers {
		out["answer "+sub] = a.Expires
	}
	for sub, n := range p.notes {
		out["note "+sub] = n.Expires
	}
	for lang, sn := range p.snapshots {
		out["snapshot "+lang] = sn.Expires
	}
	for org, u := range p.unsubscribed {
		out["unsubscription "+org] = u.Expires
	}
	for _, sh := range p.shares {
		out["share "+sh.share.ID] = sh.Expires
	}
	for i, ed := range p.edits {
		out["edit "+strconv.Itoa(i)] = ed.Expires
	}
	for _, sub := range p.wallKeys() {
		out["wall "+sub] = p.wall[sub].Expires
	}
	return out
}

// ttl is t as DynamoDB's TTL keeps it: epoch seconds.
func ttl(t time.Time) time.Time { return time.Unix(t.Unix(), 0).UTC() }
