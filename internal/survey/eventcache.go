package survey

import (
	"context"
	"sync"
	"time"

	"github.com/retours/retours/internal/retours"
)

// eventCache keeps the events the participants' routes read, for
// Config.EventTTL. A submission then costs one write instead of a read and a
// write, and a crowd scanning the same poster reads the event once per
// instance and interval. Only found events are kept; a cached *retours.Event
// is shared and read-only.
type eventCache struct {
	store EventReader
	ttl   time.Duration
	now   func() time.Time

	mu      sync.Mutex
	entries map[string]cachedEvent
}

type cachedEvent struct {
	event *retours.Event
	at    time.Time
}

// maxCachedEvents bounds the cache; an instance serves a handful of events.
const maxCachedEvents = 1024

func newEventCache(store EventReader, ttl time.Duration, now func() time.Time) *eventCache {
	return &eventCache{store: store, ttl: ttl, now: now, entries: map[string]cachedEvent{}}
}

// Event returns the event with the given id, from the cache when it was read
// less than ttl ago.
func (c *eventCache) Event(ctx context.Context, id string) (*retours.Event, error) {
	if c.ttl <= 0 {
		return c.store.Event(ctx, id)
	}
	now := c.now()
	c.mu.Lock()
	ce, ok := c.entries[id]
	c.mu.Unlock()
	if ok && now.Sub(ce.at) < c.ttl && !now.Before(ce.at) {
		return ce.event, nil
	}
	e, err := c.store.Event(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.entries) >= maxCachedEvents {
		clear(c.entries)
	}
	c.entries[id] = cachedEvent{event: e, at: now}
	c.mu.Unlock()
	return e, nil
}
