package memstore

import (
	"context"
	"slices"

	"github.com/retours/retours/internal/retours"
)

var _ retours.AnswerPager = (*Store)(nil)

// AnswersAfter implements retours.AnswerPager.
func (s *Store) AnswersAfter(ctx context.Context, eventID, after string, limit int) ([]*retours.Answer, error) {
	return pageAfter(s, ctx, "AnswersAfter", eventID, after, limit, cloneAnswer, func(p *partition) map[string]*stored[*retours.Answer] { return p.answers })
}

// NotesAfter implements retours.AnswerPager.
func (s *Store) NotesAfter(ctx context.Context, eventID, after string, limit int) ([]*retours.Note, error) {
	return pageAfter(s, ctx, "NotesAfter", eventID, after, limit, cloneNote, func(p *partition) map[string]*stored[*retours.Note] { return p.notes })
}

// pageAfter returns copies of up to limit items of the event whose
// submission ids come after after, in their order.
func pageAfter[T any](s *Store, ctx context.Context, op, eventID, after string, limit int, clone func(T) T, items func(*partition) map[string]*stored[T]) ([]T, error) {
	if after != "" && !retours.ValidSubmissionID(after) {
		return nil, retours.NewError(retours.EINVALID, "submission_id.invalid")
	}
	if err := s.begin(ctx, op); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	p := s.partition(eventID, false)
	if p == nil {
		return nil, nil
	}
	// The limit smallest ids after after, kept sorted: one pass over the
	// partition, whatever its size.
	ids := make([]string, 0, limit)
	for id := range items(p) {
		if id <= after || len(ids) == limit && id >= ids[limit-1] {
			continue
		}
		i, _ := slices.BinarySearch(ids, id)
		if len(ids) == limit {
			ids = ids[:limit-1]
		}
		ids = slices.Insert(ids, i, id)
	}
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		out = append(out, clone(items(p)[id].item))
	}
	return out, nil
}
