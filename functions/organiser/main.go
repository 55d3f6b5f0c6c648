// Command organiser is the Lambda function behind the organisers' and
// administrators' routes. It serves the same handler as the local server, through the
// API Gateway HTTP API adapter.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/secrets"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/httpapi"
)

func main() {
	awsCfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryer(dynamo.NewRetryer), config.WithHTTPClient(dynamo.NewHTTPClient()))
	if err != nil {
		app.Exit(err)
	}
	getenv, err := secrets.Resolve(context.Background(), secretsmanager.NewFromConfig(awsCfg), os.Getenv)
	if err != nil {
		app.Exit(err)
	}
	cfg, err := app.FromEnv(getenv, true)
	if err != nil {
		app.Exit(err)
	}
	log := lambdacontext.NewLogger() // JSON and level from the function's LoggingConfig
	slog.SetDefault(log)
	srv := app.NewServer(cfg, dynamodb.NewFromConfig(awsCfg), log)
	lambda.Start(httpadapter.NewV2(srv.Handler(httpapi.FuncOrganiser)).ProxyWithContext)
}
