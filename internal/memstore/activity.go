package memstore

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/retours/retours/internal/retours"
)

// activity is an event's activity as internal/dynamo keeps it in one item,
// with the item's erasure date.
type activity struct {
	act     retours.Activity
	Expires time.Time
}

// change is a record of the store's change log: what DynamoDB's stream
// carries to the activity's consumer.
type change struct {
	eventID string
	change  retours.Change
}

// logChange appends a stored answer or note to the change log, which Drain
// counts into the activity. The store is locked.
func (s *Store) logChange(eventID string, c retours.Change) {
	s.seq++
	c.Seq = fmt.Sprintf("%021d", s.seq)
	s.log = append(s.log, change{eventID, c})
}

// Drain counts every answer and note stored so far into their events'
// activity, as the consumer of DynamoDB's stream does: one ApplyChanges per
// event, in the order they were stored. Until then, the change feed does not
// see them, as it does not see what the stream has not delivered yet. A
// failure (FailWith "ApplyChanges") leaves the changes not counted in the
// log, to count on the next call.
func (s *Store) Drain(ctx context.Context) error {
	s.mu.Lock()
	pending := s.log
	s.mu.Unlock()
	var order []string
	byEvent := map[string][]retours.Change{}
	for _, c := range pending {
		if _, ok := byEvent[c.eventID]; !ok {
			order = append(order, c.eventID)
		}
		byEvent[c.eventID] = append(byEvent[c.eventID], c.change)
	}
	for _, id := range order {
		if _, err := s.ApplyChanges(ctx, id, byEvent[id]); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.log = s.log[len(pending):]
	s.mu.Unlock()
	return nil
}

// ApplyChanges implements retours.ActivityStore.
func (s *Store) ApplyChanges(ctx context.Context, eventID string, changes []retours.Change) (int, error) {
	if err := s.begin(ctx, "ApplyChanges"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	p := s.partition(eventID, false)
	if p == nil || (p.activity == nil && s.live(eventID) == nil) {
		return 0, nil // erased or being erased: internal/dynamo's check of the event
	}
	if p.activity == nil {
		p.activity = &activity{act: retours.Activity{EventID: eventID}}
	}
	applied := p.activity.act.Apply(changes)
	for _, c := range changes {
		if c.Expires.After(p.activity.Expires) {
			p.activity.Expires = ttl(c.Expires)
		}
	}
	return applied, nil
}

// Activity implements retours.ChangeFeed.
func (s *Store) Activity(ctx context.Context, eventID string) (*retours.Activity, error) {
	if err := s.begin(ctx, "Activity"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	return s.activity(eventID), nil
}

// activity returns a copy of the event's activity. The store is locked.
func (s *Store) activity(eventID string) *retours.Activity {
	a := &retours.Activity{EventID: eventID, Sessions: map[string]int{}, Days: map[string]retours.DayActivity{}}
	if p := s.partition(eventID, false); p != nil && p.activity != nil {
		*a = p.activity.act
		a.Sessions, a.Days = maps.Clone(a.Sessions), maps.Clone(a.Days)
		if a.Sessions == nil {
			a.Sessions = map[string]int{}
		}
		if a.Days == nil {
			a.Days = map[string]retours.DayActivity{}
		}
	}
	return a
}

// ChangedEvents implements retours.ChangeFeed by looking at every event.
func (s *Store) ChangedEvents(ctx context.Context, since, until time.Time) ([]string, error) {
	if err := s.begin(ctx, "ChangedEvents"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	lo, hi := since.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339)+"~"
	// internal/dynamo keeps the last write to the millisecond.
	since = since.Truncate(time.Millisecond)
	var ids []string
	for id, p := range s.events {
		closed := p.event != nil && p.event.erasing.IsZero() && p.event.closesKey >= lo && p.event.closesKey <= hi
		moved := p.activity != nil && !p.activity.act.LastWrite.Truncate(time.Millisecond).Before(since)
		if closed || moved {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// ActiveEvents implements retours.ChangeFeed.
func (s *Store) ActiveEvents(ctx context.Context, from, to time.Time) ([]string, error) {
	if err := s.begin(ctx, "ActiveEvents"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var ids []string
	for id, p := range s.events {
		if p.activity != nil && p.activity.act.ActiveIn(from, to) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
