package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/retours/retours/internal/activity"
	"github.com/retours/retours/internal/samtemplate"
)

// capacityReport is the capacity part of the benchmark's JSON.
type capacityReport struct {
	QuotasDate string          `json:"quotas_date"`
	Measured   measured        `json:"measured"`
	Tables     []capacityTable `json:"tables"`
	Throttles  []throttleRule  `json:"throttles"`
	Problems   []string        `json:"problems,omitempty"`
}

// capacityStep measures what the capacity model needs — the survey
// function's answer path and the activity function's batches — and adds
// the capacity table and the check of the route throttles against it.
func (b *bench) capacityStep(ctx context.Context, env *benchEnv) error {
	q, qf, err := loadQuotas(b.root)
	if err != nil {
		return err
	}
	tmpl, err := samtemplate.Load(b.root + "/template.yaml")
	if err != nil {
		return err
	}
	d, err := readDeployment(tmpl)
	if err != nil {
		return err
	}
	path, err := b.answerPath(ctx, env)
	if err != nil {
		return err
	}
	m := measured{
		Source: "this run", PageMS: path.pageMS, PostMS: path.postMS,
		AnswerWRU: math.Ceil(path.answerKB), NoteWRU: 1, EventRRU: math.Ceil(path.eventKB / 4),
	}
	if b.smoke {
		m.Source = "this smoke run"
	}
	many := int(d.BatchSize)
	if b.work.batchEvents > 0 {
		many = min(many, b.work.batchEvents)
	}
	m.OneEventBatchMS, m.ManyEventsBatchMS, err = b.activityBatches(ctx, env, int(d.BatchSize), many)
	if err != nil {
		return err
	}
	m.ManyEvents = float64(many)

	def := capacity(defaultSettings, q, d, m)
	day := capacity(nationalDay, q, d, m)
	rules := throttleRules(def, day, d)
	problems := checkThrottles(rules, d, q, nationalDay)
	b.capacity = &capacityReport{QuotasDate: qf.Date, Measured: m, Tables: []capacityTable{def, day}, Throttles: rules, Problems: problems}

	sec := "capacity, " + def.Scenario + " (answers/s)"
	b.add(Row{Section: sec, Name: "accepted", Value: def.Accepted.Rate, Unit: "/s",
		Note: fmt.Sprintf("binds: %s; behind the route throttles, %s (%.0f/s)", def.Accepted.Component, def.Beyond.Component, def.Beyond.Rate)})
	b.add(Row{Section: sec, Name: "counted live", Value: def.Counted.Rate, Unit: "/s", Note: "binds: " + def.Counted.Component})
	b.add(Row{Section: sec, Name: "one event, accepted", Value: def.EventAccepted.Rate, Unit: "/s",
		Note: fmt.Sprintf("binds: %s; behind the route throttles, %s (%.0f/s)", def.EventAccepted.Component, def.EventBeyond.Component, def.EventBeyond.Rate)})
	b.add(Row{Section: sec, Name: "one event, counted live", Value: def.EventCounted.Rate, Unit: "/s", Note: "binds: " + def.EventCounted.Component})

	sec = fmt.Sprintf("capacity, %s (%s answers in %.0f min over %.0f events; %.0f in %.0f s at one)",
		day.Scenario, num(nationalDay.Answers), nationalDay.Seconds/60, nationalDay.Events, nationalDay.EventAnswers, nationalDay.EventSeconds)
	for _, r := range []struct {
		name         string
		b            bound
		demand, want float64
	}{
		{"accepted", day.Accepted, day.Demand, margin},
		{"counted live", day.Counted, day.Demand, 1},
		{"one event, accepted", day.EventAccepted, day.EventDemand, margin},
		{"one event, counted live", day.EventCounted, day.EventDemand, 1},
	} {
		b.add(Row{Section: sec, Name: r.name, Value: r.b.Rate, Unit: "/s", Floor: r.demand, FloorIs: "mean demand",
			Target: fmt.Sprintf("≥ %g× demand", r.want), Met: met(r.b.Rate >= r.want*r.demand), Note: "binds: " + r.b.Component})
	}

	sec = "route throttles (template.yaml)"
	for _, r := range rules {
		rate := d.Routes[r.Route].Throttle.Rate
		ok := true
		for _, p := range problems {
			ok = ok && !strings.HasPrefix(p, r.Route+":")
		}
		b.add(Row{Section: sec, Name: r.Route, Value: rate, Unit: "/s", Target: fmt.Sprintf("%.0f–%.0f", math.Ceil(r.Floor), math.Floor(r.Ceiling)), Met: met(ok), Note: r.Why})
	}
	b.add(Row{Section: sec, Name: fmt.Sprintf("all %d routes together", len(d.Routes)), Value: d.sumOfRates(), Unit: "/s",
		Target: "≤ " + num(q.APIRate), Met: met(d.sumOfRates() <= q.APIRate), Note: "so that a flood on some routes leaves the others their own rate within the account's"})
	return nil
}

