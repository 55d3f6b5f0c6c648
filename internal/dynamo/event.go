package dynamo

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// The event's structure (sessions, questionnaire) is stored as one JSON
// attribute: it is always read and written whole, and JSON keeps the item
// small and its decoding fast.
const eventVersion = 1

// CreateEvent implements retours.EventStore.
func (s *Store) CreateEvent(ctx context.Context, e *retours.Event) error {
	item, err := marshalEvent(e)
	if err != nil {
		return err
	}
	if e.Series != "" {
		return s.createInSeries(ctx, e, item)
	}
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK,
		},
	})
	if _, ok := isConditionFailed(err); ok {
		return s.createdAlready(ctx, e, item)
	}
	return translate(err, "create event")
}

// createdAlready answers a create whose condition failed: nil when the
// event stored is exactly the one being created — an earlier attempt of
// this same call succeeded but its answer was lost (an attempt cut off by
// AttemptTimeout, a dropped connection) and the retryer sent it again —
// and a conflict otherwise. The item holds the hashes of the event's new
// random tokens, so no other call can have written the same one.
func (s *Store) createdAlready(ctx context.Context, e *retours.Event, item map[string]types.AttributeValue) error {
	stored, err := s.getItem(ctx, eventPK(e.ID), skMeta)
	if err == nil && sameAttr(stored, item, "data") && sameAttr(stored, item, attrAccesses) {
		return nil
	}
	if err != nil && retours.ErrorCode(err) != retours.ENOTFOUND {
		return err
	}
	return retours.NewError(retours.ECONFLICT, "event.exists")
}

// sameAttr reports whether the string attribute name is the same in a and b.
func sameAttr(a, b map[string]types.AttributeValue, name string) bool {
	x, ok1 := a[name].(*types.AttributeValueMemberS)
	y, ok2 := b[name].(*types.AttributeValueMemberS)
	return ok1 && ok2 && x.Value == y.Value
}

// createInSeries writes the event and its series entry (see series.go)
// together, so that the previous edition of a series is never missed.
func (s *Store) createInSeries(ctx context.Context, e *retours.Event, item map[string]types.AttributeValue) error {
	_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{
			TableName:                aws.String(s.table),
			Item:                     item,
			ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
		}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: seriesItem(e)}},
	}})
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) && len(tc.CancellationReasons) > 0 && aws.ToString(tc.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		return s.createdAlready(ctx, e, item)
	}
	return translate(err, "create event")
}

// Event implements retours.EventStore.
func (s *Store) Event(ctx context.Context, id string) (*retours.Event, error) {
	if !retours.ValidID(id) {
		return nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	item, err := s.getItem(ctx, eventPK(id), skMeta)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	if err != nil {
		return nil, err
	}
	if _, erasing := item[attrErasing]; erasing {
		return nil, retours.NewError(retours.ENOTFOUND, "event.erasing")
	}
	return unmarshalEvent(item)
}

// storedEvent is the JSON of the data attribute. TokenHash is read from it
// for events stored before the hash had its own attribute.
type storedEvent struct {
	*retours.Event
	TokenHash string `json:"token_hash,omitempty"`
}

// The accesses are an attribute of their own, the JSON of the list, so that
// granting or revoking one writes no definition, and an edit of the
// definition leaves them; each is written on condition that the other is as
// it was read (edits.go). ver is the definition's version, the condition of
// its edits. Events stored before they had several accesses hold their one
// organiser token's hash in token_hash, read as their first access.
const (
	attrTokenHash = "token_hash"
	attrAccesses  = "accesses"
	attrVersion   = "ver"
)

func marshalEvent(e *retours.Event) (map[string]types.AttributeValue, error) {
	data, err := json.Marshal(storedEvent{Event: e})
	if err != nil {
		return nil, fmt.Errorf("dynamo: marshal event: %w", err)
	}
	accesses, err := json.Marshal(e.Accesses)
	if err != nil {
		return nil, fmt.Errorf("dynamo: marshal accesses: %w", err)
	}
	// DynamoDB would refuse the item with a ValidationException: say why.
	if len(data) > retours.MaxEventBytes {
		return nil, retours.NewError(retours.EINVALID, "event.too_large", retours.MaxEventBytes>>10)
	}
	return map[string]types.AttributeValue{
		AttrPK:       s(eventPK(e.ID)),
		AttrSK:       s(skMeta),
		AttrGSI1PK:   s(gsiEvents),
		AttrGSI1SK:   s(e.ClosesAt.UTC().Format(time.RFC3339) + "#" + e.ID),
		"type":       s("event"),
		"v":          n(eventVersion),
		"data":       s(string(data)),
		AttrExpires:  n(e.ExpiresAt().Unix()),
		"created_at": s(e.CreatedAt.UTC().Format(time.RFC3339Nano)),
		attrAccesses: s(string(accesses)),
		attrVersion:  n(int64(e.Version)),
	}, nil
}

func unmarshalEvent(item map[string]types.AttributeValue) (*retours.Event, error) {
	data, ok := item["data"].(*types.AttributeValueMemberS)
	if !ok {
		return nil, fmt.Errorf("dynamo: event item without data")
	}
	e := &retours.Event{}
	se := storedEvent{Event: e}
	if err := json.Unmarshal([]byte(data.Value), &se); err != nil {
		// Not wrapped: a stored event this version cannot read (a question
		// kind it does not know) is an internal error, not the caller's
		// invalid input.
		return nil, fmt.Errorf("dynamo: unmarshal event %s: %v", str(item, AttrPK), err)
	}
	if acc, ok := item[attrAccesses].(*types.AttributeValueMemberS); ok {
		if err := json.Unmarshal([]byte(acc.Value), &e.Accesses); err != nil {
			return nil, fmt.Errorf("dynamo: unmarshal accesses of %s: %v", str(item, AttrPK), err)
		}
	} else if h := cmp.Or(str(item, attrTokenHash), se.TokenHash); h != "" {
		e.Accesses = []retours.Access{legacyAccess(e, h)}
	}
	if e.Version == 0 {
		e.Version = 1 // stored before events had versions
	}
	return e, nil
}

// legacyAccess is the one access of an event stored before it could have
// several: its organiser token, of hash.
func legacyAccess(e *retours.Event, hash string) retours.Access {
	return retours.Access{ID: retours.FirstAccessID, Hash: hash, CreatedAt: e.CreatedAt.UTC()}
}
