package bilan

import (
	"github.com/retours/retours/internal/suppress"
)

// publish turns a computed bilan, every figure of every cell, into what may
// be shown, in place. It is the one place where the anonymity threshold k
// applies: every format renders its result, so none can leak on its own.
//
//   - An event with fewer than k answers shows no figure of its answers.
//   - Otherwise the sessions (rows), the profiles (columns, the answers
//     without a profile among them) and the session × profile cells form
//     one table whose figures internal/suppress decides: a cell of fewer
//     than k answers is hidden, and as many others as needed, the fewest
//     answers first, so that no hidden cell can be recomputed from the
//     event's figures, a session's or a profile's, by one subtraction or by
//     combining them, and every remainder (a total minus its shown parts)
//     holds at least k answers. The profile breakdown within a hidden
//     session is not shown at all.
//   - A hidden cell carries its name only; the profile question's
//     distribution hides the buckets of the profile cells that are hidden.
//   - Notes and quotes are attributed only to sessions shown with answers.
//
// What the table bounds holds for every figure of a cell (counts,
// distributions, means, medians, intervals, NPS), since each is a function
// of the cell's answers: a cell whose answers cannot be told apart cannot
// have any of them recomputed. A session × profile cell shows its answers
// and satisfaction only; its other figures are never shown, and the same
// table keeps them from being recomputed, since what it hides for the
// counts it hides for every figure.
func publish(b *Bilan) {
	vis := visibility(b)
	if vis == nil {
		hideAnswers(b)
	} else {
		for i := range b.Sessions {
			g := &b.Sessions[i]
			if !vis.row(g.ID) {
				hide(g)
				continue
			}
			for j := range g.Profiles {
				if !vis.cell(g.ID, g.Profiles[j].ID) {
					hide(&g.Profiles[j])
				}
			}
			hideBuckets(g.Questions, func(profile string) bool { return !vis.cell(g.ID, profile) })
		}
		for i := range b.Profiles {
			if !vis.col(b.Profiles[i].ID) {
				hide(&b.Profiles[i])
			}
		}
		hideBuckets(b.Questions, func(profile string) bool { return !vis.col(profile) })
	}
	attribute(b)
}

// attribute names the session of notes and quotes only when it is shown
// with answers, which are then at least the threshold.
func attribute(b *Bilan) {
	named := map[string]string{}
	for _, g := range b.Sessions {
		if g.ID != "" && !g.Suppressed && g.Answers >= b.Threshold {
			named[g.ID] = g.Title
		}
	}
	for i := range b.NoteGroups {
		for j := range b.NoteGroups[i].Notes {
			n := &b.NoteGroups[i].Notes[j]
			n.Session = named[n.Session]
			if n.Session == "" {
				n.sessionID = ""
			}
		}
	}
	for i := range b.Themes {
		for j := range b.Themes[i].Quotes {
			q := &b.Themes[i].Quotes[j]
			q.Session = named[q.Session]
		}
	}
}

// shown says which cells of a bilan's table may be shown, by session and
// profile id. Without a table (no session and no answer) nothing is hidden.
type shown struct {
	t          *suppress.Table
	rows, cols map[string]int
}

func (v *shown) row(session string) bool {
	r, ok := v.rows[session]
	return !ok || v.t == nil || v.t.Shown(suppress.Figure{Row: r, Col: suppress.Total})
}

func (v *shown) col(profile string) bool {
	c, ok := v.cols[profile]
	return !ok || v.t == nil || v.t.Shown(suppress.Figure{Row: suppress.Total, Col: c})
}

func (v *shown) cell(session, profile string) bool {
	r, okr := v.rows[session]
	c, okc := v.cols[profile]
	return !okr || !okc || v.t == nil || v.t.Shown(suppress.Figure{Row: r, Col: c})
}

// visibility builds the table of the bilan's sessions and profiles from its
// counts and solves it; nil when the event's answers are too few to show
// any figure, or the suppression fails.
func visibility(b *Bilan) *shown {
	th := b.Threshold
	if b.Answers > 0 && b.Answers < th {
		return nil
	}
	v := &shown{rows: map[string]int{}, cols: map[string]int{}}
	for _, g := range b.Sessions {
		v.rows[g.ID] = len(v.rows)
	}
	for _, g := range b.Profiles {
		v.cols[g.ID] = len(v.cols)
	}
	if len(v.cols) == 0 {
		// No profile question: one column, every answer without a profile.
		v.cols[""] = 0
	}
	counts := make([][]int, len(b.Sessions))
	for r, g := range b.Sessions {
		counts[r] = make([]int, len(v.cols))
		if len(b.Profiles) == 0 {
			counts[r][0] = g.Answers
			continue
		}
		for _, p := range g.Profiles {
			counts[r][v.cols[p.ID]] = p.Answers
		}
	}
	if len(counts) == 0 {
		return v // no session at all and no answer: nothing to hide
	}
	v.t = suppress.New(th, counts)
	v.t.Fix(suppress.Figure{Row: suppress.Total, Col: suppress.Total}, suppress.Shown)
	v.t.CellsFollowRows()
	v.t.Solve()
	if v.t.Failed() {
		return nil
	}
	return v
}

// hide leaves a cell its name only.
func hide(g *Group) {
	*g = Group{ID: g.ID, Title: g.Title, Kind: g.Kind, Suppressed: true}
}

// hideAnswers leaves out every figure of the answers: sessions and profiles
// keep their names, and show their count only when it is 0.
func hideAnswers(b *Bilan) {
	b.Suppressed = true
	b.Answers, b.ResponseRate, b.Questions = 0, nil, []QuestionStats{}
	for i := range b.Channels {
		b.Channels[i].Answers = 0
	}
	for i := range b.Sessions {
		if b.Sessions[i].Answers > 0 {
			hide(&b.Sessions[i])
		}
	}
	for i := range b.Profiles {
		if b.Profiles[i].Answers > 0 {
			hide(&b.Profiles[i])
		}
	}
}

// hideBuckets suppresses the buckets of the profile question that count a
// hidden profile cell.
func hideBuckets(qs []QuestionStats, hidden func(profile string) bool) {
	for i := range qs {
		if !qs[i].profile {
			continue
		}
		for j := range qs[i].Distribution {
			bk := &qs[i].Distribution[j]
			if bk.Count > 0 && hidden(bk.Value) {
				*bk = Bucket{Value: bk.Value, Label: bk.Label, Suppressed: true}
			}
		}
	}
}
