package survey

import (
	"context"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

type countingStore struct {
	retours.EventStore
	reads int
}

func (s *countingStore) Event(ctx context.Context, id string) (*retours.Event, error) {
	s.reads++
	if id == "missing" {
		return nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	return &retours.Event{ID: id}, nil
}

func TestEventCache(t *testing.T) {
	now := time.Date(2026, 10, 13, 9, 0, 0, 0, time.UTC)
	st := &countingStore{}
	c := newEventCache(st, 5*time.Second, func() time.Time { return now })
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		advance   time.Duration
		id        string
		wantReads int
	}{
		{"first read goes to the store", 0, "ev1", 1},
		{"second read within the interval is cached", 4 * time.Second, "ev1", 1},
		{"another event is read", 0, "ev2", 2},
		{"after the interval the store is read again", 2 * time.Second, "ev1", 3},
		{"a missing event is not cached", 0, "missing", 4},
		{"and is read again", 0, "missing", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = now.Add(tc.advance)
			e, err := c.Event(ctx, tc.id)
			if tc.id == "missing" {
				if retours.ErrorCode(err) != retours.ENOTFOUND {
					t.Errorf("got %v, want not found", err)
				}
			} else if err != nil || e.ID != tc.id {
				t.Errorf("Event(%q) = %v, %v", tc.id, e, err)
			}
			if st.reads != tc.wantReads {
				t.Errorf("store reads = %d, want %d", st.reads, tc.wantReads)
			}
		})
	}
	off := newEventCache(st, 0, func() time.Time { return now })
	before := st.reads
	off.Event(ctx, "ev1")
	off.Event(ctx, "ev1")
	if st.reads != before+2 {
		t.Errorf("a cache with no interval read the store %d times for 2 reads", st.reads-before)
	}
}
