// Package lambdainvoke starts a run of another Lambda function of the
// stack: an asynchronous invocation (InvocationType Event), which Lambda
// queues, answers at once and retries on failure as the function's
// EventInvokeConfig says.
package lambdainvoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/retours/retours/internal/retours"
)

// Async invokes one function asynchronously.
type Async struct {
	client   *lambda.Client
	function string
}

// New returns an invoker of function (its name or ARN) through client.
// Pointing client at AWS or elsewhere is the caller's choice.
func New(client *lambda.Client, function string) *Async {
	return &Async{client: client, function: function}
}

// InvokeAsync queues an invocation of the function with payload as JSON.
// EUNAVAILABLE when Lambda does not take it (throttled, or unreachable).
func (a *Async) InvokeAsync(ctx context.Context, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("lambdainvoke: %w", err)
	}
	out, err := a.client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(a.function),
		InvocationType: types.InvocationTypeEvent,
		Payload:        body,
	})
	if err != nil {
		return fmt.Errorf("lambdainvoke: invoke %s: %v: %w", a.function, err, &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"})
	}
	if out.StatusCode != http.StatusAccepted {
		return fmt.Errorf("lambdainvoke: invoke %s: status %d, want 202", a.function, out.StatusCode)
	}
	return nil
}
