// Command survey is the Lambda function behind the participants' pages and
// submissions: the routes of internal/survey, through the API Gateway HTTP
// API adapter.
package main

import (
	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/gateway"
	"github.com/retours/retours/internal/survey"
	"github.com/retours/retours/internal/web"
)

func main() {
	s := app.Begin(app.Options{AnswersPeople: true})
	st := s.Survey()
	srv := survey.New(survey.Config{
		Events: st, Answers: st, RetentionMonths: s.Config.RetentionMonths,
		EventTTL: app.SurveyEventTTL, Deps: web.Deps{Logger: s.Log},
	})
	gateway.Serve(s, srv.Service())
}
