package main

import (
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/samtemplate"
)

// Component names, as the table gives them.
const (
	cAPI       = "API Gateway, account"
	cRoutes    = "API Gateway, route throttles"
	cConc      = "Lambda, concurrency"
	cInvoke    = "Lambda, invocations"
	cTable     = "DynamoDB, table"
	cPartition = "DynamoDB, the event's partition EVENT#<event>"
	cIndex     = "DynamoDB, the index partition ACTIVITY"
	cStream    = "stream consumer (activity function)"
)

// testQuotas are AWS's defaults, written out so that the arithmetic is
// tested apart from quotas.json.
func testQuotas() quotas {
	return quotas{
		APIRate: 10_000, APIBurst: 5000, Concurrency: 1000, RequestsPerConcurrency: 10,
		PartitionWRU: 1000, PartitionRRU: 3000, TableMaxWRU: 40_000, TableMaxRRU: 40_000,
		NewTableWRU: 4000, NewTableRRU: 12_000, StreamPolls: 4,
	}
}

// testDeployment has the participants' routes at 500 requests a second and
// batches of 100 records, one at a time per shard.
func testDeployment() *deployment {
	d := &deployment{Default: throttle{100, 200}, Routes: map[string]route{}, Reserved: map[string]float64{}, BatchSize: 100, Parallelization: 1}
	for _, key := range []string{answersRoute, notesRoute, formRoute, thanksRoute, "GET /e/{event}"} {
		d.Routes[key] = route{Key: key, Function: "SurveyFunction", Throttle: throttle{500, 1000}, Own: true}
	}
	d.Routes["GET /api/events/{event}/bilan"] = route{Key: "GET /api/events/{event}/bilan", Function: "OrganiserFunction", Throttle: d.Default}
	return d
}

// testMeasured: pages of 2 ms, posts of 10 ms, one request unit each, and
// batches of 10 ms for one event, 300 ms for 100.
func testMeasured() measured {
	return measured{Source: "test", PageMS: 2, PostMS: 10, AnswerWRU: 1, NoteWRU: 1, EventRRU: 1,
		OneEventBatchMS: 10, ManyEventsBatchMS: 300, ManyEvents: 100}
}

func setRoutes(d *deployment, rate float64) {
	for k, r := range d.Routes {
		if r.Function == "SurveyFunction" {
			r.Throttle = throttle{rate, 2 * rate}
			d.Routes[k] = r
		}
	}
}

