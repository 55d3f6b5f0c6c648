package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/samtemplate"
)

// The capacity model: how many answers a second the deployment sustains,
// component by component, from AWS's default quotas (quotas.json, each with
// its source), the deployment's settings read from template.yaml and the
// durations and item sizes the benchmark measures. The route throttles in
// template.yaml are checked against it (capacity_test.go).

// What one answer brings, besides its own post.
const (
	// requestsPerAnswer is what a participant's answer takes through API
	// Gateway and the survey function: the form, and the post, which
	// answers with the thank-you page; each a request and an invocation.
	requestsPerAnswer = 2
	// notesPerAnswer: a 165-participant day leaves about 60 rapport
	// d'étonnement notes, each one more post and one more stream record.
	notesPerAnswer = 60.0 / 165
	// margin is how far above a scenario's mean rate its peak may go: the
	// participants of an event do not answer evenly through its minutes.
	margin = 3
	// streamShards is how many shards the table's stream is assumed to
	// have: DynamoDB gives a stream about one per partition but does not say
	// how many a new on-demand table has, so the model counts one. The
	// records of one event always go through one shard.
	streamShards = 1
	// oneClientRate is what one client gets through API Gateway sending one
	// request after another (about 50 ms a round trip). A sensitive route
	// allows margin times more, so that one such client cannot block it for
	// everyone; clients sending in parallel are the application's to limit.
	oneClientRate = 20
	// The activity function's write to an event: the activity item (under
	// 1 KB) and the move of its keys-only ACTIVITY index entry, a delete
	// and a put. activityRRU is its strongly consistent read (cost.go).
	activityTableWRU = 1.0
	activityIndexWRU = 2.0
)

// The routes an answer takes, and the sensitive ones whose throttles must
// not let one client block every organiser.
const (
	answersRoute = "POST /e/{event}/answers"
	notesRoute   = "POST /e/{event}/notes"
	formRoute    = "GET /e/{event}/{session}"
	thanksRoute  = "GET /e/{event}/merci"
)

// pageRoutes are the participants' pages: the event page (a poster's QR
// code), the form, and the thank-you page as its language switch and older
// links load it (a post answers with the page itself).
var pageRoutes = []string{"GET /e/{event}", formRoute, thanksRoute}

var sensitiveRoutes = []string{
	"POST /o/{event}/login", "POST /api/events/{event}/token", "DELETE /api/events/{event}",
	"POST /api/events", "POST /api/digests/run", "POST /unsubscribe/{token}",
}

// scenario is a load the deployment should take: Answers over Seconds,
// spread over Events events at once, and the peak of one large event.
type scenario struct {
	Name         string
	Answers      float64
	Seconds      float64
	Events       float64 // events answering at once; 0: every record of a batch is another event's (the worst case)
	EventAnswers float64 // one large event's peak: EventAnswers in EventSeconds
	EventSeconds float64
}

var (
	// defaultSettings has no demand: what the deployment sustains as
	// deployed, the activity's batches at their worst (each record of a
	// batch another event's, so each costs a write).
	defaultSettings = scenario{Name: "default settings"}
	// nationalDay: 500 events closing within the same hour, 50,000 answers
	// in ten minutes; a large event's 165 participants answer within a
	// minute after a plénière.
	nationalDay = scenario{Name: "national day", Answers: 50_000, Seconds: 600, Events: 500, EventAnswers: 165, EventSeconds: 60}
)

func (s scenario) demand() float64 {
	if s.Seconds == 0 {
		return 0
	}
	return s.Answers / s.Seconds
}

func (s scenario) eventDemand() float64 {
	if s.EventSeconds == 0 {
		return 0
	}
	return s.EventAnswers / s.EventSeconds
}

// quotas are the figures of quotas.json the model reads.
type quotas struct {
	APIRate, APIBurst          float64 // API Gateway, per account and Region
	Concurrency                float64 // Lambda concurrent executions
	RequestsPerConcurrency     float64 // Lambda invocations a second per unit of concurrency
	PartitionWRU, PartitionRRU float64 // DynamoDB, per partition
	TableMaxWRU, TableMaxRRU   float64 // DynamoDB on demand, per table
	NewTableWRU, NewTableRRU   float64 // DynamoDB on demand, a new table at once
	StreamPolls                float64 // Lambda's polls of a stream shard a second
}

