// Command digest is the Lambda function of the weekly digest. The Monday
// schedule invokes it to send the digests; API Gateway invokes it for the
// digest's routes (starting a run on demand, following it, and the
// unsubscribe links); and it invokes itself, asynchronously, to carry out a
// run started on demand.
package main

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/gateway"
	"github.com/retours/retours/internal/app/secrets"
	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/lambdainvoke"
	"github.com/retours/retours/internal/ses"
)

func main() {
	s := app.Begin(app.Options{AnswersPeople: true, NeedAdmin: true, Secrets: secrets.FromAWS})
	st, cfg := s.Store(), s.Config
	if err := cfg.CheckDigest(); err != nil {
		app.Exit(err)
	}
	var sender ses.Sender // none: the schedule sends nothing
	if cfg.DigestFrom != "" {
		client := sesv2.NewFromConfig(s.AWS, func(o *sesv2.Options) {
			if e := app.Endpoint(os.Getenv, "SESV2"); e != nil {
				o.BaseEndpoint = e
			}
		})
		sender = ses.NewSES(client, cfg.DigestFrom, nil)
	}
	runner := digest.New(digest.Config{
		Events: st, Answers: st, Digests: st, Changes: st, Sender: sender,
		BaseURL: cfg.BaseURL, Secret: []byte(cfg.DigestSecret), Logger: s.Log,
	})
	srv := &digest.Server{Runner: runner, AdminToken: cfg.AdminToken, Runs: st, Logger: s.Log, Limiter: gateway.Limiter(s)}
	if cfg.Self != "" {
		srv.Trigger = digest.Invoke(lambdainvoke.New(lambdainvoke.NewClient(s.AWS, lambdainvoke.Endpoint(app.Endpoint(os.Getenv, "LAMBDA"))), cfg.Self))
	}
	gateway.ServeWithEvents(s, srv.Handle, srv.Service())
}
