package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
)

// storedEdit is an entry of an event's record of changes.
type storedEdit struct {
	edit    retours.Edit
	Expires time.Time
}

// storedShare is a share of a session's results.
type storedShare struct {
	share   retours.Share
	Expires time.Time
}

// record appends edit, when not nil, to the partition's record of changes,
// erased with the event at expires. The store is locked.
func (p *partition) record(edit *retours.Edit, expires time.Time) {
	if edit != nil {
		ed := *edit
		ed.At = ed.At.UTC()
		p.edits = append(p.edits, storedEdit{edit: ed, Expires: ttl(expires)})
	}
}

// editable returns the partition of an event whose item may be written:
// it exists and is not being erased, as internal/dynamo's conditions on the
// item hold. The store is locked.
func (s *Store) editable(eventID string) (*partition, error) {
	p := s.partition(eventID, false)
	if !retours.ValidID(eventID) || p == nil || p.event == nil {
		return nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	if !p.event.erasing.IsZero() {
		return nil, retours.NewError(retours.ENOTFOUND, "event.erasing")
	}
	return p, nil
}

// UpdateEvent implements retours.EditStore.
func (s *Store) UpdateEvent(ctx context.Context, e *retours.Event, edit *retours.Edit) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("memstore: marshal event: %w", err)
	}
	if len(data) > retours.MaxEventBytes {
		return retours.NewError(retours.EINVALID, "event.too_large", retours.MaxEventBytes>>10)
	}
	if err := s.begin(ctx, "UpdateEvent"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	p, err := s.editable(e.ID)
	if err != nil {
		return err
	}
	if p.event.version != e.Version-1 {
		return retours.NewError(retours.ESTALE, "event.changed")
	}
	if old := p.event.series; old != "" {
		delete(s.series[old], e.ID)
	}
	accesses := p.event.accesses
	p.event = storeEvent(e, data)
	p.event.accesses = accesses // an edit leaves them as they are
	s.addEdition(e)
	p.record(edit, e.ExpiresAt())
	return nil
}

// ReplaceAccesses implements retours.EditStore.
func (s *Store) ReplaceAccesses(ctx context.Context, e *retours.Event, accesses []retours.Access, edit *retours.Edit) error {
	old, _ := json.Marshal(e.Accesses)
	next, _ := json.Marshal(accesses)
	if err := s.begin(ctx, "ReplaceAccesses"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	p, err := s.editable(e.ID)
	if err != nil {
		return err
	}
	if !bytes.Equal(p.event.accesses, old) {
		return retours.NewError(retours.ECONFLICT, "accesses.changed")
	}
	p.event.accesses = next
	p.record(edit, p.event.Expires)
	return nil
}

// Edits implements retours.EditStore.
func (s *Store) Edits(ctx context.Context, eventID string, before time.Time, limit int) ([]retours.Edit, error) {
	if err := s.begin(ctx, "Edits"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := []retours.Edit{}
	p := s.partition(eventID, false)
	if p == nil {
		return out, nil
	}
	for i := len(p.edits) - 1; i >= 0; i-- {
		if ed := p.edits[i].edit; before.IsZero() || ed.At.Before(before) {
			out = append(out, ed)
		}
	}
	slices.SortStableFunc(out, func(a, b retours.Edit) int { return b.At.Compare(a.At) })
	return out[:min(len(out), limit)], nil
}

// ListEvents implements retours.EventLister, reading the events in the
// order of internal/dynamo's index: closing time to the second, then id,
// latest first.
func (s *Store) ListEvents(ctx context.Context, q retours.EventQuery) (*retours.EventPage, error) {
	if err := s.begin(ctx, "ListEvents"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var keys []string
	for _, p := range s.events {
		if p.event != nil && p.event.erasing.IsZero() {
			keys = append(keys, p.event.closesKey)
		}
	}
	slices.Sort(keys)
	slices.Reverse(keys)
	if q.After != nil {
		after := q.After.ClosesAt.UTC().Format(time.RFC3339) + "#" + q.After.ID
		keys = slices.DeleteFunc(keys, func(k string) bool { return k >= after })
	}
	maxScan := q.MaxScan
	if maxScan <= 0 {
		maxScan = len(keys)
	}
	page := &retours.EventPage{Events: []*retours.Event{}}
	for i, k := range keys {
		if i == maxScan || len(page.Events) == q.Limit {
			c := cursorOf(keys[i-1])
			page.Next = &c
			break
		}
		_, id, _ := strings.Cut(k, "#")
		e, err := s.event(id)
		if err != nil {
			return nil, err
		}
		if q.Match == nil || q.Match(e) {
			page.Events = append(page.Events, e)
		}
	}
	return page, nil
}

// cursorOf returns the position of an EVENTS index sort key.
func cursorOf(key string) retours.EventCursor {
	at, id, _ := strings.Cut(key, "#")
	t, _ := time.Parse(time.RFC3339, at)
	return retours.EventCursor{ClosesAt: t.UTC(), ID: id}
}

// CreateShare implements retours.ShareStore.
func (s *Store) CreateShare(ctx context.Context, e *retours.Event, sh *retours.Share, edit *retours.Edit) error {
	if err := s.begin(ctx, "CreateShare"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	p := s.live(e.ID)
	if p == nil {
		return eventGone()
	}
	if len(p.shares) >= retours.MaxShares {
		return retours.NewError(retours.ECONFLICT, "share.too_many", retours.MaxShares)
	}
	c := *sh
	c.CreatedAt = c.CreatedAt.UTC()
	p.shares[sh.Hash] = &storedShare{share: c, Expires: ttl(e.ExpiresAt())}
	p.record(edit, e.ExpiresAt())
	return nil
}

// ShareByHash implements retours.ShareStore.
func (s *Store) ShareByHash(ctx context.Context, eventID, hash string) (*retours.Share, error) {
	if err := s.begin(ctx, "ShareByHash"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if p := s.partition(eventID, false); p != nil {
		if sh, ok := p.shares[hash]; ok {
			c := sh.share
			return &c, nil
		}
	}
	return nil, retours.NewError(retours.ENOTFOUND, "share.not_found")
}

// Shares implements retours.ShareStore.
func (s *Store) Shares(ctx context.Context, eventID string) ([]retours.Share, error) {
	if err := s.begin(ctx, "Shares"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := []retours.Share{}
	if p := s.partition(eventID, false); p != nil {
		for _, sh := range p.shares {
			out = append(out, sh.share)
		}
	}
	retours.SortShares(out)
	return out, nil
}

// RevokeShare implements retours.ShareStore.
func (s *Store) RevokeShare(ctx context.Context, e *retours.Event, id string, edit *retours.Edit) error {
	if err := s.begin(ctx, "RevokeShare"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	// internal/dynamo finds the share first, then deletes it on condition
	// that the event lives.
	if p := s.partition(e.ID, false); p != nil {
		for hash, sh := range p.shares {
			if sh.share.ID != id {
				continue
			}
			if s.live(e.ID) == nil {
				return eventGone()
			}
			delete(p.shares, hash)
			p.record(edit, sh.Expires)
			return nil
		}
	}
	return retours.NewError(retours.ENOTFOUND, "share.not_found")
}
