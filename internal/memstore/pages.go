package memstore

import (
	"context"
	"slices"

	"github.com/retours/retours/internal/retours"
)

var _ retours.AnswerPager = (*Store)(nil)

// AnswersAfter implements retours.AnswerPager.
func (s *Store) AnswersAfter(ctx context.Context, eventID, after string, limit int) ([]*retours.Answer, error) {
	return pageAfter(s, ctx, "AnswersAfter", eventID, after, limit, cloneAnswer, answersOf)
}

// NotesAfter implements retours.AnswerPager.
func (s *Store) NotesAfter(ctx context.Context, eventID, after string, limit int) ([]*retours.Note, error) {
	return pageAfter(s, ctx, "NotesAfter", eventID, after, limit, cloneNote, notesOf)
}

// pageAfter returns copies of up to limit items of the event whose
// submission ids come after after, in their order.
func pageAfter[T any](s *Store, ctx context.Context, op, eventID, after string, limit int, clone func(T) T, items kind[T]) ([]T, error) {
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
	// The ids in order, sorted once after the last write: a page is a
	// binary search away, however large the partition.
	m, cache := items(p)
	ids := sortedIDs(m, cache)
	i, found := slices.BinarySearch(ids, after)
	if found {
		i++
	}
	ids = ids[i:min(len(ids), i+max(limit, 0))]
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		out = append(out, clone(m[id].item))
	}
	return out, nil
}
