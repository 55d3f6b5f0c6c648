// Command erase is the Lambda function that erases events: the organiser
// function invokes it asynchronously when an erasure starts, and its hourly
// schedule resumes the erasures whose progress stopped.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/retours"
)

func main() {
	s := app.Begin(app.Options{})
	// The grace covers the participants' cached events and their requests.
	j := &erase.Job{Store: s.Store(), Grace: retours.ErasureGrace(app.SurveyEventTTL, app.SurveyTimeout), Log: s.Log}
	lambda.Start(j.Handle)
}
