package bilan_test

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
)

// The attacker reads the published JSON of a bilan (and of the previous
// edition, when the bilan compares with it) and tries to recover any
// figure the bilan hides: the count, distribution or mean of a suppressed
// session, profile, session × profile cell or profile bucket, or of the
// event itself when it has too few answers.
//
// It sees the answers as atoms, one per session × profile (the answers
// without a profile and the event as a whole are atoms too). Every figure
// the JSON shows is a fact: a statistic (the number of answers, a
// question's count, a value's count, the sum of a rating) of a set of atoms.
// A hidden figure is recovered when its set of atoms is a linear
// combination of the sets of the facts on the same statistic: every
// difference of shown totals and cells, across sessions, profiles and their
// cross table, means multiplied by counts included. It also tries the
// counting trick: a total minus its shown parts that equals the number of
// its hidden parts gives each hidden part exactly one answer.
//
// Facts it guesses (a session × profile cell shows its satisfaction mean
// but not how many of its answers rated satisfaction: it assumes all) can
// only make it stronger; anything it derives is checked against the truth
// computed from the answers, so a wrong guess recovers nothing.

// tempting is an event built to tempt the attacker, with its answers, and
// the previous edition when there is one.
type tempting struct {
	name    string
	event   *retours.Event
	answers []*retours.Answer
	prev    *tempting
	// since starts the week of a digest: answers before it are "before",
	// the others "during".
	since time.Time
}

func temptingEvent(name string, threshold int, sessions int) *retours.Event {
	e := fixtureEvent()
	e.ID, e.Title, e.AnonymityThreshold = "tempt", name, threshold
	e.Sessions = nil
	for i := range sessions {
		e.Sessions = append(e.Sessions, retours.Session{ID: fmt.Sprintf("s%d", i+1), Title: fmt.Sprintf("Session %d", i+1), Kind: retours.KindAtelier, StartsAt: t0})
	}
	return e
}

// group is a number of answers alike but for their values, which vary.
type group struct {
	session, profile string // "" for the event as a whole, or no profile
	n                int
}

// answersOf builds the answers of groups with values that differ from one
// answer to the next, so that no group's distribution is given away by a
// uniform total.
func answersOf(r *rand.Rand, groups ...group) []*retours.Answer {
	var out []*retours.Answer
	for _, g := range groups {
		for range g.n {
			i := len(out)
			v := map[string]retours.Value{
				"satisfaction": {Number: 1 + r.IntN(5)},
				"nps":          {Number: r.IntN(11)},
				"rencontres":   {Choices: []string{[]string{"oui", "non"}[r.IntN(2)]}},
			}
			if g.profile != "" {
				v["profil"] = retours.Value{Choices: []string{g.profile}}
			}
			if r.IntN(3) == 0 {
				v["commentaire"] = retours.Value{Text: fixtureTexts[r.IntN(len(fixtureTexts)-2)]}
			}
			out = append(out, &retours.Answer{EventID: "tempt", SessionID: g.session, ID: fmt.Sprintf("a%04d", i),
				SubmissionID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Lang: "fr",
				CreatedAt: t0.Add(time.Duration(i) * time.Minute), Values: v})
		}
	}
	return out
}

