// Command organiser is the Lambda function behind the organisers' and
// administrators' routes: those of internal/organiser, through the API
// Gateway HTTP API adapter.
package main

import (
	"os"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/gateway"
	"github.com/retours/retours/internal/app/secrets"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/lambdainvoke"
	"github.com/retours/retours/internal/organiser"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/s3blob"
	"github.com/retours/retours/internal/web"
)

func main() {
	s := app.Begin(app.Options{AnswersPeople: true, NeedAdmin: true, Secrets: secrets.FromAWS})
	st, cfg := s.Store(), s.Config
	var files download.Files
	if cfg.DownloadsBucket != "" {
		files = s3blob.Lazy(func() *s3blob.Client { return s3blob.NewClient(s.AWS, s3blob.Endpoint(app.Endpoint(os.Getenv, "S3"))) }, cfg.DownloadsBucket)
	}
	invoke := lambdainvoke.NewClient(s.AWS, lambdainvoke.Endpoint(app.Endpoint(os.Getenv, "LAMBDA")))
	// The aggregate function prepares the downloads of large events, and
	// writes the spreadsheets while the request waits: this function does
	// not link the spreadsheet library, which would slow its cold starts.
	var (
		jobs    download.Starter
		prepare download.Preparer
	)
	if cfg.AggregateFunction != "" {
		aggregate := lambdainvoke.New(invoke, cfg.AggregateFunction)
		jobs, prepare = download.Invoke(aggregate), download.InvokeAndWait(aggregate)
	}
	// The erase function runs the erasures this function starts.
	erasure := &erase.Job{Store: st, Grace: retours.ErasureGrace(app.SurveyEventTTL, app.SurveyTimeout), Log: s.Log}
	if cfg.EraseFunction != "" {
		erasure.Trigger = erase.Invoke(lambdainvoke.New(invoke, cfg.EraseFunction))
	}
	srv := organiser.New(organiser.Config{
		Events: st, Answers: st, Snapshots: st, Moderation: st, Series: st, Changes: st, Pages: st,
		AdminToken: cfg.AdminToken, BaseURL: cfg.BaseURL, RetentionMonths: cfg.RetentionMonths,
		Files: files, Jobs: jobs, Prepare: prepare, Erasure: erasure, Deps: web.Deps{Logger: s.Log, Limiter: gateway.Limiter(s)},
	})
	gateway.Serve(s, srv.Service())
}
