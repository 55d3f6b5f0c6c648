// Package dynamostream reads a DynamoDB table's stream as Lambda's event
// source mapping does, and hands each batch of records to a handler with the
// signature of a Lambda function's: the local run and the tests consume
// DynamoDB Local's stream (DescribeStream, GetShardIterator, GetRecords)
// with the same handler AWS invokes.
//
// What it mimics: shards are read from their oldest record (TRIM_HORIZON), a
// parent shard to its end before its children; a batch holds at most
// BatchSize records of one shard, and waits at most BatchingWindow to fill;
// a function error retries the batch, in two halves when Bisect is set; a
// partial batch response retries from the lowest sequence number it
// reports; after MaxRetryAttempts retries, the records go to OnFailure (the
// on-failure destination) and reading goes on. Lambda runs one batch per
// shard at a time (ParallelizationFactor 1), and so does a Poller.
package dynamostream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/retours/retours/internal/retours"
)

// Handler is a Lambda function's handler of DynamoDB stream events.
type Handler func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// Options are the event source mapping's settings.
type Options struct {
	BatchSize        int           // records per batch at most (BatchSize); 100 when 0
	BatchingWindow   time.Duration // how long Run lets a batch fill (MaximumBatchingWindowInSeconds)
	MaxRetryAttempts int           // retries of a failing batch (MaximumRetryAttempts)
	Bisect           bool          // split a failing batch in two (BisectBatchOnFunctionError)
	// PollInterval is how often Run reads each shard: Lambda polls four
	// times a second. 250 ms when 0.
	PollInterval time.Duration
	// RetryDelay is the wait before a retry; none when 0.
	RetryDelay time.Duration
	// OnFailure receives the records given up after the retries, as the
	// on-failure destination would; nil logs them.
	OnFailure func(ctx context.Context, records []events.DynamoDBEventRecord, err error)
	Log       *slog.Logger
}

// Poller reads one stream. Its methods may not run at the same time as
// each other's: Drain and Run take turns.
type Poller struct {
	client  *dynamodbstreams.Client
	arn     string
	handler Handler
	opts    Options

	mu     sync.Mutex
	shards map[string]*shard
	order  []string // shard ids in the order DescribeStream lists them
}

type shard struct {
	id, parent string
	iterator   *string
	last       string // sequence number of the last record read
	pending    []events.DynamoDBEventRecord
	since      time.Time // when the oldest pending record was read
	ended      bool      // closed and read to its end
}

// New returns a poller of the stream streamARN that hands its batches to h.
func New(client *dynamodbstreams.Client, streamARN string, h Handler, opts Options) *Poller {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Poller{client: client, arn: streamARN, handler: h, opts: opts, shards: map[string]*shard{}}
}

// StreamARN returns the ARN of the table's stream.
func StreamARN(ctx context.Context, client *dynamodb.Client, table string) (string, error) {
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return "", fmt.Errorf("dynamostream: describe table %s: %w", table, err)
	}
	if out.Table.LatestStreamArn == nil {
		return "", fmt.Errorf("dynamostream: table %s has no stream", table)
	}
	return *out.Table.LatestStreamArn, nil
}

// Drain hands every record the stream holds now to the handler, retries
// included, and returns once it has.
func (p *Poller) Drain(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.poll(ctx, true)
}

// Run reads the stream every PollInterval until ctx ends, and returns nil
// then; it logs a failed read and carries on at the next poll.
func (p *Poller) Run(ctx context.Context) error {
	t := time.NewTicker(p.opts.PollInterval)
	defer t.Stop()
	for {
		p.mu.Lock()
		err := p.poll(ctx, false)
		p.mu.Unlock()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			p.opts.Log.LogAttrs(ctx, slog.LevelWarn, "stream read failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// poll lists the shards, reads each one that is ready and delivers its full
// batches, and the others when flush is set or their window has passed.
func (p *Poller) poll(ctx context.Context, flush bool) error {
	if err := p.listShards(ctx); err != nil {
		return err
	}
	for progress := true; progress; {
		progress = false
		for _, id := range p.order {
			sh := p.shards[id]
			if sh.ended || !p.parentEnded(sh) {
				continue
			}
			read, err := p.read(ctx, sh, flush)
			if err != nil {
				return err
			}
			if err := p.deliverReady(ctx, sh, flush); err != nil {
				return err
			}
			if sh.iterator == nil && len(sh.pending) == 0 && !sh.ended {
				sh.ended = true
				progress = true // its children may start
			}
			progress = progress || (flush && read > 0)
		}
	}
	return nil
}

func (p *Poller) parentEnded(sh *shard) bool {
	parent, ok := p.shards[sh.parent]
	return sh.parent == "" || !ok || parent.ended
}

func (p *Poller) listShards(ctx context.Context) error {
	var start *string
	for {
		out, err := p.client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(p.arn), ExclusiveStartShardId: start})
		if err != nil {
			return fmt.Errorf("dynamostream: describe stream: %w", err)
		}
		for _, s := range out.StreamDescription.Shards {
			id := aws.ToString(s.ShardId)
			if _, ok := p.shards[id]; !ok {
				p.shards[id] = &shard{id: id, parent: aws.ToString(s.ParentShardId)}
				p.order = append(p.order, id)
			}
		}
		if start = out.StreamDescription.LastEvaluatedShardId; start == nil {
			return nil
		}
	}
}

// read adds the shard's new records to its pending ones: until a read
// returns none when flush is set, else one read. It returns how many it
// read.
func (p *Poller) read(ctx context.Context, sh *shard, flush bool) (int, error) {
	if sh.iterator == nil && sh.last == "" && len(sh.pending) == 0 && !sh.ended {
		if err := p.iterate(ctx, sh, types.ShardIteratorTypeTrimHorizon); err != nil {
			return 0, err
		}
	}
	total := 0
	for sh.iterator != nil {
		out, err := p.client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: sh.iterator, Limit: aws.Int32(1000)})
		var expired *types.ExpiredIteratorException
		if errors.As(err, &expired) {
			if err := p.iterate(ctx, sh, types.ShardIteratorTypeAfterSequenceNumber); err != nil {
				return total, err
			}
			continue
		}
		if err != nil {
			return total, fmt.Errorf("dynamostream: get records: %w", err)
		}
		sh.iterator = out.NextShardIterator
		for _, r := range out.Records {
			if len(sh.pending) == 0 {
				sh.since = time.Now()
			}
			sh.pending = append(sh.pending, lambdaRecord(r, p.arn))
			sh.last = aws.ToString(r.Dynamodb.SequenceNumber)
		}
		total += len(out.Records)
		if !flush || len(out.Records) == 0 {
			break
		}
	}
	return total, nil
}