type quotaFile struct {
	Date   string `json:"date"`
	Region string `json:"region"`
	Note   string `json:"note"`
	Quotas map[string]struct {
		Value  float64 `json:"value"`
		Unit   string  `json:"unit"`
		Source string  `json:"source"`
		Note   string  `json:"note"`
	} `json:"quotas"`
}

// loadQuotas reads infra/bench/quotas.json under root.
func loadQuotas(root string) (quotas, *quotaFile, error) {
	var q quotas
	data, err := os.ReadFile(filepath.Join(root, "infra", "bench", "quotas.json"))
	if err != nil {
		return q, nil, err
	}
	var qf quotaFile
	if err := json.Unmarshal(data, &qf); err != nil {
		return q, nil, fmt.Errorf("quotas.json: %w", err)
	}
	for key, p := range map[string]*float64{
		"apigw_account_rate": &q.APIRate, "apigw_account_burst": &q.APIBurst,
		"lambda_concurrency": &q.Concurrency, "lambda_requests_per_concurrency": &q.RequestsPerConcurrency,
		"dynamodb_partition_wru": &q.PartitionWRU, "dynamodb_partition_rru": &q.PartitionRRU,
		"dynamodb_table_max_wru": &q.TableMaxWRU, "dynamodb_table_max_rru": &q.TableMaxRRU,
		"dynamodb_new_table_wru": &q.NewTableWRU, "dynamodb_new_table_rru": &q.NewTableRRU,
		"lambda_stream_polls": &q.StreamPolls,
	} {
		v, ok := qf.Quotas[key]
		if !ok || v.Value <= 0 || v.Source == "" {
			return q, nil, fmt.Errorf("quotas.json: %s needs a value and its source", key)
		}
		*p = v.Value
	}
	return q, &qf, nil
}

// throttle is a route's rate (requests a second) and burst.
type throttle struct{ Rate, Burst float64 }

// route is a route of the HTTP API and the throttle API Gateway applies to
// it: its own from RouteSettings, or DefaultRouteSettings.
type route struct {
	Key      string // "POST /e/{event}/answers"
	Function string // the logical id of the function behind it
	Throttle throttle
	Own      bool // set in RouteSettings
}

// deployment is what template.yaml sets that bounds capacity.
type deployment struct {
	Default  throttle
	Routes   map[string]route
	Reserved map[string]float64 // function → ReservedConcurrentExecutions
	// The activity function's event source mapping: records per batch,
	// batches per shard at a time, and how long a batch may wait to fill
	// (which delays a lone answer's count, not the rate counted).
	BatchSize, Parallelization float64
	BatchingWindow             time.Duration
}

// readDeployment reads the route throttles, the functions' reserved
// concurrency and the stream's event source mapping from the template.
func readDeployment(t *samtemplate.Template) (*deployment, error) {
	apis := t.Resources("AWS::Serverless::HttpApi")
	if len(apis) != 1 {
		return nil, fmt.Errorf("template.yaml has %d HTTP APIs, want one", len(apis))
	}
	var props map[string]any
	for _, api := range apis {
		props, _ = api["Properties"].(map[string]any)
	}
	d := &deployment{Routes: map[string]route{}, Reserved: map[string]float64{}}
	readThrottle := func(v any) (throttle, bool) {
		m, _ := v.(map[string]any)
		th := throttle{Rate: toFloat(m["ThrottlingRateLimit"]), Burst: toFloat(m["ThrottlingBurstLimit"])}
		return th, th.Rate > 0 && th.Burst > 0
	}
	var ok bool
	if d.Default, ok = readThrottle(props["DefaultRouteSettings"]); !ok {
		return nil, fmt.Errorf("template.yaml: the HTTP API's DefaultRouteSettings need a rate and a burst limit")
	}
	own, _ := props["RouteSettings"].(map[string]any)
	globals, _ := t.Raw["Globals"].(map[string]any)
	globalFn, _ := globals["Function"].(map[string]any)
	for id, fn := range t.Resources("AWS::Serverless::Function") {
		fp, _ := fn["Properties"].(map[string]any)
		if r := toFloat(fp["ReservedConcurrentExecutions"]); r > 0 {
			d.Reserved[id] = r
		} else if r := toFloat(globalFn["ReservedConcurrentExecutions"]); r > 0 {
			d.Reserved[id] = r
		}
		evs, _ := fp["Events"].(map[string]any)
		for _, ev := range evs {
			e, _ := ev.(map[string]any)
			if e["Type"] != "HttpApi" {
				continue
			}
			ep, _ := e["Properties"].(map[string]any)
			key := fmt.Sprintf("%v %v", ep["Method"], ep["Path"])
			r := route{Key: key, Function: id, Throttle: d.Default}
			if v, found := own[key]; found {
				if r.Throttle, ok = readThrottle(v); !ok {
					return nil, fmt.Errorf("template.yaml: RouteSettings[%q] needs a rate and a burst limit", key)
				}
				r.Own = true
			}
			d.Routes[key] = r
		}
	}
	for key := range own {
		if _, found := d.Routes[key]; !found {
			return nil, fmt.Errorf("template.yaml: RouteSettings[%q] names no route", key)
		}
	}
	maps := t.Resources("AWS::Lambda::EventSourceMapping")
	for id := range maps {
		m, err := t.Mapping(id)
		if err != nil {
			return nil, err
		}
		if m.Source == "Table.StreamArn" {
			d.BatchSize = float64(m.BatchSize)
			d.BatchingWindow = m.BatchingWindow
			d.Parallelization = max(1, toFloat(m.Properties["ParallelizationFactor"]))
		}
	}
	if d.BatchSize == 0 {
		return nil, fmt.Errorf("template.yaml: no event source mapping reads the table's stream with a BatchSize")
	}
	return d, nil
}

