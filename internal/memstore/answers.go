package memstore

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/retours/retours/internal/retours"
)

type storedAnswer struct {
	answer  *retours.Answer // as read back: see cloneAnswer
	Expires time.Time
}

type storedNote struct {
	note    *retours.Note
	Expires time.Time
}

// cloneAnswer returns a copy of a as internal/dynamo reads it back: times in
// UTC, each value a number, a text or a list of choices (a value with
// choices keeps them, even none; else one with a text keeps it; else its
// number), no empty list of hidden questions.
func cloneAnswer(a *retours.Answer) *retours.Answer {
	c := *a
	c.CreatedAt = a.CreatedAt.UTC()
	c.Values = make(map[string]retours.Value, len(a.Values))
	for id, v := range a.Values {
		switch {
		case v.Choices != nil:
			c.Values[id] = retours.Value{Choices: append([]string{}, v.Choices...)}
		case v.Text != "":
			c.Values[id] = retours.Value{Text: v.Text}
		default:
			c.Values[id] = retours.Value{Number: v.Number}
		}
	}
	c.Hidden = nil
	if len(a.Hidden) > 0 {
		c.Hidden = slices.Clone(a.Hidden)
	}
	return &c
}

func cloneNote(n *retours.Note) *retours.Note {
	c := *n
	c.CreatedAt = n.CreatedAt.UTC()
	return &c
}

// PutAnswer implements retours.AnswerStore.
func (s *Store) PutAnswer(ctx context.Context, a *retours.Answer, expires time.Time) (*retours.Answer, bool, error) {
	if !retours.ValidSubmissionID(a.SubmissionID) {
		return nil, false, retours.NewError(retours.EINVALID, "submission_id.invalid")
	}
	if err := s.begin(ctx, "PutAnswer"); err != nil {
		return nil, false, err
	}
	defer s.mu.Unlock()
	p := s.partition(a.EventID, true)
	if old, ok := p.answers[a.SubmissionID]; ok {
		return cloneAnswer(old.answer), false, nil
	}
	p.answers[a.SubmissionID] = &storedAnswer{answer: cloneAnswer(a), Expires: ttl(expires)}
	return a, true, nil
}

// PutNote implements retours.AnswerStore.
func (s *Store) PutNote(ctx context.Context, n *retours.Note, expires time.Time) (*retours.Note, bool, error) {
	if !retours.ValidSubmissionID(n.SubmissionID) {
		return nil, false, retours.NewError(retours.EINVALID, "submission_id.invalid")
	}
	if err := s.begin(ctx, "PutNote"); err != nil {
		return nil, false, err
	}
	defer s.mu.Unlock()
	p := s.partition(n.EventID, true)
	if old, ok := p.notes[n.SubmissionID]; ok {
		return cloneNote(old.note), false, nil
	}
	p.notes[n.SubmissionID] = &storedNote{note: cloneNote(n), Expires: ttl(expires)}
	return n, true, nil
}

// Answers implements retours.AnswerStore. It calls fn on copies, in the
// order of submission ids, with the store unlocked.
func (s *Store) Answers(ctx context.Context, eventID string, fn func(*retours.Answer) error) error {
	return read(s, ctx, "Answers", eventID, func(p *partition) []*retours.Answer {
		out := make([]*retours.Answer, 0, len(p.answers))
		for _, sub := range slices.Sorted(maps.Keys(p.answers)) {
			out = append(out, cloneAnswer(p.answers[sub].answer))
		}
		return out
	}, fn)
}

// Notes implements retours.AnswerStore, like Answers.
func (s *Store) Notes(ctx context.Context, eventID string, fn func(*retours.Note) error) error {
	return read(s, ctx, "Notes", eventID, func(p *partition) []*retours.Note {
		out := make([]*retours.Note, 0, len(p.notes))
		for _, sub := range slices.Sorted(maps.Keys(p.notes)) {
			out = append(out, cloneNote(p.notes[sub].note))
		}
		return out
	}, fn)
}

// read copies items out of the event's partition, then calls fn with each,
// with the store unlocked so that fn may use it.
func read[T any](s *Store, ctx context.Context, op, eventID string, copyOut func(*partition) []T, fn func(T) error) error {
	if err := s.begin(ctx, op); err != nil {
		return err
	}
	var items []T
	if p := s.partition(eventID, false); p != nil {
		items = copyOut(p)
	}
	s.mu.Unlock()
	for _, v := range items {
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}
