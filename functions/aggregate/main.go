// Command aggregate is the Lambda function that EventBridge Scheduler runs
// every hour: it stores a fresh bilan snapshot of each event that changed or
// closed since the previous run.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/app"
)

func main() {
	s := app.Begin(app.Options{})
	r := &aggregate.Runner{Store: s.Store, Now: time.Now, Log: s.Log, Period: time.Hour}
	lambda.Start(func(ctx context.Context) error {
		_, err := r.Run(ctx)
		return err
	})
}
