package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// batchSize is the most deletes one BatchWriteItem takes.
const batchSize = 25

// EraseEvent implements retours.EventStore. Every item of an event but its
// series entry lives in its partition, so erasing is: list the partition's
// keys, delete them and the series entry, and delete the event itself last, so that an erasure cut short leaves the event
// in place and the organiser can run it again. A participant whose request
// read the event just before it went may still write an answer: a last sweep
// catches it, and its TTL bounds what a request still in flight after that
// could leave.
func (s *Store) EraseEvent(ctx context.Context, eventID string) (int, error) {
	if !retours.ValidID(eventID) {
		return 0, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	pk := eventPK(eventID)
	var items []map[string]types.AttributeValue
	// The series entry is the one item of an event outside its partition.
	metaItem, err := s.getItem(ctx, pk, skMeta)
	switch code := retours.ErrorCode(err); {
	case code == "":
		e, err := unmarshalEvent(metaItem)
		if err != nil {
			return 0, err
		}
		if e.Series != "" {
			si := seriesItem(e)
			items = append(items, map[string]types.AttributeValue{AttrPK: si[AttrPK], AttrSK: si[AttrSK]})
		}
	case code != retours.ENOTFOUND:
		return 0, err
	}
	keys, err := s.partitionKeys(ctx, pk)
	if err != nil {
		return 0, err
	}
	var meta map[string]types.AttributeValue
	for _, k := range keys {
		if k[AttrSK].(*types.AttributeValueMemberS).Value == skMeta {
			meta = k
		} else {
			items = append(items, k)
		}
	}
	if meta == nil && len(items) == 0 {
		return 0, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	n := 0
	if err := s.deleteKeys(ctx, items); err != nil {
		return n, err
	}
	n += len(items)
	if meta != nil {
		if err := s.deleteKeys(ctx, []map[string]types.AttributeValue{meta}); err != nil {
			return n, err
		}
		n++
	}
	late, err := s.partitionKeys(ctx, pk)
	if err != nil {
		return n, err
	}
	if err := s.deleteKeys(ctx, late); err != nil {
		return n, err
	}
	return n + len(late), nil
}

// partitionKeys returns the keys of every item in partition pk.
func (s *Store) partitionKeys(ctx context.Context, pk string) ([]map[string]types.AttributeValue, error) {
	p := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ProjectionExpression:      aws.String("#pk, #sk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ConsistentRead:            aws.Bool(true),
	})
	var keys []map[string]types.AttributeValue
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate(err, "list event items")
		}
		keys = append(keys, page.Items...)
	}
	return keys, nil
}

// deleteKeys deletes the items with the given keys, 25 at a time, sending
// again what DynamoDB left unprocessed (it does so when throttled, without an
// error) until nothing is left or the attempts run out.
func (s *Store) deleteKeys(ctx context.Context, keys []map[string]types.AttributeValue) error {
	for len(keys) > 0 {
		batch := keys[:min(batchSize, len(keys))]
		keys = keys[len(batch):]
		reqs := make([]types.WriteRequest, len(batch))
		for i, k := range batch {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{AttrPK: k[AttrPK], AttrSK: k[AttrSK]}}}
		}
		pending := map[string][]types.WriteRequest{s.table: reqs}
		for attempt := 0; len(pending[s.table]) > 0; attempt++ {
			if attempt == RetryMaxAttempts {
				return translate(context.DeadlineExceeded, "erase")
			}
			if attempt > 0 {
				select {
				case <-ctx.Done():
					return translate(ctx.Err(), "erase")
				case <-time.After(time.Duration(25<<attempt) * time.Millisecond):
				}
			}
			out, err := s.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return translate(err, "erase")
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}