// sumOfRates is the rate of every route together.
func (d *deployment) sumOfRates() float64 {
	sum := 0.0
	for _, r := range d.Routes {
		sum += r.Throttle.Rate
	}
	return sum
}

// surveyFunction is the function that takes the answers.
func (d *deployment) surveyFunction() string { return d.Routes[answersRoute].Function }

// concurrency is the concurrency fn can use: its reservation, or the
// account's less what other functions reserve.
func (d *deployment) concurrency(fn string, q quotas) float64 {
	if r, ok := d.Reserved[fn]; ok {
		return r
	}
	c := q.Concurrency
	for id, r := range d.Reserved {
		if id != fn {
			c -= r
		}
	}
	return c
}

// measured is what the benchmark measures that the model needs.
type measured struct {
	Source string `json:"source"`
	// The survey function: a page (form, thank-you) and a submission, in
	// milliseconds, medians.
	PageMS float64 `json:"page_ms"`
	PostMS float64 `json:"post_ms"`
	// Request units: an answer's and a note's write, the event's strongly
	// consistent read.
	AnswerWRU float64 `json:"answer_wru"`
	NoteWRU   float64 `json:"note_wru"`
	EventRRU  float64 `json:"event_rru"`
	// The activity function's batch of BatchSize records, in milliseconds:
	// of one event, and of ManyEvents events.
	OneEventBatchMS   float64 `json:"one_event_batch_ms"`
	ManyEventsBatchMS float64 `json:"many_events_batch_ms"`
	ManyEvents        float64 `json:"many_events"`
}

// batchMS is the duration of a batch holding events events, between the
// two measured batches (the function writes the events eight at a time).
func (m measured) batchMS(events float64) float64 {
	if m.ManyEvents <= 1 {
		return m.ManyEventsBatchMS
	}
	f := (events - 1) / (m.ManyEvents - 1)
	return m.OneEventBatchMS + f*(m.ManyEventsBatchMS-m.OneEventBatchMS)
}

// referenceRun is what `go run ./infra/bench -only cost` measured for the
// README's capacity table; the tests check template.yaml against the table
// it gives, and every benchmark run checks it again with its own figures.
var referenceRun = measured{
	Source: "go run ./infra/bench -only cost, 2026-11-30, 2-core Xeon, DynamoDB Local",
	PageMS: 0.8, PostMS: 13.6,
	AnswerWRU: 1, NoteWRU: 1, EventRRU: 1,
	OneEventBatchMS: 8.3, ManyEventsBatchMS: 274.1, ManyEvents: 100,
}

// component is one line of the capacity table: a limit, and the answers a
// second it allows the whole deployment and one event.
type component struct {
	Name      string  `json:"name"`
	Limit     string  `json:"limit"`
	PerAnswer string  `json:"per_answer"`
	Rate      float64 `json:"answers_per_s,omitempty"`       // the whole deployment; 0 when the limit is one event's
	EventRate float64 `json:"event_answers_per_s,omitempty"` // one event; 0 when it does not bound one event
	// Lag: past this limit answers are still taken, and counted later.
	Lag bool `json:"lag,omitempty"`
	// Gateway: a route throttle, set from the rest of the table.
	Gateway bool   `json:"gateway,omitempty"`
	Source  string `json:"source,omitempty"`
}

