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
// first two hexadecimal digits, which are read in parallel. The first page
// of the whole partition is read first: when it holds all of it, the
// partition is small and was read in one round trip; otherwise the ranges
// from where it stopped are read in parallel.
const (
	segmentDigits   = "0123456789abcdef"
	readConcurrency = 8
	// firstLimit bounds the first page: a small partition, whole (16 items
	// a range, about 4,000 in all, under DynamoDB's 1 MB a page for
	// answers). A Query's cost on DynamoDB, and on DynamoDB Local, follows
	// the items it returns, not the range it covers, as long as it starts
	// from the range's beginning.
	firstLimit = 256 * 16
)

// readRanges queries the items of the partition pk whose sort key starts
// with prefix and calls visit with each page. sel is the Query's Select
// ("" for the items, types.SelectCount for their count only).
//
// The first page tells the partition's size: a small partition takes one
// round trip, where reading a large one page after page would cost DynamoDB
// Local more at each page. A large one goes on in the 256 key ranges from
// the one that page stopped in, readConcurrency at a time, and visit is then
// called from several goroutines at once. The first error, of a Query or of
// visit, cancels the others and is returned.
func (s *Store) readRanges(ctx context.Context, pk, prefix string, sel types.Select, visit func(context.Context, *dynamodb.QueryOutput) error) error {
	in := s.prefixQuery(pk, prefix, nil)
	in.Select = sel
	in.Limit = aws.Int32(firstLimit)
	first, err := s.client.Query(ctx, in)
	if err != nil {
		return translate(err, "query")
	}
	if err := visit(ctx, first); err != nil {
		return err
	}
	if len(first.LastEvaluatedKey) == 0 {
		return nil
	}
	stop, ok := rangeOf(first.LastEvaluatedKey, prefix)
	if !ok {
		// Keys outside the ranges: the rest page after page.
		in.ExclusiveStartKey, in.Limit = first.LastEvaluatedKey, nil
		return s.queryPages(ctx, in, visit)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
ranges:
	for _, a := range segmentDigits {
		for _, b := range segmentDigits {
			r := string(a) + string(b)
			if r < stop {
				continue // read by the first page
			}
			in := s.prefixQuery(pk, prefix+r, nil)
			in.Select = sel
			if r == stop {
				in.ExclusiveStartKey = first.LastEvaluatedKey
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