// activityBatches times the activity function's handler on a batch of size
// answer records of one event, and on one of many events (created for it),
// against DynamoDB Local: the median of a few batches, after one that
// writes each event's first activity.
func (b *bench) activityBatches(ctx context.Context, env *benchEnv, size, many int) (oneMS, manyMS float64, err error) {
	c := &activity.Consumer{Store: env.store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	seq := time.Now().UnixNano()
	type target struct{ event, session string }
	batch := func(ts []target) events.DynamoDBEvent {
		var ev events.DynamoDBEvent
		for i := range size {
			seq++
			t := ts[i%len(ts)]
			sub := fmt.Sprintf("%08x-0000-4000-8000-%012d", uint32(seq), i)
			ev.Records = append(ev.Records, answerRecord(t.event, t.session, sub, strconv.FormatInt(seq, 10)))
		}
		return ev
	}
	timeBatches := func(ts []target) (float64, error) {
		d := make([]time.Duration, b.work.batchRuns+1)
		for i := range d {
			ev := batch(ts)
			start := time.Now()
			resp, err := c.Handle(ctx, ev)
			d[i] = time.Since(start)
			if err != nil {
				return 0, err
			}
			if len(resp.BatchItemFailures) > 0 {
				return 0, fmt.Errorf("activity: %d records failed", len(resp.BatchItemFailures))
			}
		}
		return ms(median(d[1:])), nil
	}
	one := []target{{env.event.ID, env.event.Sessions[1].ID}}
	if oneMS, err = timeBatches(one); err != nil {
		return 0, 0, err
	}
	var ts []target
	for range many {
		ce, err := env.createEvent(time.Now())
		if err != nil {
			return 0, 0, err
		}
		ts = append(ts, target{ce.ID, ce.Sessions[1].ID})
	}
	if manyMS, err = timeBatches(ts); err != nil {
		return 0, 0, err
	}
	return oneMS, manyMS, nil
}

// printCapacity prints the capacity tables side by side, then the route
// throttles against the ranges the tables give them.
func printCapacity(w io.Writer, c *capacityReport) {
	if c == nil || len(c.Tables) == 0 {
		return
	}
	fmt.Fprintf(w, "\ncapacity in answers/s (AWS default quotas of %s, quotas.json; durations: %s)\n\n", c.QuotasDate, c.Measured.Source)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "component"
	for _, t := range c.Tables {
		head += "\t" + t.Scenario + ": deployment\tone event"
	}
	fmt.Fprintln(tw, head+"\tlimit\t")
	rate := func(v float64, lag bool) string {
		if v == 0 {
			return "—"
		}
		s := num(v)
		if lag {
			s += " (lag)"
		}
		return s
	}
	for i, comp := range c.Tables[0].Components {
		line := comp.Name
		for _, t := range c.Tables {
			tc := t.Components[i]
			line += "\t" + rate(tc.Rate, tc.Lag) + "\t" + rate(tc.EventRate, tc.Lag)
		}
		fmt.Fprintln(tw, line+"\t"+comp.Limit+"\t")
	}
	tw.Flush()
	for _, t := range c.Tables {
		fmt.Fprintf(w, "  %s: answers accepted up to %s/s (binds: %s), counted live up to %s/s (binds: %s); one event: %s/s (%s), counted %s/s (%s)\n",
			t.Scenario, num(t.Accepted.Rate), t.Accepted.Component, num(t.Counted.Rate), t.Counted.Component,
			num(t.EventAccepted.Rate), t.EventAccepted.Component, num(t.EventCounted.Rate), t.EventCounted.Component)
	}
	for _, p := range c.Problems {
		fmt.Fprintf(w, "  route throttle out of its range: %s\n", p)
	}
}
