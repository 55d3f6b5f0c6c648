package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

var _ retours.AnswerPager = (*Store)(nil)

// AnswersAfter implements retours.AnswerPager: one Query of the event's
// partition from after, limited to limit items.
func (s *Store) AnswersAfter(ctx context.Context, eventID, after string, limit int) ([]*retours.Answer, error) {
	return pageAfter(ctx, s, eventPK(eventID), skAnswerPrefix, after, limit, unmarshalAnswer)
}

// NotesAfter implements retours.AnswerPager.
func (s *Store) NotesAfter(ctx context.Context, eventID, after string, limit int) ([]*retours.Note, error) {
	return pageAfter(ctx, s, eventPK(eventID), skNotePrefix, after, limit, unmarshalNote)
}

// pageAfter reads up to limit items of the partition pk whose sort key
// starts with prefix and comes after prefix+after, in key order. A page is
// cut short at 1 MB read, so it may take more than one Query.
func pageAfter[T any](ctx context.Context, st *Store, pk, prefix, after string, limit int, decode func(map[string]types.AttributeValue) (T, error)) ([]T, error) {
	var start map[string]types.AttributeValue
	if after != "" {
		if !retours.ValidSubmissionID(after) {
			return nil, retours.NewError(retours.EINVALID, "submission_id.invalid")
		}
		start = map[string]types.AttributeValue{AttrPK: s(pk), AttrSK: s(prefix + after)}
	}
	in := st.prefixQuery(pk, prefix, start)
	out := make([]T, 0, limit)
	for len(out) < limit {
		in.Limit = aws.Int32(int32(limit - len(out)))
		page, err := st.client.Query(ctx, in)
		if err != nil {
			return nil, translate(err, "query page")
		}
		for _, item := range page.Items {
			v, err := decode(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	return out, nil
}
