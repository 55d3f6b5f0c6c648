// Command digest is the Lambda function of the weekly digest. The Monday
// schedule invokes it to send the digests; API Gateway invokes it for the
// digest's routes (running it on demand, and the unsubscribe links).
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/gateway"
	"github.com/retours/retours/internal/app/secrets"
	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/ses"
)

func main() {
	s := app.Begin(app.Options{AnswersPeople: true, NeedAdmin: true, Secrets: secrets.FromAWS})
	st, cfg := s.Store, s.Config
	if err := cfg.CheckDigest(); err != nil {
		app.Exit(err)
	}
	var sender ses.Sender // none: the schedule sends nothing
	if cfg.DigestFrom != "" {
		sender = ses.NewSES(sesv2.NewFromConfig(s.AWS), cfg.DigestFrom, nil)
	}
	runner := digest.New(digest.Config{
		Events: st, Answers: st, Digests: st, Changes: st, Sender: sender,
		BaseURL: cfg.BaseURL, Secret: []byte(cfg.DigestSecret), Logger: s.Log,
	})
	gateway.ServeWithSchedule(s.Log, runner.Scheduled, (&digest.Server{Runner: runner, AdminToken: cfg.AdminToken}).Service())
}
