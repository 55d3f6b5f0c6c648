package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/retours/retours/internal/retours"
)

// An erasure marks the event's item at once, and keeps its progress in a
// small item of its own:
//
//	event, being erased  PK=EVENT#<event>  SK=META     erasing=<start, epoch ms>  GSI1PK=ERASING  GSI1SK=<start>#<event>
//	erasure              PK=ERASURE#<h>    SK=ERASURE  state, items, started, progress, finished, access_hashes, expires_at
//
// The mark moves the event's GSI1 entry from EVENTS (the digest's list of
// events) to ERASING, where the resumption of stalled erasures finds it.
// Every derived write checks the mark in the same request (snapshot.go,
// activity.go, moderation.go, digest.go, edits.go, shares.go): a
// transaction with a condition on the event's item, which fails once the
// mark is set or the item is gone. <h> is the first 128 bits of the
// SHA-256 of the event id: once finished, the record names the event no
// more than a hash does, and holds no data of it. access_hashes is the list
// of the hashes of the event's organiser accesses' tokens when it started.
//
// The progress lives apart from the event's item, which holds the whole
// event (up to 350 KB): an update is billed by the size of the item.
const (
	attrErasing      = "erasing"
	attrAccessHashes = "access_hashes"
	gsiErasing       = "ERASING"
	erasurePKPrefix  = "ERASURE#"
	skErasure        = "ERASURE"
	// eraseConcurrency is how many batches of deletes run at once: 200
	// items in flight, within what one partition takes (about 1,000 writes
	// a second); DynamoDB returns what it could not take as unprocessed.
	eraseConcurrency = 8
	// eraseAttempts bounds the BatchWriteItems that send again what
	// DynamoDB left unprocessed, waiting up to eraseMaxBackoff between them.
	eraseAttempts   = 10
	eraseMaxBackoff = 2 * time.Second
)

var _ retours.ErasureStore = (*Store)(nil)

func erasureKey(eventID string) map[string]types.AttributeValue {
	sum := sha256.Sum256([]byte(eventID))
	return key(erasurePKPrefix+hex.EncodeToString(sum[:16]), skErasure)
}

// StartErasure implements retours.ErasureStore with one transaction: the
// mark on the event's item (on condition it is not set yet, and that its
// accesses are those the record keeps), the erasure's record, and the
// removal of the event's series entry, the one item of an event outside its
// partition.
func (st *Store) StartErasure(ctx context.Context, eventID string, now time.Time) (*retours.Erasure, error) {
	if !retours.ValidID(eventID) {
		return nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	for range applyAttempts {
		item, err := st.getItem(ctx, eventPK(eventID), skMeta)
		switch retours.ErrorCode(err) {
		case "":
		case retours.ENOTFOUND:
			// Erased already, or never there.
			er, err := st.Erasure(ctx, eventID)
			if retours.ErrorCode(err) == retours.ENOTFOUND {
				return nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
			}
			return er, err
		default:
			return nil, err
		}
		if _, marked := item[attrErasing]; marked {
			return st.Erasure(ctx, eventID)
		}
		e, err := unmarshalEvent(item)
		if err != nil {
			return nil, err
		}
		er := &retours.Erasure{EventID: eventID, State: retours.ErasureRunning, StartedAt: now.UTC().Truncate(time.Millisecond),
			Progress: now.UTC().Truncate(time.Millisecond), AccessHashes: e.AccessHashes()}
		mark := &types.Update{
			TableName:           aws.String(st.table),
			Key:                 key(eventPK(eventID), skMeta),
			UpdateExpression:    aws.String("SET #er = :now, #gpk = :gpk, #gsk = :gsk"),
			ConditionExpression: aws.String("attribute_exists(#pk) AND attribute_not_exists(#er) AND attribute_not_exists(#acc)"),
			ExpressionAttributeNames: map[string]string{
				"#pk": AttrPK, "#er": attrErasing, "#acc": attrAccesses, "#gpk": AttrGSI1PK, "#gsk": AttrGSI1SK,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":now": millis(now), ":gpk": s(gsiErasing), ":gsk": s(activityGSI1SK(eventID, now)),
			},
		}
		if acc, ok := item[attrAccesses]; ok {
			// Accesses granted or revoked since the read would follow the
			// erasure, or not, against the record.
			mark.ConditionExpression = aws.String("attribute_exists(#pk) AND attribute_not_exists(#er) AND #acc = :acc")
			mark.ExpressionAttributeValues[":acc"] = acc
		}
		tx := []types.TransactWriteItem{{Update: mark}}
		if e.Series != "" {
			si := seriesItem(e)
			tx = append(tx, types.TransactWriteItem{Delete: &types.Delete{
				TableName: aws.String(st.table), Key: map[string]types.AttributeValue{AttrPK: si[AttrPK], AttrSK: si[AttrSK]},
			}})
			er.Items = 1
		}
		// The record outlives the event's own erasure date, should the job
		// never finish.
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.table), Item: erasureItem(er, e.ExpiresAt().Add(retours.ErasureKept))}})
		_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		if cancelledAt(err, 0) {
			continue // marked, erased or its accesses changed meanwhile: read it again
		}
		if err != nil {
			return nil, translate(err, "start erasure")
		}
		return er, nil
	}
	return nil, translate(context.DeadlineExceeded, "start erasure")
}

