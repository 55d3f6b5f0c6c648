// Package suppress decides which figures of a two-way table of answer counts
// may be published, so that no group of fewer than k answers can be read or
// recomputed from what is shown.
//
// A table has cells (row × column), a total per row, a total per column and
// a grand total. Every figure is a set of answers, and each row, each column
// and the grand total is the sum of its parts: whoever reads the table knows
// these sums. The rule has three parts:
//
//   - Primary suppression: a figure of fewer than k answers (but not 0) is
//     hidden. A figure of 0 answers is shown: it is nobody.
//   - No hidden figure can be recomputed, from one sum or by combining
//     several (a row's total minus its shown cells, a column's total minus
//     its cells, across rows and columns). Seen as a graph whose nodes are
//     the sums and whose edges are the figures, a figure not shown is
//     recomputable exactly when it is a bridge of the graph of figures not
//     shown: each hidden figure must lie on a cycle of hidden figures.
//   - Every remainder holds at least k answers: when a sum's total is known,
//     the parts it hides together (the total minus what is known of it)
//     hold 0 or at least k answers, so that no difference reveals a small
//     group, even one made of several hidden figures.
//   - No hidden figure is pinned by what a reader knows of the others: a
//     figure seen as hidden holds at least 1 (0 is shown), so five hidden
//     sessions that hold five answers between them hold one each. Each
//     hidden figure must be able to grow or shrink by one while every sum
//     and every such floor holds.
//
// Complementary suppression hides as few answers as it can to meet the last
// three parts, cells first, then column totals, then row totals: callers
// put the breakdown their readers care most about in rows. A figure that
// was hidden but can be recomputed all the same, and holds at least k
// answers, is shown again, since hiding it protects nothing.
//
// Sums of hidden figures taken across several sums at once (a row's
// remainder plus another's minus a column's) are not held to k: the rule
// bounds what one subtraction shows, and forbids recovering any hidden
// figure, alone, by any combination.
//
// The package imports nothing of the domain: the bilan (sessions × profiles)
// and the weekly digest (sessions × before and during the week) both use it.
package suppress

import (
	"container/heap"
	"math"
)

// Total stands for a margin in a Figure: Figure{r, Total} is row r's total,
// Figure{Total, c} column c's, Figure{Total, Total} the grand total.
const Total = -1

// Figure names one figure of a table: a cell, a row's total, a column's
// total or the grand total.
type Figure struct{ Row, Col int }

// Fixed is a state a caller imposes on a figure; the others are decided.
type Fixed uint8

// The states a caller may impose.
const (
	// Shown: published whatever its count (it is published elsewhere).
	Shown Fixed = iota + 1
	// Hidden: shown as not detailed, and protected like a small figure.
	Hidden
	// Unpublished: never shown; it may be recomputable only when it holds 0
	// or at least k answers.
	Unpublished
)

type state uint8

const (
	openShown   state = iota // decided: shown
	openHidden               // decided: hidden (protected)
	lockedShown              // decided: shown, as it can be recomputed anyway
	followed                 // decided: not shown, as its row is hidden
	fixedShown
	fixedHidden
	unpublished
)

// Weights of hiding one answer of a cell, a column total, a row total and
// the grand total.
const (
	weightCell  = 1
	weightCol   = 2
	weightRow   = 3
	weightTotal = 1000
)

// Table is a two-way table of answer counts being suppressed.
type Table struct {
	k          int
	rows, cols int
	n          []int
	state      []state
	follow     bool
	failed     bool
}

// New returns the table of counts (counts[r][c] answers in row r and column
// c; every row has the same length) with anonymity threshold k. Every figure
// is decided by Solve unless Fix says otherwise.
func New(k int, counts [][]int) *Table {
	t := &Table{k: k, rows: len(counts)}
	if t.rows > 0 {
		t.cols = len(counts[0])
	}
	t.n = make([]int, t.rows*t.cols+t.rows+t.cols+1)
	t.state = make([]state, len(t.n))
	for r, row := range counts {
		for c, v := range row {
			t.n[t.edge(Figure{r, c})] += v
			t.n[t.edge(Figure{r, Total})] += v
			t.n[t.edge(Figure{Total, c})] += v
			t.n[t.edge(Figure{Total, Total})] += v
		}
	}
	return t
}

// Fix imposes s on the figure f.
func (t *Table) Fix(f Figure, s Fixed) {
	e := t.edge(f)
	switch s {
	case Shown:
		t.state[e] = fixedShown
	case Hidden:
		t.state[e] = fixedHidden
	case Unpublished:
		t.state[e] = unpublished
	}
}

