// Command aggregate is the Lambda function that EventBridge Scheduler runs
// every hour: it stores a fresh bilan snapshot of each event that changed or
// closed since the previous run.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/dynamo"
)

func main() {
	cfg := app.Must(app.FromEnv(os.Getenv, false))
	log := app.Logger()
	awsCfg := app.Must(config.LoadDefaultConfig(context.Background()))
	r := &aggregate.Runner{
		Store: dynamo.New(app.DynamoDB(awsCfg, false), cfg.Table),
		Now:   time.Now, Log: log, Period: time.Hour,
	}
	lambda.Start(func(ctx context.Context) error {
		_, err := r.Run(ctx)
		return err
	})
}
