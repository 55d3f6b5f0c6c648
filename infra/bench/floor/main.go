// Command floor is the floor of a function's start-up in the benchmark: what
// every function of retours does before its first answer and nothing more.
// It builds the DynamoDB client as the functions do (app.AWS, app.DynamoDB),
// and answers API Gateway's request for an event's page with one GetItem of
// that event's item, as the survey function's first read is.
package main

import (
	"context"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/app"
)

func main() {
	client := app.DynamoDB(app.Must(app.AWS(os.Getenv)), true)
	table := os.Getenv("TABLE_NAME")
	lambda.Start(func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		// /e/{event}/…: the event's item, keyed as internal/dynamo keys it.
		id, _, _ := strings.Cut(strings.TrimPrefix(req.RawPath, "/e/"), "/")
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(table),
			Key: map[string]types.AttributeValue{
				"PK": &types.AttributeValueMemberS{Value: "EVENT#" + id},
				"SK": &types.AttributeValueMemberS{Value: "META"},
			},
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return events.APIGatewayV2HTTPResponse{}, err
		}
		if len(out.Item) == 0 {
			return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNotFound}, nil
		}
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK, Body: "ok"}, nil
	})
}