// CellsFollowRows says that the cells of a hidden row are not shown either:
// a breakdown of a row whose total is hidden would show its total.
func (t *Table) CellsFollowRows() { t.follow = true }

// Count returns the number of answers of f.
func (t *Table) Count(f Figure) int { return t.n[t.edge(f)] }

// Shown reports whether f may be shown. A figure of 0 answers that Solve
// decides is always shown.
func (t *Table) Shown(f Figure) bool { return t.known(t.edge(f)) }

// Failed reports whether Solve could not protect every figure with what it
// may hide (the figures fixed as shown give a small group away by
// themselves). Callers then show nothing the table covers.
func (t *Table) Failed() bool { return t.failed }

// edge numbers the figures: cells row by row, then the rows' totals, the
// columns' totals and the grand total.
func (t *Table) edge(f Figure) int {
	R, C := t.rows, t.cols
	switch {
	case f.Row == Total && f.Col == Total:
		return R*C + R + C
	case f.Row == Total:
		return R*C + R + f.Col
	case f.Col == Total:
		return R*C + f.Row
	}
	return f.Row*C + f.Col
}

func (t *Table) figure(e int) Figure {
	R, C := t.rows, t.cols
	switch {
	case e < R*C:
		return Figure{e / C, e % C}
	case e < R*C+R:
		return Figure{e - R*C, Total}
	case e < R*C+R+C:
		return Figure{Total, e - R*C - R}
	}
	return Figure{Total, Total}
}

// The nodes are the sums: row r is node r, the sum of the columns' totals
// node R, column c node R+1+c and the sum of the rows' totals node R+1+C.
func (t *Table) nodes() int { return t.rows + t.cols + 2 }

// ends returns the two sums a figure takes part in.
func (t *Table) ends(e int) (int, int) {
	R, C := t.rows, t.cols
	f := t.figure(e)
	switch {
	case f.Row == Total && f.Col == Total:
		return R, R + 1 + C
	case f.Row == Total:
		return R, R + 1 + f.Col
	case f.Col == Total:
		return f.Row, R + 1 + C
	}
	return f.Row, R + 1 + f.Col
}

// parent returns the total of the sum v; children its parts.
func (t *Table) parent(v int) int {
	R, C := t.rows, t.cols
	switch {
	case v < R:
		return t.edge(Figure{v, Total})
	case v == R || v == R+1+C:
		return t.edge(Figure{Total, Total})
	}
	return t.edge(Figure{Total, v - R - 1})
}

func (t *Table) children(v int) []int {
	R, C := t.rows, t.cols
	var out []int
	switch {
	case v < R:
		for c := range C {
			out = append(out, t.edge(Figure{v, c}))
		}
	case v == R:
		for c := range C {
			out = append(out, t.edge(Figure{Total, c}))
		}
	case v == R+1+C:
		for r := range R {
			out = append(out, t.edge(Figure{r, Total}))
		}
	default:
		for r := range R {
			out = append(out, t.edge(Figure{r, v - R - 1}))
		}
	}
	return out
}

func (t *Table) weight(e int) int {
	f := t.figure(e)
	switch {
	case f.Row == Total && f.Col == Total:
		return weightTotal
	case f.Row == Total:
		return weightCol
	case f.Col == Total:
		return weightRow
	}
	return weightCell
}

// known reports whether a reader has the figure.
func (t *Table) known(e int) bool {
	switch t.state[e] {
	case openShown, lockedShown, fixedShown:
		return true
	}
	return false
}

// floor is the least a reader knows a figure not shown holds: 1 for a
// figure seen as hidden, since 0 is always shown, and 0 for one never shown.
func (t *Table) floor(e int) int {
	if t.state[e] == openHidden || t.state[e] == fixedHidden {
		return 1
	}
	return 0
}

// protected reports whether the figure must not be recomputable.
func (t *Table) protected(e int) bool {
	if t.n[e] == 0 {
		return false
	}
	switch t.state[e] {
	case openHidden, fixedHidden:
		return true
	case unpublished, followed:
		return t.n[e] < t.k
	}
	return false
}

func (t *Table) hideable(e int) bool { return t.state[e] == openShown && t.n[e] > 0 }

// hide hides e and, when cells follow rows and e is a row's total, the
// row's cells.
func (t *Table) hide(e int) {
	t.state[e] = openHidden
	t.followRow(e)
}

// followRow takes the cells of a hidden row out of view, when cells follow
// rows and e is a row's total.
func (t *Table) followRow(e int) {
	f := t.figure(e)
	if !t.follow || f.Col != Total || f.Row == Total {
		return
	}
	for c := range t.cols {
		if x := t.edge(Figure{f.Row, c}); t.state[x] == openShown || t.state[x] == openHidden {
			t.state[x] = followed
		}
	}
}

