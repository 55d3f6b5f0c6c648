package memstore

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/retours/retours/internal/retours"
)

// maxSnapshotBytes is internal/dynamo's limit on a snapshot's compressed
// data, which keeps its item under DynamoDB's 400 KB.
const maxSnapshotBytes = 350 << 10

type storedSnapshot struct {
	snapshot *retours.Snapshot
	Expires  time.Time
}

func cloneSnapshot(sn *retours.Snapshot) *retours.Snapshot {
	c := *sn
	c.CreatedAt = sn.CreatedAt.UTC()
	c.Expires = ttl(sn.Expires)
	c.Data = bytes.Clone(sn.Data)
	return &c
}

// PutSnapshot implements retours.SnapshotStore.
func (s *Store) PutSnapshot(ctx context.Context, sn *retours.Snapshot) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(sn.Data)
	if err := zw.Close(); err != nil {
		return fmt.Errorf("memstore: compress snapshot: %w", err)
	}
	if buf.Len() > maxSnapshotBytes {
		return retours.NewError(retours.EINVALID, "bilan.too_large")
	}
	if err := s.begin(ctx, "PutSnapshot"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	p := s.live(sn.EventID)
	if p == nil {
		return eventGone()
	}
	p.snapshots[sn.Lang] = &storedSnapshot{snapshot: cloneSnapshot(sn), Expires: ttl(sn.Expires)}
	return nil
}

// Snapshot implements retours.SnapshotStore.
func (s *Store) Snapshot(ctx context.Context, eventID, lang string) (*retours.Snapshot, error) {
	if err := s.begin(ctx, "Snapshot"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if p := s.partition(eventID, false); p != nil {
		if sn, ok := p.snapshots[lang]; ok {
			return cloneSnapshot(sn.snapshot), nil
		}
	}
	return nil, retours.NewError(retours.ENOTFOUND, "not_found")
}

// SetHidden implements retours.ModerationStore.
func (s *Store) SetHidden(ctx context.Context, e *retours.Event, ref retours.TextRef, hidden bool, now time.Time, edit *retours.Edit) error {
	notFound := retours.NewError(retours.ENOTFOUND, "text.not_found")
	if !retours.ValidSubmissionID(ref.SubmissionID) {
		return notFound
	}
	if ref.Question != "" {
		if q, ok := e.Questionnaire.Question(ref.Question); !ok || !q.Kind.IsText() {
			return notFound
		}
	}
	if err := s.begin(ctx, "SetHidden"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	p := s.live(e.ID)
	if p == nil {
		return eventGone()
	}
	if ref.Question == "" {
		n, ok := p.notes[ref.SubmissionID]
		if !ok {
			return notFound
		}
		n.item.Hidden = hidden
		if hidden {
			p.withdraw(ref.SubmissionID)
		}
	} else {
		a, ok := p.answers[ref.SubmissionID]
		if !ok {
			return notFound
		}
		// internal/dynamo's condition: the answer has a text for the question.
		if v, ok := a.item.Values[ref.Question]; !ok || v.Choices != nil || v.Text == "" {
			return notFound
		}
		i := slices.Index(a.item.Hidden, ref.Question)
		switch {
		case hidden && i < 0:
			a.item.Hidden = append(a.item.Hidden, ref.Question)
		case !hidden && i >= 0:
			a.item.Hidden = slices.Delete(a.item.Hidden, i, i+1)
		}
		if len(a.item.Hidden) == 0 {
			a.item.Hidden = nil
		}
	}
	// internal/dynamo counts the change in the activity item, in the same
	// transaction.
	if p.activity == nil {
		p.activity = &activity{act: retours.Activity{EventID: e.ID}, Expires: ttl(e.ExpiresAt())}
	}
	p.activity.act.Moderation++
	p.activity.act.LastWrite = now.UTC().Truncate(time.Millisecond)
	p.record(edit, e.ExpiresAt())
	return nil
}

// Moderation implements retours.ModerationStore.
func (s *Store) Moderation(ctx context.Context, eventID string) (int, error) {
	if err := s.begin(ctx, "Moderation"); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	return s.activity(eventID).Moderation, nil
}

// Coverage implements retours.ModerationStore.
func (s *Store) Coverage(ctx context.Context, eventID string) (retours.Coverage, error) {
	if err := s.begin(ctx, "Coverage"); err != nil {
		return retours.Coverage{}, err
	}
	defer s.mu.Unlock()
	var c retours.Coverage
	if p := s.partition(eventID, false); p != nil {
		c.Answers, c.Notes = len(p.answers), len(p.notes)
		if p.activity != nil {
			c.Moderation = p.activity.act.Moderation
		}
	}
	return c, nil
}
