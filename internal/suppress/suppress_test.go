package suppress_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/retours/retours/internal/suppress"
)

func TestOneBreakdown(t *testing.T) {
	// One column: the rows are a breakdown of the total, as the sessions of
	// an event without a profile question.
	for _, tc := range []struct {
		name string
		k    int
		rows []int
		want []bool // shown
	}{
		{"nothing small", 5, []int{12, 7, 5}, []bool{true, true, true}},
		{"one small row takes the next smallest with it", 5, []int{12, 7, 3}, []bool{true, false, false}},
		{"10 and 1: the difference would give the 1", 5, []int{10, 1}, []bool{false, false}},
		{"4 and 6: neither, as 4 + 6 = total", 5, []int{4, 6}, []bool{false, false}},
		{"two small rows that hold k between them", 5, []int{20, 3, 2}, []bool{true, false, false}},
		{"two small rows that hold fewer than k take a third", 5, []int{20, 8, 2, 1}, []bool{true, false, false, false}},
		{"five rows of 1 would each be 1 for sure", 5, []int{20, 1, 1, 1, 1, 1}, []bool{false, false, false, false, false, false}},
		{"an empty row is shown", 5, []int{12, 0, 7}, []bool{true, true, true}},
		{"threshold 1 hides nothing", 1, []int{12, 1, 1}, []bool{true, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts := make([][]int, len(tc.rows))
			for i, n := range tc.rows {
				counts[i] = []int{n}
			}
			tab := suppress.New(tc.k, counts)
			tab.Fix(suppress.Figure{Row: suppress.Total, Col: suppress.Total}, suppress.Shown)
			tab.CellsFollowRows()
			tab.Solve()
			var got []bool
			for i := range tc.rows {
				got = append(got, tab.Shown(suppress.Figure{Row: i, Col: suppress.Total}))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || tab.Failed() {
				t.Errorf("shown = %v (failed %v), want %v", got, tab.Failed(), tc.want)
			}
			check(t, tab, tc.k, counts, bilanLike)
		})
	}
}

func TestCrossTable(t *testing.T) {
	// A plénière of 14 with 4 tiers-lieux among élus and associations who
	// came to the plénière only: hiding the 4 alone would leave it as the
	// plénière's total minus its other cells.
	counts := [][]int{
		// élu, association, tiers-lieu
		{5, 5, 4},   // plénière
		{0, 0, 6},   // atelier of tiers-lieux
		{10, 12, 9}, // atelier
	}
	tab := suppress.New(5, counts)
	tab.Fix(suppress.Figure{Row: suppress.Total, Col: suppress.Total}, suppress.Shown)
	tab.CellsFollowRows()
	tab.Solve()
	if tab.Shown(suppress.Figure{Row: 0, Col: 2}) {
		t.Error("the small cell is shown")
	}
	for r := range counts {
		if !tab.Shown(suppress.Figure{Row: r, Col: suppress.Total}) {
			t.Errorf("row %d is hidden: hiding cells and columns costs less", r)
		}
	}
	check(t, tab, 5, counts, bilanLike)
}

// TestCheckHasTeeth: hiding only the small figures, as the bilan once did,
// leaves each of them to a subtraction, which the check finds.
func TestCheckHasTeeth(t *testing.T) {
	for _, counts := range [][][]int{
		{{10}, {1}},
		{{20}, {1}, {1}, {1}, {1}, {1}},
		{{5, 5, 4}, {0, 0, 6}, {10, 12, 9}},
	} {
		tab := suppress.New(5, counts)
		tab.CellsFollowRows()
		m := newModel(counts)
		for i, f := range m.figures {
			if m.n[i] > 0 && m.n[i] < 5 {
				tab.Fix(f, suppress.Hidden)
			} else {
				tab.Fix(f, suppress.Shown)
			}
		}
		if len(problems(tab, 5, counts, bilanLike)) == 0 {
			t.Errorf("%v: hiding the small figures alone passes the check", counts)
		}
	}
}

// TestRandomTables runs the suppression on many random tables, shaped as the
// bilan and the digest use it, and checks the outcome with linear algebra
// written apart from the package: no protected figure can be recomputed or
// pinned, and no remainder holds fewer than k answers.
func TestRandomTables(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		k := []int{2, 3, 5, 5}[r.IntN(4)]
		shape := []shape{bilanLike, digestLike, trendLike}[i%3]
		counts, fix := shape.random(r, k)
		tab := suppress.New(k, counts)
		fix(tab)
		tab.Solve()
		if tab.Failed() {
			t.Fatalf("table %d (%s, k=%d) %v: suppression failed", i, shape, k, counts)
		}
		check(t, tab, k, counts, shape)
		if t.Failed() {
			t.Fatalf("table %d (%s, k=%d): %v", i, shape, k, counts)
		}
	}
}

