// Command activity is the Lambda function the table's stream invokes,
// through its event source mapping: it counts each event's new answers and
// notes into its activity, with one write per event and batch of records.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/retours/retours/internal/activity"
	"github.com/retours/retours/internal/app"
)

func main() {
	s := app.Begin(app.Options{})
	c := &activity.Consumer{Store: s.Store(), Log: s.Log}
	lambda.Start(c.Handle)
}
