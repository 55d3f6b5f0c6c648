package dynamo

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// The administrator's list of events reads the EVENTS partition of GSI1
// (keys only) backwards, a page of keys at a time, and the events of each
// page with one BatchGetItem: a page of events costs one Query and one
// batch read of their items, however many events the deployment has. A
// filter is applied to the events read, so that a search reads the events
// in closing order until it has a page, or MaxScan events, and says where
// to go on.

var _ retours.EventLister = (*Store)(nil)

// maxBatchGet is the most keys one BatchGetItem takes.
const maxBatchGet = 100

// ListEvents implements retours.EventLister.
func (st *Store) ListEvents(ctx context.Context, q retours.EventQuery) (*retours.EventPage, error) {
	limit := max(q.Limit, 1)
	maxScan := q.MaxScan
	if maxScan <= 0 {
		maxScan = 1 << 30
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(st.table),
		IndexName:                 aws.String(IndexGSI1),
		KeyConditionExpression:    aws.String("#gpk = :events"),
		ExpressionAttributeNames:  map[string]string{"#gpk": AttrGSI1PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":events": s(gsiEvents)},
		ScanIndexForward:          aws.Bool(false),
	}
	if c := q.After; c != nil {
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			AttrPK: s(eventPK(c.ID)), AttrSK: s(skMeta), AttrGSI1PK: s(gsiEvents),
			AttrGSI1SK: s(c.ClosesAt.UTC().Format(time.RFC3339) + "#" + c.ID),
		}
	}
	page := &retours.EventPage{Events: []*retours.Event{}}
	scanned := 0
	for {
		in.Limit = aws.Int32(int32(min(maxBatchGet, limit-len(page.Events), maxScan-scanned)))
		out, err := st.client.Query(ctx, in)
		if err != nil {
			return nil, translate(err, "list events")
		}
		events, err := st.batchEvents(ctx, out.Items)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if e != nil && (q.Match == nil || q.Match(e)) {
				page.Events = append(page.Events, e)
			}
		}
		scanned += len(out.Items)
		if len(out.LastEvaluatedKey) == 0 {
			return page, nil
		}
		if len(page.Events) >= limit || scanned >= maxScan {
			last := out.LastEvaluatedKey
			closes, id, _ := strings.Cut(str(last, AttrGSI1SK), "#")
			at, err := time.Parse(time.RFC3339, closes)
			if err != nil {
				return nil, err
			}
			page.Next = &retours.EventCursor{ClosesAt: at.UTC(), ID: id}
			return page, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// batchEvents reads the events of index keys in their order, with
// BatchGetItem (batchGetItems); an event erased, or being erased, since its
// key was read is nil.
func (st *Store) batchEvents(ctx context.Context, keys []map[string]types.AttributeValue) ([]*retours.Event, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	req := make([]map[string]types.AttributeValue, len(keys))
	for i, k := range keys {
		req[i] = map[string]types.AttributeValue{AttrPK: k[AttrPK], AttrSK: k[AttrSK]}
	}
	items, err := st.batchGetItems(ctx, req, "list events")
	if err != nil {
		return nil, err
	}
	byPK := map[string]*retours.Event{}
	for _, item := range items {
		if _, erasing := item[attrErasing]; erasing {
			continue // marked since the index was read, which it leaves
		}
		e, err := unmarshalEvent(item)
		if err != nil {
			return nil, err
		}
		byPK[str(item, AttrPK)] = e
	}
	events := make([]*retours.Event, len(keys))
	for i, k := range keys {
		events[i] = byPK[str(k, AttrPK)]
	}
	return events, nil
}
