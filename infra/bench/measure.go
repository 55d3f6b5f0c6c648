package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/retours"
)

// tcpWindow is one initial TCP congestion window (10 segments of 1,460
// bytes, rounded down to 14 KiB): a page that fits arrives in one round trip.
const tcpWindow = 14 * 1024

func (b *bench) pageWeight(ctx context.Context, env *benchEnv) error {
	path := "/e/" + env.event.ID + "/" + env.event.Sessions[1].ID
	for _, lang := range []string{"fr", "en"} {
		rec := env.serve("GET", path, "", "Accept-Encoding", "gzip", "Accept-Language", lang)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("GET %s: %d", path, rec.Code)
		}
		body := rec.Body.Bytes()
		var raw, gz int
		note := ""
		if rec.Header().Get("Content-Encoding") == "gzip" {
			gz = len(body)
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				return err
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				return err
			}
			raw = len(plain)
		} else {
			raw = len(body)
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(body)
			zw.Close()
			gz = buf.Len()
			note = "served uncompressed; gzipped here with the default level"
		}
		b.add(Row{Section: "survey page", Name: "weight " + lang + ", gzipped", Value: float64(gz), Unit: "B",
			Floor: tcpWindow, FloorIs: "one TCP window", Target: "≤ 1", Met: met(gz <= tcpWindow), Note: note})
		b.add(Row{Section: "survey page", Name: "weight " + lang + ", raw", Value: float64(raw), Unit: "B",
			Floor: tcpWindow, FloorIs: "one TCP window"})
	}
	return nil
}

// submitLatency posts answers through the real router and store at a fixed
// concurrency, then writes the same items with a bare PutItem from the same
// client: the floor.
func (b *bench) submitLatency(ctx context.Context, env *benchEnv) error {
	n, conc := b.work.submits, 8
	sessions := env.event.Sessions
	bodies := make([]string, n)
	for i := range bodies {
		sub, _ := retours.NewSubmissionID(rand.Reader)
		bodies[i] = fmt.Sprintf(`{"submission_id":%q,"session":%q,"answers":{"satisfaction":%d,"nps":%d,"profil":"association","commentaire":"Des échanges riches, merci"}}`,
			sub, sessions[i%len(sessions)].ID, 1+i%5, i%11)
	}
	// Warm up the connection pool and the JIT of DynamoDB Local.
	for i := 0; i < b.work.warmups; i++ {
		sub, _ := retours.NewSubmissionID(rand.Reader)
		env.serve("POST", "/e/"+env.event.ID+"/answers", `{"submission_id":"`+sub+`","answers":{"satisfaction":3}}`, "Content-Type", "application/json")
	}
	router, wallRouter, err := measure(n, conc, func(i int) error {
		rec := env.serve("POST", "/e/"+env.event.ID+"/answers", bodies[i], "Content-Type", "application/json")
		if rec.Code != http.StatusCreated {
			return fmt.Errorf("submit: %d %s", rec.Code, rec.Body)
		}
		return nil
	})
	if err != nil {
		return err
	}
	ev, err := env.store.Event(ctx, env.event.ID)
	if err != nil {
		return err
	}
	items := make([]map[string]types.AttributeValue, n)
	for i := range items {
		sub, _ := retours.NewSubmissionID(rand.Reader)
		a := &retours.Answer{EventID: ev.ID, SessionID: sessions[i%len(sessions)].ID, ID: fmt.Sprintf("floor%011d", i), SubmissionID: sub,
			Lang: "fr", CreatedAt: time.Now().UTC(), Values: map[string]retours.Value{
				"satisfaction": {Number: 1 + i%5}, "nps": {Number: i % 11}, "profil": {Choices: []string{"association"}}, "commentaire": {Text: "Des échanges riches, merci"}}}
		items[i] = dynamo.AnswerItem(a, ev.ExpiresAt())
	}
	floor, wallFloor, err := measure(n, conc, func(i int) error {
		_, err := env.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(env.table), Item: items[i]})
		return err
	})
	if err != nil {
		return err
	}
	p50, p99 := percentile(router, 50), percentile(router, 99)
	f50, f99 := percentile(floor, 50), percentile(floor, 99)
	sec := fmt.Sprintf("submit (%d answers, %d at a time)", n, conc)
	b.add(Row{Section: sec, Name: "latency p50", Value: ms(p50), Unit: "ms", Floor: ms(f50), FloorIs: "bare PutItem", Target: "≤ 2", Met: met(ms(p50) <= 2*ms(f50))})
	b.add(Row{Section: sec, Name: "latency p99", Value: ms(p99), Unit: "ms", Floor: ms(f99), FloorIs: "bare PutItem", Target: "≤ 2", Met: met(ms(p99) <= 2*ms(f99))})
	tr, tf := float64(n)/wallRouter.Seconds(), float64(n)/wallFloor.Seconds()
	b.add(Row{Section: sec, Name: "throughput", Value: tr, Unit: "/s", Floor: tf, FloorIs: "bare PutItem", Ratio: tf / tr, Target: "floor/value ≤ 2", Met: met(tf/tr <= 2),
		Note: "a submission validates against the event from the survey function's five-second cache and writes the answer with one conditional PutItem"})
	b.submitP50 = p50
	return nil
}