// iterate gets a new iterator for the shard, after its last record read
// when there is one.
func (p *Poller) iterate(ctx context.Context, sh *shard, typ types.ShardIteratorType) error {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(p.arn), ShardId: aws.String(sh.id), ShardIteratorType: typ}
	if typ == types.ShardIteratorTypeAfterSequenceNumber {
		if sh.last == "" {
			in.ShardIteratorType = types.ShardIteratorTypeTrimHorizon
		} else {
			in.SequenceNumber = aws.String(sh.last)
		}
	}
	out, err := p.client.GetShardIterator(ctx, in)
	if err != nil {
		return fmt.Errorf("dynamostream: shard iterator: %w", err)
	}
	sh.iterator = out.ShardIterator
	return nil
}

// deliverReady delivers the shard's full batches, and what is left when
// flush is set or the batching window has passed.
func (p *Poller) deliverReady(ctx context.Context, sh *shard, flush bool) error {
	for len(sh.pending) > 0 {
		full := len(sh.pending) >= p.opts.BatchSize
		if !full && !flush && time.Since(sh.since) < p.opts.BatchingWindow {
			return nil
		}
		n := min(len(sh.pending), p.opts.BatchSize)
		if err := p.deliver(ctx, sh.pending[:n], 0); err != nil {
			return err
		}
		sh.pending = sh.pending[n:]
		sh.since = time.Now()
	}
	return nil
}

// deliver invokes the handler with records until it succeeds, retrying as
// the event source mapping does. It returns an error only when ctx ends.
func (p *Poller) deliver(ctx context.Context, records []events.DynamoDBEventRecord, retries int) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		resp, err := p.invoke(ctx, records)
		rest := records
		if err == nil {
			if len(resp.BatchItemFailures) == 0 {
				return nil
			}
			rest, err = failedFrom(records, resp.BatchItemFailures)
		}
		if retries >= p.opts.MaxRetryAttempts {
			p.giveUp(ctx, rest, err)
			return nil
		}
		retries++
		p.opts.Log.LogAttrs(ctx, slog.LevelWarn, "stream batch retried", slog.Int("records", len(rest)),
			slog.Int("retry", retries), slog.String("error", err.Error()))
		if p.opts.RetryDelay > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(p.opts.RetryDelay):
			}
		}
		if p.opts.Bisect && len(rest) > 1 {
			half := len(rest) / 2
			if err := p.deliver(ctx, rest[:half], retries); err != nil {
				return err
			}
			return p.deliver(ctx, rest[half:], retries)
		}
		records = rest
	}
}

// errPartial is a batch the handler reported partly failed.
var errPartial = errors.New("dynamostream: the function reported failed records")

// failedFrom returns the records from the lowest sequence number reported
// failed on. An identifier that is no record's fails the whole batch, as
// Lambda does.
func failedFrom(records []events.DynamoDBEventRecord, failures []events.DynamoDBBatchItemFailure) ([]events.DynamoDBEventRecord, error) {
	lowest := -1
	for _, f := range failures {
		i := slices.IndexFunc(records, func(r events.DynamoDBEventRecord) bool { return r.Change.SequenceNumber == f.ItemIdentifier })
		if i < 0 {
			return records, fmt.Errorf("dynamostream: the function reported an unknown record %q", f.ItemIdentifier)
		}
		if lowest < 0 || retours.SeqLess(records[i].Change.SequenceNumber, records[lowest].Change.SequenceNumber) {
			lowest = i
		}
	}
	return records[lowest:], errPartial
}

// invoke calls the handler as Lambda would, a panic being a function error.
func (p *Poller) invoke(ctx context.Context, records []events.DynamoDBEventRecord) (resp events.DynamoDBEventResponse, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("dynamostream: the function panicked: %v", r)
		}
	}()
	return p.handler(ctx, events.DynamoDBEvent{Records: slices.Clone(records)})
}

func (p *Poller) giveUp(ctx context.Context, records []events.DynamoDBEventRecord, err error) {
	if p.opts.OnFailure != nil {
		p.opts.OnFailure(ctx, records, err)
		return
	}
	p.opts.Log.LogAttrs(ctx, slog.LevelError, "stream batch given up", slog.Int("records", len(records)),
		slog.String("first", records[0].Change.SequenceNumber), slog.String("last", records[len(records)-1].Change.SequenceNumber),
		slog.String("error", err.Error()))
}
