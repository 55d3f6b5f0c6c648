package memstore

import (
	"context"
	"slices"
	"time"

	"github.com/retours/retours/internal/retours"
)

// stored is an answer or a note as kept, with its erasure date.
type stored[T any] struct {
	item    T
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
	c.Channel = retours.ChannelOf(a.Channel)
	return &c
}

func cloneNote(n *retours.Note) *retours.Note {
	c := *n
	c.CreatedAt = n.CreatedAt.UTC()
	c.Channel = retours.ChannelOf(n.Channel)
	return &c
}

// PutAnswer implements retours.AnswerStore.
func (s *Store) PutAnswer(ctx context.Context, a *retours.Answer, expires time.Time) (*retours.Answer, bool, error) {
	return putOnce(s, ctx, "PutAnswer", a.EventID, a.SubmissionID, a, cloneAnswer, expires, answersOf,
		retours.Change{SessionID: a.SessionID, CreatedAt: a.CreatedAt})
}

// PutNote implements retours.AnswerStore.
func (s *Store) PutNote(ctx context.Context, n *retours.Note, expires time.Time) (*retours.Note, bool, error) {
	return putOnce(s, ctx, "PutNote", n.EventID, n.SubmissionID, n, cloneNote, expires, notesOf,
		retours.Change{Note: true, SessionID: n.SessionID, CreatedAt: n.CreatedAt})
}

// putOnce stores a copy of v under its submission id unless the event has
// an item there already, and then returns a copy of that item. A stored item
// goes to the change log as c, as DynamoDB's stream reports an insertion.
func putOnce[T any](s *Store, ctx context.Context, op, eventID, submission string, v T, clone func(T) T, expires time.Time, items kind[T], c retours.Change) (T, bool, error) {
	var none T
	if !retours.ValidSubmissionID(submission) {
		return none, false, retours.NewError(retours.EINVALID, "submission_id.invalid")
	}
	if err := s.begin(ctx, op); err != nil {
		return none, false, err
	}
	defer s.mu.Unlock()
	m, ids := items(s.partition(eventID, true))
	if old, ok := m[submission]; ok {
		return clone(old.item), false, nil
	}
	m[submission] = &stored[T]{item: clone(v), Expires: ttl(expires)}
	*ids = nil
	c.CreatedAt, c.Expires = c.CreatedAt.UTC(), ttl(expires)
	s.logChange(eventID, c)
	return v, true, nil
}

// Answers implements retours.AnswerStore. It calls fn on copies, in the
// order of submission ids, with the store unlocked.
func (s *Store) Answers(ctx context.Context, eventID string, fn func(*retours.Answer) error) error {
	return read(s, ctx, "Answers", eventID, func(p *partition) []*retours.Answer {
		out := make([]*retours.Answer, 0, len(p.answers))
		for _, sub := range sortedIDs(answersOf(p)) {
			out = append(out, cloneAnswer(p.answers[sub].item))
		}
		return out
	}, fn)
}

// Notes implements retours.AnswerStore, like Answers.
func (s *Store) Notes(ctx context.Context, eventID string, fn func(*retours.Note) error) error {
	return read(s, ctx, "Notes", eventID, func(p *partition) []*retours.Note {
		out := make([]*retours.Note, 0, len(p.notes))
		for _, sub := range sortedIDs(notesOf(p)) {
			out = append(out, cloneNote(p.notes[sub].item))
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
