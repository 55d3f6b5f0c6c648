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

// The change feed: every answer, note and moderation item also has a
// keys-only GSI1 entry in the partition of its UTC day,
//
//	GSI1PK=DAY#<yyyy-mm-dd>  GSI1SK=<event>#<created_at or changed_at>
//
// so the hourly snapshots and the weekly digest find what changed by reading
// the keys of a few day partitions, never the whole table.
var _ retours.ChangeFeed = (*Store)(nil)

// ChangedEvents implements retours.ChangeFeed without a Scan: for each day
// since since, it lists the distinct events of the day's GSI1 partition,
// one Query each, jumping past each event's keys; then it adds the events
// whose answers closed in the period, from the GSI1 partition of events,
// sorted by closing time.
func (st *Store) ChangedEvents(ctx context.Context, since, until time.Time) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for day := since.UTC().Truncate(24 * time.Hour); !day.After(until); day = day.Add(24 * time.Hour) {
		from := "!" // before every event id
		for {
			out, err := st.client.Query(ctx, &dynamodb.QueryInput{
				TableName:                 aws.String(st.table),
				IndexName:                 aws.String(IndexGSI1),
				KeyConditionExpression:    aws.String("#pk = :pk AND #sk >= :from"),
				ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI1PK, "#sk": AttrGSI1SK},
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dayPK(day)), ":from": s(from)},
				Limit:                     aws.Int32(1),
			})
			if err != nil {
				return nil, translate(err, "changed events")
			}
			if len(out.Items) == 0 {
				break
			}
			id, _, _ := strings.Cut(str(out.Items[0], AttrGSI1SK), "#")
			add(id)
			// '$' follows '#': the next key past every "<id>#…".
			from = id + "$"
		}
	}
	p := dynamodb.NewQueryPaginator(st.client, &dynamodb.QueryInput{
		TableName:              aws.String(st.table),
		IndexName:              aws.String(IndexGSI1),
		KeyConditionExpression: aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrGSI1PK, "#sk": AttrGSI1SK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(gsiEvents), ":lo": s(since.UTC().Format(time.RFC3339)), ":hi": s(until.UTC().Format(time.RFC3339) + "~"),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate(err, "closed events")
		}
		for _, item := range page.Items {
			_, id, _ := strings.Cut(str(item, AttrGSI1SK), "#")
			add(id)
		}
	}
	return ids, nil
}

// CountSince implements retours.ChangeFeed with one Query of GSI1 per day
// from since to until, over the event's keys from since on: it reads only
// the recent items' keys.
func (st *Store) CountSince(ctx context.Context, e *retours.Event, since, until time.Time) (int, error) {
	since, until = since.UTC(), until.UTC()
	// created_at has a variable number of decimals, so keys do not sort
	// exactly by time within a second: start at the second, then compare.
	lo := e.ID + "#" + since.Format("2006-01-02T15:04:05")
	hi := e.ID + "#~"
	n := 0
	err := st.written(ctx, since, until, lo, hi, func(_ string, t time.Time) {
		if t.After(since) && !t.After(until) {
			n++
		}
	})
	return n, err
}

// ActiveEvents implements retours.ChangeFeed. It reads the keys of the
// GSI1 day partitions that cover [from, to): one query per UTC day, never a
// scan, and the KEYS_ONLY index keeps each item to its keys.
func (st *Store) ActiveEvents(ctx context.Context, from, to time.Time) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	err := st.written(ctx, from, to.Add(-time.Nanosecond), "", "", func(event string, t time.Time) {
		if !seen[event] && !t.Before(from) && t.Before(to) {
			seen[event] = true
			ids = append(ids, event)
		}
	})
	return ids, err
}

// written calls fn with the event and creation time of each answer and note
// in the GSI1 day partitions of first's UTC day to last's, whose GSI1SK lies
// between lo and hi (when lo is not ""). The table's sort key, which the
// KEYS_ONLY index keeps, tells them from moderation changes.
func (st *Store) written(ctx context.Context, first, last time.Time, lo, hi string, fn func(event string, created time.Time)) error {
	for day := first.UTC().Truncate(24 * time.Hour); !day.After(last); day = day.Add(24 * time.Hour) {
		in := &dynamodb.QueryInput{
			TableName:                 aws.String(st.table),
			IndexName:                 aws.String(IndexGSI1),
			KeyConditionExpression:    aws.String("#pk = :pk"),
			ProjectionExpression:      aws.String("#gsk, #sk"),
			ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI1PK, "#gsk": AttrGSI1SK, "#sk": AttrSK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dayPK(day))},
		}
		if lo != "" {
			in.KeyConditionExpression = aws.String("#pk = :pk AND #gsk BETWEEN :lo AND :hi")
			in.ExpressionAttributeValues[":lo"], in.ExpressionAttributeValues[":hi"] = s(lo), s(hi)
		}
		p := dynamodb.NewQueryPaginator(st.client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return translate(err, "query day")
			}
			for _, item := range page.Items {
				sk := str(item, AttrSK)
				if !strings.HasPrefix(sk, skAnswerPrefix) && !strings.HasPrefix(sk, skNotePrefix) {
					continue // a moderation change
				}
				// GSI1SK is <event>#<created_at>; event ids have no '#'.
				event, created, _ := strings.Cut(str(item, AttrGSI1SK), "#")
				if t, err := time.Parse(time.RFC3339Nano, created); err == nil {
					fn(event, t)
				}
			}
		}
	}
	return nil
}
