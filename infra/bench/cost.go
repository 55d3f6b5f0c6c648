package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/retours"
)

type priceFile struct {
	Date   string `json:"date"`
	Region string `json:"region"`
	Prices map[string]struct {
		Value  float64 `json:"value"`
		Source string  `json:"source"`
	} `json:"prices"`
}

// Lambda memory of every function in template.yaml.
const lambdaGB = 0.25

// The activity function counts answers in batches: one read and one write of
// an event's activity item per batch of the table's stream. At the end of a
// plénière, 160 answers come in a minute, and the event source mapping
// gathers them for 5 seconds: about 13 answers of the event per batch. A
// quiet event's answer may be alone in its batch, which costs what the DAY#
// index entry did.
const (
	answersPerActivityWrite = 10
	// An activity item stays under 1 KB (1 WRU) and its GSI1 entry moves
	// with each write (a delete and a put in the index: 2 WRU); its
	// strongly consistent read is 1 RRU.
	activityWRU = activityTableWRU + activityIndexWRU
	activityRRU = 1.0
	// activityMS is a batch's billed duration: a GetItem and an UpdateItem
	// per event, in parallel.
	activityMS = 20.0
)

// The survey function keeps an event it read for app.SurveyEventTTL. At the
// end of a plénière, plenaryAnswersPerMinute answers come in a minute and
// each instance Lambda keeps warm reads the event once per TTL, not at each
// request; a request takes milliseconds, so two rarely overlap, and
// plenaryInstances instances are counted.
const (
	plenaryAnswersPerMinute = 160
	plenaryInstances        = 2
)

// cost prices 1,000 answers and a month at rest for a 165-participant event
// from the public prices in prices.json and what this run measured: handler
// durations and item sizes.
func (b *bench) cost(ctx context.Context, env *benchEnv) error {
	data, err := os.ReadFile(filepath.Join(b.root, "infra", "bench", "prices.json"))
	if err != nil {
		return err
	}
	var pf priceFile
	if err := json.Unmarshal(data, &pf); err != nil {
		return fmt.Errorf("prices.json: %w", err)
	}
	p := func(k string) float64 {
		v, ok := pf.Prices[k]
		if !ok {
			panic("prices.json lacks " + k)
		}
		return v.Value
	}
	path, err := b.answerPath(ctx, env)
	if err != nil {
		return err
	}
	if path.requests != requestsPerAnswer {
		return fmt.Errorf("an answer took %d requests through the router; the cost and capacity models count %d", path.requests, requestsPerAnswer)
	}
	// A participant loads the form and posts it; the post answers with the
	// thank-you page (requestsPerAnswer).
	pageMS, postMS := path.pageMS, path.postMS
	billedMS := math.Ceil(pageMS) + math.Ceil(postMS+pageMS)
	eventItemKB, answerKB := path.eventKB, path.answerKB
	// Strongly consistent GetItems of the event, from the cache's misses.
	eventReads := min(requestsPerAnswer, plenaryInstances*time.Minute.Seconds()/app.SurveyEventTTL.Seconds()/plenaryAnswersPerMinute)
	rru := eventReads * math.Ceil(eventItemKB/4)
	wru := math.Ceil(answerKB) // the answer: one item, no index entry
	// The stream's reads by Lambda are free; the activity function is
	// invoked once per batch.
	activity := activityRRU/answersPerActivityWrite*p("dynamodb_rru_per_million")/1e6 +
		activityWRU/answersPerActivityWrite*p("dynamodb_wru_per_million")/1e6 +
		1.0/answersPerActivityWrite*(p("lambda_request_per_million")/1e6+lambdaGB*activityMS/1000*p("lambda_arm_gb_second"))
	per1000 := 1000 * (requestsPerAnswer*p("http_api_request_per_million")/1e6 +
		requestsPerAnswer*p("lambda_request_per_million")/1e6 + lambdaGB*billedMS/1000*p("lambda_arm_gb_second") +
		rru*p("dynamodb_rru_per_million")/1e6 + wru*p("dynamodb_wru_per_million")/1e6 + activity)
	b.add(Row{Section: "cost on AWS (" + pf.Date + " list prices)", Name: "1,000 answers", Value: per1000, Unit: "USD",
		Target: "≤ $0.0035", Met: met(per1000 <= 0.0035),
		Note: fmt.Sprintf("per answer: %d HTTP API requests and invocations (the form; the post, answered with the thank-you page; %.0f ms billed at 256 MB as measured here), "+
			"%.2f RRU (the event, read once in %v by each of %d warm instances, %d answers a minute), %.0f WRU; "+
			"and its share of the activity function's batch (1 in %d: an invocation, %.0f RRU, %.0f WRU); %s",
			requestsPerAnswer, billedMS, rru, app.SurveyEventTTL, plenaryInstances, plenaryAnswersPerMinute, wru, answersPerActivityWrite, activityRRU, activityWRU, pf.Region)})
	b.add(Row{Section: "cost on AWS (" + pf.Date + " list prices)", Name: "DynamoDB write units per answer", Value: wru, Unit: "WRU",
		Target: "≤ 1", Met: met(wru <= 1), Note: fmt.Sprintf("the answer's item as stored in this run, %.2f KB, with no index entry (1 WRU a KB); "+
			"internal/dynamo's TestOneWritePerAnswer checks the capacity DynamoDB Local reports consumed", answerKB)})
	b.add(Row{Section: "cost on AWS (" + pf.Date + " list prices)", Name: "HTTP requests and invocations per answer", Value: float64(path.requests), Unit: "",
		Target: "≤ 2", Met: met(path.requests <= 2), Note: "counted through the router: the form, its post, and any redirect followed to the thank-you page"})

	// A month at rest: 165 answers and 60 notes stored with point-in-time
	// recovery, the hourly aggregation, the erase function's hourly
	// resumption of stalled erasures, and the weekly digest's three runs
	// each Monday (08:00 and two catch-ups).
	const answers, notes = 165, 60
	const overhead = 100.0 // DynamoDB's per-item overhead
	// The event and its index entry, the answers and notes (no index entry),
	// the activity item and its index entry.
	bytes := eventItemKB*1024 + 2*overhead + answers*(answerKB*1024+overhead) + notes*(300+overhead) + 1024 + 2*overhead
	gb := bytes / (1 << 30)
	runs := 2*30*24 + 3*4.0
	month := gb*(p("dynamodb_storage_gb_month")+p("dynamodb_pitr_gb_month")) +
		runs*(p("lambda_request_per_million")/1e6+p("scheduler_invocation_per_million")/1e6+lambdaGB*0.1*p("lambda_arm_gb_second")+2*p("dynamodb_rru_per_million")/1e6) +
		1*p("ses_per_thousand_emails")/1000*4
	b.add(Row{Section: "cost on AWS (" + pf.Date + " list prices)", Name: "165-participant event, a month at rest", Value: month, Unit: "USD",
		Note: fmt.Sprintf("%.0f KB stored with point-in-time recovery; %d scheduled runs of about 100 ms; 4 digests", bytes/1024, int(runs))})
	return nil
}