type shape int

const (
	bilanLike  shape = iota // sessions × profiles: the total shown, the rest decided
	digestLike              // sessions × (before, new): rows fixed, the "before" column unpublished
	trendLike               // the same with only the total before the week to decide
)

func (s shape) String() string { return []string{"bilan", "digest", "trend"}[s] }

func (s shape) random(r *rand.Rand, k int) ([][]int, func(*suppress.Table)) {
	small := func() int {
		switch x := r.IntN(10); {
		case x < 3:
			return 0
		case x < 7:
			return 1 + r.IntN(k)
		default:
			return k + r.IntN(12)
		}
	}
	total := suppress.Figure{Row: suppress.Total, Col: suppress.Total}
	switch s {
	case bilanLike:
		R, C := 1+r.IntN(10), 1+r.IntN(6)
		counts := grid(R, C, small)
		// The bilan shows nothing of an event of fewer than k answers.
		counts[0][0] += k
		return counts, func(t *suppress.Table) {
			t.Fix(total, suppress.Shown)
			t.CellsFollowRows()
		}
	default:
		// Rows are what the bilan shows: each 0 or at least k answers.
		R := 1 + r.IntN(6)
		counts := grid(R, 2, small)
		for i := range counts {
			if sum := counts[i][0] + counts[i][1]; sum > 0 && sum < k {
				counts[i][0] += k - sum
			}
		}
		return counts, func(t *suppress.Table) {
			t.Fix(total, suppress.Shown)
			for i := range R {
				t.Fix(suppress.Figure{Row: i, Col: suppress.Total}, suppress.Shown)
				t.Fix(suppress.Figure{Row: i, Col: 0}, suppress.Unpublished)
				if s == trendLike {
					t.Fix(suppress.Figure{Row: i, Col: 1}, suppress.Unpublished)
				}
			}
			if s == trendLike {
				t.Fix(suppress.Figure{Row: suppress.Total, Col: 1}, suppress.Unpublished)
			} else {
				t.Fix(suppress.Figure{Row: suppress.Total, Col: 0}, suppress.Unpublished)
			}
		}
	}
}

func BenchmarkSolve(b *testing.B) {
	// The largest bilan: 60 sessions and the event as a whole, 20 profile
	// choices and "not given", with many small cells.
	r := rand.New(rand.NewPCG(1, 2))
	counts := grid(61, 21, func() int { return r.IntN(7) })
	for b.Loop() {
		tab := suppress.New(5, counts)
		tab.Fix(suppress.Figure{Row: suppress.Total, Col: suppress.Total}, suppress.Shown)
		tab.CellsFollowRows()
		tab.Solve()
	}
}

func grid(R, C int, cell func() int) [][]int {
	counts := make([][]int, R)
	for i := range counts {
		counts[i] = make([]int, C)
		for j := range counts[i] {
			counts[i][j] = cell()
		}
	}
	return counts
}

// model is a table written as its figures and the sums they take part in.
type model struct {
	R, C    int
	figures []suppress.Figure
	n       []int
	sums    [][]term // each sum: its parts (+1) and its total (-1) add up to 0
}

type term struct {
	figure int
	coef   int64
}

