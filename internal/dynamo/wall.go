package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// The closing wall's notes are items of their own, copies of the notes
// approved for it, keyed by the time of their approval:
//
//	wall note      PK=EVENT#<event>  SK=WALL#<approved, 13-digit ms>#<submission>
//
// so that a wall's refresh is one Query of the event's partition, newest
// first, with a Limit: its cost depends on the page, not on the number of
// answers or notes. The note keeps the key of its copy (attribute wall_sk),
// so that withdrawing it or hiding it deletes the copy in the same
// transaction, on the condition that the note still names that copy. The
// copy lives as long as the event's answers (expires_at) and goes with the
// rest of the partition when the event is erased; the table's stream
// consumer counts only answers and notes (StreamPrefixes).

const (
	skWallPrefix = "WALL#"
	attrWallSK   = "wall_sk"
	// wallAttempts bounds the retries of a change that met another one.
	wallAttempts = 3
)

var _ retours.WallStore = (*Store)(nil)

func wallSK(at time.Time, submission string) string {
	return fmt.Sprintf("%s%013d#%s", skWallPrefix, at.UnixMilli(), submission)
}

// SetOnWall implements retours.WallStore: it reads the note, then writes the
// note's mark and its copy in one transaction conditioned on what it read,
// and reads again if another change came between.
func (st *Store) SetOnWall(ctx context.Context, e *retours.Event, submission string, on bool, now time.Time, edit *retours.Edit) error {
	notFound := retours.NewError(retours.ENOTFOUND, "text.not_found")
	if !retours.ValidSubmissionID(submission) {
		return notFound
	}
	for range wallAttempts {
		item, err := st.getItem(ctx, eventPK(e.ID), skNotePrefix+submission)
		if retours.ErrorCode(err) == retours.ENOTFOUND {
			return notFound
		}
		if err != nil {
			return err
		}
		current := str(item, attrWallSK)
		var items []types.TransactWriteItem
		switch {
		case on && current != "":
			return nil
		case !on && current == "":
			return nil
		case on:
			if b, ok := item["hidden"].(*types.AttributeValueMemberBOOL); ok && b.Value {
				return retours.NewError(retours.ECONFLICT, "wall.hidden")
			}
			sk := wallSK(now, submission)
			items = []types.TransactWriteItem{
				{Update: &types.Update{
					TableName:                 aws.String(st.table),
					Key:                       key(eventPK(e.ID), skNotePrefix+submission),
					UpdateExpression:          aws.String("SET #w = :sk"),
					ConditionExpression:       aws.String("attribute_exists(#pk) AND attribute_not_exists(#w) AND attribute_not_exists(#h)"),
					ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#w": attrWallSK, "#h": "hidden"},
					ExpressionAttributeValues: map[string]types.AttributeValue{":sk": s(sk)},
				}},
				{Put: &types.Put{TableName: aws.String(st.table), Item: wallItem(e, item, sk, now, edit)}},
			}
		default:
			items = []types.TransactWriteItem{
				{Update: withdrawNote(st.table, e.ID, submission, current, "REMOVE #w")},
				{Delete: &types.Delete{TableName: aws.String(st.table), Key: key(eventPK(e.ID), current)}},
			}
		}
		_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: st.withEdit(e.ID, e.ExpiresAt(), edit,
			append([]types.TransactWriteItem{st.liveEvent(e.ID)}, items...)...)})
		switch {
		case cancelledAt(err, 0):
			return eventGone()
		case cancelledAt(err, 1):
			continue // hidden, approved or withdrawn meanwhile: read again
		}
		return translate(err, "set on wall")
	}
	return retours.NewError(retours.ECONFLICT, "text.changed")
}

// withdrawNote is the update of a note that leaves the wall, on the
// condition that its copy is still the one at sk.
func withdrawNote(table, eventID, submission, sk, update string) *types.Update {
	return &types.Update{
		TableName:                 aws.String(table),
		Key:                       key(eventPK(eventID), skNotePrefix+submission),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("#w = :sk"),
		ExpressionAttributeNames:  map[string]string{"#w": attrWallSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":sk": s(sk)},
	}
}

// wallItem is the copy on the wall of the note item.
func wallItem(e *retours.Event, note map[string]types.AttributeValue, sk string, now time.Time, edit *retours.Edit) map[string]types.AttributeValue {
	by := retours.AdminActor
	if edit != nil {
		by = edit.By
	}
	return map[string]types.AttributeValue{
		AttrPK: s(eventPK(e.ID)), AttrSK: s(sk), AttrExpires: n(e.ExpiresAt().Unix()),
		"type": s("wall"), "kind": note["kind"], "text": note["text"], "lang": note["lang"],
		"approved_at": millis(now), "approved_by": s(by),
	}
}

// WallNotes implements retours.WallStore with one Query of at most limit
// items, newest approved first.
func (st *Store) WallNotes(ctx context.Context, eventID, after string, limit int) ([]retours.WallNote, string, error) {
	limit = max(1, min(limit, retours.MaxWallPage))
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(st.table),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(eventPK(eventID)), ":prefix": s(skWallPrefix)},
		ScanIndexForward:          aws.Bool(false),
		// One more than the page says whether there is a next one.
		Limit: aws.Int32(int32(limit + 1)),
	}
	if after != "" {
		at, sub, err := retours.ParseWallCursor(after)
		if err != nil {
			return nil, "", err
		}
		in.ExclusiveStartKey = key(eventPK(eventID), wallSK(at, sub))
	}
	out, err := st.client.Query(ctx, in)
	if err != nil {
		return nil, "", translate(err, "wall notes")
	}
	notes := make([]retours.WallNote, 0, len(out.Items))
	for _, item := range out.Items {
		sk := str(item, AttrSK)
		var ms int64
		var sub string
		if _, err := fmt.Sscanf(sk, skWallPrefix+"%013d#%s", &ms, &sub); err != nil {
			return nil, "", fmt.Errorf("dynamo: wall note %q: %w", sk, err)
		}
		notes = append(notes, retours.WallNote{EventID: eventID, SubmissionID: sub, Kind: str(item, "kind"), Text: str(item, "text"),
			Lang: str(item, "lang"), ApprovedAt: time.UnixMilli(ms).UTC(), ApprovedBy: str(item, "approved_by")})
	}
	next := ""
	if len(notes) > limit {
		notes = notes[:limit]
		last := notes[limit-1]
		next = retours.WallCursor(last.ApprovedAt, last.SubmissionID)
	}
	return notes, next, nil
}
