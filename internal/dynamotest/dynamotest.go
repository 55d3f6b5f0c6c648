// Package dynamotest starts one DynamoDB Local per test binary and gives each
// test a fresh table created from template.yaml.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { dynamotest.Main(m) }
//
// DynamoDB Local starts with the first test that asks for it, so a run of
// tests that need none (go test -run=^$ -fuzz=…, whose workers run TestMain
// too) starts no JVM.
package dynamotest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/retours/retours/internal/activity"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamolocal"
	"github.com/retours/retours/internal/dynamostream"
	"github.com/retours/retours/internal/iamcheck"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/samtemplate"
)

var (
	mainCalled bool
	startOnce  sync.Once
	server     *dynamolocal.Server
	startErr   error
	template   *samtemplate.Template
	tables     atomic.Int64
)

// Main runs the tests and stops DynamoDB Local if one of them started it.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	mainCalled = true
	var err error
	if template, err = samtemplate.LoadDefault(); err != nil {
		fmt.Fprintln(os.Stderr, "dynamotest:", err)
		return 1
	}
	code := m.Run()
	if server != nil {
		server.Stop()
	}
	if err := iamcheck.Settle(code); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// start starts DynamoDB Local once per test binary.
func start() {
	if !mainCalled {
		startErr = errors.New("dynamotest: DynamoDB Local is not running; call dynamotest.Main from TestMain")
		return
	}
	infra, err := dynamolocal.FindInfraDir()
	if err != nil {
		startErr = fmt.Errorf("dynamotest: %w", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if server, err = dynamolocal.Start(ctx, dynamolocal.Options{InfraDir: infra}); err != nil {
		server, startErr = nil, fmt.Errorf("dynamotest: %w", err)
	}
}

// Endpoint returns the URL of the running DynamoDB Local, starting it on
// first use.
func Endpoint(tb testing.TB) string {
	tb.Helper()
	startOnce.Do(start)
	if startErr != nil {
		tb.Fatal(startErr)
	}
	return server.Endpoint
}

// Client returns a client of the running DynamoDB Local.
func Client(tb testing.TB) *dynamodb.Client {
	tb.Helper()
	return dynamolocal.Client(Endpoint(tb))
}

// NewTable creates a table from template.yaml with a name unique to the test
// and returns its name. The table is deleted when the test ends.
func NewTable(tb testing.TB, client *dynamodb.Client) string {
	tb.Helper()
	name := fmt.Sprintf("retours-%d-%s", tables.Add(1), sanitize(tb.Name()))
	if len(name) > 200 {
		name = name[:200]
	}
	tbl, err := template.Table("Table", name)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	if err := tbl.Create(ctx, client); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name})
	})
	return name
}

// NewStore returns a store on a fresh table.
func NewStore(tb testing.TB) *dynamo.Store {
	tb.Helper()
	c := Client(tb)
	return dynamo.New(c, NewTable(tb, c))
}

// ForFunction returns st as the named function (its logical id in
// template.yaml, "OrganiserFunction") sees it: when st is on DynamoDB Local,
// the same table through a client that records the function's calls
// (iamcheck.For), which Main then holds to the function's policy; any
// other store unchanged.
func ForFunction[S any](tb testing.TB, st S, function string) S {
	tb.Helper()
	var out any = st
	switch s := any(st).(type) {
	case *dynamo.Store:
		out = functionStore(tb, s, function)
	case *FedStore:
		out = &FedStore{Store: functionStore(tb, s.Store, function), Poller: s.Poller}
	}
	return out.(S)
}

func functionStore(tb testing.TB, st *dynamo.Store, function string) *dynamo.Store {
	tb.Helper()
	// A client of its own on st's table, recording: a store whose client
	// injects faults is not one to hand to ForFunction.
	return dynamo.New(dynamolocal.Client(Endpoint(tb), iamcheck.For(function).DynamoDB), st.Table())
}

// FedStore is a store whose Drain counts every answer and note written so
// far into their events' activity, by reading its table's stream through
// the activity consumer, as Lambda's event source mapping does on AWS.
type FedStore struct {
	*dynamo.Store
	Poller *dynamostream.Poller
}

// Drain hands every record of the table's stream to the activity consumer.
func (f *FedStore) Drain(ctx context.Context) error { return f.Poller.Drain(ctx) }

// NewFedStore returns a store on a fresh table, with its stream read by the
// activity consumer.
func NewFedStore(tb testing.TB) *FedStore {
	tb.Helper()
	st := NewStore(tb)
	return &FedStore{Store: st, Poller: NewPoller(tb, st, nil, nil)}
}

// NewPoller returns a poller of st's table stream that hands its batches to
// h, or to the activity consumer of st when h is nil, with the batching,
// retries and bisection of template.yaml's event source mapping, no delay
// before a retry, and the changes adjust makes, when set.
func NewPoller(tb testing.TB, st *dynamo.Store, h dynamostream.Handler, adjust func(*dynamostream.Options)) *dynamostream.Poller {
	tb.Helper()
	arn, err := dynamostream.StreamARN(context.Background(), Client(tb), st.Table())
	if err != nil {
		tb.Fatal(err)
	}
	if h == nil {
		h = Consumer(st).Handle
	}
	m, err := template.Mapping("ActivityStream")
	if err != nil {
		tb.Fatal(err)
	}
	opts := m.PollerOptions()
	opts.Log = slog.New(slog.DiscardHandler)
	if adjust != nil {
		adjust(&opts)
	}
	return dynamostream.New(dynamolocal.StreamsClient(Endpoint(tb)), arn, h, opts)
}

// Consumer returns the activity consumer of st, logging nothing.
func Consumer(st retours.ActivityStore) *activity.Consumer {
	return &activity.Consumer{Store: st, Log: slog.New(slog.DiscardHandler)}
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}
