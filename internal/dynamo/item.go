package dynamo

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// AnswerItem returns the item PutAnswer stores for a. The benchmark writes it
// with a bare PutItem as the floor of a submission's cost.
func AnswerItem(a *retours.Answer, expires time.Time) map[string]types.AttributeValue {
	return marshalAnswer(a, expires)
}
