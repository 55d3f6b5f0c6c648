package dynamo

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"
)

// Reading a large partition page after page is slow, and on DynamoDB Local
// each page costs more than the last (100,000 answers: over a minute). Answer
// and note sort keys end in a submission id, a lower-case hexadecimal UUID
// (checked on every write), so the key space splits into 256 ranges by its
// first two hexadecimal digits, which are read in parallel. The first range
// is read first, together with the first page of the others: when the first
// range is small, so is the partition, and that page holds the rest of it.
const (
	segmentDigits   = "0123456789abcdef"
	readConcurrency = 8
	// probeLarge is how many items in the first of 256 ranges make a
	// partition worth reading in parallel: about 4,000 in all, more than one
	// page.
	probeLarge = 16
	// restLimit bounds the first page of the other 255 ranges, read with
	// the first: a small partition's rest, whole. A Query's cost on
	// DynamoDB, and on DynamoDB Local, follows the items it returns, not the
	// range it covers, as long as it starts from the range's beginning.
	restLimit = 256 * probeLarge
)

// readRanges queries the items of the partition pk whose sort key starts
// with prefix and calls visit with each page. sel is the Query's Select
// ("" for the items, types.SelectCount for their count only).
//
// The first of the 256 key ranges tells the partition's size, and is read at
// the same time as the first page of the 255 others, so that a small
// partition takes one round trip: a Query paging through the whole partition
// would cost DynamoDB Local more at each page. A small partition's further
// pages, if any, are read on the caller's goroutine; a large one's other
// ranges in parallel, readConcurrency at a time, and visit is then called
// from several goroutines at once. The first error, of a Query or of visit,
// cancels the others and is returned.
func (s *Store) readRanges(ctx context.Context, pk, prefix string, sel types.Select, visit func(context.Context, *dynamodb.QueryOutput) error) error {
	probeIn := s.prefixQuery(pk, prefix+"00", nil)
	probeIn.Select = sel
	restIn := s.rangeQuery(pk, prefix+"01", prefix+"\uffff")
	restIn.Select = sel
	restIn.Limit = aws.Int32(restLimit)
	var probe, rest *dynamodb.QueryOutput
	first, fctx := errgroup.WithContext(ctx)
	first.Go(func() (err error) {
		probe, err = s.client.Query(fctx, probeIn)
		return err
	})
	first.Go(func() (err error) {
		rest, err = s.client.Query(fctx, restIn)
		return err
	})
	if err := first.Wait(); err != nil {
		return translate(err, "query")
	}
	for _, page := range []*dynamodb.QueryOutput{probe, rest} {
		if err := visit(ctx, page); err != nil {
			return err
		}
	}
	// Where the first page of the others stopped: the range it stopped in
	// goes on from there, the ranges before it are read.
	restDone := len(rest.LastEvaluatedKey) == 0
	stop := ""
	if !restDone {
		var ok bool
		if stop, ok = rangeOf(rest.LastEvaluatedKey, prefix); !ok {
			stop = ""
		}
	}
	if len(probe.LastEvaluatedKey) == 0 && probe.Count < probeLarge || !restDone && stop == "" {
		// A small partition: the rest of it page after page.
		if len(probe.LastEvaluatedKey) > 0 {
			if err := s.queryPages(ctx, s.prefixQuery(pk, prefix+"00", probe.LastEvaluatedKey), visit); err != nil {
				return err
			}
		}
		if restDone {
			return nil
		}
		restIn.ExclusiveStartKey, restIn.Limit = rest.LastEvaluatedKey, nil
		return s.queryPages(ctx, restIn, visit)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
ranges:
	for _, a := range segmentDigits {
		for _, b := range segmentDigits {
			r := string(a) + string(b)
			in := s.prefixQuery(pk, prefix+r, nil)
			in.Select = sel
			switch {
			case r == "00":
				if len(probe.LastEvaluatedKey) == 0 {
					continue // read whole by the probe
				}
				in.ExclusiveStartKey = probe.LastEvaluatedKey
			case restDone || r < stop:
				continue // read by the first page of the others
			case r == stop:
				in.ExclusiveStartKey = rest.LastEvaluatedKey
			}
			if gctx.Err() != nil {
				break ranges
			}
			g.Go(func() error { return s.queryPages(gctx, in, visit) })
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// Ranges left unread because ctx ended make the read fail, not come
	// back short.
	return translate(ctx.Err(), "query")
}

// rangeOf returns the range (the two hexadecimal digits after prefix) of a
// Query's last evaluated key.
func rangeOf(key map[string]types.AttributeValue, prefix string) (string, bool) {
	sk, ok := key[AttrSK].(*types.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	rest, ok := strings.CutPrefix(sk.Value, prefix)
	if !ok || len(rest) < 2 || !strings.ContainsRune(segmentDigits, rune(rest[0])) || !strings.ContainsRune(segmentDigits, rune(rest[1])) {
		return "", false
	}
	return rest[:2], true
}

// queryPages runs in and calls visit with each of its pages.
func (s *Store) queryPages(ctx context.Context, in *dynamodb.QueryInput, visit func(context.Context, *dynamodb.QueryOutput) error) error {
	for {
		page, err := s.client.Query(ctx, in)
		if err != nil {
			return translate(err, "query")
		}
		if err := visit(ctx, page); err != nil {
			return err
		}
		if len(page.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// queryPrefix calls fn, on the caller's goroutine, with each item of the
// partition pk whose sort key starts with prefix, decoded by decode; decode
// runs on the reading goroutines. Order is not defined. fn's first error
// stops the read and is returned.
func queryPrefix[T any](ctx context.Context, s *Store, pk, prefix string, decode func(map[string]types.AttributeValue) (T, error), fn func(T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []T, readConcurrency)
	read := make(chan error, 1)
	go func() {
		defer close(pages)
		read <- s.readRanges(ctx, pk, prefix, "", func(ctx context.Context, page *dynamodb.QueryOutput) error {
			vs := make([]T, 0, len(page.Items))
			for _, item := range page.Items {
				v, err := decode(item)
				if err != nil {
					return err
				}
				vs = append(vs, v)
			}
			select {
			case pages <- vs:
				return nil
			case <-ctx.Done():
				return translate(ctx.Err(), "query")
			}
		})
	}()
	for vs := range pages {
		for _, v := range vs {
			if err := fn(v); err != nil {
				cancel()
				for range pages {
				}
				return err
			}
		}
	}
	return <-read
}

// count counts the items of the partition pk whose sort key starts with
// prefix, with Queries that return counts, not items.
func (s *Store) count(ctx context.Context, pk, prefix string) (int, error) {
	var total atomic.Int64
	err := s.readRanges(ctx, pk, prefix, types.SelectCount, func(_ context.Context, page *dynamodb.QueryOutput) error {
		total.Add(int64(page.Count))
		return nil
	})
	if err != nil {
		return 0, err
	}
	return int(total.Load()), nil
}

// rangeQuery queries the items of pk whose sort key lies between lo and hi.
func (s *Store) rangeQuery(pk, lo, hi string) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK, "#sk": AttrSK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk}, ":lo": &types.AttributeValueMemberS{Value: lo}, ":hi": &types.AttributeValueMemberS{Value: hi},
		},
		ConsistentRead: aws.Bool(true),
	}
}

func (s *Store) prefixQuery(pk, prefix string, start map[string]types.AttributeValue) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK, "#sk": AttrSK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: pk}, ":prefix": &types.AttributeValueMemberS{Value: prefix},
		},
		ConsistentRead:    aws.Bool(true),
		ExclusiveStartKey: start,
	}
}

// queryPages pages through a Query as dynamodb.NewQueryPaginator does, on
// the client itself rather than on an interface: a client held in an
// interface keeps every operation of the DynamoDB API in a binary that
// renders templates (html/template calls methods by name, so the linker
// keeps every exported method of a type converted to an interface), about
// 2 MB more in each function.
type queryPages struct {
	client client
	in     dynamodb.QueryInput
	done   bool
}

func newQueryPages(client client, in *dynamodb.QueryInput) *queryPages {
	return &queryPages{client: client, in: *in}
}

// HasMorePages reports whether NextPage has a page to read.
func (p *queryPages) HasMorePages() bool { return !p.done }

// NextPage reads the next page.
func (p *queryPages) NextPage(ctx context.Context) (*dynamodb.QueryOutput, error) {
	out, err := p.client.Query(ctx, &p.in)
	if err != nil {
		return nil, err
	}
	p.in.ExclusiveStartKey = out.LastEvaluatedKey
	p.done = len(out.LastEvaluatedKey) == 0
	return out, nil
}