func newModel(counts [][]int) *model {
	m := &model{R: len(counts), C: len(counts[0])}
	idx := map[suppress.Figure]int{}
	add := func(f suppress.Figure, n int) {
		if i, ok := idx[f]; ok {
			m.n[i] += n
			return
		}
		idx[f] = len(m.figures)
		m.figures = append(m.figures, f)
		m.n = append(m.n, n)
	}
	T := suppress.Total
	for r, row := range counts {
		for c, v := range row {
			add(suppress.Figure{Row: r, Col: c}, v)
			add(suppress.Figure{Row: r, Col: T}, v)
			add(suppress.Figure{Row: T, Col: c}, v)
			add(suppress.Figure{Row: T, Col: T}, v)
		}
	}
	for r := range m.R {
		s := []term{{idx[suppress.Figure{Row: r, Col: T}], -1}}
		for c := range m.C {
			s = append(s, term{idx[suppress.Figure{Row: r, Col: c}], 1})
		}
		m.sums = append(m.sums, s)
	}
	for c := range m.C {
		s := []term{{idx[suppress.Figure{Row: T, Col: c}], -1}}
		for r := range m.R {
			s = append(s, term{idx[suppress.Figure{Row: r, Col: c}], 1})
		}
		m.sums = append(m.sums, s)
	}
	rowsSum := []term{{idx[suppress.Figure{Row: T, Col: T}], -1}}
	for r := range m.R {
		rowsSum = append(rowsSum, term{idx[suppress.Figure{Row: r, Col: T}], 1})
	}
	colsSum := []term{{idx[suppress.Figure{Row: T, Col: T}], -1}}
	for c := range m.C {
		colsSum = append(colsSum, term{idx[suppress.Figure{Row: T, Col: c}], 1})
	}
	m.sums = append(m.sums, rowsSum, colsSum)
	return m
}

