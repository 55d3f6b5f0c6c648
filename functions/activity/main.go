// Command activity is the Lambda function the table's stream invokes,
// through its event source mapping: it counts each event's new answers and
// notes into its activity, with one write per event and batch of records.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/retours/retours/internal/activity"
	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/dynamo"
)

func main() {
	cfg := app.Must(app.FromEnv(os.Getenv, false))
	log := app.Logger()
	awsCfg := app.Must(config.LoadDefaultConfig(context.Background()))
	c := &activity.Consumer{Store: dynamo.New(app.DynamoDB(awsCfg, false), cfg.Table), Log: log}
	lambda.Start(c.Handle)
}