func temptingEvents() []*tempting {
	r := rand.New(rand.NewPCG(5, 5))
	var out []*tempting
	add := func(name string, threshold, sessions int, groups ...group) *tempting {
		out = append(out, &tempting{name: name, event: temptingEvent(name, threshold, sessions), answers: answersOf(r, groups...)})
		return out[len(out)-1]
	}
	add("one-answer sessions", 5, 4,
		group{"s1", "association", 7}, group{"s1", "agent", 5}, group{"s2", "elu", 1}, group{"s3", "agent", 1}, group{"s4", "association", 9})
	add("a single élu among forty associations", 5, 3,
		group{"s1", "association", 15}, group{"s1", "elu", 1}, group{"s2", "association", 13}, group{"s3", "association", 12})
	add("two sessions of 4 and 6 answers", 5, 2,
		group{"s1", "association", 4}, group{"s2", "association", 6})
	add("five sessions of one answer and a large one", 5, 6,
		group{"s1", "agent", 20}, group{"s2", "agent", 1}, group{"s3", "agent", 1}, group{"s4", "agent", 1}, group{"s5", "agent", 1}, group{"s6", "agent", 1})
	add("four tiers-lieux in a plénière of fourteen", 5, 3,
		group{"s1", "elu", 5}, group{"s1", "association", 5}, group{"s1", "tiers-lieu", 4},
		group{"s2", "tiers-lieu", 6}, group{"s3", "elu", 10}, group{"s3", "association", 12}, group{"s3", "tiers-lieu", 9})
	add("the event as a whole with two answers", 5, 2,
		group{"", "agent", 2}, group{"s1", "agent", 8}, group{"s2", "association", 11})
	add("three who gave no profile", 5, 2,
		group{"s1", "", 3}, group{"s1", "agent", 9}, group{"s2", "association", 8})
	add("a threshold of 3", 3, 3,
		group{"s1", "elu", 2}, group{"s1", "agent", 6}, group{"s2", "agent", 2}, group{"s3", "association", 7})
	noProfile := add("no profile question", 5, 3,
		group{"s1", "", 12}, group{"s2", "", 2}, group{"s3", "", 7})
	q := &noProfile.event.Questionnaire
	q.Questions = slices.DeleteFunc(q.Questions, func(q retours.Question) bool { return q.Role == retours.RoleProfile })
	add("fewer answers than the threshold", 5, 2, group{"s1", "elu", 3})
	out = append(out, &tempting{name: "the fixture day, hostile texts and all", event: fixtureEvent(), answers: fixtureAnswers()})

	// A comparison: the previous edition had a small session, and an
	// edition of three answers compares with nothing it hides.
	cur := add("a comparison between editions", 5, 2,
		group{"s1", "association", 12}, group{"s2", "agent", 9})
	cur.event.Edition = 3
	prev := tempting{name: "previous edition", event: temptingEvent("previous edition", 5, 2),
		answers: answersOf(r, group{"s1", "association", 10}, group{"s2", "elu", 1})}
	prev.event.ID, prev.event.Edition = "tempt-prev", 2
	cur.prev = &prev
	small := add("a comparison with an edition of three answers", 5, 1, group{"s1", "association", 14})
	small.event.Edition = 2
	tiny := tempting{name: "edition of three answers", event: temptingEvent("edition of three answers", 5, 1),
		answers: answersOf(r, group{"s1", "elu", 3})}
	tiny.event.ID, tiny.event.Edition = "tempt-tiny", 1
	small.prev = &tiny

	// Random events: up to five sessions and the event as a whole, each
	// answer a random profile or none, with small cells everywhere.
	profiles := []string{"", "elu", "agent", "association", "tiers-lieu"}
	for i := range 30 {
		var groups []group
		sessions := 1 + r.IntN(5)
		for s := range sessions + 1 {
			id := ""
			if s > 0 {
				id = fmt.Sprintf("s%d", s)
			}
			for _, p := range profiles {
				if r.IntN(3) > 0 {
					groups = append(groups, group{id, p, []int{1, 1, 2, 3, 4, 6, 9}[r.IntN(7)]})
				}
			}
		}
		add(fmt.Sprintf("random event %d", i), []int{3, 5, 5}[r.IntN(3)], sessions, groups...)
	}
	return out
}

