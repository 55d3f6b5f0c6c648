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
		changed := p.moderation != nil && onDays(p.moderation.At)
		if e := p.event; e != nil && e.closesKey >= lo && e.closesKey <= hi {
			changed = true
		}
		for _, a := range p.answers {
			changed = changed || onDays(a.answer.CreatedAt)
		}
		for _, n := range p.notes {
			changed = changed || onDays(n.note.CreatedAt)
		}
		if changed {
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
		active := false
		for _, a := range p.answers {
			active = active || in(a.answer.CreatedAt)
		}
		for _, n := range p.notes {
			active = active || in(n.note.CreatedAt)
		}
		if active {
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
	in := func(t time.Time) bool { return t.After(since) && !t.After(until) }
	n := 0
	for _, a := range p.answers {
		if in(a.answer.CreatedAt) {
			n++
		}
	}
	for _, nt := range p.notes {
		if in(nt.note.CreatedAt) {
			n++
		}
	}
	return n, nil
}
