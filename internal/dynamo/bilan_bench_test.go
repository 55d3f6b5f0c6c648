package dynamo_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
)

// BenchmarkBilan100k measures the bilan of 100,000 answers read from
// DynamoDB Local, end to end, and where its time goes. It seeds the answers
// once, with BatchWriteItem, then runs:
//
//	query       the bare paginated Query of the answers, one page after the
//	            other: the floor of a plain read
//	ranges      the same items read as the store reads them, in 256 key
//	            ranges, 8 at a time, not decoded: the floor of the store
//	decode      the store's read, decoded into retours.Answer
//	aggregate   Query, decoding and aggregation: the bilan of the answers
//	compute     bilan.Compute, as a download without a snapshot does: the
//	            above plus the moderation count, the notes and the previous
//	            edition
//	snapshot    bilan.Load with a current snapshot stored, as a download
//	            after the hourly run does
//
//	go test -run '^$' -bench BenchmarkBilan100k -benchtime 2x ./internal/dynamo
func BenchmarkBilan100k(b *testing.B) {
	const n = 100_000
	st := dynamotest.NewStore(b)
	ctx := context.Background()
	e := mustEvent(b)
	if err := st.CreateEvent(ctx, e); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	seedAnswers(b, st, e, n)
	b.Logf("seeded %d answers in %s", n, time.Since(start).Round(time.Millisecond))

	perAnswer := func(b *testing.B, elapsed time.Duration) {
		b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "answers/s")
	}
	b.Run("query", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			p := dynamodb.NewQueryPaginator(dynamotest.Client(b), &dynamodb.QueryInput{
				TableName:              aws.String(st.Table()),
				KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :p)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": &types.AttributeValueMemberS{Value: "EVENT#" + e.ID}, ":p": &types.AttributeValueMemberS{Value: "ANSWER#"}},
				ConsistentRead: aws.Bool(true),
			})
			got := 0
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					b.Fatal(err)
				}
				got += len(page.Items)
			}
			if got != n {
				b.Fatalf("queried %d items, want %d", got, n)
			}
		}
		perAnswer(b, time.Since(start))
	})
	b.Run("ranges", func(b *testing.B) {
		const digits = "0123456789abcdef"
		start := time.Now()
		for b.Loop() {
			ranges := make(chan string)
			go func() {
				defer close(ranges)
				for _, x := range digits {
					for _, y := range digits {
						ranges <- "ANSWER#" + string(x) + string(y)
					}
				}
			}()
			var wg sync.WaitGroup
			var mu sync.Mutex
			got := 0
			for w := 0; w < 8; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for prefix := range ranges {
						p := dynamodb.NewQueryPaginator(dynamotest.Client(b), &dynamodb.QueryInput{
							TableName:              aws.String(st.Table()),
							KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :p)"),
							ExpressionAttributeValues: map[string]types.AttributeValue{
								":pk": &types.AttributeValueMemberS{Value: "EVENT#" + e.ID}, ":p": &types.AttributeValueMemberS{Value: prefix}},
							ConsistentRead: aws.Bool(true),
						})
						for p.HasMorePages() {
							page, err := p.NextPage(ctx)
							if err != nil {
								b.Error(err)
								return
							}
							mu.Lock()
							got += len(page.Items)
							mu.Unlock()
						}
					}
				}()
			}
			wg.Wait()
			if got != n {
				b.Fatalf("read %d items, want %d", got, n)
			}
		}
		perAnswer(b, time.Since(start))
	})
	b.Run("decode", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			got := 0
			if err := st.Answers(ctx, e.ID, func(*retours.Answer) error { got++; return nil }); err != nil || got != n {
				b.Fatalf("read %d answers, %v", got, err)
			}
		}
		perAnswer(b, time.Since(start))
	})
	b.Run("aggregate", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			agg := bilan.New(e, "fr")
			if err := st.Answers(ctx, e.ID, func(a *retours.Answer) error { agg.AddAnswer(a); return nil }); err != nil {
				b.Fatal(err)
			}
			if got := agg.Bilan(time.Now()).Answers; got != n {
				b.Fatalf("bilan of %d answers, want %d", got, n)
			}
		}
		perAnswer(b, time.Since(start))
	})
	b.Run("compute", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			bl, _, err := bilan.Compute(ctx, st, e, "fr", time.Now())
			if err != nil || bl.Answers != n {
				b.Fatalf("bilan = %v, %v", bl, err)
			}
		}
		perAnswer(b, time.Since(start))
	})
	b.Run("snapshot", func(b *testing.B) {
		now := time.Now()
		bl, cov, err := bilan.Compute(ctx, st, e, "fr", now)
		if err != nil {
			b.Fatal(err)
		}
		snap, err := bilan.NewSnapshot(e, bl, cov, now)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.PutSnapshot(ctx, snap); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for b.Loop() {
			got, fromSnapshot, err := bilan.Load(ctx, st, e, "fr", now.Add(time.Minute))
			if err != nil || !fromSnapshot || got.Answers != n {
				b.Fatalf("Load = %d answers, from the snapshot %v, %v", got.Answers, fromSnapshot, err)
			}
		}
		perAnswer(b, time.Since(start))
	})
}

// seedAnswers writes n varied answers to e with BatchWriteItem, four
// writers at a time, resending what DynamoDB leaves unprocessed.
func seedAnswers(tb testing.TB, st *dynamo.Store, e *retours.Event, n int) {
	tb.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	texts := []string{
		"Des échanges riches entre élus et associations",
		"Trop court, on aurait aimé plus de temps pour les ateliers",
		"La table ronde sur la ruralité était passionnante",
		"Great networking, the tiers-lieux workshop was inspiring",
		"Besoin de plus d'exemples concrets de médiation numérique",
	}
	profiles := e.Questionnaire.Questions[4].Choices
	batches := make(chan []types.WriteRequest)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	client := dynamotest.Client(tb)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for reqs := range batches {
				for len(reqs) > 0 {
					out, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{st.Table(): reqs}})
					if err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						break
					}
					reqs = out.UnprocessedItems[st.Table()]
				}
			}
		}()
	}
	exp := e.ExpiresAt()
	var reqs []types.WriteRequest
	for i := 0; i < n; i++ {
		v := map[string]retours.Value{
			"satisfaction": {Number: 1 + r.IntN(5)},
			"nps":          {Number: r.IntN(11)},
			"rencontres":   {Choices: []string{[]string{"oui", "non"}[r.IntN(2)]}},
			"profil":       {Choices: []string{profiles[r.IntN(len(profiles))].ID}},
		}
		if r.IntN(3) == 0 {
			v["commentaire"] = retours.Value{Text: texts[r.IntN(len(texts))]}
		}
		a := &retours.Answer{EventID: e.ID, SessionID: e.Sessions[r.IntN(len(e.Sessions))].ID, ID: fmt.Sprintf("seed%07d", i),
			SubmissionID: fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48)), Lang: "fr", CreatedAt: t0.Add(time.Duration(i) * time.Second), Values: v}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: dynamo.AnswerItem(a, exp)}})
		if len(reqs) == 25 || i == n-1 {
			batches <- reqs
			reqs = nil
		}
	}
	close(batches)
	wg.Wait()
	if firstErr != nil {
		tb.Fatal(firstErr)
	}
}
