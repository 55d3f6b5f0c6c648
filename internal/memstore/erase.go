package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/retours/retours/internal/retours"
)

// erasureRecord is an erasure's record, with its erasure date.
type erasureRecord struct {
	er      retours.Erasure
	Expires time.Time
}

// StartErasure implements retours.ErasureStore.
func (s *Store) StartErasure(ctx context.Context, eventID string, now time.Time) (*retours.Erasure, error) {
	if err := s.begin(ctx, "StartErasure"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	p := s.partition(eventID, false)
	if !retours.ValidID(eventID) || p == nil || p.event == nil {
		if r, ok := s.erasures[eventID]; ok {
			return r.copy(), nil
		}
		return nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	if !p.event.erasing.IsZero() {
		return s.erasure(eventID)
	}
	var e retours.Event
	if err := json.Unmarshal(p.event.accesses, &e.Accesses); err != nil {
		return nil, fmt.Errorf("memstore: unmarshal accesses: %w", err)
	}
	now = now.UTC().Truncate(time.Millisecond)
	p.event.erasing = now
	er := retours.Erasure{EventID: eventID, State: retours.ErasureRunning, StartedAt: now, Progress: now, AccessHashes: e.AccessHashes()}
	if e := p.event; e.series != "" {
		if _, ok := s.series[e.series][eventID]; ok {
			delete(s.series[e.series], eventID)
			er.Items = 1
		}
	}
	r := &erasureRecord{er: er, Expires: ttl(p.event.Expires.Add(retours.ErasureKept))}
	s.erasures[eventID] = r
	return r.copy(), nil
}

// Erasure implements retours.ErasureStore.
func (s *Store) Erasure(ctx context.Context, eventID string) (*retours.Erasure, error) {
	if err := s.begin(ctx, "Erasure"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	return s.erasure(eventID)
}

// erasure returns a copy of the event's erasure record. The store is locked.
func (s *Store) erasure(eventID string) (*retours.Erasure, error) {
	r, ok := s.erasures[eventID]
	if !ok {
		return nil, retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	}
	return r.copy(), nil
}

// copy returns a copy of the erasure that shares nothing with the record.
func (r *erasureRecord) copy() *retours.Erasure {
	c := r.er
	c.AccessHashes = slices.Clone(r.er.AccessHashes)
	return &c
}

// marked returns the partition of an event being erased, or nil. The store
// is locked.
func (s *Store) marked(eventID string) *partition {
	p := s.partition(eventID, false)
	if p == nil || p.event == nil || p.event.erasing.IsZero() {
		return nil
	}
	return p
}

// EraseItems implements retours.ErasureStore, in internal/dynamo's order of
// sort keys: the activity, answers, snapshots, the record of changes,
// notes, shares, unsubscriptions, the wall's notes.
func (s *Store) EraseItems(ctx context.Context, eventID string, max int, now time.Time) (int, error) {
	if err := s.begin(ctx, "EraseItems"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	p := s.marked(eventID)
	if p == nil {
		return 0, retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	}
	n := p.deleteItems(max)
	if r, ok := s.erasures[eventID]; ok && n > 0 && r.er.State == retours.ErasureRunning {
		r.er.Items += n
		r.er.Progress = now.UTC().Truncate(time.Millisecond)
	}
	return n, nil
}

// deleteItems deletes up to max of the partition's items, its event aside,
// and returns how many it deleted.
func (p *partition) deleteItems(max int) int {
	n := 0
	if p.activity != nil && n < max {
		p.activity = nil
		n++
	}
	p.idsChanged()
	n += deleteSome(p.answers, max-n)
	n += deleteSome(p.snapshots, max-n)
	edits := min(len(p.edits), max-n)
	p.edits = p.edits[edits:]
	n += edits
	n += deleteSome(p.notes, max-n)
	n += deleteSome(p.shares, max-n)
	n += deleteSome(p.unsubscribed, max-n)
	n += deleteSome(p.wall, max-n)
	return n
}

// deleteSome deletes up to max entries of m, in the order of their keys.
func deleteSome[V any](m map[string]V, max int) int {
	n := 0
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if n >= max {
			break
		}
		delete(m, k)
		n++
	}
	return n
}

// items counts the partition's items, its event aside.
func (p *partition) items() int {
	n := len(p.answers) + len(p.notes) + len(p.snapshots) + len(p.unsubscribed) + len(p.shares) + len(p.edits) + len(p.wall)
	if p.activity != nil {
		n++
	}
	return n
}

// FinishErasure implements retours.ErasureStore.
func (s *Store) FinishErasure(ctx context.Context, eventID string, now time.Time) (*retours.Erasure, error) {
	if err := s.begin(ctx, "FinishErasure"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	p := s.marked(eventID)
	if p == nil {
		// Finished already?
		if r, ok := s.erasures[eventID]; ok && r.er.Done() {
			return r.copy(), nil
		}
		return nil, retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	}
	if p.items() > 0 {
		return nil, retours.NewError(retours.ECONFLICT, "erasure.unfinished")
	}
	delete(s.events, eventID)
	r, ok := s.erasures[eventID]
	if !ok {
		return nil, retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	}
	now = now.UTC().Truncate(time.Millisecond)
	r.er.State, r.er.FinishedAt, r.er.Progress = retours.ErasureDone, now, now
	r.er.Items++
	r.Expires = ttl(now.Add(retours.ErasureKept))
	return r.copy(), nil
}

// StalledErasures implements retours.ErasureStore.
func (s *Store) StalledErasures(ctx context.Context, before time.Time) ([]string, error) {
	if err := s.begin(ctx, "StalledErasures"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var ids []string
	for id := range s.events {
		if s.marked(id) == nil {
			continue
		}
		if r, ok := s.erasures[id]; ok && r.er.Progress.Before(before) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// EraseEvent implements retours.EventStore as internal/dynamo does: the
// erasure's steps in one call, its record deleted with the event, counting
// the event, each answer, note, snapshot, unsubscription, share and entry
// of the record of changes, the activity and the series entry.
func (s *Store) EraseEvent(ctx context.Context, eventID string) (int, error) {
	er, err := s.StartErasure(ctx, eventID, time.Now())
	switch {
	case err == nil && !er.Done():
	case err == nil, retours.ErrorCode(err) == retours.ENOTFOUND:
		er = nil
	default:
		return 0, err
	}
	if err := s.begin(ctx, "EraseEvent"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	n := 0
	if p := s.partition(eventID, false); p != nil {
		n += p.deleteItems(p.items())
	}
	if er != nil {
		n += er.Items + 1
		delete(s.events, eventID)
		delete(s.erasures, eventID)
	}
	if n == 0 {
		return 0, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	return n, nil
}