// bound is the component that binds and the rate it allows.
type bound struct {
	Component string  `json:"component"`
	Rate      float64 `json:"answers_per_s"`
}

// capacityTable is the model's answer for one scenario.
type capacityTable struct {
	Scenario    string      `json:"scenario"`
	Demand      float64     `json:"demand_per_s,omitempty"`
	EventDemand float64     `json:"event_demand_per_s,omitempty"`
	Components  []component `json:"components"`
	// Accepted: answers stored; Counted: answers also counted into the
	// organisers' live counts as they come. Beyond: what the deployment
	// accepts behind the gateway's route throttles, which are set from it.
	Accepted, Counted, Beyond                bound
	EventAccepted, EventCounted, EventBeyond bound
}

// capacity computes the table for s.
func capacity(s scenario, q quotas, d *deployment, m measured) capacityTable {
	n := notesPerAnswer
	records := 1 + n                     // stream records per answer
	invocations := requestsPerAnswer + n // requests and invocations per answer
	batch := d.BatchSize
	// Events per batch: each record another event's in the worst case; the
	// expected number of distinct events among batch records of s.Events.
	events := batch
	if s.Events > 0 {
		events = s.Events * (1 - math.Pow(1-1/s.Events, batch))
	}
	perMove := batch / events // records counted per activity write
	// The form, then the posts of the answer and its notes, each answered
	// with the thank-you page.
	lambdaSeconds := (m.PageMS + (1+n)*(m.PostMS+m.PageMS)) / 1000
	survey := d.surveyFunction()
	conc := d.concurrency(survey, q)
	// Each survey instance reads an event once per cache interval; at a
	// rate r the function runs r×lambdaSeconds instances.
	eventReads := m.EventRRU * lambdaSeconds / app.SurveyEventTTL.Seconds()
	tableWRU := m.AnswerWRU + n*m.NoteWRU + records/perMove*activityTableWRU
	tableRRU := eventReads + records/perMove*activityRRU
	// One event's column: that event fills the batches.
	eventWRU := m.AnswerWRU + n*m.NoteWRU + records/batch*activityTableWRU
	eventRRU := eventReads + records/batch*activityRRU
	shard := func(ms float64) float64 { // records a second one shard's consumer takes
		return d.Parallelization * batch * min(q.StreamPolls, 1000/ms)
	}

	// The route throttle on the answer path that binds.
	gate := component{Name: "API Gateway, route throttles", Gateway: true, Rate: math.Inf(1),
		PerAnswer: fmt.Sprintf("a request on %s and %s; %.2f on %s", formRoute, answersRoute, n, notesRoute),
		Source:    "template.yaml"}
	for _, use := range []struct {
		key string
		per float64
	}{{answersRoute, 1}, {formRoute, 1}, {notesRoute, n}} {
		r, ok := d.Routes[use.key]
		if !ok {
			continue
		}
		if rate := r.Throttle.Rate / use.per; rate < gate.Rate {
			gate.Rate = rate
			gate.Limit = fmt.Sprintf("%s: %s/s (burst %s)", use.key, num(r.Throttle.Rate), num(r.Throttle.Burst))
		}
	}
	if math.IsInf(gate.Rate, 1) {
		gate.Rate, gate.Limit = 0, "none of the answer's routes"
	}
	gate.EventRate = gate.Rate

	comps := []component{
		{Name: "API Gateway, account", Rate: q.APIRate / invocations, EventRate: q.APIRate / invocations,
			Limit:     fmt.Sprintf("%s requests/s (burst %s), every API of the account in the Region", num(q.APIRate), num(q.APIBurst)),
			PerAnswer: fmt.Sprintf("%.2f requests", invocations), Source: "quotas.json apigw_account_rate"},
		gate,
		{Name: "Lambda, concurrency", Rate: conc / lambdaSeconds, EventRate: conc / lambdaSeconds,
			Limit:     fmt.Sprintf("%s executions for %s (%s)", num(conc), survey, reservedNote(d, survey)),
			PerAnswer: fmt.Sprintf("%.1f ms of the survey function (a page of %.1f ms, %.2f posts of %.1f ms answered with a page)", lambdaSeconds*1000, m.PageMS, 1+n, m.PostMS),
			Source:    "quotas.json lambda_concurrency; " + m.Source},
		{Name: "Lambda, invocations", Rate: q.RequestsPerConcurrency * q.Concurrency / invocations, EventRate: q.RequestsPerConcurrency * q.Concurrency / invocations,
			Limit:     fmt.Sprintf("%s a second (%s × the account's concurrency)", num(q.RequestsPerConcurrency*q.Concurrency), num(q.RequestsPerConcurrency)),
			PerAnswer: fmt.Sprintf("%.2f invocations", invocations), Source: "quotas.json lambda_requests_per_concurrency"},
		{Name: "DynamoDB, table", Rate: 1 / (tableWRU/q.NewTableWRU + tableRRU/q.NewTableRRU),
			Limit: fmt.Sprintf("a new on-demand table: %s WRU or %s RRU a second; twice the last peak later, %s each at most",
				num(q.NewTableWRU), num(q.NewTableRRU), num(min(q.TableMaxWRU, q.TableMaxRRU))),
			PerAnswer: fmt.Sprintf("%.2f WRU, %.3f RRU (activity writes of %.1f records)", tableWRU, tableRRU, perMove),
			Source:    "quotas.json dynamodb_new_table_wru, dynamodb_new_table_rru; " + m.Source},
		{Name: "DynamoDB, the event's partition EVENT#<event>", EventRate: 1 / (eventWRU/q.PartitionWRU + eventRRU/q.PartitionRRU),
			Limit:     fmt.Sprintf("%s WRU or %s RRU a second per partition", num(q.PartitionWRU), num(q.PartitionRRU)),
			PerAnswer: fmt.Sprintf("%.2f WRU (answer, notes, the activity's write per batch of %s records), %.3f RRU", eventWRU, num(batch), eventRRU),
			Source:    "quotas.json dynamodb_partition_wru, dynamodb_partition_rru; " + m.Source},
		{Name: "DynamoDB, the index partition ACTIVITY", Rate: q.PartitionWRU / (records / perMove * activityIndexWRU), Lag: true,
			Limit:     fmt.Sprintf("%s WRU a second", num(q.PartitionWRU)),
			PerAnswer: fmt.Sprintf("%.2f WRU (an entry moved per event and batch: %.1f records each)", records/perMove*activityIndexWRU, perMove),
			Source:    "quotas.json dynamodb_partition_wru"},
		{Name: "stream consumer (activity function)", Rate: streamShards * shard(m.batchMS(events)) / records, EventRate: shard(m.batchMS(1)) / records, Lag: true,
			Limit: fmt.Sprintf("%d shard, batches of %s records (gathered for %s at most), at most %s a second per shard, %.0f ms each for %.0f events (%.0f ms for one)",
				streamShards, num(batch), d.BatchingWindow, num(q.StreamPolls), m.batchMS(events), events, m.batchMS(1)),
			PerAnswer: fmt.Sprintf("%.2f records", records), Source: "quotas.json lambda_stream_polls; template.yaml ActivityStream; " + m.Source},
	}
	t := capacityTable{Scenario: s.Name, Demand: s.demand(), EventDemand: s.eventDemand(), Components: comps}
	t.Accepted, t.Counted, t.Beyond = binding(comps, func(c component) float64 { return c.Rate })
	t.EventAccepted, t.EventCounted, t.EventBeyond = binding(comps, func(c component) float64 { return c.EventRate })
	return t
}

