package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// A paper sheet is an answer and, when its rapport d'étonnement box was
// filled in, a note, both under the sheet's submission id
// (retours.SheetSubmissionID): the same items as a web answer and note,
// with a channel, so that every reader of answers treats them alike. They
// are written together in one transaction, with the check that the event
// lives; the stream counts their insertion as any other.
//
// A correction rewrites them (a MODIFY in the stream, which counts nothing
// again) and a removal deletes them; both count as a moderation change in
// the activity, in the same transaction, so that a stored bilan is computed
// again, and a removal takes its answer and note off the activity's totals.

var _ retours.SheetStore = (*Store)(nil)

// PutSheet implements retours.SheetStore.
func (st *Store) PutSheet(ctx context.Context, a *retours.Answer, nt *retours.Note, expires time.Time) (*retours.Answer, *retours.Note, bool, error) {
	if !retours.ValidSubmissionID(a.SubmissionID) || nt != nil && nt.SubmissionID != a.SubmissionID {
		return nil, nil, false, retours.NewError(retours.EINVALID, "submission_id.invalid")
	}
	items := []types.TransactWriteItem{st.liveEvent(a.EventID), st.putNew(marshalAnswer(a, expires))}
	if nt != nil {
		items = append(items, st.putNew(marshalNote(nt, expires)))
	}
	_, err := st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	switch {
	case err == nil:
		return a, nt, true, nil
	case cancelledAt(err, 0):
		return nil, nil, false, eventGone()
	case cancelledAt(err, 1), cancelledAt(err, 2):
		old, oldNote, err := st.Sheet(ctx, a.EventID, a.SubmissionID)
		if retours.ErrorCode(err) == retours.ENOTFOUND {
			// Its note alone is stored: a removal is under way.
			return nil, nil, false, retours.NewError(retours.ECONFLICT, "sheet.not_found")
		}
		return old, oldNote, false, err
	}
	return nil, nil, false, translate(err, "put sheet")
}

// putNew writes item on condition that no item has its key.
func (st *Store) putNew(item map[string]types.AttributeValue) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(st.table), Item: item,
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
	}}
}

// Sheet implements retours.SheetStore with two consistent reads.
func (st *Store) Sheet(ctx context.Context, eventID, sub string) (*retours.Answer, *retours.Note, error) {
	if !retours.ValidSubmissionID(sub) {
		return nil, nil, retours.NewError(retours.ENOTFOUND, "sheet.not_found")
	}
	item, err := st.getItem(ctx, eventPK(eventID), skAnswerPrefix+sub)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return nil, nil, retours.NewError(retours.ENOTFOUND, "sheet.not_found")
	}
	if err != nil {
		return nil, nil, err
	}
	a, err := unmarshalAnswer(item)
	if err != nil {
		return nil, nil, err
	}
	item, err = st.getItem(ctx, eventPK(eventID), skNotePrefix+sub)
	switch retours.ErrorCode(err) {
	case retours.ENOTFOUND:
		return a, nil, nil
	case "":
		nt, err := unmarshalNote(item)
		return a, nt, err
	}
	return nil, nil, err
}

// ReplaceSheet implements retours.SheetStore.
func (st *Store) ReplaceSheet(ctx context.Context, e *retours.Event, a *retours.Answer, nt *retours.Note, now time.Time) error {
	return st.changeSheet(ctx, e, a.SubmissionID, a, nt, now)
}

// DeleteSheet implements retours.SheetStore.
func (st *Store) DeleteSheet(ctx context.Context, e *retours.Event, sub string, now time.Time) error {
	return st.changeSheet(ctx, e, sub, nil, nil, now)
}

