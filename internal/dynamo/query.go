package dynamo

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Reading a large partition page after page is slow, and on DynamoDB Local
// each page costs more than the last (100,000 answers: over a minute). Answer
// and note sort keys end in a submission id, a lower-case hexadecimal UUID
// (checked on every write), so the key space splits into 256 ranges by its
// first two hexadecimal digits, which are read in parallel. A partition that
// fits in one page is read with one Query, as before.
const (
	segmentDigits   = "0123456789abcdef"
	readConcurrency = 8
)

// queryPrefix calls fn, on the caller's goroutine, with each item of the
// partition pk whose sort key starts with prefix, decoded by decode; decode
// runs on the reading goroutines. Order is not defined.
func queryPrefix[T any](ctx context.Context, s *Store, pk, prefix string, decode func(map[string]types.AttributeValue) (T, error), fn func(T) error) error {
	first, err := s.client.Query(ctx, s.prefixQuery(pk, prefix, nil))
	if err != nil {
		return translate(err, "query")
	}
	for _, item := range first.Items {
		v, err := decode(item)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	if len(first.LastEvaluatedKey) == 0 {
		return nil
	}
	last := str(first.LastEvaluatedKey, AttrSK)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type segment struct {
		prefix string
		start  map[string]types.AttributeValue
	}
	var segments []segment
	for _, a := range segmentDigits {
		for _, b := range segmentDigits {
			p := prefix + string(a) + string(b)
			switch {
			case len(last) >= len(p) && last[:len(p)] == p:
				segments = append(segments, segment{p, first.LastEvaluatedKey})
			case p > last:
				segments = append(segments, segment{p, nil})
			}
		}
	}
	work := make(chan segment)
	out := make(chan T, 256)
	errc := make(chan error, 1)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
		cancel()
	}
	var wg sync.WaitGroup
	for w := 0; w < readConcurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seg := range work {
				in := s.prefixQuery(pk, seg.prefix, seg.start)
				for {
					page, err := s.client.Query(ctx, in)
					if err != nil {
						fail(translate(err, "query"))
						return
					}
					for _, item := range page.Items {
						v, err := decode(item)
						if err != nil {
							fail(err)
							return
						}
						select {
						case out <- v:
						case <-ctx.Done():
							return
						}
					}
					if len(page.LastEvaluatedKey) == 0 {
						break
					}
					in.ExclusiveStartKey = page.LastEvaluatedKey
				}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, seg := range segments {
			select {
			case work <- seg:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(out)
	}()
	for v := range out {
		if err := fn(v); err != nil {
			cancel()
			for range out {
			}
			return err
		}
	}
	select {
	case err := <-errc:
		return err
	default:
	}
	return ctx.Err()
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
