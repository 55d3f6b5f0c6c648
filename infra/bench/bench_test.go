package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSmoke runs every measurement once, on a small workload, so that `make
// test` (and CI) keeps the benchmark command working without paying for a
// full run.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("the benchmark smoke run builds every function and starts DynamoDB Local")
	}
	out := filepath.Join(t.TempDir(), "bench.json")
	if err := run(true, out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Capacity == nil || len(rep.Capacity.Tables) != 2 || len(rep.Capacity.Throttles) == 0 {
		t.Errorf("capacity: %+v, want the tables of both scenarios and the route throttles' ranges", rep.Capacity)
	}
	sections := map[string]bool{}
	for _, r := range rep.Rows {
		sections[strings.SplitN(r.Section, " ", 2)[0]] = true
		if r.Note != "" && strings.HasPrefix(r.Note, "could not measure") {
			t.Errorf("%s %s: %s", r.Section, r.Name, r.Note)
		}
		if r.Value <= 0 && r.Note == "" {
			t.Errorf("%s %s = %v", r.Section, r.Name, r.Value)
		}
	}
	for _, want := range []string{"survey", "submit", "aggregation,", "bilan", "function", "cost", "capacity,", "route"} {
		if !sections[want] {
			t.Errorf("no %q rows in %v", want, sections)
		}
	}
}