// binding returns the lowest rate among the components that refuse or
// delay answers (accepted), among all of them (counted), and among those
// behind the gateway's route throttles (beyond).
func binding(comps []component, rate func(component) float64) (accepted, counted, beyond bound) {
	low := func(keep func(component) bool) bound {
		var b bound
		for _, c := range comps {
			if r := rate(c); r > 0 && keep(c) && (b.Rate == 0 || r < b.Rate) {
				b = bound{Component: c.Name, Rate: r}
			}
		}
		return b
	}
	accepted = low(func(c component) bool { return !c.Lag })
	counted = low(func(component) bool { return true })
	beyond = low(func(c component) bool { return !c.Lag && !c.Gateway })
	return accepted, counted, beyond
}

func reservedNote(d *deployment, fn string) string {
	if r, ok := d.Reserved[fn]; ok {
		return "its reserved concurrency, " + num(r)
	}
	if len(d.Reserved) == 0 {
		return "the account's, shared with every function; none reserves any"
	}
	var ids []string
	for id := range d.Reserved {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return "the account's less what " + strings.Join(ids, ", ") + " reserve"
}

// throttleRule is the range the table allows a route's rate.
type throttleRule struct {
	Route   string  `json:"route"`
	Floor   float64 `json:"floor_per_s"`
	Ceiling float64 `json:"ceiling_per_s"`
	Why     string  `json:"why"`
}

// throttleRules derives each throttled route's range from the tables: the
// participants' routes (posts and the pages an answer loads) take the
// national day's peak with margin and no more than the deployment and one
// event's partition take behind the gateway; a sensitive route takes margin
// times what one client sending one request at a time can, and is no looser
// than the default that every other organiser route has.
func throttleRules(def, day capacityTable, d *deployment) []throttleRule {
	ceiling := min(def.Beyond.Rate, def.EventBeyond.Rate)
	why := fmt.Sprintf("≥ %d× the national day's %.0f answers/s; ≤ what %s (%.0f/s) and %s (%.0f/s) take", margin, day.Demand,
		def.Beyond.Component, def.Beyond.Rate, def.EventBeyond.Component, def.EventBeyond.Rate)
	rules := []throttleRule{
		{Route: answersRoute, Floor: margin * day.Demand, Ceiling: ceiling, Why: why},
		{Route: notesRoute, Floor: margin * day.Demand * notesPerAnswer, Ceiling: ceiling,
			Why: fmt.Sprintf("≥ %d× the national day's %.0f notes/s; a note costs no more than an answer", margin, day.Demand*notesPerAnswer)},
	}
	for _, key := range pageRoutes {
		rules = append(rules, throttleRule{Route: key, Floor: margin * day.Demand, Ceiling: ceiling,
			Why: fmt.Sprintf("a page for each of the national day's answers, %d× its %.0f a second; a page costs no more than an answer", margin, day.Demand)})
	}
	for _, key := range sensitiveRoutes {
		rules = append(rules, throttleRule{Route: key, Floor: margin * oneClientRate, Ceiling: d.Default.Rate,
			Why: fmt.Sprintf("≥ %d× what one client sending one request at a time gets (%d/s); no looser than the default", margin, oneClientRate)})
	}
	return rules
}

// checkThrottles returns what is wrong with the template's throttles
// against the rules: each route within its range, a burst of at least a
// second of its rate and at most the account's, the answers route's burst
// taking a large event's room at once, and every route at its rate together
// within the account's rate, so that a flood on any routes leaves the
// others their own.
func checkThrottles(rules []throttleRule, d *deployment, q quotas, s scenario) []string {
	var problems []string
	for _, r := range rules {
		rt, ok := d.Routes[r.Route]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: no such route in template.yaml", r.Route))
			continue
		}
		th := rt.Throttle
		switch {
		case !rt.Own:
			problems = append(problems, fmt.Sprintf("%s: no RouteSettings of its own", r.Route))
		case th.Rate < r.Floor || th.Rate > r.Ceiling:
			problems = append(problems, fmt.Sprintf("%s: rate %s/s, want %.0f to %.0f (%s)", r.Route, num(th.Rate), math.Ceil(r.Floor), math.Floor(r.Ceiling), r.Why))
		case th.Burst < th.Rate || th.Burst > q.APIBurst:
			problems = append(problems, fmt.Sprintf("%s: burst %s, want from its rate (%s) to the account's (%s)", r.Route, num(th.Burst), num(th.Rate), num(q.APIBurst)))
		}
	}
	if a := d.Routes[answersRoute]; a.Throttle.Burst < s.EventAnswers {
		problems = append(problems, fmt.Sprintf("%s: burst %s, want at least a large event's %.0f participants at once", answersRoute, num(a.Throttle.Burst), s.EventAnswers))
	}
	if sum := d.sumOfRates(); sum > q.APIRate {
		problems = append(problems, fmt.Sprintf("the %d routes' rates add up to %s/s, over the account's %s/s: a flood on some would take the others' share", len(d.Routes), num(sum), num(q.APIRate)))
	}
	return problems
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	return 0
}

// num formats a figure with a thousands separator and no decimals.
func num(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