// liveEvent is the condition every write derived from an event carries, in
// the same transaction: the event's item exists and no erasure marked it.
// A write refused by it returns eventGone.
func (st *Store) liveEvent(eventID string) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                aws.String(st.table),
		Key:                      key(eventPK(eventID), skMeta),
		ConditionExpression:      aws.String("attribute_exists(#pk) AND attribute_not_exists(#er)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#er": attrErasing},
	}}
}

// eventGone is the error of a derived write whose event is erased or being
// erased.
func eventGone() error { return retours.NewError(retours.ENOTFOUND, "event.not_found") }

// cancelledAt reports whether err is a transaction cancelled because the
// condition of its i-th item failed.
func cancelledAt(err error, i int) bool {
	_, ok := cancelledItem(err, i)
	return ok
}

// cancelledItem reports whether err is a transaction cancelled because the
// condition of its i-th item failed, and returns that item as it was when
// the write asked for it (ReturnValuesOnConditionCheckFailure), empty when
// there was none.
func cancelledItem(err error, i int) (map[string]types.AttributeValue, bool) {
	var tc *types.TransactionCanceledException
	if !errors.As(err, &tc) || len(tc.CancellationReasons) <= i || aws.ToString(tc.CancellationReasons[i].Code) != "ConditionalCheckFailed" {
		return nil, false
	}
	return tc.CancellationReasons[i].Item, true
}

func erasureItem(er *retours.Erasure, expires time.Time) map[string]types.AttributeValue {
	item := erasureKey(er.EventID)
	item["type"] = s("erasure")
	item["state"] = s(er.State)
	item["items"] = n(int64(er.Items))
	item["started"] = millis(er.StartedAt)
	item["progress"] = millis(er.Progress)
	hashes := make([]types.AttributeValue, len(er.AccessHashes))
	for i, h := range er.AccessHashes {
		hashes[i] = s(h)
	}
	item[attrAccessHashes] = &types.AttributeValueMemberL{Value: hashes}
	item[AttrExpires] = n(expires.Unix())
	return item
}

// Erasure implements retours.ErasureStore with one GetItem of the record.
func (st *Store) Erasure(ctx context.Context, eventID string) (*retours.Erasure, error) {
	if !retours.ValidID(eventID) {
		return nil, retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	}
	k := erasureKey(eventID)
	item, err := st.getItem(ctx, str(k, AttrPK), skErasure)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return nil, retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	}
	if err != nil {
		return nil, err
	}
	er := &retours.Erasure{
		EventID: eventID, State: str(item, "state"), Items: num(item, "items"), AccessHashes: []string{},
		StartedAt: time.UnixMilli(num64(item, "started")).UTC(), Progress: time.UnixMilli(num64(item, "progress")).UTC(),
	}
	if l, ok := item[attrAccessHashes].(*types.AttributeValueMemberL); ok {
		for _, h := range l.Value {
			if hs, ok := h.(*types.AttributeValueMemberS); ok {
				er.AccessHashes = append(er.AccessHashes, hs.Value)
			}
		}
	}
	if f := num64(item, "finished"); f > 0 {
		er.FinishedAt = time.UnixMilli(f).UTC()
	}
	return er, nil
}

