package dynamo

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Rate limits' counters (internal/ratelimit): one item per client, class,
// event and window,
//
//	rate counter   PK=LIMIT#<client hash>  SK=<class>#<event>#<window start>
//
// holding n and the TTL attribute, and nothing of the request. One
// conditional UpdateItem counts a hit: every instance of every function
// shares the count, and a client at its limit writes nothing more. The
// client's items share a partition: one client's hits are far below its
// 1,000 writes a second. No stream filter matches them.

// limitKey returns the keys of the counter id ("<client>#<rest>").
func limitKey(id string) map[string]types.AttributeValue {
	client, rest, _ := strings.Cut(id, "#")
	return map[string]types.AttributeValue{
		AttrPK: &types.AttributeValueMemberS{Value: "LIMIT#" + client},
		AttrSK: &types.AttributeValueMemberS{Value: rest},
	}
}

// Hit adds one to the counter id unless it holds limit already (see
// ratelimit.Counter).
func (s *Store) Hit(ctx context.Context, id string, limit int, expires time.Time) (bool, error) {
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      limitKey(id),
		UpdateExpression:         aws.String("ADD #n :one SET #exp = if_not_exists(#exp, :exp), #type = :type"),
		ConditionExpression:      aws.String("attribute_not_exists(#n) OR #n < :limit"),
		ExpressionAttributeNames: map[string]string{"#n": "n", "#exp": AttrExpires, "#type": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one":   &types.AttributeValueMemberN{Value: "1"},
			":limit": &types.AttributeValueMemberN{Value: strconv.Itoa(limit)},
			":exp":   &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
			":type":  &types.AttributeValueMemberS{Value: "limit"},
		},
	})
	if _, failed := isConditionFailed(err); failed {
		return false, nil
	}
	if err != nil {
		return false, translate(err, "count a hit")
	}
	return true, nil
}

// Hits returns the counter id (see ratelimit.Counter).
func (s *Store) Hits(ctx context.Context, id string) (int, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.table),
		Key:                      limitKey(id),
		ProjectionExpression:     aws.String("#n"),
		ExpressionAttributeNames: map[string]string{"#n": "n"},
	})
	if err != nil {
		return 0, translate(err, "read a counter")
	}
	n, ok := out.Item["n"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	return strconv.Atoi(n.Value)
}
