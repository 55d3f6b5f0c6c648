// Command digest is the Lambda function of the weekly digest. The Monday
// schedule invokes it to send the digests; API Gateway invokes it for the
// digest's routes (running it on demand, and the unsubscribe links).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/gateway"
	"github.com/retours/retours/internal/app/secrets"
	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/ses"
)

func main() {
	ctx := context.Background()
	awsCfg := app.Must(config.LoadDefaultConfig(ctx))
	getenv := app.Must(secrets.Resolve(ctx, secretsmanager.NewFromConfig(awsCfg), os.Getenv))
	cfg := app.Must(app.FromEnv(getenv, true))
	if err := cfg.CheckDigest(); err != nil {
		app.Exit(err)
	}
	log := app.Logger()
	var sender ses.Sender // none: the schedule sends nothing
	if cfg.DigestFrom != "" {
		sender = ses.NewSES(sesv2.NewFromConfig(awsCfg), cfg.DigestFrom, nil)
	}
	st := dynamo.New(app.DynamoDB(awsCfg, true), cfg.Table)
	runner := digest.New(digest.Config{
		Events: st, Answers: st, Digests: st, Changes: st, Sender: sender,
		BaseURL: cfg.BaseURL, Secret: []byte(cfg.DigestSecret), Logger: log,
	})
	gateway.ServeWithSchedule(log, runner.Scheduled, (&digest.Server{Runner: runner, AdminToken: cfg.AdminToken}).Service())
}
