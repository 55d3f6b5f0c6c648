package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/retours"
)

// DigestHandler returns the digest function's Lambda handler. The function
// serves two kinds of event: API Gateway requests (the digest's routes, such
// as POST /api/digests/run) go to api; anything else is the Monday schedule
// and runs the digests as of now(). Both run the same Runner.
//
// A run that could not send every digest returns an error, so that Lambda
// retries the invocation; the retry sends only what is missing.
func DigestHandler(runner *digest.Runner, api http.Handler, now func() time.Time, log *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
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
		if runner == nil {
			log.LogAttrs(ctx, slog.LevelWarn, "digests are off: DIGEST_SECRET is not set")
			return nil, nil
		}
		rep, err := runner.Run(ctx, now())
		if retours.ErrorCode(err) == retours.EFORBIDDEN {
			log.LogAttrs(ctx, slog.LevelInfo, "digests are off: DIGEST_FROM is not set")
			return nil, nil
		}
		return rep, err
	}
}
