package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

var _ retours.DigestStore = (*Store)(nil)

const (
	digestPrefix   = "DIGEST#"
	skOrganiser    = "ORGANISER#"
	skUnsubPrefix  = "UNSUB#"
	digestKeepDays = 400 // digest records outlive the yearly look back at what was sent
	statusPending  = "pending"
	statusSent     = "sent"
)

// EventsClosingSince implements retours.DigestStore through the EVENTS
// partition of GSI1, sorted by closing time, so that it reads only the
// events open during the period and never the whole history.
func (st *Store) EventsClosingSince(ctx context.Context, t time.Time) ([]*retours.Event, error) {
	p := newQueryPages(st.client, &dynamodb.QueryInput{
		TableName:                aws.String(st.table),
		IndexName:                aws.String(IndexGSI1),
		KeyConditionExpression:   aws.String("#pk = :events AND #sk >= :since"),
		ProjectionExpression:     aws.String("#id"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrGSI1PK, "#sk": AttrGSI1SK, "#id": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":events": s(gsiEvents), ":since": s(t.UTC().Format(time.RFC3339)),
		},
	})
	var events []*retours.Event
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate(err, "query events")
		}
		for _, item := range page.Items {
			e, err := st.Event(ctx, cut(str(item, AttrPK), "EVENT#"))
			if retours.ErrorCode(err) == retours.ENOTFOUND {
				continue // erased between the two reads
			}
			if err != nil {
				return nil, err
			}
			events = append(events, e)
		}
	}
	return events, nil
}

func digestKey(c retours.DigestClaim) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: s(digestPrefix + c.Week), AttrSK: s(skOrganiser + c.Organiser)}
}

func millis(t time.Time) types.AttributeValue { return n(t.UnixMilli()) }

// ClaimDigest implements retours.DigestStore with one conditional update:
// of two overlapping runs, only one sees its condition hold. The other gets
// the record as it was, which says whether it was sent or until when
// another attempt holds it.
func (st *Store) ClaimDigest(ctx context.Context, c retours.DigestClaim, now, leaseUntil time.Time) (time.Time, error) {
	_, err := st.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(st.table),
		Key:                 digestKey(c),
		UpdateExpression:    aws.String("SET #status = :pending, attempt = :attempt, lease_until = :lease, claimed_at = :now, #exp = :exp ADD attempts :one"),
		ConditionExpression: aws.String("attribute_not_exists(#pk) OR (#status = :pending AND lease_until < :now)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK, "#status": "status", "#exp": AttrExpires,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pending": s(statusPending), ":attempt": s(c.Attempt), ":lease": millis(leaseUntil), ":now": millis(now),
			":exp": n(now.AddDate(0, 0, digestKeepDays).Unix()), ":one": n(1),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if cf, ok := isConditionFailed(err); ok {
		if str(cf.Item, "status") == statusSent {
			return time.Time{}, retours.NewError(retours.ECONFLICT, "digest.sent")
		}
		return time.UnixMilli(num64(cf.Item, "lease_until")).UTC(), retours.NewError(retours.ECONFLICT, "digest.claimed")
	}
	return time.Time{}, translate(err, "claim digest")
}

// RenewDigest implements retours.DigestStore.
func (st *Store) RenewDigest(ctx context.Context, c retours.DigestClaim, leaseUntil time.Time) error {
	return st.updateClaim(ctx, c, "SET lease_until = :lease", map[string]types.AttributeValue{":lease": millis(leaseUntil)})
}

// DigestSent implements retours.DigestStore.
func (st *Store) DigestSent(ctx context.Context, c retours.DigestClaim, now time.Time, messageID string) error {
	return st.updateClaim(ctx, c, "SET #status = :sent, sent_at = :now, message_id = :mid REMOVE lease_until, last_error",
		map[string]types.AttributeValue{":sent": s(statusSent), ":now": s(now.UTC().Format(time.RFC3339)), ":mid": s(messageID)})
}

// DigestFailed implements retours.DigestStore. A lease of zero lets the very
// next run claim the digest again.
func (st *Store) DigestFailed(ctx context.Context, c retours.DigestClaim, code string) error {
	return st.updateClaim(ctx, c, "SET lease_until = :zero, last_error = :code",
		map[string]types.AttributeValue{":zero": n(0), ":code": s(code)})
}

// updateClaim applies update to the digest record if attempt c still holds it.
func (st *Store) updateClaim(ctx context.Context, c retours.DigestClaim, update string, values map[string]types.AttributeValue) error {
	values[":attempt"] = s(c.Attempt)
	values[":pending"] = s(statusPending)
	_, err := st.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.table),
		Key:                       digestKey(c),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("attempt = :attempt AND #status = :pending"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
	})
	if _, ok := isConditionFailed(err); ok {
		return retours.NewError(retours.ECONFLICT, "digest.lease_lost")
	}
	return translate(err, "update digest")
}

// Unsubscribe implements retours.DigestStore. The record lives in the
// event's partition and expires with it, so erasing an event erases it too;
// it is written in a transaction with the check that the event lives, so
// that an erasure under way is not undone.
func (st *Store) Unsubscribe(ctx context.Context, e *retours.Event, organiser string, now time.Time) error {
	_, err := st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		st.liveEvent(e.ID),
		{Put: &types.Put{
			TableName: aws.String(st.table),
			Item: map[string]types.AttributeValue{
				AttrPK:       s(eventPK(e.ID)),
				AttrSK:       s(skUnsubPrefix + organiser),
				AttrExpires:  n(e.ExpiresAt().Unix()),
				"type":       s("unsubscription"),
				"created_at": s(now.UTC().Format(time.RFC3339)),
			},
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
		}},
	}})
	switch {
	case cancelledAt(err, 0):
		return eventGone()
	case cancelledAt(err, 1):
		return nil // already unsubscribed: keep the first date
	}
	return translate(err, "unsubscribe")
}

// Unsubscribed implements retours.DigestStore.
func (st *Store) Unsubscribed(ctx context.Context, eventID string) (map[string]bool, error) {
	out := map[string]bool{}
	// Organiser ids are lower-case hexadecimal, like submission ids, so the
	// parallel partition read applies.
	err := queryPrefix(ctx, st, eventPK(eventID), skUnsubPrefix, func(item map[string]types.AttributeValue) (string, error) {
		return cut(str(item, AttrSK), skUnsubPrefix), nil
	}, func(org string) error {
		out[org] = true
		return nil
	})
	return out, err
}
