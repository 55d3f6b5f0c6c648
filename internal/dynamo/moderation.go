package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// Moderation changes are counted in the event's activity item (activity.go),
// attribute m, in the same transaction as the change: a snapshot's check
// sees them at once, without the stream's delay, and the change moves the
// activity's GSI1 entry, which puts the event among the changed ones.

var _ retours.ModerationStore = (*Store)(nil)

// Coverage implements retours.ModerationStore: it counts the answers and notes
// (a Query that returns counts, not items) and reads the moderation count.
func (st *Store) Coverage(ctx context.Context, eventID string) (retours.Coverage, error) {
	var c retours.Coverage
	var err error
	if c.Answers, err = st.count(ctx, eventPK(eventID), skAnswerPrefix); err != nil {
		return c, err
	}
	if c.Notes, err = st.count(ctx, eventPK(eventID), skNotePrefix); err != nil {
		return c, err
	}
	c.Moderation, err = st.Moderation(ctx, eventID)
	return c, err
}

// Moderation implements retours.ModerationStore: the activity's count.
func (st *Store) Moderation(ctx context.Context, eventID string) (int, error) {
	a, err := st.Activity(ctx, eventID)
	if err != nil {
		return 0, err
	}
	return a.Moderation, nil
}

// SetHidden implements retours.ModerationStore. The change and the moderation
// count move together in one transaction, so a snapshot never covers a
// change it does not show, with the check that the event lives: the count's
// item is created by the first change, and must not be after an erasure.
func (st *Store) SetHidden(ctx context.Context, e *retours.Event, ref retours.TextRef, hidden bool, now time.Time, edit *retours.Edit) error {
	notFound := retours.NewError(retours.ENOTFOUND, "text.not_found")
	if !retours.ValidSubmissionID(ref.SubmissionID) {
		return notFound
	}
	var change types.Update
	if ref.Question == "" {
		change = types.Update{
			Key:                      key(eventPK(e.ID), skNotePrefix+ref.SubmissionID),
			ConditionExpression:      aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#h": "hidden"},
		}
		if hidden {
			change.UpdateExpression = aws.String("SET #h = :t")
			change.ExpressionAttributeValues = map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}
		} else {
			change.UpdateExpression = aws.String("REMOVE #h")
		}
	} else {
		if q, ok := e.Questionnaire.Question(ref.Question); !ok || !q.Kind.IsText() {
			return notFound
		}
		op := "DELETE"
		if hidden {
			op = "ADD"
		}
		change = types.Update{
			Key:                      key(eventPK(e.ID), skAnswerPrefix+ref.SubmissionID),
			UpdateExpression:         aws.String(op + " #h :q"),
			ConditionExpression:      aws.String("attribute_type(#v.#q, :S)"),
			ExpressionAttributeNames: map[string]string{"#h": "hidden", "#v": "values", "#q": ref.Question},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":q": &types.AttributeValueMemberSS{Value: []string{ref.Question}}, ":S": s("S"),
			},
		}
	}
	change.TableName = aws.String(st.table)
	_, err := st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: st.withEdit(e.ID, e.ExpiresAt(), edit,
		st.liveEvent(e.ID),
		types.TransactWriteItem{Update: &change},
		st.countChange(e, now, 0, 0),
	)})
	switch {
	case cancelledAt(err, 0):
		return eventGone()
	case cancelledAt(err, 1):
		return notFound
	}
	return translate(err, "set hidden")
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: s(pk), AttrSK: s(sk)}
}
