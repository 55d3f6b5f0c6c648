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
	for day := since.Truncate(24 * time.Hour); !day.After(until); day = day.Add(24 * time.Hour) {
		p := dynamodb.NewQueryPaginator(st.client, &dynamodb.QueryInput{
			TableName:                 aws.String(st.table),
			IndexName:                 aws.String(IndexGSI1),
			KeyConditionExpression:    aws.String("#pk = :pk AND #gsk BETWEEN :lo AND :hi"),
			ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI1PK, "#gsk": AttrGSI1SK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dayPK(day)), ":lo": s(lo), ":hi": s(hi)},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return 0, translate(err, "count since")
			}
			for _, item := range page.Items {
				if !answerOrNote(item) {
					continue
				}
				_, created, _ := strings.Cut(str(item, AttrGSI1SK), "#")
				if t, err := time.Parse(time.RFC3339Nano, created); err == nil && t.After(since) && !t.After(until) {
					n++
				}
			}
		}
	}
	return n, nil
}

// ActiveEvents implements retours.ChangeFeed. It reads the keys of the
// GSI1 day partitions that cover [from, to): one query per UTC day, never a
// scan, and the KEYS_ONLY index keeps each item to its keys. The table's
// sort key tells answers and notes from moderation changes, which are no
// news for the digest.
func (st *Store) ActiveEvents(ctx context.Context, from, to time.Time) ([]string, error) {
	from, to = from.UTC(), to.UTC()
	seen := map[string]bool{}
	var ids []string
	for day := from.Truncate(24 * time.Hour); day.Before(to); day = day.Add(24 * time.Hour) {
		p := dynamodb.NewQueryPaginator(st.client, &dynamodb.QueryInput{
			TableName:                 aws.String(st.table),
			IndexName:                 aws.String(IndexGSI1),
			KeyConditionExpression:    aws.String("#pk = :day"),
			ProjectionExpression:      aws.String("#sk, #tsk"),
			ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI1PK, "#sk": AttrGSI1SK, "#tsk": AttrSK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":day": s(dayPK(day))},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, translate(err, "query day")
			}
			for _, item := range page.Items {
				// GSI1SK is <event>#<created_at>; event ids have no '#'.
				event, created, ok := strings.Cut(str(item, AttrGSI1SK), "#")
				if !ok || seen[event] || !answerOrNote(item) {
					continue
				}
				t, err := time.Parse(time.RFC3339Nano, created)
				if err != nil || t.Before(from) || !t.Before(to) {
					continue
				}
				seen[event] = true
				ids = append(ids, event)
			}
		}
	}
	return ids, nil
}

// answerOrNote reports whether an item of a day partition is an answer or a
// note, not a moderation change.
func answerOrNote(item map[string]types.AttributeValue) bool {
	sk := str(item, AttrSK)
	return strings.HasPrefix(sk, skAnswerPrefix) || strings.HasPrefix(sk, skNotePrefix)
}