// TestCapacity recomputes the table with one limit changed at a time and
// checks which component binds, and at what rate. The expected figures are
// worked out by hand: an answer is 2 + 60/165 = 2.364 requests and
// invocations (the form, the post answered with the thank-you page, and
// 0.364 notes) and 1.364 stream records; the survey function works
// 2 + 1.364×(10 + 2) = 18.36 ms for it.
func TestCapacity(t *testing.T) {
	tests := []struct {
		name     string
		scenario scenario
		change   func(*quotas, *deployment, *measured)
		// Expected bindings: accepted, counted, behind the route throttles;
		// the same for one event.
		accepted, counted, beyond            bound
		eventAccepted, eventCounted, eventBy bound
	}{
		{
			name: "as deployed: the answers route, then the new table's 4,000 WRU; one event's partition; one shard's four batches a second",
			// table: 1 + 0.364 + 1.364 WRU (every record its own activity
			// write) and 1.364 + 0.0037 RRU (the event read once in 5 s by
			// each of 18.36 ms × r instances): 1/(2.727/4000 + 1.367/12000);
			// partition: 1.377 WRU, 0.0173 RRU: 1/(1.377/1000 + 0.0173/3000);
			// stream: 1000/300 batches of 100 a second, 1.364 records each.
			accepted: bound{cRoutes, 500}, counted: bound{cStream, 244.44}, beyond: bound{cTable, 1256.66},
			eventAccepted: bound{cRoutes, 500}, eventCounted: bound{cStream, 293.33}, eventBy: bound{cPartition, 723.04},
		},
		{
			name:   "a new account's concurrency of 10: ten invocations a second each",
			change: func(q *quotas, _ *deployment, _ *measured) { q.Concurrency = 10 },
			// 10 × 10 / 2.364
			accepted: bound{cInvoke, 42.31}, counted: bound{cInvoke, 42.31}, beyond: bound{cInvoke, 42.31},
			eventAccepted: bound{cInvoke, 42.31}, eventCounted: bound{cInvoke, 42.31}, eventBy: bound{cInvoke, 42.31},
		},
		{
			name:   "a reserved concurrency of 5 for the survey function",
			change: func(_ *quotas, d *deployment, _ *measured) { d.Reserved["SurveyFunction"] = 5 },
			// 5 / 0.01836 s
			accepted: bound{cConc, 272.28}, counted: bound{cStream, 244.44}, beyond: bound{cConc, 272.28},
			eventAccepted: bound{cConc, 272.28}, eventCounted: bound{cConc, 272.28}, eventBy: bound{cConc, 272.28},
		},
		{
			name: "another function reserving 999 leaves the survey function one",
			change: func(_ *quotas, d *deployment, _ *measured) {
				d.Reserved["OrganiserFunction"] = 999
			},
			accepted: bound{cConc, 54.46}, counted: bound{cConc, 54.46}, beyond: bound{cConc, 54.46},
			eventAccepted: bound{cConc, 54.46}, eventCounted: bound{cConc, 54.46}, eventBy: bound{cConc, 54.46},
		},
		{
			name: "a Region with API Gateway's 2,500 requests/s, routes at 1,000/s",
			change: func(q *quotas, d *deployment, _ *measured) {
				q.APIRate = 2500
				setRoutes(d, 1000)
			},
			// 2500 / 2.364 = 1057.69, above the routes' 1,000
			accepted: bound{cRoutes, 1000}, counted: bound{cStream, 244.44}, beyond: bound{cAPI, 1057.69},
			eventAccepted: bound{cPartition, 723.04}, eventCounted: bound{cStream, 293.33}, eventBy: bound{cPartition, 723.04},
		},
		{
			name:   "an answer of 2 WRU",
			change: func(_ *quotas, _ *deployment, m *measured) { m.AnswerWRU = 2 },
			// table: 1/(3.727/4000 + 1.367/12000); partition: 1/(2.377/1000 + 0.0173/3000)
			accepted: bound{cRoutes, 500}, counted: bound{cStream, 244.44}, beyond: bound{cTable, 956.25},
			eventAccepted: bound{cPartition, 419.64}, eventCounted: bound{cStream, 293.33}, eventBy: bound{cPartition, 419.64},
		},
		{
			name:   "slow batches: 900 ms for 100 events",
			change: func(_ *quotas, _ *deployment, m *measured) { m.ManyEventsBatchMS = 900 },
			// 1000/900 batches a second
			accepted: bound{cRoutes, 500}, counted: bound{cStream, 81.48}, beyond: bound{cTable, 1256.66},
			eventAccepted: bound{cRoutes, 500}, eventCounted: bound{cStream, 293.33}, eventBy: bound{cPartition, 723.04},
		},
		{
			name:   "two batches per shard at a time: the ACTIVITY index partition binds the counts",
			change: func(_ *quotas, d *deployment, _ *measured) { d.Parallelization = 2 },
			// 1000 WRU / (1.364 moves × 2 WRU)
			accepted: bound{cRoutes, 500}, counted: bound{cIndex, 366.67}, beyond: bound{cTable, 1256.66},
			eventAccepted: bound{cRoutes, 500}, eventCounted: bound{cRoutes, 500}, eventBy: bound{cPartition, 723.04},
		},
		{
			name:     "national day: 90.7 of 500 events in a batch of 100",
			scenario: nationalDay,
			// 500(1 − (1 − 1/500)^100) = 90.72 events, 1.102 records per
			// activity write; batches of 10 + 89.72/99 × 290 = 272.8 ms.
			accepted: bound{cRoutes, 500}, counted: bound{cStream, 268.81}, beyond: bound{cTable, 1327.03},
			eventAccepted: bound{cRoutes, 500}, eventCounted: bound{cStream, 293.33}, eventBy: bound{cPartition, 723.04},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, d, m := testQuotas(), testDeployment(), testMeasured()
			if tt.change != nil {
				tt.change(&q, d, &m)
			}
			s := tt.scenario
			if s.Name == "" {
				s = defaultSettings
			}
			got := capacity(s, q, d, m)
			for _, c := range []struct {
				what      string
				got, want bound
			}{
				{"accepted", got.Accepted, tt.accepted}, {"counted", got.Counted, tt.counted}, {"beyond the gateway", got.Beyond, tt.beyond},
				{"one event accepted", got.EventAccepted, tt.eventAccepted}, {"one event counted", got.EventCounted, tt.eventCounted},
				{"one event beyond the gateway", got.EventBeyond, tt.eventBy},
			} {
				if c.got.Component != c.want.Component || math.Abs(c.got.Rate-c.want.Rate) > 0.01 {
					t.Errorf("%s: %s at %.2f/s, want %s at %.2f/s", c.what, c.got.Component, c.got.Rate, c.want.Component, c.want.Rate)
				}
			}
		})
	}
}

