package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// ReplaceToken implements retours.EventStore. The condition on the old hash
// makes two rotations at once end with one token, not two organisers each
// holding a token that the other's rotation silently revoked; the one on
// the erasure mark keeps the token an erasure started with, which its
// organisers follow it by.
func (s *Store) ReplaceToken(ctx context.Context, eventID, oldHash, newHash string) error {
	if !retours.ValidID(eventID) {
		return retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: eventPK(eventID)}, AttrSK: &types.AttributeValueMemberS{Value: skMeta}},
		UpdateExpression:                    aws.String("SET #th = :new"),
		ConditionExpression:                 aws.String("#th = :old AND attribute_not_exists(#er)"),
		ExpressionAttributeNames:            map[string]string{"#th": attrTokenHash, "#er": attrErasing},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":new": &types.AttributeValueMemberS{Value: newHash}, ":old": &types.AttributeValueMemberS{Value: oldHash}},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if cf, ok := isConditionFailed(err); ok {
		if len(cf.Item) == 0 {
			return retours.NewError(retours.ENOTFOUND, "event.not_found")
		}
		if _, erasing := cf.Item[attrErasing]; erasing {
			return retours.NewError(retours.ENOTFOUND, "event.erasing")
		}
		return retours.NewError(retours.ECONFLICT, "token.changed")
	}
	return translate(err, "replace token")
}
