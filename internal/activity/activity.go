// Package activity consumes the table's change stream: it counts each new
// answer and note into its event's activity (retours.Activity), with one
// write per event for each batch of records. It is the handler of the
// activity Lambda function, which the table's stream invokes through an
// event source mapping, and the local run and the tests run it over
// DynamoDB Local's stream (internal/dynamostream), so both take the same
// path.
//
// Lambda delivers records at least once: a batch is retried whole after an
// error, in halves when bisected, or from the first record reported failed.
// Counting stays exact because each event's activity keeps the sequence
// number of the last record it counted and ignores records at or below it
// (retours.ActivityStore): the records of one event share its partition key,
// so they come in order through one shard after another (a parent shard is
// read to its end before its children), and their sequence numbers grow.
package activity

import (
	"context"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/sync/errgroup"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/retours"
)

// concurrency is how many events' activities a batch writes at once.
const concurrency = 8

// Consumer counts a batch of stream records into the activity of their
// events.
type Consumer struct {
	Store retours.ActivityStore
	Log   *slog.Logger
}

// Handle is the Lambda handler (FunctionResponseTypes:
// ReportBatchItemFailures). It writes each event's activity once, events in
// parallel; when some fail, it reports the first record of each failed event
// so that Lambda retries the batch from the earliest of them, and the
// activities already written skip what they counted. Records that count
// nothing (a modification, a removal, another kind of item) are skipped.
func (c *Consumer) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var order []string
	byEvent := map[string][]retours.Change{}
	first := map[string]string{} // event → sequence number of its first record
	for _, r := range ev.Records {
		id, ch, ok := dynamo.StreamChange(r)
		if !ok {
			continue
		}
		if _, seen := byEvent[id]; !seen {
			order = append(order, id)
			first[id] = r.Change.SequenceNumber
		}
		byEvent[id] = append(byEvent[id], ch)
	}
	var (
		mu       sync.Mutex
		failed   []events.DynamoDBBatchItemFailure
		counted  int
		firstErr error
	)
	var g errgroup.Group
	g.SetLimit(concurrency)
	for _, id := range order {
		g.Go(func() error {
			n, err := c.Store.ApplyChanges(ctx, id, byEvent[id])
			mu.Lock()
			defer mu.Unlock()
			counted += n
			if err != nil {
				failed = append(failed, events.DynamoDBBatchItemFailure{ItemIdentifier: first[id]})
				if firstErr == nil {
					firstErr = err
				}
			}
			return nil
		})
	}
	g.Wait()
	attrs := []slog.Attr{slog.Int("records", len(ev.Records)), slog.Int("events", len(order)),
		slog.Int("counted", counted), slog.Int("failed", len(failed))}
	if firstErr != nil {
		c.Log.LogAttrs(ctx, slog.LevelError, "activity not written", append(attrs,
			slog.String("code", retours.ErrorCode(firstErr)), slog.String("error", firstErr.Error()))...)
	} else {
		c.Log.LogAttrs(ctx, slog.LevelInfo, "activity written", attrs...)
	}
	return events.DynamoDBEventResponse{BatchItemFailures: failed}, nil
}
