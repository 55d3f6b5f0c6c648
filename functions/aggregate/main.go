// Command aggregate is the Lambda function that EventBridge Scheduler runs
// every hour: it stores a fresh bilan snapshot of each event that changed or
// closed since the previous run. The organiser function also invokes it to
// prepare a download of an event too large to read within a request, and
// to write the bilan's spreadsheets, whose library only this function
// links.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/bilan/xlsx"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/s3blob"
)

func main() {
	s := app.Begin(app.Options{})
	st := s.Store()
	r := &aggregate.Runner{Store: st, Now: time.Now, Log: s.Log, Period: time.Hour}
	w := &download.Worker{Events: st, Store: st, XLSX: xlsx.Write, Now: time.Now, Log: s.Log}
	if s.Config.DownloadsBucket != "" {
		w.Files = s3blob.Lazy(func() *s3blob.Client { return s3blob.NewClient(s.AWS, s3blob.Endpoint(app.Endpoint(os.Getenv, "S3"))) }, s.Config.DownloadsBucket)
	}
	lambda.Start(download.Dispatch(w, func(ctx context.Context) error {
		_, err := r.Run(ctx)
		return err
	}))
}