// show shows again a hidden figure that can be recomputed anyway; the cells
// of a row shown again are hidden until the next steps decide them.
func (t *Table) show(e int) {
	t.state[e] = lockedShown
	f := t.figure(e)
	if !t.follow || f.Col != Total || f.Row == Total {
		return
	}
	for c := range t.cols {
		if x := t.edge(Figure{f.Row, c}); t.state[x] == followed {
			t.state[x] = openHidden
			if t.n[x] == 0 {
				t.state[x] = openShown
			}
		}
	}
}

// Solve decides every figure not fixed.
func (t *Table) Solve() {
	for e := range t.n {
		if t.state[e] == openShown && t.n[e] > 0 && t.n[e] < t.k {
			t.hide(e)
		}
	}
	for r := range t.rows {
		if e := t.edge(Figure{r, Total}); t.state[e] == openHidden || t.state[e] == fixedHidden || t.state[e] == unpublished {
			t.followRow(e)
		}
	}
	fellBack := false
	for {
		derivable := t.bridges()
		progress, stuck := t.step(derivable)
		if stuck {
			if fellBack {
				t.failed = true
				return
			}
			// Hide everything that may be hidden; the figures that can
			// still be recomputed are shown again by the next steps.
			fellBack = true
			for e := range t.n {
				if t.hideable(e) {
					t.hide(e)
				}
			}
			continue
		}
		if !progress {
			return
		}
	}
}

// step makes one change towards the rule: it shows again a hidden figure
// that can be recomputed anyway, or protects a figure that can be
// recomputed, or widens a remainder of fewer than k answers. It reports
// whether it changed anything, or is stuck: the rule is broken and nothing
// it may hide mends it.
func (t *Table) step(derivable []bool) (progress, stuck bool) {
	for e := range t.n {
		if derivable[e] && t.state[e] == openHidden && t.n[e] >= t.k {
			t.show(e)
			progress = true
		}
	}
	if progress {
		return true, false
	}
	for e := range t.n {
		if derivable[e] && t.protected(e) {
			_, path, ok := t.cheapestPath(e)
			if !ok {
				return false, true
			}
			for _, x := range path {
				t.hide(x)
			}
			return true, false
		}
	}
	for v := range t.nodes() {
		if !t.smallRemainder(v, derivable) {
			continue
		}
		if !t.widen(v, derivable) {
			return false, true
		}
		return true, false
	}
	for e := range t.n {
		if !t.protected(e) || !t.pinned(e) {
			continue
		}
		a, b := t.ends(e)
		if !t.widen(a, derivable) && !t.widen(b, derivable) {
			return false, true
		}
		return true, false
	}
	return false, false
}

// sign returns the coefficient of figure e in the sum v once every sum is
// written so that each figure counts +1 in one of its sums and -1 in the
// other: rows and the sum of the rows' totals as they are, columns and the
// sum of the columns' totals negated. A figure goes from the sum where it
// counts +1 to the one where it counts -1.
func (t *Table) sign(v, e int) int {
	s := 1
	if e == t.parent(v) {
		s = -1
	}
	if v > t.rows && v != t.rows+1+t.cols || v == t.rows {
		s = -s
	}
	return s
}

// pinned reports whether a reader who knows that no figure seen as hidden
// is 0 (0 is always shown) can tell e's count exactly although it cannot be
// recomputed: it can neither grow nor shrink by one without another figure
// falling below what the reader knows it holds (as when five hidden
// sessions hold five answers).
// Changes that keep every sum are cycles; e can grow when its head reaches
// its tail through figures not known, each crossed forwards (it grows) or
// backwards (it shrinks, so it must hold 2 or more).
func (t *Table) pinned(e int) bool {
	tail, head := t.ends(e)
	if t.sign(tail, e) < 0 {
		tail, head = head, tail
	}
	if t.reaches(head, tail, e) {
		return false
	}
	return t.n[e] <= t.floor(e) || !t.reaches(tail, head, e)
}

// reaches reports whether a change can flow from one sum to another
// through figures not known other than skip.
func (t *Table) reaches(from, to, skip int) bool {
	V := t.nodes()
	adj := make([][]int, V)
	for x := range t.n {
		if x == skip || t.known(x) {
			continue
		}
		a, b := t.ends(x)
		if t.sign(a, x) < 0 {
			a, b = b, a
		}
		adj[a] = append(adj[a], b) // x grows
		if t.n[x] > t.floor(x) {
			adj[b] = append(adj[b], a) // x shrinks
		}
	}
	seen := make([]bool, V)
	stack := []int{from}
	seen[from] = true
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v == to {
			return true
		}
		for _, w := range adj[v] {
			if !seen[w] {
				seen[w] = true
				stack = append(stack, w)
			}
		}
	}
	return false
}

