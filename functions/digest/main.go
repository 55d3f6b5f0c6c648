// Command digest is the Lambda function of the weekly digest. The Monday
// schedule invokes it to send the digests; API Gateway invokes it for the
// digest's routes (running it on demand, and the unsubscribe links).
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
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/secrets"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/httpapi"
	"github.com/retours/retours/internal/ses"
)

func main() {
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		app.Exit(err)
	}
	getenv, err := secrets.Resolve(context.Background(), secretsmanager.NewFromConfig(awsCfg), os.Getenv)
	if err != nil {
		app.Exit(err)
	}
	cfg, err := app.FromEnv(getenv, true)
	if err == nil {
		err = cfg.CheckDigest()
	}
	if err != nil {
		app.Exit(err)
	}
	log := lambdacontext.NewLogger()
	slog.SetDefault(log)
	if cfg.DigestFrom != "" {
		cfg.Sender = ses.NewSES(sesv2.NewFromConfig(awsCfg), cfg.DigestFrom, nil)
	}
	client := dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		o.Retryer, o.HTTPClient = dynamo.NewRetryer(), dynamo.NewHTTPClient()
	})
	srv := app.NewServer(cfg, client, log)
	lambda.Start(app.DigestHandler(app.NewDigests(cfg, client, log), srv.Handler(httpapi.FuncDigest), time.Now, log))
}