// measure runs fn(i) for i in [0, n) on conc goroutines and returns each
// call's latency and the wall time.
func measure(n, conc int, fn func(int) error) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, n)
	next := make(chan int)
	errc := make(chan error, conc)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t := time.Now()
				if err := fn(i); err != nil {
					select {
					case errc <- err:
					default:
					}
					continue
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	wall := time.Since(start)
	select {
	case err := <-errc:
		return nil, 0, err
	default:
	}
	return lat, wall, nil
}

func percentile(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// syntheticAnswers returns a pool of varied answers to the default
// questionnaire; the aggregation reads it over and over.
func syntheticAnswers(e *retours.Event, n int) []*retours.Answer {
	r := mrand.New(mrand.NewPCG(1, 2))
	texts := []string{
		"Des échanges riches entre élus et associations",
		"Trop court, on aurait aimé plus de temps pour les ateliers",
		"La table ronde sur la ruralité était passionnante",
		"Great networking, the tiers-lieux workshop was inspiring",
		"Besoin de plus d'exemples concrets de médiation numérique",
	}
	profiles := []string{"elu", "agent", "association", "tiers-lieu", "entreprise", "habitant", "autre"}
	out := make([]*retours.Answer, n)
	for i := range out {
		v := map[string]retours.Value{
			"satisfaction": {Number: 1 + r.IntN(5)},
			"nps":          {Number: r.IntN(11)},
			"rencontres":   {Choices: []string{[]string{"oui", "non"}[r.IntN(2)]}},
			"profil":       {Choices: []string{profiles[r.IntN(len(profiles))]}},
		}
		if r.IntN(3) == 0 {
			v["commentaire"] = retours.Value{Text: texts[r.IntN(len(texts))]}
		}
		s := ""
		if len(e.Sessions) > 0 {
			s = e.Sessions[r.IntN(len(e.Sessions))].ID
		}
		out[i] = &retours.Answer{EventID: e.ID, SessionID: s, ID: fmt.Sprint(i), Lang: "fr", CreatedAt: time.Unix(1_790_000_000+int64(i), 0).UTC(), Values: v}
	}
	return out
}

// aggregation streams synthetic answers through the aggregator on one core.
// The floor reads the same answers and sums their numbers: the cost of
// touching the data at all.
func (b *bench) aggregation(ctx context.Context, env *benchEnv) error {
	ev, err := env.store.Event(ctx, env.event.ID)
	if err != nil {
		return err
	}
	pool := syntheticAnswers(ev, 4096)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	// Each is timed a few times, and the median kept: 10,000 answers take
	// a few milliseconds, which one pause of the machine would double.
	runs := 5
	if b.smoke {
		runs = 1
	}
	for _, n := range b.work.aggregated {
		var sink int
		floor := medianTime(runs, func() {
			for i := 0; i < n; i++ {
				a := pool[i%len(pool)]
				for _, q := range ev.Questionnaire.Questions {
					v := a.Values[q.ID]
					sink += v.Number + len(v.Choices) + len(v.Text)
				}
			}
		})
		_ = sink
		aggregate := func() {
			agg := bilan.New(ev, "fr")
			for i := 0; i < n; i++ {
				agg.AddAnswer(pool[i%len(pool)])
			}
			agg.Bilan(time.Now())
		}
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		aggregate()
		runtime.ReadMemStats(&ms1)
		d := medianTime(runs, aggregate)
		rate := float64(n) / d.Seconds()
		floorRate := float64(n) / floor.Seconds()
		allocs := float64(ms1.Mallocs-ms0.Mallocs) / float64(n)
		sec := fmt.Sprintf("aggregation, %s answers, one core", human(n))
		b.add(Row{Section: sec, Name: "throughput", Value: rate, Unit: "/s", Floor: floorRate, FloorIs: "reading the values", Ratio: floorRate / rate,
			Target: "≥ 1,000,000/s", Met: met(rate >= 1e6)})
		b.add(Row{Section: sec, Name: "allocations per answer", Value: allocs, Unit: "allocs", Target: "flat as n grows"})
	}
	return nil
}

func timeIt(fn func()) time.Duration {
	t := time.Now()
	fn()
	return time.Since(t)
}

// medianTime is the median of runs timings of fn.
func medianTime(runs int, fn func()) time.Duration {
	d := make([]time.Duration, runs)
	for i := range d {
		d[i] = timeIt(fn)
	}
	return median(d)
}

func human(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// bilanEndToEnd seeds answers in a fresh event and downloads its bilan
// through the router; the floor is the bare Query of the same items.
func (b *bench) bilanEndToEnd(ctx context.Context, env *benchEnv) error {
	n := b.work.bilanAnswers
	ce, err := env.createEvent(time.Now())
	if err != nil {
		return err
	}
	ev, err := env.store.Event(ctx, ce.ID)
	if err != nil {
		return err
	}
	pool := syntheticAnswers(ev, 4096)
	seedStart := time.Now()
	if err := seed(ctx, env, ev, pool, n); err != nil {
		return err
	}
	b.logf("seeded %d answers in %s", n, time.Since(seedStart).Round(time.Millisecond))

	// The floor reads the same items the way the store does (256 key ranges,
	// 8 at a time), without decoding or aggregating them.
	floor := timeIt(func() { err = queryRanges(ctx, env, "EVENT#"+ev.ID, "ANSWER#") })
	if err != nil {
		return err
	}
	var rec *httptest.ResponseRecorder
	d := timeIt(func() {
		rec = env.serve("GET", "/api/events/"+ev.ID+"/bilan?format=json", "", "Authorization", "Bearer "+ce.OrganiserToken)
	})
	if code := rec.Result().StatusCode; code != http.StatusOK {
		return fmt.Errorf("bilan: %d", code)
	}
	body, _ := io.ReadAll(rec.Result().Body)
	if !strings.Contains(string(body), fmt.Sprintf(`"answers": %d`, n)) && !strings.Contains(string(body), fmt.Sprintf(`"answers":%d`, n)) {
		return fmt.Errorf("bilan does not count %d answers", n)
	}
	sec := fmt.Sprintf("bilan of %s answers from DynamoDB Local", human(n))
	b.add(Row{Section: sec, Name: "end to end (JSON)", Value: d.Seconds(), Unit: "s", Floor: floor.Seconds(), FloorIs: "bare Query", Target: "≤ 2 s", Met: met(d <= 2*time.Second)})
	return nil
}

// seed writes n answers with BatchWriteItem, four writers at a time.
func seed(ctx context.Context, env *benchEnv, ev *retours.Event, pool []*retours.Answer, n int) error {
	exp := ev.ExpiresAt()
	batches := make(chan []types.WriteRequest)
	errc := make(chan error, 4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for reqs := range batches {
				for len(reqs) > 0 {
					out, err := env.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{env.table: reqs}})
					if err != nil {
						select {
						case errc <- err:
						default:
						}
						break
					}
					reqs = out.UnprocessedItems[env.table]
				}
			}
		}()
	}
	for i := 0; i < n; i += 25 {
		var reqs []types.WriteRequest
		for j := i; j < i+25 && j < n; j++ {
			a := *pool[j%len(pool)]
			a.EventID = ev.ID
			a.ID = fmt.Sprintf("seed%012d", j)
			// Spread like random UUIDs, as participants' phones make them.
			a.SubmissionID = fmt.Sprintf("%08x-0000-4000-8000-%012d", uint32(j)*2654435761, j)
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: dynamo.AnswerItem(&a, exp)}})
		}
		batches <- reqs
	}
	close(batches)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	return nil
}

// queryRanges reads every item of the partition whose sort key starts with
// prefix, in 256 key ranges, 8 at a time, and discards them.
func queryRanges(ctx context.Context, env *benchEnv, pk, prefix string) error {
	const digits = "0123456789abcdef"
	ranges := make(chan string)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range ranges {
				p := dynamodb.NewQueryPaginator(env.client, &dynamodb.QueryInput{
					TableName:              aws.String(env.table),
					KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :p)"),
					ExpressionAttributeValues: map[string]types.AttributeValue{
						":pk": &types.AttributeValueMemberS{Value: pk}, ":p": &types.AttributeValueMemberS{Value: r}},
					ConsistentRead: aws.Bool(true),
				})
				for p.HasMorePages() {
					if _, err := p.NextPage(ctx); err != nil {
						select {
						case errc <- err:
						default:
						}
						return
					}
				}
			}
		}()
	}
	for _, a := range digits {
		for _, b := range digits {
			ranges <- prefix + string(a) + string(b)
		}
	}
	close(ranges)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}
