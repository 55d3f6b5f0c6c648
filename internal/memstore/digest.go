package memstore

import (
	"context"
	"sort"
	"time"

	"github.com/retours/retours/internal/retours"
)

// digestKeep is how long internal/dynamo keeps a digest record: past the
// yearly look back at what was sent.
const digestKeep = 400 * 24 * time.Hour

type digestKey struct{ week, organiser string }

// digestRecord is one organiser's digest of one week. Lease is in
// milliseconds, as internal/dynamo compares it.
type digestRecord struct {
	pending   bool
	attempt   string
	lease     int64
	attempts  int
	messageID string
	lastError string
	Expires   time.Time
}

// EventsClosingSince implements retours.DigestStore, in the order of the
// EVENTS index: by closing time, then id.
func (s *Store) EventsClosingSince(ctx context.Context, t time.Time) ([]*retours.Event, error) {
	if err := s.begin(ctx, "EventsClosingSince"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	since := t.UTC().Format(time.RFC3339)
	var keys []string
	byKey := map[string]string{}
	for id, p := range s.events {
		// An event being erased has left the EVENTS index.
		if p.event != nil && p.event.erasing.IsZero() && p.event.closesKey >= since {
			keys = append(keys, p.event.closesKey)
			byKey[p.event.closesKey] = id
		}
	}
	sort.Strings(keys)
	events := make([]*retours.Event, 0, len(keys))
	for _, k := range keys {
		e, err := s.event(byKey[k])
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	return events, nil
}

// ClaimDigest implements retours.DigestStore.
func (s *Store) ClaimDigest(ctx context.Context, c retours.DigestClaim, now, leaseUntil time.Time) (time.Time, error) {
	if err := s.begin(ctx, "ClaimDigest"); err != nil {
		return time.Time{}, err
	}
	defer s.mu.Unlock()
	k := digestKey{c.Week, c.Organiser}
	r := s.digests[k]
	switch {
	case r != nil && !r.pending:
		return time.Time{}, retours.NewError(retours.ECONFLICT, "digest.sent")
	case r != nil && r.lease >= now.UnixMilli():
		return time.UnixMilli(r.lease).UTC(), retours.NewError(retours.ECONFLICT, "digest.claimed")
	}
	if r == nil {
		r = &digestRecord{}
		s.digests[k] = r
	}
	r.pending, r.attempt, r.lease = true, c.Attempt, leaseUntil.UnixMilli()
	r.attempts++
	r.Expires = ttl(now.Add(digestKeep))
	return time.Time{}, nil
}

// RenewDigest implements retours.DigestStore.
func (s *Store) RenewDigest(ctx context.Context, c retours.DigestClaim, leaseUntil time.Time) error {
	return s.updateClaim(ctx, "RenewDigest", c, func(r *digestRecord) { r.lease = leaseUntil.UnixMilli() })
}

// DigestSent implements retours.DigestStore.
func (s *Store) DigestSent(ctx context.Context, c retours.DigestClaim, now time.Time, messageID string) error {
	return s.updateClaim(ctx, "DigestSent", c, func(r *digestRecord) {
		r.pending, r.messageID, r.lastError = false, messageID, ""
	})
}

// DigestFailed implements retours.DigestStore.
func (s *Store) DigestFailed(ctx context.Context, c retours.DigestClaim, code string) error {
	return s.updateClaim(ctx, "DigestFailed", c, func(r *digestRecord) {
		r.lease, r.lastError = 0, code
	})
}

// updateClaim applies update to the digest record if attempt c still holds it.
func (s *Store) updateClaim(ctx context.Context, op string, c retours.DigestClaim, update func(*digestRecord)) error {
	if err := s.begin(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	r := s.digests[digestKey{c.Week, c.Organiser}]
	if r == nil || !r.pending || r.attempt != c.Attempt {
		return retours.NewError(retours.ECONFLICT, "digest.lease_lost")
	}
	update(r)
	return nil
}

// Unsubscribe implements retours.DigestStore.
func (s *Store) Unsubscribe(ctx context.Context, e *retours.Event, organiser string, now time.Time) error {
	if err := s.begin(ctx, "Unsubscribe"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	p := s.live(e.ID)
	if p == nil {
		return eventGone()
	}
	if _, ok := p.unsubscribed[organiser]; !ok {
		p.unsubscribed[organiser] = expiring{Written: now.UTC().Truncate(time.Second), Expires: ttl(e.ExpiresAt())}
	}
	return nil
}

// Unsubscribed implements retours.DigestStore.
func (s *Store) Unsubscribed(ctx context.Context, eventID string) (map[string]bool, error) {
	if err := s.begin(ctx, "Unsubscribed"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := map[string]bool{}
	if p := s.partition(eventID, false); p != nil {
		for org := range p.unsubscribed {
			out[org] = true
		}
	}
	return out, nil
}