// answerPath is what an answer costs the survey function and the table,
// measured once per run: the median duration of a page (the form, the
// thank-you page) and of a submission, the event's item and an answer's.
type answerPath struct {
	pageMS, postMS    float64
	eventKB, answerKB float64
	// requests is how many requests a participant's browser sends for an
	// answer: the form, its post, and any redirect to the thank-you page.
	requests int
}

func (b *bench) answerPath(ctx context.Context, env *benchEnv) (*answerPath, error) {
	if b.path != nil {
		return b.path, nil
	}
	if b.submitP50 == 0 {
		return nil, fmt.Errorf("the submit measurement did not run")
	}
	ev, err := env.store.Event(ctx, env.event.ID)
	if err != nil {
		return nil, err
	}
	pageMS := ms(medianOf(b.work.pageLoads, func() {
		env.serve("GET", "/e/"+ev.ID+"/"+ev.Sessions[1].ID, "", "Accept-Encoding", "gzip")
	}))
	requests, err := env.requestsPerAnswer(ev.ID, ev.Sessions[1].ID)
	if err != nil {
		return nil, err
	}
	b.path = &answerPath{
		pageMS: pageMS, postMS: ms(b.submitP50), requests: requests,
		eventKB:  float64(itemSize(mustEventItem(env, ev.ID))) / 1024,
		answerKB: float64(itemSize(dynamo.AnswerItem(sampleAnswer(ev), ev.ExpiresAt()))) / 1024,
	}
	return b.path, nil
}

// requestsPerAnswer answers the session's form as a browser does: it loads
// the form, posts it and follows redirects until the thank-you page, and
// returns how many requests that took.
func (env *benchEnv) requestsPerAnswer(eventID, sessionID string) (int, error) {
	rec := env.serve("GET", "/e/"+eventID+"/"+sessionID, "")
	m := regexp.MustCompile(`name="submission_id" value="([0-9a-f-]{36})"`).FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		return 0, fmt.Errorf("the form: %d, no submission id", rec.Code)
	}
	form := url.Values{"submission_id": {m[1]}, "session": {sessionID}, "lang": {"fr"}, "q_satisfaction": {"4"}}
	rec = env.serve("POST", "/e/"+eventID+"/answers", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	n := 2
	for rec.Code/100 == 3 && n < 10 {
		rec = env.serve("GET", rec.Header().Get("Location"), "")
		n++
	}
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `role="status"`) {
		return 0, fmt.Errorf("after %d requests: %d, not the thank-you page", n, rec.Code)
	}
	return n, nil
}

func medianOf(n int, fn func()) time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		d[i] = timeIt(fn)
	}
	return median(d)
}

func mustEventItem(env *benchEnv, id string) map[string]types.AttributeValue {
	rec := env.serve("GET", "/e/"+id, "")
	_ = rec
	ev, _ := env.store.Event(context.Background(), id)
	data, _ := json.Marshal(ev)
	// The stored item is the event's JSON plus its keys and a few attributes.
	return map[string]types.AttributeValue{"data": &types.AttributeValueMemberS{Value: string(data) + fmt.Sprintf("%0100d", 0)}}
}

func sampleAnswer(ev *retours.Event) *retours.Answer {
	return &retours.Answer{EventID: ev.ID, SessionID: ev.Sessions[1].ID, ID: "0123456789abcdef", SubmissionID: "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
		Lang: "fr", CreatedAt: time.Now().UTC(), Values: map[string]retours.Value{
			"satisfaction": {Number: 4}, "nps": {Number: 9}, "rencontres": {Choices: []string{"oui"}}, "profil": {Choices: []string{"association"}},
			"suites": {Text: "Monter un atelier de médiation numérique dans notre tiers-lieu"}, "commentaire": {Text: "Des échanges riches entre élus et associations, merci !"}}}
}

// itemSize approximates DynamoDB's item size: attribute names plus values.
func itemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return (len(x.Value)+1)/2 + 1
	case *types.AttributeValueMemberBOOL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0
}
