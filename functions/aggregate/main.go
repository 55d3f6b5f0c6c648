// Command aggregate is the Lambda function that EventBridge Scheduler runs
// every hour: it stores a fresh bilan snapshot of each event that changed or
// closed since the previous run.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/retours/retours/internal/aggregate"
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
	r := &aggregate.Runner{
		Store: dynamo.New(dynamodb.NewFromConfig(awsCfg), cfg.Table),
		Now:   time.Now, Log: log, Period: time.Hour,
	}
	lambda.Start(func(ctx context.Context) error {
		_, err := r.Run(ctx)
		return err
	})
}
