// Package dynamo stores retours' events, answers and notes in one DynamoDB
// table (single-table design; see the README's "Data model").
//
// Keys:
//
//	event          PK=EVENT#<event>  SK=META                 GSI1PK=EVENTS   GSI1SK=<closes_at>#<event>
//	answer         PK=EVENT#<event>  SK=ANSWER#<submission>
//	note           PK=EVENT#<event>  SK=NOTE#<submission>
//	activity       PK=EVENT#<event>  SK=ACTIVITY             GSI1PK=ACTIVITY GSI1SK=<last write>#<event>
//	unsubscription PK=EVENT#<event>  SK=UNSUB#<organiser>
//	digest         PK=DIGEST#<week>  SK=ORGANISER#<organiser>
//	bilan snapshot PK=EVENT#<event>  SK=BILAN#<lang>
//	series entry   PK=SERIES#<series> SK=EDITION#<000000 edition>#<event>
//	rate counter   PK=LIMIT#<client hash> SK=<class>#<event>#<window start> (ratelimit.go)
//
// <organiser> is retours.OrganiserID of the address, <week> an ISO week
// ("2026-W48"). An answer or a note is one item and one write, with no index
// entry: the table's stream carries it to the consumer that counts it in its
// event's activity (activity.go, stream.go), whose one GSI1 entry per event
// says which events changed. The weekly digest finds the events an
// organiser follows through the EVENTS partition from a week ago on.
// snapshot.go and series.go say why the bilan's items exist; query.go how a
// large partition is read.
//
// Answers and notes are keyed by the client's submission id, so a retried
// submit meets a failed condition and gets the stored item back: the first
// write wins and nothing is doubled.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/retours/retours/internal/retours"
)

// Attribute and index names shared with template.yaml (a test keeps them in step).
const (
	AttrPK      = "PK"
	AttrSK      = "SK"
	AttrGSI1PK  = "GSI1PK"
	AttrGSI1SK  = "GSI1SK"
	AttrExpires = "expires_at" // TTL attribute, epoch seconds
	IndexGSI1   = "GSI1"
)

// Store is the DynamoDB implementation of every store interface of
// retours: events, answers and notes, snapshots, moderation, series, the
// change feed and each event's activity, and digests.
type Store struct {
	client client
	table  string
}

// client is the part of the DynamoDB API the store calls: the client's
// methods as values, not the *dynamodb.Client. A type held in an interface
// keeps every exported method it has in a binary that renders templates
// (html/template calls methods by name, so the linker keeps them all), and
// a Store, whose fields the linker follows, is held in interfaces: with the
// client itself in it, every function would link all of DynamoDB's
// operations, about 2 MB. An operation the store starts calling is one
// more field here.
type client struct {
	GetItem            func(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem            func(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem         func(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query              func(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchWriteItem     func(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems func(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchGetItem       func(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

var (
	_ retours.EventStore  = (*Store)(nil)
	_ retours.AnswerStore = (*Store)(nil)
)

// New returns a store on the given table. Pointing client at AWS or at
// DynamoDB Local is the caller's choice.
func New(c *dynamodb.Client, table string) *Store {
	return &Store{table: table, client: client{
		GetItem: c.GetItem, PutItem: c.PutItem, UpdateItem: c.UpdateItem, Query: c.Query,
		BatchWriteItem: c.BatchWriteItem, TransactWriteItems: c.TransactWriteItems, BatchGetItem: c.BatchGetItem,
	}}
}

// Table returns the name of the store's table.
func (s *Store) Table() string { return s.table }

func eventPK(id string) string { return "EVENT#" + id }

const (
	skMeta         = "META"
	skAnswerPrefix = "ANSWER#"
	skNotePrefix   = "NOTE#"
	gsiEvents      = "EVENTS"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// translate turns SDK errors into domain errors at the storage boundary.
func translate(err error, op string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"}
	}
	var (
		api     smithy.APIError
		maxErr  *retry.MaxAttemptsError
		netErr  net.Error
		throttl bool
	)
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
			"InternalServerError", "ServiceUnavailable", "TransactionConflictException":
			throttl = true
		}
	}
	if throttl || errors.As(err, &maxErr) || errors.As(err, &netErr) {
		return fmt.Errorf("dynamo: %s: %w", op, &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"})
	}
	return fmt.Errorf("dynamo: %s: %w", op, err)
}

func isConditionFailed(err error) (*types.ConditionalCheckFailedException, bool) {
	var cf *types.ConditionalCheckFailedException
	if errors.As(err, &cf) {
		return cf, true
	}
	return nil, false
}

// getItem reads one item with a strongly consistent read.
func (s *Store) getItem(ctx context.Context, pk, sk string) (map[string]types.AttributeValue, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: pk}, AttrSK: &types.AttributeValueMemberS{Value: sk}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, translate(err, "get item")
	}
	if len(out.Item) == 0 {
		return nil, retours.NewError(retours.ENOTFOUND, "not_found")
	}
	return out.Item, nil
}

// batchGetItems reads the items of keys (100 at most) with strongly
// consistent BatchGetItem, sending again what DynamoDB leaves unprocessed,
// and returns those that exist, in no particular order. what names the read
// in errors.
func (s *Store) batchGetItems(ctx context.Context, keys []map[string]types.AttributeValue, what string) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	pending := map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	for attempt := 0; len(pending[s.table].Keys) > 0; attempt++ {
		if attempt == RetryMaxAttempts {
			return nil, translate(context.DeadlineExceeded, what)
		}
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, translate(ctx.Err(), what)
			case <-time.After(time.Duration(25<<attempt) * time.Millisecond):
			}
		}
		out, err := s.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
		if err != nil {
			return nil, translate(err, what)
		}
		items = append(items, out.Responses[s.table]...)
		pending = out.UnprocessedKeys
	}
	return items, nil
}

func cut(sk, prefix string) string { return strings.TrimPrefix(sk, prefix) }
