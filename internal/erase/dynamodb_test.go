package erase_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/sync/errgroup"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamolocal"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/iamcheck"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

// errDied is the failure injected into a run: the erase function's process
// dying, or DynamoDB failing it, in the middle of its batches.
var errDied = errors.New("the run died")

// dieAfter makes a client fail its calls of op, once more than after of
// them were made, until *armed is false: in the middle of an erasure, the
// batches in flight fail with it.
func dieAfter(op string, after int64, armed *atomic.Bool) func(*dynamodb.Options) {
	var calls atomic.Int64
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("retours/die",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if awsmiddleware.GetOperationName(ctx) == op && calls.Add(1) > after && armed.Load() {
						return middleware.InitializeOutput{}, middleware.Metadata{}, errDied
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	}
}

// seedAnswers writes n answers of e with BatchWriteItem, 25 at a time, 8
// batches at once: a large event without waiting for n requests.
func seedAnswers(t *testing.T, client *dynamodb.Client, table string, e *retours.Event, n int) {
	t.Helper()
	var items []map[string]types.AttributeValue
	for i := range n {
		items = append(items, dynamo.AnswerItem(storetest.Answer(t, e, e.Sessions[i%2].ID, "4"), e.ExpiresAt()))
	}
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(8)
	for len(items) > 0 {
		batch := items[:min(25, len(items))]
		items = items[len(batch):]
		g.Go(func() error {
			reqs := make([]types.WriteRequest, len(batch))
			for i, it := range batch {
				reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
			}
			pending := map[string][]types.WriteRequest{table: reqs}
			for len(pending[table]) > 0 {
				out, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
				if err != nil {
					return err
				}
				pending = out.UnprocessedItems
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestErase20000OnDynamoDB erases an event of 20,000 answers on DynamoDB
// Local: the organiser function starts it, a run of the erase function dies
// in the middle of its batches, the hourly resumption finishes it, and then
// neither the table nor its index holds anything of the event, while the
// survey's reads found it gone from the start. The calls each function made
// are the ones its policy in template.yaml allows, and all of them.
func TestErase20000OnDynamoDB(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and erases 20,000 items")
	}
	ctx := context.Background()
	endpoint := dynamotest.Endpoint(t)
	seed := dynamolocal.Client(endpoint)
	table := dynamotest.NewTable(t, seed)
	st := dynamo.New(seed, table)

	const answers = 20_000
	e := storetest.Event(t)
	e.Series, e.Edition = "nec-auvergne", 2
	other := storetest.Event(t)
	other.Series, other.Edition = "nec-auvergne", 3
	for _, ev := range []*retours.Event{e, other} {
		if err := st.CreateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	started := time.Now()
	seedAnswers(t, seed, table, e, answers)
	seedAnswers(t, seed, table, other, 30)
	storetest.Extras(t, st, e)
	storetest.Extras(t, st, other)
	t.Logf("seeded %d answers in %v", answers+30, time.Since(started).Round(time.Millisecond))

	// The organisers' DELETE: the event is marked, a run is asked for.
	orgCalls := iamcheck.NewRecorder()
	clk := &clock{now: t0}
	runs := &triggers{}
	organiser := &erase.Job{Store: dynamo.New(dynamolocal.Client(endpoint, orgCalls.DynamoDB, iamcheck.For("OrganiserFunction").DynamoDB), table), Trigger: runs, Grace: grace, Now: clk.Now, Log: quiet}
	er, err := organiser.Start(ctx, e.ID)
	if err != nil || er.State != retours.ErasureRunning || runs.count() != 1 {
		t.Fatalf("Start = %+v, %v, %d runs", er, err, runs.count())
	}
	// The participants' routes find it gone at once.
	if _, err := st.Event(ctx, e.ID); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Event while erasing = %v, want not found", err)
	}

	// The erase function's run dies after 300 batches of 25 (7,500 items),
	// those in flight with it.
	calls := iamcheck.NewRecorder()
	var armed atomic.Bool
	armed.Store(true)
	worker := &erase.Job{Store: dynamo.New(dynamolocal.Client(endpoint, calls.DynamoDB, iamcheck.For("EraseFunction").DynamoDB, dieAfter("BatchWriteItem", 300, &armed)), table),
		Grace: grace, Now: clk.Now, Sleep: clk.Sleep, Log: quiet}
	started = time.Now()
	if _, err := worker.Run(ctx, e.ID); !errors.Is(err, errDied) {
		t.Fatalf("the dying run = %v, want it dead", err)
	}
	mid, err := worker.Progress(ctx, e.ID)
	if err != nil || mid.Done() || mid.Items < 7_000 || mid.Items > 7_501 {
		t.Fatalf("progress after the death = %+v, %v; want running, about 7,000 items counted", mid, err)
	}
	if n, size := partitionSize(t, seed, table, e.ID), answers+storetest.ExtrasItems+1; n > size-7_000 || n == 0 {
		t.Errorf("%d items left in the event's partition of %d, want at least 7,000 deleted, not all", n, size)
	}
	if _, err := st.Event(ctx, e.ID); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("Event after the death = %v, want not found", err)
	}

	// An hour later, the hourly run finds it stalled and finishes it.
	armed.Store(false)
	clk.Set(t0.Add(time.Hour))
	if n, err := worker.Resume(ctx); err != nil || n != 1 {
		t.Fatalf("Resume = %d, %v; want the erasure finished", n, err)
	}
	t.Logf("erased in %v, a death and a resumption included", time.Since(started).Round(time.Millisecond))
	done, err := worker.Progress(ctx, e.ID)
	// The series entry, 20,000 answers, a note, a snapshot, the activity, an
	// unsubscription, a share, the record of its creation and the event; a
	// step the death cut short deleted items it never counted.
	const total = answers + storetest.ExtrasItems + 2
	if err != nil || !done.Done() || done.Items > total || done.Items < total-erase.DefaultBatch {
		t.Errorf("erasure = %+v, %v; want done with at most %d items counted, at least %d", done, err, total, total-erase.DefaultBatch)
	}

	// Nothing of the event is left, in the table or its index, but the
	// erasure's record, which does not name it: the other event (itself,
	// 30 answers, a note, a snapshot, its activity, an unsubscription, a
	// share and the record of its creation), its series entry and the
	// record. Every item of the event's partition, whatever its kind, is
	// gone.
	after := scan(t, seed, table)
	if got, want := len(after), 1+30+storetest.ExtrasItems+1+1; got != want {
		t.Errorf("%d items in the table, want %d: the other event's and the erasure's record", got, want)
	}
	for _, item := range after {
		pk := attr(item, "PK")
		if pk == "EVENT#"+e.ID || strings.HasSuffix(attr(item, "SK"), "#"+e.ID) || strings.Contains(attr(item, "GSI1SK"), e.ID) {
			t.Errorf("item %s %s left", pk, attr(item, "SK"))
		}
		for name, v := range item {
			if s, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(s.Value, e.ID) {
				t.Errorf("item %s %s names the event in %s", pk, attr(item, "SK"), name)
			}
		}
	}
	for _, part := range []string{"EVENTS", "ACTIVITY", "ERASING"} {
		out, err := seed.Query(ctx, &dynamodb.QueryInput{
			TableName: aws.String(table), IndexName: aws.String(dynamo.IndexGSI1),
			KeyConditionExpression:    aws.String("GSI1PK = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: part}},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range out.Items {
			if strings.HasSuffix(attr(item, "GSI1SK"), "#"+e.ID) {
				t.Errorf("the event is still listed in %s %s", dynamo.IndexGSI1, part)
			}
		}
	}
	gone(t, st, e)
	if cov, err := st.Coverage(ctx, other.ID); err != nil || cov.Answers != 30 || cov.Notes != 1 {
		t.Errorf("the other event's coverage = %+v, %v; want its 30 answers and note", cov, err)
	}
	if _, err := st.PreviousEdition(ctx, other); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("PreviousEdition of the next edition = %v, want none", err)
	}

	world := iamcheck.World{Names: map[string]string{"Table": table}}
	iamcheck.Check(t, "EraseFunction", calls.Calls(), world)
	iamcheck.CheckAllowed(t, "OrganiserFunction", orgCalls.Calls(), world)
}

// partitionSize counts the items of an event's partition.
func partitionSize(t *testing.T, client *dynamodb.Client, table, eventID string) int {
	t.Helper()
	n := 0
	p := dynamodb.NewQueryPaginator(client, &dynamodb.QueryInput{
		TableName: aws.String(table), KeyConditionExpression: aws.String("PK = :pk"), Select: types.SelectCount, ConsistentRead: aws.Bool(true),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "EVENT#" + eventID}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += int(page.Count)
	}
	return n
}

// scan reads the whole table.
func scan(t *testing.T, client *dynamodb.Client, table string) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, page.Items...)
	}
	return items
}

func attr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