// smallRemainder reports whether the sum v, whose total a reader knows,
// hides parts that together hold between 1 and k-1 answers.
func (t *Table) smallRemainder(v int, derivable []bool) bool {
	if p := t.parent(v); !t.known(p) && !derivable[p] {
		return false
	}
	sum := 0
	for _, c := range t.children(v) {
		if !t.known(c) && !derivable[c] {
			sum += t.n[c]
		}
	}
	return sum > 0 && sum < t.k
}

// widen makes one more part of v, or its total, unknown to a reader, at the
// least cost: a shown figure is hidden, and a figure that can be recomputed
// is put on a cycle of hidden figures.
func (t *Table) widen(v int, derivable []bool) bool {
	best, bestCost := -1, math.MaxInt
	var bestPath []int
	for _, e := range append(t.children(v), t.parent(v)) {
		var cost int
		switch {
		case t.hideable(e):
			cost = t.weight(e) * t.n[e]
		case derivable[e] && !t.known(e):
		default:
			continue
		}
		if cost >= bestCost {
			continue
		}
		extra, path, ok := t.cheapestPath(e)
		if !ok || cost+extra >= bestCost {
			continue
		}
		best, bestCost, bestPath = e, cost+extra, path
	}
	if best < 0 {
		return false
	}
	if t.hideable(best) {
		t.hide(best)
	}
	for _, x := range bestPath {
		t.hide(x)
	}
	return true
}

// bridges returns, for each figure, whether a reader can recompute it: it
// is not known and is a bridge of the graph of figures not known.
func (t *Table) bridges() []bool {
	V := t.nodes()
	adj := make([][]int, V)
	for e := range t.n {
		if !t.known(e) {
			a, b := t.ends(e)
			adj[a] = append(adj[a], e)
			adj[b] = append(adj[b], e)
		}
	}
	out := make([]bool, len(t.n))
	disc := make([]int, V)
	low := make([]int, V)
	timer := 0
	var dfs func(v, via int)
	dfs = func(v, via int) {
		timer++
		disc[v], low[v] = timer, timer
		for _, e := range adj[v] {
			if e == via {
				continue
			}
			a, b := t.ends(e)
			w := a
			if w == v {
				w = b
			}
			if disc[w] == 0 {
				dfs(w, e)
				low[v] = min(low[v], low[w])
				if low[w] > disc[v] {
					out[e] = true
				}
			} else {
				low[v] = min(low[v], disc[w])
			}
		}
	}
	for v := range V {
		if disc[v] == 0 {
			dfs(v, -1)
		}
	}
	return out
}

// cheapestPath finds the cheapest way to join e's two sums without e:
// through figures not known (free) and shown figures that may be hidden
// (at their weighted count). It returns the cost and the shown figures to
// hide; false when there is none.
func (t *Table) cheapestPath(e int) (int, []int, bool) {
	from, to := t.ends(e)
	V := t.nodes()
	dist := make([]int, V)
	via := make([]int, V)
	for i := range dist {
		dist[i], via[i] = math.MaxInt, -1
	}
	adj := make([][]int, V)
	for x := range t.n {
		if x == e || (t.known(x) && !t.hideable(x)) {
			continue
		}
		a, b := t.ends(x)
		adj[a] = append(adj[a], x)
		adj[b] = append(adj[b], x)
	}
	dist[from] = 0
	q := &queue{{from, 0}}
	for q.Len() > 0 {
		it := heap.Pop(q).(item)
		if it.d > dist[it.v] {
			continue
		}
		if it.v == to {
			break
		}
		for _, x := range adj[it.v] {
			a, b := t.ends(x)
			w := a
			if w == it.v {
				w = b
			}
			d := it.d
			if t.known(x) {
				d += t.weight(x) * t.n[x]
			}
			if d < dist[w] {
				dist[w], via[w] = d, x
				heap.Push(q, item{w, d})
			}
		}
	}
	if dist[to] == math.MaxInt {
		return 0, nil, false
	}
	var path []int
	for v := to; v != from; {
		x := via[v]
		if t.known(x) {
			path = append(path, x)
		}
		a, b := t.ends(x)
		if a == v {
			v = b
		} else {
			v = a
		}
	}
	return dist[to], path, true
}

type item struct{ v, d int }

type queue []item

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].d != q[j].d {
		return q[i].d < q[j].d
	}
	return q[i].v < q[j].v
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(item)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
