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
	for range wallAttempts {
		change, extra, read, err := st.hideChange(ctx, e, ref, hidden)
		if err != nil {
			return err
		}
		change.TableName = aws.String(st.table)
		items := []types.TransactWriteItem{st.liveEvent(e.ID), {Update: change}, st.countChange(e, now, 0, 0)}
		if extra != nil {
			items = append(items, *extra)
		}
		_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: st.withEdit(e.ID, e.ExpiresAt(), edit, items...)})
		switch {
		case cancelledAt(err, 0):
			return eventGone()
		case cancelledAt(err, 1) && read:
			continue // the note went on the wall or left it meanwhile: read again
		case cancelledAt(err, 1):
			return notFound
		}
		return translate(err, "set hidden")
	}
	return retours.NewError(retours.ECONFLICT, "text.changed")
}

// hideChange returns the update that hides or shows a text, and, when it
// hides a note on the closing wall, the deletion of the note's copy there
// (wall.go), conditioned on the note still naming it; read says that it read
// the note first, whose change may then meet another and be tried again.
func (st *Store) hideChange(ctx context.Context, e *retours.Event, ref retours.TextRef, hidden bool) (change *types.Update, extra *types.TransactWriteItem, read bool, err error) {
	notFound := retours.NewError(retours.ENOTFOUND, "text.not_found")
	if ref.Question != "" {
		if q, ok := e.Questionnaire.Question(ref.Question); !ok || !q.Kind.IsText() {
			return nil, nil, false, notFound
		}
		op := "DELETE"
		if hidden {
			op = "ADD"
		}
		return &types.Update{
			Key:                      key(eventPK(e.ID), skAnswerPrefix+ref.SubmissionID),
			UpdateExpression:         aws.String(op + " #h :q"),
			ConditionExpression:      aws.String("attribute_type(#v.#q, :S)"),
			ExpressionAttributeNames: map[string]string{"#h": "hidden", "#v": "values", "#q": ref.Question},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":q": &types.AttributeValueMemberSS{Value: []string{ref.Question}}, ":S": s("S"),
			},
		}, nil, false, nil
	}
	if !hidden {
		return &types.Update{
			Key:                      key(eventPK(e.ID), skNotePrefix+ref.SubmissionID),
			UpdateExpression:         aws.String("REMOVE #h"),
			ConditionExpression:      aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#h": "hidden"},
		}, nil, false, nil
	}
	// A missing note is left to the transaction's conditions, which say
	// whether the event is gone or the note.
	item, err := st.getItem(ctx, eventPK(e.ID), skNotePrefix+ref.SubmissionID)
	if err != nil && retours.ErrorCode(err) != retours.ENOTFOUND {
		return nil, nil, false, err
	}
	t := map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}
	if sk := str(item, attrWallSK); sk != "" {
		u := withdrawNote(st.table, e.ID, ref.SubmissionID, sk, "SET #h = :t REMOVE #w")
		u.ExpressionAttributeNames["#h"] = "hidden"
		u.ExpressionAttributeValues[":t"] = t[":t"]
		return u, &types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(st.table), Key: key(eventPK(e.ID), sk)}}, true, nil
	}
	return &types.Update{
		Key:                       key(eventPK(e.ID), skNotePrefix+ref.SubmissionID),
		UpdateExpression:          aws.String("SET #h = :t"),
		ConditionExpression:       aws.String("attribute_exists(#pk) AND attribute_not_exists(#w)"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#h": "hidden", "#w": attrWallSK},
		ExpressionAttributeValues: t,
	}, nil, item != nil, nil
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: s(pk), AttrSK: s(sk)}
}
