package retours_test

import (
	"testing"

	"github.com/retours/retours/internal/retours"
)

func TestSameOwners(t *testing.T) {
	owners := func(emails ...string) []string { return (&retours.Event{OrganiserEmails: emails}).Owners() }
	for _, tc := range []struct {
		name string
		a, b []string
		want bool
	}{
		{"the same organiser", owners("alice@example.org"), owners("Alice@Example.org"), true},
		{"one organiser in common", owners("alice@example.org", "bob@example.org"), owners("bob@example.org"), true},
		{"different organisers", owners("alice@example.org"), owners("bob@example.org"), false},
		{"both the administrator's", owners(), owners(), true},
		{"an organiser's and the administrator's", owners("alice@example.org"), owners(), false},
	} {
		if got := retours.SameOwners(tc.a, tc.b); got != tc.want {
			t.Errorf("%s: SameOwners = %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := owners("b@example.org", "a@example.org", "B@example.org"); len(got) != 2 || got[0] > got[1] || got[0] != retours.OrganiserID("a@example.org") && got[1] != retours.OrganiserID("a@example.org") {
		t.Errorf("Owners = %v, want the two ids, sorted, once each", got)
	}
}
