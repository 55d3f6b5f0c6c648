package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// An event's record of changes is one item per change, in its partition,
// written in the same transaction as the change itself, and erased with the
// event:
//
//	edit        PK=EVENT#<event>  SK=LOG#<at, UTC to the ns>#<by>#<action>
//
// Its sort key orders the record by time, so that the latest changes are
// one Query backwards.
const skLogPrefix = "LOG#"

// logTime is the layout of an entry's time in its sort key: fixed width, so
// that keys sort as times do.
const logTime = "2006-01-02T15:04:05.000000000Z"

var _ retours.EditStore = (*Store)(nil)

// editItem is the item that records edit, erased at expires.
func editItem(eventID string, expires time.Time, edit *retours.Edit) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		AttrPK:      s(eventPK(eventID)),
		AttrSK:      s(skLogPrefix + edit.At.UTC().Format(logTime) + "#" + edit.By + "#" + edit.Action),
		AttrExpires: n(expires.Unix()),
		"type":      s("edit"),
		"at":        s(edit.At.UTC().Format(time.RFC3339Nano)),
		"by":        s(edit.By),
		"action":    s(edit.Action),
	}
	if edit.ByName != "" {
		item["by_name"] = s(edit.ByName)
	}
	if edit.RefName != "" {
		item["ref_name"] = s(edit.RefName)
	}
	if edit.Version != 0 {
		item[attrVersion] = n(int64(edit.Version))
	}
	if edit.Ref != "" {
		item["ref"] = s(edit.Ref)
	}
	return item
}

// withEdit returns the items of a transaction, followed by the Put of
// edit's record when edit is not nil.
func (st *Store) withEdit(eventID string, expires time.Time, edit *retours.Edit, items ...types.TransactWriteItem) []types.TransactWriteItem {
	if edit != nil {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.table), Item: editItem(eventID, expires, edit)}})
	}
	return items
}

// eventMissing returns the error of a write to the event's item refused
// because the item, as the refusal returned it, is gone or marked by an
// erasure; nil when it is neither.
func eventMissing(item map[string]types.AttributeValue) error {
	if len(item) == 0 {
		return retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	if _, erasing := item[attrErasing]; erasing {
		return retours.NewError(retours.ENOTFOUND, "event.erasing")
	}
	return nil
}

// UpdateEvent implements retours.EditStore: one transaction writes the
// definition on condition of its version and of no erasure's mark, moves
// the series entry and records the edit. The event's item is updated, not
// replaced, so that its accesses stay as they are.
func (st *Store) UpdateEvent(ctx context.Context, e *retours.Event, edit *retours.Edit) error {
	if !retours.ValidID(e.ID) {
		return retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	item, err := marshalEvent(e)
	if err != nil {
		return err
	}
	// The series entry to remove is the stored event's: read it first. The
	// condition on the version holds the event to what was read.
	stored, err := st.getItem(ctx, eventPK(e.ID), skMeta)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	if err != nil {
		return err
	}
	before, err := unmarshalEvent(stored)
	if err != nil {
		return err
	}
	if before.Version != e.Version-1 {
		return retours.NewError(retours.ESTALE, "event.changed")
	}
	cond := "#ver = :old"
	if before.Version == 1 {
		cond = "(#ver = :old OR attribute_not_exists(#ver))"
	}
	items := []types.TransactWriteItem{{Update: &types.Update{
		TableName:           aws.String(st.table),
		Key:                 key(eventPK(e.ID), skMeta),
		UpdateExpression:    aws.String("SET #d = :d, #ver = :new, #gsk = :gsk, #exp = :exp"),
		ConditionExpression: aws.String("attribute_exists(#pk) AND attribute_not_exists(#er) AND " + cond),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK, "#er": attrErasing, "#d": "data", "#ver": attrVersion, "#gsk": AttrGSI1SK, "#exp": AttrExpires,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":d": item["data"], ":new": n(int64(e.Version)), ":old": n(int64(e.Version - 1)),
			":gsk": item[AttrGSI1SK], ":exp": item[AttrExpires],
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}}
	if before.Series != "" {
		old := seriesItem(before)
		if e.Series == "" || old[AttrPK].(*types.AttributeValueMemberS).Value != seriesPKPrefix+e.Series ||
			old[AttrSK].(*types.AttributeValueMemberS).Value != editionSK(e.Edition)+e.ID {
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{
				TableName: aws.String(st.table), Key: map[string]types.AttributeValue{AttrPK: old[AttrPK], AttrSK: old[AttrSK]},
			}})
		}
	}
	if e.Series != "" {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.table), Item: seriesItem(e)}})
	}
	_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: st.withEdit(e.ID, e.ExpiresAt(), edit, items...)})
	if old, failed := cancelledItem(err, 0); failed {
		if err := eventMissing(old); err != nil {
			return err
		}
		return retours.NewError(retours.ESTALE, "event.changed")
	}
	return translate(err, "update event")
}

