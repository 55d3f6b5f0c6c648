package webtest

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

// TestNECDay keeps the two forms of the tests' event the same.
func TestNECDay(t *testing.T) {
	var api struct {
		Title           string    `json:"title"`
		Place           string    `json:"place"`
		StartsAt        time.Time `json:"starts_at"`
		EndsAt          time.Time `json:"ends_at"`
		Series          string    `json:"series"`
		Edition         int       `json:"edition"`
		RegisteredCount int       `json:"registered_count"`
		OrganiserEmails []string  `json:"organiser_emails"`
		Sessions        []struct {
			Title    string    `json:"title"`
			Kind     string    `json:"kind"`
			StartsAt time.Time `json:"starts_at"`
		} `json:"sessions"`
	}
	MustJSON(t, []byte(NECDay), &api)
	got := retours.EventInput{Title: api.Title, Place: api.Place, StartsAt: api.StartsAt, EndsAt: api.EndsAt, Series: api.Series,
		Edition: api.Edition, RegisteredCount: api.RegisteredCount, OrganiserEmails: api.OrganiserEmails}
	for _, s := range api.Sessions {
		got.Sessions = append(got.Sessions, retours.SessionInput{Title: s.Title, Kind: s.Kind, StartsAt: s.StartsAt})
	}
	want := NECDayInput()
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("NECDay reads\n%s\nNECDayInput is\n%s", a, b)
	}
}