// determined returns, for each figure not known, whether the sums determine
// it: Gaussian elimination over the rationals of the sums restricted to the
// unknown figures.
func (m *model) determined(known []bool) []bool {
	var cols []int
	col := map[int]int{}
	for i := range m.figures {
		if !known[i] {
			col[i] = len(cols)
			cols = append(cols, i)
		}
	}
	var rows [][]*big.Rat
	for _, s := range m.sums {
		row := make([]*big.Rat, len(cols))
		for j := range row {
			row[j] = new(big.Rat)
		}
		nonzero := false
		for _, tm := range s {
			if j, ok := col[tm.figure]; ok {
				row[j].Add(row[j], big.NewRat(tm.coef, 1))
				nonzero = true
			}
		}
		if nonzero {
			rows = append(rows, row)
		}
	}
	pivotOf := make([]int, len(cols)) // column → pivot row, or -1
	for j := range pivotOf {
		pivotOf[j] = -1
	}
	r := 0
	for j := 0; j < len(cols) && r < len(rows); j++ {
		p := -1
		for i := r; i < len(rows); i++ {
			if rows[i][j].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[r], rows[p] = rows[p], rows[r]
		inv := new(big.Rat).Inv(rows[r][j])
		for jj := range rows[r] {
			rows[r][jj].Mul(rows[r][jj], inv)
		}
		for i := range rows {
			if i == r || rows[i][j].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(rows[i][j])
			for jj := range rows[i] {
				rows[i][jj].Sub(rows[i][jj], new(big.Rat).Mul(f, rows[r][jj]))
			}
		}
		pivotOf[j] = r
		r++
	}
	out := make([]bool, len(m.figures))
	for j, fig := range cols {
		p := pivotOf[j]
		if p < 0 {
			continue
		}
		alone := true
		for jj := range cols {
			if jj != j && pivotOf[jj] < 0 && rows[p][jj].Sign() != 0 {
				alone = false
			}
		}
		out[fig] = alone
	}
	return out
}

// pinned reports whether figure x, unknown, can take only one value once a
// reader knows every unknown figure holds at least its floor (1 for a
// figure seen as hidden, 0 for one never shown). Integer changes that
// keep every sum decompose into cycles, each of which changes every figure
// by +1 or -1 (the sums form a network matrix); x is pinned when no such
// cycle moves it without taking another unknown figure below 1. Each
// cycle is found by propagating the change from sum to sum.
func (m *model) pinned(x int, known []bool, floor []int) bool {
	// The sums each figure takes part in, with its coefficient.
	where := make([][]term, len(m.figures)) // term.figure holds the sum's index
	for si, s := range m.sums {
		for _, tm := range s {
			where[tm.figure] = append(where[tm.figure], term{si, tm.coef})
		}
	}
	for _, d0 := range []int64{1, -1} {
		if d0 < 0 && m.n[x] <= floor[x] {
			continue
		}
		// Changing x by d0 unbalances its two sums; look for a path of
		// changes from one to the other.
		start, goal := where[x][0], where[x][1]
		// need is what the path must bring into a sum to balance it.
		type state struct {
			sum  int
			need int64
		}
		from := state{start.figure, -start.coef * d0}
		want := state{goal.figure, goal.coef * d0}
		seen := map[state]bool{from: true}
		queue := []state{from}
		found := false
		for len(queue) > 0 && !found {
			s := queue[0]
			queue = queue[1:]
			for _, tm := range m.sums[s.sum] {
				f := tm.figure
				if f == x || known[f] {
					continue
				}
				d := s.need * tm.coef // the change of f that brings need into s
				if d < 0 && m.n[f] <= floor[f] {
					continue
				}
				for _, other := range where[f] {
					if other.figure == s.sum {
						continue
					}
					next := state{other.figure, -other.coef * d}
					if next == want {
						found = true
					}
					if !seen[next] {
						seen[next] = true
						queue = append(queue, next)
					}
				}
			}
		}
		if found {
			return false
		}
	}
	return true
}

// check verifies the outcome of a solved table.
func check(t *testing.T, tab *suppress.Table, k int, counts [][]int, s shape) {
	t.Helper()
	for _, p := range problems(tab, k, counts, s) {
		t.Error(p)
	}
}

// problems lists what a reader could learn that the rule forbids.
func problems(tab *suppress.Table, k int, counts [][]int, s shape) []string {
	var out []string
	m := newModel(counts)
	known := make([]bool, len(m.figures))
	for i, f := range m.figures {
		known[i] = tab.Shown(f)
		if got := tab.Count(f); got != m.n[i] {
			out = append(out, fmt.Sprintf("Count(%v) = %d, want %d", f, got, m.n[i]))
		}
	}
	det := m.determined(known)
	// A figure the reader sees as hidden holds at least 1 and is protected
	// whatever it holds; one never shown (a cell of a hidden row, an
	// unpublished figure) holds at least 0 and is protected when small.
	floor := make([]int, len(m.figures))
	inView := make([]bool, len(m.figures))
	for i, f := range m.figures {
		cellOfHiddenRow := s == bilanLike && f.Row != suppress.Total && f.Col != suppress.Total &&
			!tab.Shown(suppress.Figure{Row: f.Row, Col: suppress.Total})
		inView[i] = decided(f, s) && !cellOfHiddenRow
		if inView[i] && !known[i] {
			floor[i] = 1
		}
	}
	for i, f := range m.figures {
		if known[i] {
			if m.n[i] > 0 && m.n[i] < k && decided(f, s) && !fixedShown(f, s) {
				out = append(out, fmt.Sprintf("%v holds %d answers and is shown", f, m.n[i]))
			}
			continue
		}
		if m.n[i] == 0 || !inView[i] && m.n[i] >= k {
			continue
		}
		if det[i] {
			out = append(out, fmt.Sprintf("%v (%d answers) is hidden but can be recomputed", f, m.n[i]))
		} else if m.pinned(i, known, floor) {
			out = append(out, fmt.Sprintf("%v (%d answers) is hidden but pinned: every other way would take a hidden figure below what it must hold", f, m.n[i]))
		}
	}
	// Remainders: a sum whose total is known or recomputable hides parts
	// that hold 0 or at least k answers.
	for _, sum := range m.sums {
		total := sum[0].figure
		if !known[total] && !det[total] {
			continue
		}
		rest := 0
		for _, tm := range sum[1:] {
			if !known[tm.figure] && !det[tm.figure] {
				rest += m.n[tm.figure]
			}
		}
		if rest > 0 && rest < k {
			out = append(out, fmt.Sprintf("%v minus what is known of it leaves %d answers", m.figures[total], rest))
		}
	}
	return out
}

// decided reports whether the suppression decides f in shape s.
func decided(f suppress.Figure, s shape) bool {
	T := suppress.Total
	switch s {
	case bilanLike:
		return f != suppress.Figure{Row: T, Col: T}
	case digestLike:
		return f.Col == 1
	default:
		return f == suppress.Figure{Row: T, Col: 0}
	}
}

func fixedShown(f suppress.Figure, s shape) bool {
	T := suppress.Total
	return f == suppress.Figure{Row: T, Col: T} || s != bilanLike && f.Col == T
}
