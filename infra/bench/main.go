// Command bench measures retours' speed, size and cost, each figure against a
// floor measured in the same run, and prints one table (and writes it as
// JSON). Ratios to a floor stay meaningful on a noisy shared machine where
// absolute times do not.
//
//	go run ./infra/bench            # the full run behind `make bench`
//	go run ./infra/bench -smoke     # every measurement once, small, for make test
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/retours/retours/internal/dynamolocal"
	"github.com/retours/retours/internal/runtimeapi"
	"github.com/retours/retours/internal/samtemplate"
)

// Row is one line of the table.
type Row struct {
	Section string  `json:"section"`
	Name    string  `json:"name"`
	Value   float64 `json:"value"`
	Unit    string  `json:"unit"`
	Floor   float64 `json:"floor,omitempty"`
	FloorIs string  `json:"floor_is,omitempty"`
	Ratio   float64 `json:"ratio,omitempty"`
	Target  string  `json:"target,omitempty"`
	Met     *bool   `json:"met,omitempty"`
	Note    string  `json:"note,omitempty"`
}

// Report is the JSON document the benchmark writes.
type Report struct {
	Date    time.Time `json:"date"`
	Machine string    `json:"machine"`
	Smoke   bool      `json:"smoke"`
	Rows    []Row     `json:"rows"`
	// Capacity is the capacity model's tables and the route throttles'
	// check against them.
	Capacity *capacityReport `json:"capacity,omitempty"`
}

// workload is how much each measurement does.
type workload struct {
	submits, warmups int   // answers posted for the submit latency, after warm-up posts
	aggregated       []int // answers aggregated in memory, one measurement each
	bilanAnswers     int   // answers seeded for the bilan end to end
	startups         int   // start-ups of each function
	pageLoads        int   // page loads timed for the cost
	// batchRuns are the activity function's batches timed for the
	// capacity, of events events at most (0: a whole batch's worth).
	batchRuns, batchEvents int
	// builds are the architectures each function is built for: the first
	// for its size, this machine's for its start-up.
	builds []string
	// buildFlags are the go build flags of the functions.
	buildFlags []string
}

// fullRun is the workload of make bench: each function as make build builds
// it for Lambda.
var fullRun = workload{
	submits: 2000, warmups: 20, aggregated: []int{10_000, 1_000_000}, bilanAnswers: 100_000, startups: 20, pageLoads: 21, batchRuns: 5,
	builds: []string{"arm64", runtime.GOARCH}, buildFlags: lambdaBuild,
}

// smokeRun takes every measurement's path once, quickly, so that make test
// keeps the benchmark working: the functions are built for this machine
// only, without -trimpath, so that the build reuses what the tests compiled,
// and the figures mean nothing.
var smokeRun = workload{
	submits: 40, warmups: 5, aggregated: []int{1_000, 10_000}, bilanAnswers: 500, startups: 1, pageLoads: 3, batchRuns: 1, batchEvents: 10,
	builds: []string{runtime.GOARCH}, buildFlags: runtimeapi.LocalBuild,
}

// only restricts a run to some measurements, for working on one of them.
var only string

type bench struct {
	smoke     bool
	work      workload
	root      string
	ddb       *dynamolocal.Server
	rows      []Row
	log       io.Writer
	submitP50 time.Duration
	path      *answerPath
	capacity  *capacityReport
}

