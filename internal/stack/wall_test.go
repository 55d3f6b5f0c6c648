package stack_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
)

// reads records every DynamoDB call of a client: its operation, the read
// capacity it consumed and the items it returned.
type reads struct {
	mu    sync.Mutex
	calls []string
	units float64
	items int
}

func (c *reads) reset() { c.mu.Lock(); c.calls, c.units, c.items = nil, 0, 0; c.mu.Unlock() }

func (c *reads) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("CountReads", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		op := "other"
		switch p := in.Parameters.(type) {
		case *dynamodb.GetItemInput:
			op, p.ReturnConsumedCapacity = "GetItem", types.ReturnConsumedCapacityTotal
		case *dynamodb.QueryInput:
			op, p.ReturnConsumedCapacity = "Query", types.ReturnConsumedCapacityTotal
		case *dynamodb.BatchGetItemInput:
			op = "BatchGetItem"
		case *dynamodb.ScanInput:
			op = "Scan"
		}
		out, md, err := next.HandleInitialize(ctx, in)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.calls = append(c.calls, op)
		switch o := out.Result.(type) {
		case *dynamodb.GetItemOutput:
			if o.ConsumedCapacity != nil {
				c.units += aws.ToFloat64(o.ConsumedCapacity.CapacityUnits)
			}
			if len(o.Item) > 0 {
				c.items++
			}
		case *dynamodb.QueryOutput:
			if o.ConsumedCapacity != nil {
				c.units += aws.ToFloat64(o.ConsumedCapacity.CapacityUnits)
			}
			c.items += len(o.Items)
		}
		return out, md, err
	}), middleware.Before)
}

// TestWallReadsAreBounded: a refresh of the wall of an event of 600
// answers and many notes on the wall reads the event, its activity, its
// snapshot and one page of notes, on DynamoDB Local: a handful of items and
// read units, not the answers.
func TestWallReadsAreBounded(t *testing.T) {
	base := dynamotest.NewStore(t)
	counter := &reads{}
	st := dynamo.New(dynamodb.New(dynamotest.Client(t).Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, counter.middleware)
	}), base.Table())
	env := newEnvWith(t, st, nil)
	ce := env.MustCreateEvent(necDay)
	cookie := []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}
	const answers, notes = 600, 40
	env.putAnswers(ce.ID, "", answers, strings.Repeat("Un long commentaire sur les ateliers et les rencontres. ", 8))
	for i := range notes {
		n := env.putNote(ce.ID, "", retours.NoteEtonnement, strings.Repeat("Une surprise de la journée. ", 20))
		if i%2 == 0 {
			rec := env.PostForm("/o/"+ce.ID+"/texts/n."+n.SubmissionID+"/mur", url.Values{"on": {"1"}}, cookie...)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("approve: %d %s", rec.Code, rec.Body)
			}
		}
	}
	env.drain()
	agg := &aggregate.Runner{Store: st, Now: env.Clock.Now, Log: slog.New(slog.DiscardHandler), Period: time.Hour}
	if _, err := agg.Run(t.Context()); err != nil {
		t.Fatal(err)
	}

	for _, page := range []string{"", "second"} {
		target := "/o/" + ce.ID + "/mur"
		if page != "" {
			// The second page, as the first's refresh names it.
			refresh := env.Do("GET", target, nil, cookie...).Header().Get("Refresh")
			target = refresh[strings.Index(refresh, "url=")+4:]
		}
		counter.reset()
		rec := env.Do("GET", target, nil, cookie...)
		if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), "<blockquote>") != 3 || !strings.Contains(rec.Body.String(), "<b>600</b>") {
			t.Fatalf("wall %s: %d\n%s", target, rec.Code, rec.Body)
		}
		counter.mu.Lock()
		calls, units, items := counter.calls, counter.units, counter.items
		counter.mu.Unlock()
		t.Logf("wall %s: calls %v, %.1f read units, %d items", target, calls, units, items)
		queries := strings.Count(strings.Join(calls, " "), "Query")
		if len(calls) > 4 || queries != 1 || strings.Contains(strings.Join(calls, " "), "Scan") || strings.Contains(strings.Join(calls, " "), "Batch") {
			t.Errorf("wall %s: DynamoDB calls %v, want the event, the activity, the snapshot and one Query", target, calls)
		}
		// The event, the activity, the snapshot and four notes (one page
		// and one to know there is a next).
		if items > 7 {
			t.Errorf("wall %s read %d items, want at most 7", target, items)
		}
		if units > 12 {
			t.Errorf("wall %s consumed %.1f read units, want a handful (reading the answers would take about 50)", target, units)
		}
	}
}
