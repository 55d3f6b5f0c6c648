// Package gateway starts a function that API Gateway invokes: its routes
// behind the adapter of the HTTP API, and, for a function a schedule also
// invokes, the dispatch between the two. Only the functions that serve
// routes import it.
package gateway

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/ratelimit"
	"github.com/retours/retours/internal/web"
)

// Handler returns the handler of the services' routes, as the local server
// serves them, with the function's logger and public base URL; it exits
// when the services do not match their routes in web.Routes.
func Handler(s *app.Start, services ...web.Service) http.Handler {
	return app.Must(web.NewHandler(web.Options{Logger: s.Log, BaseURL: s.Config.BaseURL}, services...))
}

// Limiter returns the limiter of the function's clients (internal/ratelimit),
// counting in its table and naming clients with a key derived from its
// administration token; nil for a function without one, which serves no
// limited route.
func Limiter(s *app.Start) web.Limiter {
	if s.Config.AdminToken == "" {
		return nil
	}
	return ratelimit.New(s.Store(), s.Config.AdminToken, nil)
}

// Serve starts a function that API Gateway invokes: its requests go to the
// services' routes, through the adapter of the HTTP API.
func Serve(s *app.Start, services ...web.Service) {
	lambda.Start(httpadapter.NewV2(Handler(s, services...)).ProxyWithContext)
}

// ServeWithEvents starts a function that API Gateway and other sources (a
// schedule, its own asynchronous invocations) invoke (see HTTPOrEvent).
func ServeWithEvents(s *app.Start, other func(context.Context, json.RawMessage) (any, error), services ...web.Service) {
	lambda.Start(HTTPOrEvent(Handler(s, services...), other))
}

// HTTPOrSchedule returns the Lambda handler of a function that both API
// Gateway and a schedule invoke: API Gateway's requests go to api, any other
// event runs scheduled.
func HTTPOrSchedule(api http.Handler, scheduled func(context.Context) (any, error)) func(context.Context, json.RawMessage) (any, error) {
	return HTTPOrEvent(api, func(ctx context.Context, _ json.RawMessage) (any, error) { return scheduled(ctx) })
}

// HTTPOrEvent returns the Lambda handler of a function that API Gateway
// and other sources invoke: API Gateway's requests go to api, any other
// event, as it came, to other.
func HTTPOrEvent(api http.Handler, other func(context.Context, json.RawMessage) (any, error)) func(context.Context, json.RawMessage) (any, error) {
	proxy := httpadapter.NewV2(api)
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var probe struct {
			RequestContext struct {
				HTTP struct {
					Method string `json:"method"`
				} `json:"http"`
			} `json:"requestContext"`
		}
		if json.Unmarshal(raw, &probe) == nil && probe.RequestContext.HTTP.Method != "" {
			var req events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &req); err != nil {
				return nil, err
			}
			return proxy.ProxyWithContext(ctx, req)
		}
		return other(ctx, raw)
	}
}
