package memstore

import (
	"context"
	"time"

	"github.com/retours/retours/internal/retours"
)

var _ retours.SheetStore = (*Store)(nil)

// PutSheet implements retours.SheetStore.
func (s *Store) PutSheet(ctx context.Context, a *retours.Answer, n *retours.Note, expires time.Time) (*retours.Answer, *retours.Note, bool, error) {
	if !retours.ValidSubmissionID(a.SubmissionID) || n != nil && n.SubmissionID != a.SubmissionID {
		return nil, nil, false, retours.NewError(retours.EINVALID, "submission_id.invalid")
	}
	if err := s.begin(ctx, "PutSheet"); err != nil {
		return nil, nil, false, err
	}
	defer s.mu.Unlock()
	p := s.live(a.EventID)
	if p == nil {
		return nil, nil, false, eventGone()
	}
	if old, ok := p.answers[a.SubmissionID]; ok {
		return cloneAnswer(old.item), p.note(a.SubmissionID), false, nil
	}
	if _, ok := p.notes[a.SubmissionID]; ok {
		return nil, nil, false, retours.NewError(retours.ECONFLICT, "sheet.not_found")
	}
	p.answers[a.SubmissionID] = &stored[*retours.Answer]{item: cloneAnswer(a), Expires: ttl(expires)}
	p.idsChanged()
	s.logChange(a.EventID, retours.Change{SessionID: a.SessionID, CreatedAt: a.CreatedAt.UTC(), Expires: ttl(expires)})
	if n != nil {
		p.notes[n.SubmissionID] = &stored[*retours.Note]{item: cloneNote(n), Expires: ttl(expires)}
		s.logChange(a.EventID, retours.Change{Note: true, SessionID: n.SessionID, CreatedAt: n.CreatedAt.UTC(), Expires: ttl(expires)})
	}
	return a, n, true, nil
}

// note returns a copy of the note stored under sub, or nil.
func (p *partition) note(sub string) *retours.Note {
	if n, ok := p.notes[sub]; ok {
		return cloneNote(n.item)
	}
	return nil
}

// Sheet implements retours.SheetStore.
func (s *Store) Sheet(ctx context.Context, eventID, sub string) (*retours.Answer, *retours.Note, error) {
	if err := s.begin(ctx, "Sheet"); err != nil {
		return nil, nil, err
	}
	defer s.mu.Unlock()
	if p := s.partition(eventID, false); p != nil {
		if a, ok := p.answers[sub]; ok {
			return cloneAnswer(a.item), p.note(sub), nil
		}
	}
	return nil, nil, retours.NewError(retours.ENOTFOUND, "sheet.not_found")
}

// ReplaceSheet implements retours.SheetStore.
func (s *Store) ReplaceSheet(ctx context.Context, e *retours.Event, a *retours.Answer, n *retours.Note, now time.Time) error {
	return s.changeSheet(ctx, "ReplaceSheet", e, a.SubmissionID, a, n, now)
}

// DeleteSheet implements retours.SheetStore.
func (s *Store) DeleteSheet(ctx context.Context, e *retours.Event, sub string, now time.Time) error {
	return s.changeSheet(ctx, "DeleteSheet", e, sub, nil, nil, now)
}

// changeSheet is internal/dynamo's transaction: the sheet rewritten (or
// deleted when a is nil), the change counted in the activity as a
// moderation, a removal taken off its totals.
func (s *Store) changeSheet(ctx context.Context, op string, e *retours.Event, sub string, a *retours.Answer, n *retours.Note, now time.Time) error {
	if err := s.begin(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	p := s.live(e.ID)
	if p == nil {
		return eventGone()
	}
	old, ok := p.answers[sub]
	if !ok || old.item.Channel != retours.ChannelPaper {
		return retours.NewError(retours.ENOTFOUND, "sheet.not_found")
	}
	expires := ttl(e.ExpiresAt())
	if p.activity == nil {
		p.activity = &activity{act: retours.Activity{EventID: e.ID}, Expires: expires}
	}
	act := &p.activity.act
	act.Moderation++
	act.LastWrite = now.UTC().Truncate(time.Millisecond)
	_, hadNote := p.notes[sub]
	p.idsChanged()
	// A sheet corrected or removed leaves the closing wall: a corrected
	// note is approved again, as internal/dynamo does.
	delete(p.wall, sub)
	if a == nil {
		delete(p.answers, sub)
		act.Answers--
	} else {
		p.answers[sub] = &stored[*retours.Answer]{item: cloneAnswer(a), Expires: expires}
	}
	if n != nil {
		n = cloneNote(n)
		n.OnWall = false
	}
	switch {
	case n != nil && !hadNote:
		p.notes[sub] = &stored[*retours.Note]{item: cloneNote(n), Expires: expires}
		s.logChange(e.ID, retours.Change{Note: true, SessionID: n.SessionID, CreatedAt: n.CreatedAt.UTC(), Expires: expires})
	case n != nil:
		p.notes[sub] = &stored[*retours.Note]{item: cloneNote(n), Expires: expires}
	case hadNote:
		delete(p.notes, sub)
		act.Notes--
	}
	return nil
}