func main() {
	smoke := flag.Bool("smoke", false, "every measurement once, on a small workload (make test)")
	out := flag.String("json", "build/bench.json", "where to write the table as JSON")
	flag.StringVar(&only, "only", "", "run only the measurements whose name contains this (page, submit, aggregation, bilan, function, cost, capacity), with those they need")
	flag.Parse()
	if err := run(*smoke, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(smoke bool, out string) error {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	root, err := samtemplate.Root()
	if err != nil {
		return err
	}
	b := &bench{smoke: smoke, work: fullRun, root: root, log: os.Stderr}
	if smoke {
		b.work = smokeRun
	}
	ctx := context.Background()
	b.logf("starting DynamoDB Local")
	b.ddb, err = dynamolocal.Start(ctx, dynamolocal.Options{InfraDir: filepath.Join(root, "infra")})
	if err != nil {
		return err
	}
	defer b.ddb.Stop()

	env, err := b.newEnv(ctx, "bench")
	if err != nil {
		return err
	}
	// The cost model and its capacity table price what the submit
	// measurement times. The aggregation, in this process on one core,
	// comes first: after the submissions, DynamoDB Local's JVM goes on
	// collecting and compiling for seconds on the other core.
	steps := []struct {
		name  string
		needs string
		fn    func(context.Context, *benchEnv) error
	}{
		{"aggregation", "", b.aggregation},
		{"page weight", "", b.pageWeight},
		{"submit latency", "", b.submitLatency},
		{"bilan end to end", "", b.bilanEndToEnd},
		{"function size and start-up", "", b.functions},
		{"cost", "submit latency", b.cost},
		{"cost: capacity", "submit latency", b.capacityStep},
	}
	selected := map[string]bool{}
	for _, s := range steps {
		if only == "" || strings.Contains(s.name, only) {
			selected[s.name] = true
			if s.needs != "" {
				selected[s.needs] = true
			}
		}
	}
	for _, s := range steps {
		if !selected[s.name] {
			continue
		}
		b.logf("measuring %s", s.name)
		if err := s.fn(ctx, env); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	rep := Report{Date: time.Now().UTC(), Machine: machine(), Smoke: smoke, Rows: b.rows, Capacity: b.capacity}
	b.print(os.Stdout, rep)
	if out != "" {
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Printf("\nwritten to %s\n", out)
	}
	for _, r := range b.rows {
		if r.Met != nil && !*r.Met && !smoke {
			fmt.Printf("target missed: %s %s (%s)\n", r.Section, r.Name, r.Target)
		}
	}
	return nil
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "bench: "+format+"\n", args...)
}

func (b *bench) add(r Row) {
	if r.Floor > 0 && r.Ratio == 0 {
		r.Ratio = r.Value / r.Floor
	}
	b.rows = append(b.rows, r)
}

func met(ok bool) *bool { return &ok }

func (b *bench) print(w io.Writer, rep Report) {
	mode := ""
	if rep.Smoke {
		mode = " (smoke: every measurement once, on a small workload; figures not representative)"
	}
	fmt.Fprintf(w, "retours benchmark, %s, %s%s\n\n", rep.Date.Format("2006-01-02 15:04 MST"), rep.Machine, mode)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "section\tfigure\tvalue\tfloor\tratio\ttarget\t")
	section := ""
	for _, r := range rep.Rows {
		s := r.Section
		if s == section {
			s = ""
		}
		section = r.Section
		floor, ratio := "", ""
		if r.Floor > 0 {
			floor = format(r.Floor, r.Unit) + " (" + r.FloorIs + ")"
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		}
		target := r.Target
		if r.Met != nil {
			if *r.Met {
				target += " ✓"
			} else {
				target += " ✗"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", s, r.Name, format(r.Value, r.Unit), floor, ratio, target)
	}
	tw.Flush()
	for _, r := range rep.Rows {
		if r.Note != "" {
			fmt.Fprintf(w, "  * %s, %s: %s\n", r.Section, r.Name, r.Note)
		}
	}
	printCapacity(w, rep.Capacity)
}

func format(v float64, unit string) string {
	switch unit {
	case "B":
		if v >= 1<<20 {
			return fmt.Sprintf("%.1f MiB", v/(1<<20))
		}
		if v >= 1<<10 {
			return fmt.Sprintf("%.1f KiB", v/(1<<10))
		}
		return fmt.Sprintf("%.0f B", v)
	case "ms":
		return fmt.Sprintf("%.2f ms", v)
	case "s":
		return fmt.Sprintf("%.2f s", v)
	case "USD":
		return fmt.Sprintf("$%.4f", v)
	case "/s":
		return fmt.Sprintf("%.0f/s", v)
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%.0f %s", v, unit)
	}
	return strings.TrimSpace(fmt.Sprintf("%.3g %s", v, unit))
}

func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores", cpu, numCPU())
}