// ReplaceAccesses implements retours.EditStore. The accesses are written on
// condition that they are still the JSON read, so that two organisers
// revoking or rotating at once end with what each saw, and that no erasure
// marked the event, so that the accesses an erasure started with, which
// its organisers follow it by, stay as they are. An event stored before it
// had several accesses holds its token's hash alone: it is replaced on
// condition of that hash.
func (st *Store) ReplaceAccesses(ctx context.Context, e *retours.Event, accesses []retours.Access, edit *retours.Edit) error {
	if !retours.ValidID(e.ID) {
		return retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	old, err := json.Marshal(e.Accesses)
	if err != nil {
		return fmt.Errorf("dynamo: marshal accesses: %w", err)
	}
	next, err := json.Marshal(accesses)
	if err != nil {
		return fmt.Errorf("dynamo: marshal accesses: %w", err)
	}
	names := map[string]string{"#pk": AttrPK, "#er": attrErasing, "#acc": attrAccesses}
	values := map[string]types.AttributeValue{":old": s(string(old)), ":new": s(string(next))}
	cond := "attribute_exists(#pk) AND attribute_not_exists(#er) AND #acc = :old"
	if len(e.Accesses) == 1 && e.Accesses[0].ID == retours.FirstAccessID {
		cond = "attribute_exists(#pk) AND attribute_not_exists(#er) AND (#acc = :old OR (attribute_not_exists(#acc) AND #th = :hash))"
		names["#th"] = attrTokenHash
		values[":hash"] = s(e.Accesses[0].Hash)
	}
	update := types.TransactWriteItem{Update: &types.Update{
		TableName:                           aws.String(st.table),
		Key:                                 key(eventPK(e.ID), skMeta),
		UpdateExpression:                    aws.String("SET #acc = :new"),
		ConditionExpression:                 aws.String(cond),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
	_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: st.withEdit(e.ID, e.ExpiresAt(), edit, update)})
	if item, failed := cancelledItem(err, 0); failed {
		if err := eventMissing(item); err != nil {
			return err
		}
		return retours.NewError(retours.ECONFLICT, "accesses.changed")
	}
	return translate(err, "replace accesses")
}

// Edits implements retours.EditStore with one Query, backwards from before.
func (st *Store) Edits(ctx context.Context, eventID string, before time.Time, limit int) ([]retours.Edit, error) {
	out := []retours.Edit{}
	if !retours.ValidID(eventID) || limit <= 0 {
		return out, nil
	}
	hi := skLogPrefix + "\uffff"
	if !before.IsZero() {
		hi = skLogPrefix + before.UTC().Format(logTime)
	}
	res, err := st.client.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(st.table),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(eventPK(eventID)), ":lo": s(skLogPrefix), ":hi": s(hi)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit) + 1),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return nil, translate(err, "edits")
	}
	for _, item := range res.Items {
		at, err := time.Parse(time.RFC3339Nano, str(item, "at"))
		if err != nil {
			return nil, fmt.Errorf("dynamo: edit at: %w", err)
		}
		if !before.IsZero() && !at.Before(before) {
			continue // the BETWEEN's upper bound takes the instant itself
		}
		v, _ := strconv.Atoi(numStr(item, attrVersion))
		out = append(out, retours.Edit{At: at.UTC(), By: str(item, "by"), ByName: str(item, "by_name"), Action: str(item, "action"), Version: v, Ref: str(item, "ref"),
			RefName: str(item, "ref_name")})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func numStr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		return v.Value
	}
	return ""
}
