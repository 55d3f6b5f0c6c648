// Command survey is the Lambda function behind the participants' pages and
// submissions: the routes of internal/survey, through the API Gateway HTTP
// API adapter.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/gateway"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/survey"
)

func main() {
	cfg := app.Must(app.FromEnv(os.Getenv, false))
	log := app.Logger()
	awsCfg := app.Must(config.LoadDefaultConfig(context.Background()))
	st := dynamo.New(app.DynamoDB(awsCfg, true), cfg.Table)
	srv := survey.New(survey.Config{
		Events: st, Answers: st, RetentionMonths: cfg.RetentionMonths,
		EventTTL: app.SurveyEventTTL, Logger: log,
	})
	gateway.Serve(log, srv.Service())
}
