// Command empty is the smallest aws-lambda-go function: the floor against
// which the benchmark compares the size and start-up time of retours'
// functions.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (string, error) { return "ok", nil })
}
