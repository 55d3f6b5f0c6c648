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
// first two hexadecimal digits, which are read in parallel. The first range
// is read alone first: when it is small, so is the partition, and the rest
// is read with one more Query.
const (
	segmentDigits   = "0123456789abcdef"
	readConcurrency = 8
	// probeLarge is how many items in the first of 256 ranges make a
	// partition worth reading in parallel: about 4,000 in all, more than one
	// page.
	probeLarge = 16
)

// queryPrefix calls fn, on the caller's goroutine, with each item of the
// partition pk whose sort key starts with prefix, decoded by decode; decode
// runs on the reading goroutines. Order is not defined.
func queryPrefix[T any](ctx context.Context, s *Store, pk, prefix string, decode func(map[string]types.AttributeValue) (T, error), fn func(T) error) error {
	deliver := func(items []map[string]types.AttributeValue) error {
		for _, item := range items {
			v, err := decode(item)
			if err != nil {
				return err
			}
			if err := fn(v); err != nil {
				return err
			}
		}
		return nil
	}
	// The first of the 256 ranges tells the partition's size: a Query over
	// the whole partition would cost DynamoDB Local as much as the
	// partition, however few items it returns.
	probe, err := s.client.Query(ctx, s.prefixQuery(pk, prefix+"00", nil))
	if err != nil {
		return translate(err, "query")
	}
	if err := deliver(probe.Items); err != nil {
		return err
	}
	if len(probe.LastEvaluatedKey) == 0 && len(probe.Items) < probeLarge {
		// A small partition: the other 255 ranges in one Query.
		in := s.rangeQuery(pk, prefix+"01", prefix+"\uffff")
		for {
			page, err := s.client.Query(ctx, in)
			if err != nil {
				return translate(err, "query")
			}
			if err := deliver(page.Items); err != nil {
				return err
			}
			if len(page.LastEvaluatedKey) == 0 {
				return nil
			}
			in.ExclusiveStartKey = page.LastEvaluatedKey
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type segment struct {
		prefix string
		start  map[string]types.AttributeValue
	}
	var segments []segment
	if len(probe.LastEvaluatedKey) > 0 {
		segments = append(segments, segment{prefix + "00", probe.LastEvaluatedKey})
	}
	for _, a := range segmentDigits {
		for _, b := range segmentDigits {
			if p := prefix + string(a) + string(b); p != prefix+"00" {
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