// published returns the JSON of ev's bilan as a download gives it, with the
// comparison with its previous edition, and the previous edition's own.
func published(t *testing.T, ev *tempting, build func(*bilan.Aggregator, time.Time) *bilan.Bilan) (cur, prev []byte) {
	t.Helper()
	bilanOf := func(ev *tempting) *bilan.Bilan {
		agg := bilan.New(ev.event, "fr")
		for _, a := range ev.answers {
			agg.AddAnswer(a)
		}
		return build(agg, t0.Add(48*time.Hour))
	}
	encode := func(b *bilan.Bilan) []byte {
		var buf bytes.Buffer
		if err := bilan.WriteJSON(&buf, b); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	b := bilanOf(ev)
	if ev.prev != nil {
		pb := bilanOf(ev.prev)
		b.Comparison = bilan.Compare(b, pb)
		prev = encode(pb)
	}
	return encode(b), prev
}

func TestAttackerRecoversNothing(t *testing.T) {
	for _, ev := range temptingEvents() {
		t.Run(ev.name, func(t *testing.T) {
			cur, prev := published(t, ev, (*bilan.Aggregator).Bilan)
			leaks, targets := attack(t, ev, cur, prev)
			for _, leak := range leaks {
				t.Error(leak)
			}
			if targets == 0 && !strings.HasPrefix(ev.name, "random") {
				t.Error("nothing is hidden: the event tempts nobody")
			}
		})
	}
}

// TestAttackerHasTeeth runs the same attack on bilans suppressed as retours
// once did, small cells only: it recovers hidden figures from most of the
// tempting events.
func TestAttackerHasTeeth(t *testing.T) {
	caught := 0
	events := temptingEvents()
	for _, ev := range events {
		cur, prev := published(t, ev, bilan.PrimaryOnly)
		leaks, _ := attack(t, ev, cur, prev)
		caught += logLeaks(t, ev, leaks)
	}
	for _, name := range []string{"one-answer sessions", "a single élu among forty associations", "two sessions of 4 and 6 answers",
		"five sessions of one answer and a large one", "four tiers-lieux in a plénière of fourteen", "a comparison between editions"} {
		i := slices.IndexFunc(events, func(ev *tempting) bool { return ev.name == name })
		cur, prev := published(t, events[i], bilan.PrimaryOnly)
		if leaks, _ := attack(t, events[i], cur, prev); len(leaks) == 0 {
			t.Errorf("%s: the attack recovers nothing from small cells hidden alone", name)
		}
	}
	if caught < len(events)/2 {
		t.Errorf("the attack recovers hidden figures from %d tempting events of %d, want most", caught, len(events))
	}
}

// logLeaks shows a few of what the attack recovered from ev with -v, and
// returns 1 if it recovered anything.
func logLeaks(t *testing.T, ev *tempting, leaks []string) int {
	t.Helper()
	if testing.Verbose() {
		t.Logf("%s: %d figures recovered", ev.name, len(leaks))
		for _, l := range leaks[:min(len(leaks), 3)] {
			t.Logf("  %s", l)
		}
	}
	return min(len(leaks), 1)
}

// attacker is what the attacker knows of one event: its atoms, the facts
// the JSON shows about them and the hidden figures it goes after.
type attacker struct {
	sessions, profiles []string // slot ids; profiles is ["*"] without a profile question
	// parts splits each session × profile by when the answers came: ["*"]
	// for the bilan alone, before and during the week with a digest.
	parts      []string
	small      []target // figures the digest must not give when they hold 1 to k-1 answers
	zero       map[int]bool
	facts      map[string][]fact // by statistic
	targets    []target
	partitions []partition
	leaks      []string
}

type fact struct {
	atoms []int
	value *big.Rat
}

// target is a hidden figure: a set of atoms, with what it is called.
type target struct {
	what  string
	atoms []int
}

// partition is a total the attacker knows split into parts, each known (a
// count), hidden (at least one answer, as 0 is shown) or never shown.
type partition struct {
	what   string
	total  []int
	known  [][]int
	hidden []target
}

func (k *attacker) atom(session, profile, part string) int {
	return (slices.Index(k.sessions, session)*len(k.profiles)+slices.Index(k.profiles, profile))*len(k.parts) + slices.Index(k.parts, part)
}

func (k *attacker) atoms() int { return len(k.sessions) * len(k.profiles) * len(k.parts) }

// where returns the atoms of the answers that keep: a session, a profile
// and a part.
func (k *attacker) where(keep func(session, profile, part string) bool) []int {
	var out []int
	for _, s := range k.sessions {
		for _, p := range k.profiles {
			for _, w := range k.parts {
				if keep(s, p, w) {
					out = append(out, k.atom(s, p, w))
				}
			}
		}
	}
	return out
}

func (k *attacker) row(session string) []int {
	return k.where(func(s, _, _ string) bool { return s == session })
}

func (k *attacker) col(profile string) []int {
	return k.where(func(_, p, _ string) bool { return p == profile })
}

func (k *attacker) cell(session, profile string) []int {
	return k.where(func(s, p, _ string) bool { return s == session && p == profile })
}

func (k *attacker) all() []int { return k.where(func(_, _, _ string) bool { return true }) }

func (k *attacker) add(stat string, atoms []int, v *big.Rat) {
	k.facts[stat] = append(k.facts[stat], fact{atoms, v})
}

func intRat(n int) *big.Rat { return new(big.Rat).SetInt64(int64(n)) }

// addGroup records the facts a shown group gives: its answers and every
// figure of every question.
func (k *attacker) addGroup(atoms []int, answers int, qs []bilan.QuestionStats) {
	if answers == 0 && len(qs) == 0 {
		for _, a := range atoms {
			k.zero[a] = true
		}
		return
	}
	k.add("answers", atoms, intRat(answers))
	for _, q := range qs {
		if q.Role == retours.RoleProfile {
			// Its buckets count the group's answers of each profile.
			for _, bk := range q.Distribution {
				if !bk.Suppressed {
					k.add("answers", intersect(atoms, k.col(bk.Value)), intRat(bk.Count))
				}
			}
			continue
		}
		k.add("q."+q.ID+".count", atoms, intRat(q.Count))
		for _, bk := range q.Distribution {
			if !bk.Suppressed {
				k.add("q."+q.ID+".b."+bk.Value, atoms, intRat(bk.Count))
			}
		}
		if q.Mean != nil {
			k.add("q."+q.ID+".sum", atoms, intRat(int(math.Round(*q.Mean*float64(q.Count)))))
		}
		if q.NPS != nil {
			k.add("q."+q.ID+".pd", atoms, intRat(q.NPS.Promoters-q.NPS.Detractors))
		}
	}
}

// part records a session or profile, part of the event: a target when it is
// hidden, its facts when it is shown. It reports whether it is shown.
func (k *attacker) part(p *partition, what string, atoms []int, g *bilan.Group) bool {
	if g.Suppressed {
		tg := target{what, atoms}
		k.targets = append(k.targets, tg)
		p.hidden = append(p.hidden, tg)
		return false
	}
	p.known = append(p.known, atoms)
	k.addGroup(atoms, g.Answers, g.Questions)
	return true
}

func intersect(a, b []int) []int {
	var out []int
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// read learns what one published bilan shows.
func (k *attacker) read(b *bilan.Bilan, name string) {
	for _, g := range b.Sessions {
		k.sessions = append(k.sessions, g.ID)
	}
	wholeMissing := !slices.Contains(k.sessions, "")
	if wholeMissing {
		k.sessions = append(k.sessions, "") // left out of the JSON when it has no answer
	}
	profileQuestion := len(b.Profiles) > 0
	for _, g := range b.Profiles {
		k.profiles = append(k.profiles, g.ID)
	}
	if len(k.parts) == 0 {
		k.parts = []string{"*"}
	}
	noneMissing := profileQuestion && !slices.Contains(k.profiles, "")
	if noneMissing {
		k.profiles = append(k.profiles, "")
	}
	if !profileQuestion {
		k.profiles = []string{"*"}
	}
	if wholeMissing {
		for _, a := range k.row("") {
			k.zero[a] = true
		}
	}
	if noneMissing {
		for _, a := range k.col("") {
			k.zero[a] = true
		}
	}
	satisfaction := ""
	for _, q := range b.Questions {
		if q.Role == retours.RoleSatisfaction {
			satisfaction = q.ID
		}
	}

	all := k.all()
	if b.Suppressed {
		k.targets = append(k.targets, target{name + ": the event", all})
	} else {
		k.addGroup(all, b.Answers, b.Questions)
	}
	var sessionParts, profileParts partition
	sessionParts.what, sessionParts.total = name+": the event by session", all
	profileParts.what, profileParts.total = name+": the event by profile", all
	for i := range b.Sessions {
		g := &b.Sessions[i]
		atoms := k.row(g.ID)
		if !k.part(&sessionParts, fmt.Sprintf("%s: session %q", name, g.ID), atoms, g) || !profileQuestion || g.Answers == 0 {
			continue
		}
		cells := partition{what: fmt.Sprintf("%s: session %q by profile", name, g.ID), total: atoms}
		for _, p := range k.profiles {
			atom := k.cell(g.ID, p)
			j := slices.IndexFunc(g.Profiles, func(c bilan.Group) bool { return c.ID == p })
			switch {
			case j < 0: // a profile without answers in the session is left out
				for _, a := range atom {
					k.zero[a] = true
				}
			case g.Profiles[j].Suppressed:
				tg := target{fmt.Sprintf("%s: session %q, profile %q", name, g.ID, p), atom}
				k.targets = append(k.targets, tg)
				cells.hidden = append(cells.hidden, tg)
			default:
				c := g.Profiles[j]
				cells.known = append(cells.known, atom)
				k.add("answers", atom, intRat(c.Answers))
				if c.Satisfaction != nil && satisfaction != "" {
					// A guess: every answer of the cell rated satisfaction.
					k.add("q."+satisfaction+".count", atom, intRat(c.Answers))
					k.add("q."+satisfaction+".sum", atom, intRat(int(math.Round(*c.Satisfaction*float64(c.Answers)))))
				}
			}
		}
		k.partitions = append(k.partitions, cells)
	}
	for i := range b.Profiles {
		g := &b.Profiles[i]
		k.part(&profileParts, fmt.Sprintf("%s: profile %q", name, g.ID), k.col(g.ID), g)
	}
	if !b.Suppressed {
		k.partitions = append(k.partitions, sessionParts)
		if profileQuestion {
			k.partitions = append(k.partitions, profileParts)
		}
	}
}

// attack reads the published JSON of ev (and of its previous edition) and
// returns every hidden figure it recovers and that matches the truth.
func attack(t *testing.T, ev *tempting, curJSON, prevJSON []byte) (leaks []string, targets int) {
	t.Helper()
	one := func(ev *tempting, data []byte, extra func(*attacker)) {
		b, err := bilan.ReadJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		k := &attacker{zero: map[int]bool{}, facts: map[string][]fact{}}
		k.read(b, ev.name)
		if extra != nil {
			extra(k)
		}
		leaks = append(leaks, k.run(ev)...)
		targets += len(k.targets)
	}
	cur, err := bilan.ReadJSON(curJSON)
	if err != nil {
		t.Fatal(err)
	}
	// The comparison gives the event-wide figures of both editions: they
	// are facts about the whole of each, and must not give what either
	// bilan hides.
	fromComparison := func(which string) func(*attacker) {
		return func(k *attacker) {
			c := cur.Comparison
			if c == nil || c.Answers == nil {
				return
			}
			v := c.Answers.Current
			if which == "previous" {
				v = c.Answers.Previous
			}
			k.add("answers", k.all(), intRat(int(v)))
		}
	}
	one(ev, curJSON, fromComparison("current"))
	if ev.prev != nil && prevJSON != nil {
		one(ev.prev, prevJSON, fromComparison("previous"))
		prev, err := bilan.ReadJSON(prevJSON)
		if err != nil {
			t.Fatal(err)
		}
		if c := cur.Comparison; c != nil && (prev.Suppressed || cur.Suppressed) &&
			(c.Answers != nil || c.Satisfaction != nil || c.NPS != nil || c.ResponseRate != nil || len(c.Questions) > 0) {
			leaks = append(leaks, ev.name+": the comparison gives figures of an edition whose bilan hides them")
		}
	}
	return leaks, targets
}

// run tries every target against every statistic, then the counting trick.
func (k *attacker) run(ev *tempting) []string {
	live := func(atoms []int) []int {
		return slices.DeleteFunc(slices.Clone(atoms), func(a int) bool { return k.zero[a] })
	}
	n := k.atoms()
	spans := map[string]*span{}
	for stat, facts := range k.facts {
		spans[stat] = newSpan(facts, k.zero, n)
	}
	for _, tg := range k.targets {
		atoms := live(tg.atoms)
		if len(atoms) == 0 {
			continue
		}
		for stat, sp := range spans {
			v, ok := sp.derive(atoms)
			if !ok {
				continue
			}
			if want := k.truth(ev, atoms, stat); v.Cmp(want) == 0 {
				k.leaks = append(k.leaks, fmt.Sprintf("%s: %s recovered: %s", tg.what, stat, v.RatString()))
			}
		}
	}
	// Groups a digest never shows: recovering one of 1 to k-1 answers gives
	// a small group away.
	for _, tg := range k.small {
		atoms := live(tg.atoms)
		if n := k.truth(ev, atoms, "answers"); len(atoms) == 0 || n.Sign() == 0 || n.Cmp(intRat(ev.event.AnonymityThreshold)) >= 0 {
			continue
		}
		for stat, sp := range spans {
			if v, ok := sp.derive(atoms); ok && v.Cmp(k.truth(ev, atoms, stat)) == 0 {
				k.leaks = append(k.leaks, fmt.Sprintf("%s, a small group: %s recovered: %s", tg.what, stat, v.RatString()))
			}
		}
	}
	// A total minus its known parts that equals the number of its hidden
	// parts: each hidden part holds exactly one answer.
	answers := spans["answers"]
	for _, p := range k.partitions {
		if answers == nil || len(p.hidden) == 0 {
			continue
		}
		rest, ok := answers.derive(live(p.total))
		for _, part := range p.known {
			if !ok {
				break
			}
			var v *big.Rat
			if v, ok = answers.derive(live(part)); ok {
				rest.Sub(rest, v)
			}
		}
		if ok && rest.Cmp(intRat(len(p.hidden))) == 0 {
			for _, h := range p.hidden {
				if k.truth(ev, live(h.atoms), "answers").Cmp(intRat(1)) == 0 {
					k.leaks = append(k.leaks, fmt.Sprintf("%s: one answer, as %s leaves one per hidden part", h.what, p.what))
				}
			}
		}
	}
	slices.Sort(k.leaks)
	return k.leaks
}

// span is the facts on one statistic, eliminated: Gaussian elimination over
// the rationals of the facts' sets, each row carrying its value.
type span struct {
	n      int
	rows   [][]*big.Rat // n coefficients, then the value
	pivots []int
}

func newSpan(facts []fact, zero map[int]bool, n int) *span {
	sp := &span{n: n}
	var rows [][]*big.Rat
	for _, f := range facts {
		row := make([]*big.Rat, n+1)
		for i := range row {
			row[i] = new(big.Rat)
		}
		for _, a := range f.atoms {
			if !zero[a] {
				row[a].SetInt64(1)
			}
		}
		row[n].Set(f.value)
		rows = append(rows, row)
	}
	r := 0
	for c := 0; c < n && r < len(rows); c++ {
		p := -1
		for i := r; i < len(rows); i++ {
			if rows[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[r], rows[p] = rows[p], rows[r]
		inv := new(big.Rat).Inv(rows[r][c])
		for j := range rows[r] {
			rows[r][j].Mul(rows[r][j], inv)
		}
		for i := range rows {
			if i != r && rows[i][c].Sign() != 0 {
				f := new(big.Rat).Set(rows[i][c])
				for j := range rows[i] {
					rows[i][j].Sub(rows[i][j], new(big.Rat).Mul(f, rows[r][j]))
				}
			}
		}
		sp.pivots = append(sp.pivots, c)
		r++
	}
	sp.rows = rows[:r]
	return sp
}

// derive returns the statistic of the atoms when the facts determine it:
// the target reduced by the eliminated rows leaves nothing.
func (sp *span) derive(atoms []int) (*big.Rat, bool) {
	want := make([]*big.Rat, sp.n)
	for i := range want {
		want[i] = new(big.Rat)
	}
	for _, a := range atoms {
		want[a].SetInt64(1)
	}
	value := new(big.Rat)
	for i, c := range sp.pivots {
		if f := new(big.Rat).Set(want[c]); f.Sign() != 0 {
			for j := range want {
				want[j].Sub(want[j], new(big.Rat).Mul(f, sp.rows[i][j]))
			}
			value.Add(value, new(big.Rat).Mul(f, sp.rows[i][sp.n]))
		}
	}
	for _, w := range want {
		if w.Sign() != 0 {
			return nil, false
		}
	}
	return value, true
}

// truth computes a statistic of a set of atoms from ev's answers.
func (k *attacker) truth(ev *tempting, atoms []int, stat string) *big.Rat {
	e := ev.event
	profile, hasProfile := e.Questionnaire.ByRole(retours.RoleProfile)
	sum := 0
	for _, a := range ev.answers {
		session := a.SessionID
		if _, ok := e.Session(session); !ok {
			session = ""
		}
		p := "*"
		if hasProfile {
			p = ""
			if v := a.Values[profile.ID]; len(v.Choices) == 1 {
				p = v.Choices[0]
			}
		}
		w := "*"
		if len(k.parts) > 1 {
			w = "during"
			if a.CreatedAt.Before(ev.since) {
				w = "before"
			}
		}
		if !slices.Contains(atoms, k.atom(session, p, w)) {
			continue
		}
		if stat == "answers" {
			sum++
			continue
		}
		parts := strings.SplitN(stat, ".", 4) // q, id, count|sum|b, value
		v, ok := a.Values[parts[1]]
		q, _ := e.Questionnaire.Question(parts[1])
		if !ok || q == nil || q.Kind.IsText() && (v.Text == "" || slices.Contains(a.Hidden, q.ID)) {
			continue
		}
		switch parts[2] {
		case "count":
			sum++
		case "sum":
			sum += v.Number
		case "pd":
			if v.Number >= 9 {
				sum++
			} else if v.Number <= 6 {
				sum--
			}
		case "b":
			if slices.Contains(v.Choices, parts[3]) || len(v.Choices) == 0 && !q.Kind.IsText() && strconv.Itoa(v.Number) == parts[3] {
				sum++
			}
		}
	}
	return intRat(sum)
}
