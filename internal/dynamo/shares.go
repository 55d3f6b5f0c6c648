package dynamo

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// A share of a session's results is an item of its event's partition, keyed
// by its token's hash, so that the speaker's link is checked with one
// GetItem, and erased with the event:
//
//	share       PK=EVENT#<event>  SK=SHARE#<token hash>
const skSharePrefix = "SHARE#"

var _ retours.ShareStore = (*Store)(nil)

// CreateShare implements retours.ShareStore, in a transaction with the
// check that the event lives.
func (st *Store) CreateShare(ctx context.Context, e *retours.Event, sh *retours.Share, edit *retours.Edit) error {
	n, err := st.count(ctx, eventPK(e.ID), skSharePrefix)
	if err != nil {
		return err
	}
	if n >= retours.MaxShares {
		return retours.NewError(retours.ECONFLICT, "share.too_many", retours.MaxShares)
	}
	put := types.TransactWriteItem{Put: &types.Put{
		TableName: aws.String(st.table),
		Item: map[string]types.AttributeValue{
			AttrPK:       s(eventPK(e.ID)),
			AttrSK:       s(skSharePrefix + sh.Hash),
			AttrExpires:  n64(e.ExpiresAt().Unix()),
			"type":       s("share"),
			"id":         s(sh.ID),
			"session":    s(sh.SessionID),
			"created_at": s(sh.CreatedAt.UTC().Format(time.RFC3339Nano)),
			"created_by": s(sh.CreatedBy),
		},
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
	}}
	_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: st.withEdit(e.ID, e.ExpiresAt(), edit, st.liveEvent(e.ID), put)})
	if cancelledAt(err, 0) {
		return eventGone()
	}
	return translate(err, "create share")
}

func n64(v int64) types.AttributeValue { return n(v) }

func unmarshalShare(eventID string, item map[string]types.AttributeValue) (*retours.Share, error) {
	at, err := time.Parse(time.RFC3339Nano, str(item, "created_at"))
	if err != nil {
		return nil, err
	}
	return &retours.Share{ID: str(item, "id"), EventID: eventID, SessionID: str(item, "session"),
		Hash: strings.TrimPrefix(str(item, AttrSK), skSharePrefix), CreatedAt: at.UTC(), CreatedBy: str(item, "created_by")}, nil
}

// ShareByHash implements retours.ShareStore.
func (st *Store) ShareByHash(ctx context.Context, eventID, hash string) (*retours.Share, error) {
	notFound := retours.NewError(retours.ENOTFOUND, "share.not_found")
	if !retours.ValidID(eventID) || hash == "" {
		return nil, notFound
	}
	item, err := st.getItem(ctx, eventPK(eventID), skSharePrefix+hash)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	return unmarshalShare(eventID, item)
}

// Shares implements retours.ShareStore.
func (st *Store) Shares(ctx context.Context, eventID string) ([]retours.Share, error) {
	out := []retours.Share{}
	if !retours.ValidID(eventID) {
		return out, nil
	}
	err := st.queryPages(ctx, st.prefixQuery(eventPK(eventID), skSharePrefix, nil), func(_ context.Context, page *dynamodb.QueryOutput) error {
		for _, item := range page.Items {
			sh, err := unmarshalShare(eventID, item)
			if err != nil {
				return err
			}
			out = append(out, *sh)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	retours.SortShares(out)
	return out, nil
}

// RevokeShare implements retours.ShareStore: the share is found among the
// event's few, then deleted with the record of its revocation, while the
// event lives.
func (st *Store) RevokeShare(ctx context.Context, e *retours.Event, id string, edit *retours.Edit) error {
	shares, err := st.Shares(ctx, e.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(shares, func(sh retours.Share) bool { return sh.ID == id })
	if i < 0 {
		return retours.NewError(retours.ENOTFOUND, "share.not_found")
	}
	del := types.TransactWriteItem{Delete: &types.Delete{
		TableName:                aws.String(st.table),
		Key:                      key(eventPK(e.ID), skSharePrefix+shares[i].Hash),
		ConditionExpression:      aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": AttrPK},
	}}
	_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: st.withEdit(e.ID, e.ExpiresAt(), edit, st.liveEvent(e.ID), del)})
	switch {
	case cancelledAt(err, 0):
		return eventGone()
	case cancelledAt(err, 1):
		return retours.NewError(retours.ENOTFOUND, "share.not_found")
	}
	return translate(err, "revoke share")
}