// changeSheet rewrites the sheet sub with a and nt, or deletes it when a is
// nil. The stored note's presence is read first and checked by the write.
func (st *Store) changeSheet(ctx context.Context, e *retours.Event, sub string, a *retours.Answer, nt *retours.Note, now time.Time) error {
	old, oldNote, err := st.Sheet(ctx, e.ID, sub)
	if err != nil {
		return err
	}
	if old.Channel != retours.ChannelPaper {
		return retours.NewError(retours.ENOTFOUND, "sheet.not_found")
	}
	expires := e.ExpiresAt()
	paper := map[string]types.AttributeValue{":paper": s(retours.ChannelPaper)}
	names := map[string]string{"#pk": AttrPK, "#ch": "channel"}
	answer := types.TransactWriteItem{}
	if a != nil {
		answer.Put = &types.Put{TableName: aws.String(st.table), Item: marshalAnswer(a, expires),
			ConditionExpression: aws.String("attribute_exists(#pk) AND #ch = :paper"), ExpressionAttributeNames: names, ExpressionAttributeValues: paper}
	} else {
		answer.Delete = &types.Delete{TableName: aws.String(st.table), Key: key(eventPK(e.ID), skAnswerPrefix+sub),
			ConditionExpression: aws.String("attribute_exists(#pk) AND #ch = :paper"), ExpressionAttributeNames: names, ExpressionAttributeValues: paper}
	}
	items := []types.TransactWriteItem{st.liveEvent(e.ID), answer}
	noteKey := key(eventPK(e.ID), skNotePrefix+sub)
	pk := map[string]string{"#pk": AttrPK}
	// A note on the closing wall leaves it when its sheet is corrected or
	// removed (a corrected note is approved again): its copy is deleted, on
	// the condition that the note still names it (wall.go).
	cond, values, wallCopy := aws.String("attribute_exists(#pk)"), map[string]types.AttributeValue(nil), ""
	if oldNote != nil && oldNote.OnWall {
		item, err := st.getItem(ctx, eventPK(e.ID), skNotePrefix+sub)
		if err != nil {
			return err
		}
		wallCopy = str(item, attrWallSK)
		cond, values = aws.String("#w = :sk"), map[string]types.AttributeValue{":sk": s(wallCopy)}
		pk = map[string]string{"#w": attrWallSK}
	}
	notes := 0
	switch {
	case nt != nil && oldNote != nil:
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.table), Item: marshalNote(nt, expires),
			ConditionExpression: cond, ExpressionAttributeNames: pk, ExpressionAttributeValues: values}})
	case nt != nil:
		items = append(items, st.putNew(marshalNote(nt, expires)))
	case oldNote != nil:
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(st.table), Key: noteKey,
			ConditionExpression: cond, ExpressionAttributeNames: pk, ExpressionAttributeValues: values}})
		notes = -1
	}
	if wallCopy != "" {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(st.table), Key: key(eventPK(e.ID), wallCopy)}})
	}
	answers := 0
	if a == nil {
		answers = -1
	}
	items = append(items, st.countChange(e, now, answers, notes))
	_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	switch {
	case cancelledAt(err, 0):
		return eventGone()
	case cancelledAt(err, 1):
		return retours.NewError(retours.ENOTFOUND, "sheet.not_found")
	case cancelledAt(err, 2):
		return retours.NewError(retours.ECONFLICT, "sheet.changed")
	}
	return translate(err, "change sheet")
}

// countChange counts a change of stored answers or notes (a moderation, a
// sheet corrected or removed) in the event's activity, and adds answers and
// notes to its totals (-1 for one removed); it creates the activity's item
// if need be, with its GSI1 entry.
func (st *Store) countChange(e *retours.Event, now time.Time, answers, notes int) types.TransactWriteItem {
	expr := "ADD #m :one"
	names := map[string]string{"#m": "m", "#t": "type", "#w": "w", "#gpk": AttrGSI1PK, "#gsk": AttrGSI1SK, "#exp": AttrExpires}
	values := map[string]types.AttributeValue{
		":one": n(1), ":t": s("activity"), ":w": n(now.UnixMilli()),
		":gpk": s(gsiActivity), ":gsk": s(activityGSI1SK(e.ID, now)), ":exp": n(e.ExpiresAt().Unix()),
	}
	if answers != 0 {
		expr += ", #a :a"
		names["#a"], values[":a"] = "a", n(int64(answers))
	}
	if notes != 0 {
		expr += ", #n :n"
		names["#n"], values[":n"] = "n", n(int64(notes))
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(st.table),
		Key:                       key(eventPK(e.ID), skActivity),
		UpdateExpression:          aws.String(expr + " SET #t = :t, #w = :w, #gpk = :gpk, #gsk = :gsk, #exp = if_not_exists(#exp, :exp)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}}
}