// EraseItems implements retours.ErasureStore: it checks the mark, lists up
// to max keys of the event's partition and deletes them, eraseConcurrency
// batches at a time, then counts them in the record.
func (st *Store) EraseItems(ctx context.Context, eventID string, max int, now time.Time) (int, error) {
	if err := st.checkMarked(ctx, eventID); err != nil {
		return 0, err
	}
	keys, err := st.eventKeys(ctx, eventID, max)
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	if err := st.deleteAll(ctx, keys); err != nil {
		return 0, err
	}
	_, err = st.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.table),
		Key:                       erasureKey(eventID),
		UpdateExpression:          aws.String("ADD #items :n SET #progress = :now"),
		ConditionExpression:       aws.String("#state = :erasing"),
		ExpressionAttributeNames:  map[string]string{"#items": "items", "#progress": "progress", "#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": n(int64(len(keys))), ":now": millis(now), ":erasing": s(retours.ErasureRunning)},
	})
	if _, ok := isConditionFailed(err); ok {
		return len(keys), nil // finished by another run meanwhile
	}
	return len(keys), translate(err, "erasure progress")
}

// checkMarked returns ENOTFOUND "erasure.not_found" unless the event's item
// carries the mark of an erasure (read alone, not the whole event).
func (st *Store) checkMarked(ctx context.Context, eventID string) error {
	notErasing := retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	if !retours.ValidID(eventID) {
		return notErasing
	}
	out, err := st.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(st.table), Key: key(eventPK(eventID), skMeta), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("#er"), ExpressionAttributeNames: map[string]string{"#er": attrErasing},
	})
	if err != nil {
		return translate(err, "read erasure mark")
	}
	if _, ok := out.Item[attrErasing]; !ok {
		return notErasing
	}
	return nil
}

// eventKeys returns the keys of up to max items of the event's partition
// other than the event itself.
func (st *Store) eventKeys(ctx context.Context, eventID string, max int) (keys []map[string]types.AttributeValue, err error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(st.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ProjectionExpression:      aws.String("#pk, #sk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(eventPK(eventID))},
		ConsistentRead:            aws.Bool(true),
	}
	for len(keys) < max {
		in.Limit = aws.Int32(int32(min(max-len(keys)+1, 1000)))
		page, err := st.client.Query(ctx, in)
		if err != nil {
			return nil, translate(err, "list event items")
		}
		for _, k := range page.Items {
			if str(k, AttrSK) != skMeta && len(keys) < max {
				keys = append(keys, k)
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	return keys, nil
}

// deleteAll deletes the items with the given keys in batches of 25,
// eraseConcurrency batches at a time. The first error stops the others.
func (st *Store) deleteAll(ctx context.Context, keys []map[string]types.AttributeValue) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(eraseConcurrency)
	for len(keys) > 0 {
		batch := keys[:min(batchSize, len(keys))]
		keys = keys[len(batch):]
		g.Go(func() error { return st.deleteBatch(gctx, batch) })
	}
	return g.Wait()
}

// batchSize is the most deletes one BatchWriteItem takes.
const batchSize = 25

// deleteBatch deletes up to 25 items in one BatchWriteItem, sending again
// what DynamoDB left unprocessed (it does so when throttled, without an
// error) until nothing is left or the attempts run out.
func (st *Store) deleteBatch(ctx context.Context, batch []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(batch))
	for i, k := range batch {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{AttrPK: k[AttrPK], AttrSK: k[AttrSK]}}}
	}
	pending := map[string][]types.WriteRequest{st.table: reqs}
	for attempt := 0; len(pending[st.table]) > 0; attempt++ {
		if attempt == eraseAttempts {
			return translate(context.DeadlineExceeded, "erase")
		}
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return translate(ctx.Err(), "erase")
			case <-time.After(min(time.Duration(25<<attempt)*time.Millisecond, eraseMaxBackoff)):
			}
		}
		out, err := st.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		if err != nil {
			return translate(err, "erase")
		}
		pending = out.UnprocessedItems
	}
	return nil
}

