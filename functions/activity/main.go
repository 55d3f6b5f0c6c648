// Command activity is the Lambda function the table's stream invokes,
// through its event source mapping: it counts each event's new answers and
// notes into its activity, with one write per event and batch of records.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/retours/retours/internal/activity"
	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/dynamo"
)

func main() {
	cfg, err := app.FromEnv(os.Getenv, false)
	if err != nil {
		app.Exit(err)
	}
	log := lambdacontext.NewLogger()
	slog.SetDefault(log)
	awsCfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryer(dynamo.NewRetryer))
	if err != nil {
		app.Exit(err)
	}
	c := &activity.Consumer{Store: dynamo.New(dynamodb.NewFromConfig(awsCfg), cfg.Table), Log: log}
	lambda.Start(c.Handle)
}
