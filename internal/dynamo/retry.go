package dynamo

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Retry policy of the store's client. An on-demand table throttles for a
// moment when traffic jumps past its previous peak, which is exactly what a
// room of 150 people scanning a QR code at the end of a workshop does; a few
// quick retries ride that out. Five attempts with at most a second between
// them stay well within the functions' 10 s timeout, so a participant whose
// write keeps failing still gets a "try again" answer rather than a gateway
// timeout.
//
// AttemptTimeout bounds one attempt: DynamoDB answers in milliseconds, so an
// attempt still waiting after two seconds is stuck on a bad connection, and
// the retryer sends it again on a fresh one. Writes are conditional, so an
// attempt that landed unseen is found again rather than doubled.
const (
	RetryMaxAttempts = 5
	RetryMaxBackoff  = time.Second
	AttemptTimeout   = 2 * time.Second
)

// NewRetryer returns the retryer the store's clients are meant to use (pass it
// to config.WithRetryer or dynamodb.Options.Retryer): the SDK's standard
// retryer, which retries throttling, 5xx and connection errors with jittered
// exponential backoff, with the limits above.
//
// The client-side retry quota is switched off: it suits a long-lived client
// shared by many callers, whereas a Lambda instance serves one request at a
// time, and a quota drained by one burst would refuse a participant's answer
// without even trying.
func NewRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = RetryMaxAttempts
		o.MaxBackoff = RetryMaxBackoff
		o.RateLimiter = ratelimit.None
	})
}

// NewHTTPClient returns the HTTP client the store's clients are meant to use
// (pass it to config.WithHTTPClient or dynamodb.Options.HTTPClient): the
// SDK's, with AttemptTimeout per attempt.
func NewHTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTimeout(AttemptTimeout)
}
