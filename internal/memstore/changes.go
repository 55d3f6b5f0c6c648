package memstore

import (
	"context"
	"time"

	"github.com/retours/retours/internal/retours"
)

// ChangedEvents implements retours.ChangeFeed by looking at every event:
// those with an answer, a note or their latest moderation change on a UTC
// day from since's to until's, and those whose closing time, to the second,
// falls between since and until.
func (s *Store) ChangedEvents(ctx context.Context, since, until time.Time) ([]string, error) {
	if err := s.begin(ctx, "ChangedEvents"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	first, last := day(since), day(until)
	onDays := func(t time.Time) bool { d := day(t); return !d.Before(first) && !d.After(last) }
	lo, hi := since.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339)+"~"
	var ids []string
	for id, p := range s.events {
		closed := p.event != nil && p.event.closesKey >= lo && p.event.closesKey <= hi
		moderated := p.moderation != nil && onDays(p.moderation.At)
		if closed || moderated || p.written(onDays) > 0 {
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
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	var ids []string
	for id, p := range s.events {
		if p.written(in) > 0 {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// CountSince implements retours.ChangeFeed.
func (s *Store) CountSince(ctx context.Context, e *retours.Event, since, until time.Time) (int, error) {
	if err := s.begin(ctx, "CountSince"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	p := s.partition(e.ID, false)
	if p == nil {
		return 0, nil
	}
	return p.written(func(t time.Time) bool { return t.After(since) && !t.After(until) }), nil
}

// written counts the answers and notes of p created at a time in accepts.
func (p *partition) written(accepts func(time.Time) bool) int {
	n := 0
	for _, a := range p.answers {
		if accepts(a.item.CreatedAt) {
			n++
		}
	}
	for _, nt := range p.notes {
		if accepts(nt.item.CreatedAt) {
			n++
		}
	}
	return n
}
