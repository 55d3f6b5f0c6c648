package retours

import (
	"slices"
)

// Owners returns the OrganiserIDs of the event's organisers, sorted: the
// people a series of editions belongs to.
func (e *Event) Owners() []string {
	var out []string
	for _, addr := range e.OrganiserEmails {
		out = append(out, OrganiserID(addr))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// SameOwners reports whether two editions with these owners (OrganiserIDs)
// belong to the same series, given the same series name: when they share an
// organiser, or when neither has any (the administrator who created both
// owns them). A series name is no namespace of its own: two organisers who
// both call their series "nec" see nothing of each other's. Sharing one
// organiser is enough, so that a series keeps its history when a
// co-organiser joins or leaves: that organiser could read the other
// edition's bilan anyway, and the comparison shows only figures that bilan
// publishes.
func SameOwners(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