// TestCapacityComponents: every component has a limit, a use per answer and
// a rate for the deployment or one event; only the activity's lag.
func TestCapacityComponents(t *testing.T) {
	got := capacity(nationalDay, testQuotas(), testDeployment(), testMeasured())
	if got.Demand < 83.3 || got.Demand > 83.4 || got.EventDemand != 2.75 {
		t.Errorf("national day: demand %.2f/s, one event %.2f/s; want 83.33 and 2.75", got.Demand, got.EventDemand)
	}
	var names []string
	for _, c := range got.Components {
		names = append(names, c.Name)
		if c.Limit == "" || c.PerAnswer == "" || (c.Rate <= 0 && c.EventRate <= 0) {
			t.Errorf("%s: %+v, want a limit, a use per answer and a rate", c.Name, c)
		}
		if lag := c.Name == cIndex || c.Name == cStream; c.Lag != lag {
			t.Errorf("%s: lag %v, want %v", c.Name, c.Lag, lag)
		}
	}
	want := []string{cAPI, cRoutes, cConc, cInvoke, cTable, cPartition, cIndex, cStream}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("components %q, want %q", names, want)
	}
}

// deployed reads template.yaml and quotas.json.
func deployed(t *testing.T) (quotas, *deployment) {
	t.Helper()
	root, err := samtemplate.Root()
	if err != nil {
		t.Fatal(err)
	}
	q, _, err := loadQuotas(root)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	d, err := readDeployment(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return q, d
}

// TestThrottlesFollowCapacity reads the route throttles from template.yaml
// and checks them against the capacity table of the reference run: the
// participants' routes take the national day's peak with margin and no
// more than the deployment and one event take behind the gateway; the
// sensitive routes are not so low that one client blocks them; every route
// has a burst of at least a second; all routes fit the account's rate.
func TestThrottlesFollowCapacity(t *testing.T) {
	q, d := deployed(t)
	def := capacity(defaultSettings, q, d, referenceRun)
	day := capacity(nationalDay, q, d, referenceRun)
	for _, p := range checkThrottles(throttleRules(def, day, d), d, q, nationalDay) {
		t.Error(p)
	}
	if got, want := d.Routes[answersRoute].Throttle.Rate, margin*day.Demand; got < want {
		t.Errorf("%s: %v/s, want at least the national day's peak × %d, %.0f/s", answersRoute, got, margin, want)
	}
	if got := d.Routes[answersRoute].Throttle.Rate; got > def.EventBeyond.Rate || got > def.Beyond.Rate {
		t.Errorf("%s: %v/s, over what %s (%.0f/s) or %s (%.0f/s) sustain", answersRoute, got, def.Beyond.Component, def.Beyond.Rate, def.EventBeyond.Component, def.EventBeyond.Rate)
	}
	if day.Accepted.Rate < margin*day.Demand || day.Counted.Rate < day.Demand {
		t.Errorf("national day: accepted %.0f/s (%s), counted %.0f/s (%s), want %d× and 1× its %.0f/s",
			day.Accepted.Rate, day.Accepted.Component, day.Counted.Rate, day.Counted.Component, margin, day.Demand)
	}
}

// TestCheckThrottlesHasTeeth: each way a throttle can leave its range is
// reported.
func TestCheckThrottlesHasTeeth(t *testing.T) {
	tests := []struct {
		name   string
		change func(*deployment)
		want   string
	}{
		{"answers under the national day's peak", func(d *deployment) { d.Routes[answersRoute] = withRate(d.Routes[answersRoute], 50, 100) }, answersRoute + ": rate 50/s"},
		{"answers over one event's partition", func(d *deployment) { d.Routes[answersRoute] = withRate(d.Routes[answersRoute], 2000, 4000) }, answersRoute + ": rate 2,000/s"},
		{"a login one client blocks", func(d *deployment) {
			d.Routes["POST /o/{event}/login"] = withRate(d.Routes["POST /o/{event}/login"], 2, 10)
		}, "POST /o/{event}/login: rate 2/s"},
		{"an erasure without its own settings", func(d *deployment) {
			r := d.Routes["DELETE /api/events/{event}"]
			r.Own, r.Throttle = false, d.Default
			d.Routes[r.Key] = r
		}, "DELETE /api/events/{event}: no RouteSettings of its own"},
		{"a burst under a second of the rate", func(d *deployment) { d.Routes[notesRoute] = withRate(d.Routes[notesRoute], 250, 100) }, notesRoute + ": burst 100"},
		{"an answers burst under a room of 165", func(d *deployment) { d.Routes[answersRoute] = withRate(d.Routes[answersRoute], 150, 150) }, "large event's 165"},
		{"routes over the account's rate together", func(d *deployment) {
			for i := range 40 {
				key := "GET /x" + string(rune('a'+i%26)) + string(rune('a'+i/26))
				d.Routes[key] = route{Key: key, Throttle: throttle{300, 600}}
			}
		}, "add up to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, d := deployed(t)
			tt.change(d)
			def := capacity(defaultSettings, q, d, referenceRun)
			day := capacity(nationalDay, q, d, referenceRun)
			problems := checkThrottles(throttleRules(def, day, d), d, q, nationalDay)
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems %q, want one saying %q", problems, tt.want)
			}
		})
	}
}