// FinishErasure implements retours.ErasureStore: once the event's item is
// the last of its partition, one transaction deletes it and marks the
// record done.
func (st *Store) FinishErasure(ctx context.Context, eventID string, now time.Time) (*retours.Erasure, error) {
	if !retours.ValidID(eventID) {
		return nil, retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	}
	if err := st.checkMarked(ctx, eventID); err != nil {
		if retours.ErrorCode(err) != retours.ENOTFOUND {
			return nil, err
		}
		// Finished already?
		er, err := st.Erasure(ctx, eventID)
		if err == nil && !er.Done() {
			err = retours.NewError(retours.ENOTFOUND, "erasure.not_found")
		}
		if err != nil {
			return nil, err
		}
		return er, nil
	}
	left, err := st.eventKeys(ctx, eventID, 1)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		return nil, retours.NewError(retours.ECONFLICT, "erasure.unfinished")
	}
	_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{
			TableName: aws.String(st.table), Key: key(eventPK(eventID), skMeta),
			ConditionExpression: aws.String("attribute_exists(#er)"), ExpressionAttributeNames: map[string]string{"#er": attrErasing},
		}},
		{Update: &types.Update{
			TableName: aws.String(st.table), Key: erasureKey(eventID),
			UpdateExpression:         aws.String("SET #state = :erased, #finished = :now, #progress = :now, #exp = :exp ADD #items :one"),
			ConditionExpression:      aws.String("attribute_exists(#state)"),
			ExpressionAttributeNames: map[string]string{"#state": "state", "#finished": "finished", "#progress": "progress", "#exp": AttrExpires, "#items": "items"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":erased": s(retours.ErasureDone), ":now": millis(now), ":exp": n(now.Add(retours.ErasureKept).Unix()), ":one": n(1),
			},
		}},
	}})
	if cancelledAt(err, 0) {
		return nil, retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	}
	if err != nil {
		return nil, translate(err, "finish erasure")
	}
	return st.Erasure(ctx, eventID)
}

// StalledErasures implements retours.ErasureStore: the events in the
// ERASING partition of GSI1, then each one's record.
func (st *Store) StalledErasures(ctx context.Context, before time.Time) ([]string, error) {
	var marked []string
	err := st.queryGSI1(ctx, gsiErasing, "0", "~", func(sk string) {
		_, id, _ := strings.Cut(sk, "#")
		marked = append(marked, id)
	})
	if err != nil {
		return nil, translate(err, "erasures")
	}
	var ids []string
	for _, id := range marked {
		er, err := st.Erasure(ctx, id)
		switch {
		case retours.ErrorCode(err) == retours.ENOTFOUND:
			// Marked without a record, which no step leaves: nothing to
			// resume from; its TTL removes it with the event's date.
		case err != nil:
			return nil, err
		case er.Progress.Before(before):
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// EraseEvent implements retours.EventStore: the erasure's steps within one
// call, then the record deleted with the event's item, so that nothing of
// the event is left. Without an event, it deletes what its partition still
// holds (an answer stored from a copy of the event read before the
// erasure). The mark carries the store's clock: a call cut short leaves
// the event marked, and the resumption of stalled erasures finishes it.
func (st *Store) EraseEvent(ctx context.Context, eventID string) (int, error) {
	if !retours.ValidID(eventID) {
		return 0, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	n := 0
	er, err := st.StartErasure(ctx, eventID, time.Now())
	switch {
	case err == nil && !er.Done():
		n += er.Items
	case err == nil, retours.ErrorCode(err) == retours.ENOTFOUND:
		er = nil
	default:
		return 0, err
	}
	for {
		keys, err := st.eventKeys(ctx, eventID, 1000)
		if err != nil {
			return n, err
		}
		if len(keys) == 0 {
			break
		}
		if err := st.deleteAll(ctx, keys); err != nil {
			return n, err
		}
		n += len(keys)
	}
	if er != nil {
		// The event's item first: a call cut short between the two leaves
		// a record with no event, which its TTL removes, never an event
		// marked without its record.
		for _, k := range []map[string]types.AttributeValue{key(eventPK(eventID), skMeta), erasureKey(eventID)} {
			if err := st.deleteBatch(ctx, []map[string]types.AttributeValue{k}); err != nil {
				return n, err
			}
		}
		n++
	}
	if n == 0 {
		return 0, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	return n, nil
}
