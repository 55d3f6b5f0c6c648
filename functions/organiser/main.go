// Command organiser is the Lambda function behind the organisers' and
// administrators' routes: those of internal/organiser, through the API
// Gateway HTTP API adapter.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/gateway"
	"github.com/retours/retours/internal/app/secrets"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/organiser"
)

func main() {
	ctx := context.Background()
	awsCfg := app.Must(config.LoadDefaultConfig(ctx))
	getenv := app.Must(secrets.Resolve(ctx, secretsmanager.NewFromConfig(awsCfg), os.Getenv))
	cfg := app.Must(app.FromEnv(getenv, true))
	log := app.Logger()
	st := dynamo.New(app.DynamoDB(awsCfg, true), cfg.Table)
	srv := organiser.New(organiser.Config{
		Events: st, Answers: st, Snapshots: st, Moderation: st, Series: st, Changes: st,
		AdminToken: cfg.AdminToken, BaseURL: cfg.BaseURL, RetentionMonths: cfg.RetentionMonths,
		SurveyEventTTL: app.SurveyEventTTL, SurveyTimeout: app.SurveyTimeout, Logger: log,
	})
	gateway.Serve(log, srv.Service())
}