func withRate(r route, rate, burst float64) route {
	r.Throttle = throttle{rate, burst}
	return r
}

// TestReadDeployment: the model reads every route of the API with its
// throttle, the functions' reserved concurrency and the stream's mapping.
func TestReadDeployment(t *testing.T) {
	_, d := deployed(t)
	if len(d.Routes) < 20 {
		t.Errorf("%d routes, want every route of the API", len(d.Routes))
	}
	for _, key := range append([]string{answersRoute, notesRoute, formRoute, thanksRoute}, sensitiveRoutes...) {
		if r, ok := d.Routes[key]; !ok || !r.Own {
			t.Errorf("%s: %+v, want a route with its own throttle", key, r)
		}
	}
	if got := d.surveyFunction(); got != "SurveyFunction" {
		t.Errorf("the answers route is served by %q, want SurveyFunction", got)
	}
	if d.BatchSize != 100 || d.Parallelization != 1 || d.BatchingWindow != 5*time.Second {
		t.Errorf("stream batches of %v, %v at a time per shard, gathered for %v; want 100, 1 (the activity counts each event's records in order) and 5s",
			d.BatchSize, d.Parallelization, d.BatchingWindow)
	}
}

// TestQuotasHaveSources: every quota in quotas.json is dated, and has a
// value, a unit and an AWS documentation page as its source.
func TestQuotasHaveSources(t *testing.T) {
	root, err := samtemplate.Root()
	if err != nil {
		t.Fatal(err)
	}
	_, qf, err := loadQuotas(root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse("2006-01-02", qf.Date); err != nil {
		t.Errorf("date %q: %v", qf.Date, err)
	}
	for key, v := range qf.Quotas {
		u, err := url.Parse(v.Source)
		if v.Value <= 0 || v.Unit == "" || v.Note == "" || err != nil || u.Scheme != "https" || !strings.HasPrefix(u.Host, "docs.aws.amazon.com") {
			t.Errorf("%s: %+v, want a value, a unit, a note and a docs.aws.amazon.com source", key, v)
		}
	}
}
