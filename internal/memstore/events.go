package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/retours/retours/internal/retours"
)

// storedEvent is an event as internal/dynamo keeps it: its JSON, so that
// what a caller does with its copy changes nothing stored, the token hash
// beside it, and the keys it is found by.
type storedEvent struct {
	data      []byte
	accesses  []byte // JSON, compared whole as DynamoDB's condition does
	closesKey string // <closes_at to the second>#<event>, the EVENTS index's sort key
	series    string
	version   int
	Expires   time.Time
	// erasing is when an erasure marked the event; zero when none did.
	erasing time.Time
}

// edition is an event's entry in its series, with the series' owners as
// the event had them (retours.SameOwners).
type edition struct {
	Edition int
	Owners  []string
	Expires time.Time
}

// CreateEvent implements retours.EventStore.
func (s *Store) CreateEvent(ctx context.Context, e *retours.Event) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("memstore: marshal event: %w", err)
	}
	if len(data) > retours.MaxEventBytes {
		return retours.NewError(retours.EINVALID, "event.too_large", retours.MaxEventBytes>>10)
	}
	if err := s.begin(ctx, "CreateEvent"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	p := s.partition(e.ID, true)
	stored := storeEvent(e, data)
	if p.event != nil {
		// The same event again is a retry whose first answer was lost.
		if bytes.Equal(p.event.data, stored.data) && bytes.Equal(p.event.accesses, stored.accesses) {
			return nil
		}
		return retours.NewError(retours.ECONFLICT, "event.exists")
	}
	p.event = stored
	s.addEdition(e)
	return nil
}

// storeEvent returns e as the store keeps it, data being its JSON.
func storeEvent(e *retours.Event, data []byte) *storedEvent {
	acc, _ := json.Marshal(e.Accesses)
	return &storedEvent{
		data: data, accesses: acc, series: e.Series, version: e.Version, Expires: ttl(e.ExpiresAt()),
		closesKey: e.ClosesAt.UTC().Format(time.RFC3339) + "#" + e.ID,
	}
}

// addEdition records e in its series, if any. The store is locked.
func (s *Store) addEdition(e *retours.Event) {
	if e.Series == "" {
		return
	}
	if s.series[e.Series] == nil {
		s.series[e.Series] = map[string]edition{}
	}
	s.series[e.Series][e.ID] = edition{Edition: e.Edition, Owners: e.Owners(), Expires: ttl(e.ExpiresAt())}
}

// Event implements retours.EventStore.
func (s *Store) Event(ctx context.Context, id string) (*retours.Event, error) {
	if err := s.begin(ctx, "Event"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	return s.event(id)
}

// event returns the stored event id. The store is locked.
func (s *Store) event(id string) (*retours.Event, error) {
	p := s.partition(id, false)
	if !retours.ValidID(id) || p == nil || p.event == nil {
		return nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	if !p.event.erasing.IsZero() {
		return nil, retours.NewError(retours.ENOTFOUND, "event.erasing")
	}
	e := &retours.Event{}
	if err := json.Unmarshal(p.event.data, e); err != nil {
		return nil, fmt.Errorf("memstore: unmarshal event: %w", err)
	}
	if err := json.Unmarshal(p.event.accesses, &e.Accesses); err != nil {
		return nil, fmt.Errorf("memstore: unmarshal accesses: %w", err)
	}
	return e, nil
}

// PreviousEdition implements retours.SeriesStore.
func (s *Store) PreviousEdition(ctx context.Context, e *retours.Event) (*retours.Event, error) {
	if err := s.begin(ctx, "PreviousEdition"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	none := retours.NewError(retours.ENOTFOUND, "series.no_previous")
	if e.Series == "" || e.Edition <= 1 {
		return nil, none
	}
	type entry struct {
		id      string
		edition int
	}
	var before []entry
	owners := e.Owners()
	for id, ed := range s.series[e.Series] {
		if ed.Edition < e.Edition && retours.SameOwners(ed.Owners, owners) {
			before = append(before, entry{id, ed.Edition})
		}
	}
	// As internal/dynamo reads the series' sort keys backwards.
	sort.Slice(before, func(i, j int) bool {
		if before[i].edition != before[j].edition {
			return before[i].edition > before[j].edition
		}
		return before[i].id > before[j].id
	})
	for _, b := range before {
		prev, err := s.event(b.id)
		if retours.ErrorCode(err) == retours.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		return prev, nil
	}
	return nil, none
}
