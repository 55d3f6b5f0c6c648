package retours_test

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func TestRetention(t *testing.T) {
	ends := time.Date(2027, 2, 1, 17, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name               string
		event, deployment  int
		closesAt           time.Time
		want               time.Time
		wantRetentionError bool
	}{
		{"deployment default", 0, 24, time.Time{}, ends.AddDate(2, 0, 0), false},
		{"deployment setting", 0, 6, time.Time{}, ends.AddDate(0, 6, 0), false},
		{"event setting", 3, 6, time.Time{}, ends.AddDate(0, 3, 0), false},
		{"a year", 12, 24, ends.AddDate(0, 11, 0), ends.AddDate(1, 0, 0), false},
		// February has 28 days: answers open 30 days would outlive a month.
		{"shorter than the answer window", 1, 24, time.Time{}, time.Time{}, true},
		{"closing after the retention", 6, 24, ends.AddDate(0, 7, 0), time.Time{}, true},
		{"over ten years", 121, 24, time.Time{}, time.Time{}, true},
		{"negative", -1, 24, time.Time{}, time.Time{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := retours.NewEvent(retours.EventInput{
				Title: "NEC", StartsAt: ends.Add(-8 * time.Hour), EndsAt: ends, ClosesAt: tc.closesAt, RetentionMonths: tc.event,
			}, rand.Reader, ends.AddDate(0, -1, 0), tc.deployment)
			if tc.wantRetentionError {
				if _, ok := retours.ErrorFields(err)["retention_months"]; !ok {
					t.Errorf("NewEvent = %v, want a retention_months error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e.ExpiresAt(); !got.Equal(tc.want) {
				t.Errorf("ExpiresAt = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSessionClosesBeforeErasure: a session may keep its answers open
// after the event's, but not past the day they are erased.
func TestSessionClosesBeforeErasure(t *testing.T) {
	ends := time.Date(2027, 2, 1, 17, 0, 0, 0, time.UTC)
	expires := ends.AddDate(0, 6, 0)
	for _, tc := range []struct {
		name   string
		closes time.Time
		want   string // the field problem of sessions.0.closes_at
	}{
		{"the event's window", time.Time{}, ""},
		{"after the event's, before erasure", ends.AddDate(0, 3, 0), ""},
		{"on the day of erasure", expires, ""},
		{"after erasure", expires.Add(time.Hour), retours.FieldRetention},
		{"years after", ends.AddDate(5, 0, 0), retours.FieldRetention},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := retours.NewEvent(retours.EventInput{
				Title: "NEC", StartsAt: ends.Add(-8 * time.Hour), EndsAt: ends, RetentionMonths: 6,
				Sessions: []retours.SessionInput{{Title: "Atelier", Kind: retours.KindAtelier, StartsAt: ends.Add(-4 * time.Hour), ClosesAt: tc.closes}},
			}, rand.Reader, ends.AddDate(0, -1, 0), 24)
			if got := retours.ErrorFields(err)["sessions.0.closes_at"]; got != tc.want {
				t.Errorf("sessions.0.closes_at = %q (%v), want %q", got, err, tc.want)
			}
			if tc.want != "" && retours.ErrorCode(err) != retours.EINVALID {
				t.Errorf("NewEvent = %v, want invalid", err)
			}
		})
	}
	if msg := retours.FieldMessage("fr", retours.FieldRetention); !strings.Contains(msg, "effacées") {
		t.Errorf("the problem reads %q", msg)
	}
}
