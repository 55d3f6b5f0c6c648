package retours_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func TestSeqLess(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"1", "2", true},
		{"2", "1", false},
		{"99", "100", true},
		{"000000000000000000099", "100", true},
		{"100", "000000000000000000100", false},
		{"4421584500000000017450439091", "4421584500000000017450439092", true},
		{"4421584500000000017450439092", "999999999999999999999", false},
	} {
		if got := retours.SeqLess(tc.a, tc.b); got != tc.want {
			t.Errorf("SeqLess(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestActivityActiveIn: whether an answer came in a period, from the days'
// first and last times; 23:30 UTC is the next day in Paris.
func TestActivityActiveIn(t *testing.T) {
	day := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	a := &retours.Activity{}
	a.Apply([]retours.Change{
		{Seq: "1", CreatedAt: at(8, 0)},
		{Seq: "2", Note: true, CreatedAt: at(18, 0)},
		{Seq: "3", CreatedAt: at(23, 30)},
	})
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     bool
	}{
		{"the whole day", at(0, 0), at(24, 0), true},
		{"before the first", at(0, 0), at(8, 0), false},
		{"from the first", at(8, 0), at(8, 1), true},
		{"between two, same day: counted active", at(9, 0), at(17, 0), true},
		{"after the day's last, up to midnight in Paris", at(18, 1), at(21, 59), false},
		{"from the evening to the next day", at(18, 1), at(24, 0), true},
		{"after everything", at(23, 31), at(48, 0), false},
		{"an empty period", at(8, 0), at(8, 0), false},
	} {
		if got := a.ActiveIn(tc.from, tc.to); got != tc.want {
			t.Errorf("%s: ActiveIn(%v, %v) = %v, want %v", tc.name, tc.from, tc.to, got, tc.want)
		}
	}
	if d := a.Days["2026-10-16"]; d.Answers != 1 || !d.First.Equal(at(23, 30)) {
		t.Errorf("Days[2026-10-16] = %+v, want the 23:30 UTC answer", d)
	}
}

// TestActivityKeepsItsLastDays: days older than ActivityDays before the
// latest leave the item; the totals keep them.
func TestActivityKeepsItsLastDays(t *testing.T) {
	a := &retours.Activity{}
	start := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	for i := range 20 {
		a.Apply([]retours.Change{{Seq: fmt.Sprint(i + 1), CreatedAt: start.AddDate(0, 0, i)}})
	}
	if a.Answers != 20 || len(a.Days) != retours.ActivityDays {
		t.Fatalf("%d answers over %d days, want 20 over %d", a.Answers, len(a.Days), retours.ActivityDays)
	}
	if _, ok := a.Days["2026-10-05"]; ok {
		t.Errorf("the 5th is kept, want the last %d days only", retours.ActivityDays)
	}
	// A period older than the days kept: active when anything came since.
	if !a.ActiveIn(start, start.AddDate(0, 0, 2)) {
		t.Error("a period before the days kept is not active, want active (answers came since)")
	}
}
