package bilan

import "time"

// PrimaryOnly returns the bilan of what a was given with the suppression
// retours applied before complementary suppression: a session, profile or
// session × profile cell with fewer answers than the threshold shows its
// name only, the event as a whole always shows, and nothing else is hidden
// (the profile question's distribution included). The attacker tests run on
// it to show that they would catch what that rule let through.
func PrimaryOnly(a *Aggregator, now time.Time) *Bilan {
	b := a.compute(now)
	th := b.Threshold
	small := func(g *Group) {
		if g.Answers > 0 && g.Answers < th {
			hide(g)
		}
	}
	for i := range b.Sessions {
		g := &b.Sessions[i]
		small(g)
		for j := range g.Profiles {
			small(&g.Profiles[j])
		}
	}
	for i := range b.Profiles {
		small(&b.Profiles[i])
	}
	attribute(b)
	return b
}

// MDEscape is mdEscape, for the autolink tests.
var MDEscape = mdEscape
