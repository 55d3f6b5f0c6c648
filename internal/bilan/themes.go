package bilan

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Theme is a word or two-word phrase that recurs in free text, with the
// number of texts that mention it and a few of them as examples.
type Theme struct {
	// Label is the theme as participants wrote it (its most frequent form).
	Label string `json:"label"`
	// Count is the number of texts that mention it.
	Count  int     `json:"count"`
	Quotes []Quote `json:"quotes"`
}

// Quote is one text quoted as an example of a theme.
type Quote struct {
	Text string `json:"text"`
	// Session is where the text comes from: the session id given to
	// Themes.Add, which Bilan replaces with the session's title, or "" when
	// the session is not shown with answers (see publish).
	Session string `json:"session,omitempty"`
}

// Limits of theme extraction.
const (
	// MaxThemeTerms bounds the distinct words and phrases tracked, so memory
	// stays bounded whatever the number of texts: once reached, new terms are
	// ignored while known ones keep counting. Recurring themes show up early.
	MaxThemeTerms = 20000
	// MaxQuotes is the number of example quotes kept per theme.
	MaxQuotes = 3
	// MaxQuoteRunes is the length beyond which a quote is cut.
	MaxQuoteRunes = 240
	// minThemeCount is how many texts must mention a term for it to be a theme.
	minThemeCount = 2
)

// Themes finds the recurring themes of French and English free text. Add
// texts one by one, then call Top. Words are matched in lower case with
// accents folded ("numerique" matches "Numérique"), stop words are ignored
// and plurals merged with their singular; each term is shown as written.
// The zero value is not usable: call NewThemes.
type Themes struct {
	// words caches, per folded word, whether it is a stop word and which
	// term it counts for, so that a known word costs one map lookup.
	words   map[string]wordInfo
	unigram map[string]int32 // singular key → index in terms
	bigrams map[uint64]int32 // two unigram indexes → index in terms
	// terms are stored in chunks, so that adding one never copies the
	// others; term i is chunks[i/termChunk][i%termChunk].
	chunks [][]term
	nterms int
	texts  int
	hash   uint64 // of the text being added
	// Buffers reused from text to text, so that adding a text allocates
	// nothing once its words are known.
	buf  []byte
	toks []token
}

type wordInfo struct {
	stop bool
	term int32
}

type term struct {
	key    string // singular, folded; "a b" for a phrase
	count  int
	bigram bool
	last   int // index of the last text counted, to count each text once
	forms  [4]form
	quotes [MaxQuotes]quote
	nq     int
}

// quote is a candidate example. The kept ones are those whose text hashes
// lowest: a choice that varies from theme to theme but does not depend on
// the order texts arrive in (stores read partitions in parallel), so that
// the same answers always give the same bilan.
type quote struct {
	Quote
	hash uint64
}

type form struct {
	text string
	n    int
}

// token is one theme word of the text being added.
type token struct {
	term     int32
	s0, s1   int // span in the text
	joinPrev bool
}

// NewThemes returns an empty theme counter.
func NewThemes() *Themes {
	t := &Themes{
		words:   make(map[string]wordInfo, len(stopWords)+256),
		unigram: make(map[string]int32, 256),
		bigrams: make(map[uint64]int32, 256),
	}
	for w := range stopWords {
		t.words[w] = wordInfo{stop: true}
	}
	return t
}

// ExtractThemes returns the top n themes of texts, for callers that hold
// the texts in memory.
func ExtractThemes(texts []string, n int) []Theme {
	t := NewThemes()
	for _, s := range texts {
		t.Add(s, "")
	}
	return t.Top(n)
}

// Add counts the words and two-word phrases of text; session is returned
// with the quotes taken from it.
func (t *Themes) Add(text, session string) {
	t.texts++
	t.hash = hashText(text)
	t.tokenize(text)
	for i := range t.toks {
		tk := &t.toks[i]
		t.count(tk.term, text, tk.s0, tk.s1, session)
		if i > 0 && tk.joinPrev {
			prev := &t.toks[i-1]
			pair := uint64(uint32(prev.term))<<32 | uint64(uint32(tk.term))
			idx, ok := t.bigrams[pair]
			if !ok {
				if t.nterms >= MaxThemeTerms {
					continue
				}
				idx = t.newTerm(t.term(prev.term).key+" "+t.term(tk.term).key, true)
				t.bigrams[pair] = idx
			}
			t.count(idx, text, prev.s0, tk.s1, session)
		}
	}
}

func (t *Themes) newTerm(key string, bigram bool) int32 {
	if t.nterms%termChunk == 0 {
		t.chunks = append(t.chunks, make([]term, 0, termChunk))
	}
	c := &t.chunks[len(t.chunks)-1]
	*c = append(*c, term{key: key, bigram: bigram})
	t.nterms++
	return int32(t.nterms - 1)
}

const termChunk = 1024

func (t *Themes) term(i int32) *term { return &t.chunks[i/termChunk][i%termChunk] }

func (t *Themes) count(idx int32, text string, s0, s1 int, session string) {
	tm := t.term(idx)
	if tm.last == t.texts {
		return
	}
	tm.last = t.texts
	tm.count++
	surface := text[s0:s1]
	// Up to four spellings are kept; a fifth still counts for the term.
	for i := range tm.forms {
		f := &tm.forms[i]
		if f.n > 0 && (f.text == surface || strings.EqualFold(f.text, surface)) {
			f.n++
			break
		}
		if f.n == 0 {
			*f = form{text: surface, n: 1}
			break
		}
	}
	tm.addQuote(quote{Quote{Text: text, Session: session}, t.hash})
}

// addQuote keeps q if it is among the MaxQuotes lowest hashes. The same text
// from two sessions counts once, with the lesser session id.
func (tm *term) addQuote(q quote) {
	for i := 0; i < tm.nq; i++ {
		if o := &tm.quotes[i]; o.hash == q.hash && o.Text == q.Text {
			if q.Session < o.Session {
				o.Session = q.Session
			}
			return
		}
	}
	if tm.nq < MaxQuotes {
		tm.quotes[tm.nq] = q
		tm.nq++
		return
	}
	worst := 0
	for i := 1; i < tm.nq; i++ {
		if quoteLess(tm.quotes[worst], tm.quotes[i]) {
			worst = i
		}
	}
	if quoteLess(q, tm.quotes[worst]) {
		tm.quotes[worst] = q
	}
}

func quoteLess(a, b quote) bool {
	if a.hash != b.hash {
		return a.hash < b.hash
	}
	return a.Text < b.Text
}

// hashText is 64-bit FNV-1a, inlined to stay allocation-free.
func hashText(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// tokenize splits text into words and records in t.toks those that make
// themes. Stop words are dropped and break two-word phrases, as does
// punctuation.
func (t *Themes) tokenize(text string) {
	t.toks = t.toks[:0]
	join := false
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			if !unicode.IsSpace(r) && r != '\'' && r != '’' {
				join = false
			}
			i += size
			continue
		}
		// A word: letters and digits, with inner hyphens ("tiers-lieux").
		start := i
		t.buf = t.buf[:0]
		letters, upper := 0, 0
		for i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
			if r == '-' && i+1 < len(text) {
				if nr, _ := utf8.DecodeRuneInString(text[i+1:]); isWordRune(nr) && i > start {
					t.buf = append(t.buf, '-')
					i++
					continue
				}
			}
			if !isWordRune(r) {
				break
			}
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
			t.buf = appendFolded(t.buf, r)
			i += size
		}
		idx := t.word(t.buf, letters, upper)
		if idx < 0 {
			join = false
			continue
		}
		t.toks = append(t.toks, token{term: idx, s0: start, s1: i, joinPrev: join})
		join = true
	}
}

// word returns the term the folded word w counts for, or -1 for a stop
// word or a word too short to mean anything.
func (t *Themes) word(w []byte, letters, upper int) int32 {
	if wi, ok := t.words[string(w)]; ok {
		if wi.stop {
			return -1
		}
		return wi.term
	}
	if letters == 0 || len(w) < 2 {
		return -1
	}
	if len(w) == 2 {
		// Two letters make a theme only as an acronym ("IA"), which is not
		// cached since "ia" in lower case is not one.
		if upper != 2 {
			return -1
		}
		return t.unigramTerm(w)
	}
	idx := t.unigramTerm(w)
	if idx >= 0 && len(t.words) < 2*MaxThemeTerms {
		t.words[string(w)] = wordInfo{term: idx}
	}
	return idx
}

func (t *Themes) unigramTerm(w []byte) int32 {
	key := singular(append(t.buf[len(t.buf):], w...)) // a copy past w
	if idx, ok := t.unigram[string(key)]; ok {
		return idx
	}
	if t.nterms >= MaxThemeTerms {
		return -1
	}
	idx := t.newTerm(string(key), false)
	t.unigram[t.term(idx).key] = idx
	return idx
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// appendFolded appends r in lower case without its accent.
func appendFolded(b []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(b, byte(r))
	}
	r = unicode.ToLower(r)
	switch r {
	case 'à', 'â', 'ä', 'á', 'ã', 'å':
		return append(b, 'a')
	case 'ç':
		return append(b, 'c')
	case 'é', 'è', 'ê', 'ë':
		return append(b, 'e')
	case 'î', 'ï', 'í', 'ì':
		return append(b, 'i')
	case 'ô', 'ö', 'ó', 'ò', 'õ':
		return append(b, 'o')
	case 'ù', 'û', 'ü', 'ú':
		return append(b, 'u')
	case 'ÿ', 'ý':
		return append(b, 'y')
	case 'ñ':
		return append(b, 'n')
	case 'œ':
		return append(b, 'o', 'e')
	case 'æ':
		return append(b, 'a', 'e')
	}
	return utf8.AppendRune(b, r)
}

// singular merges the plural of a folded word with its singular: "ateliers"
// and "atelier", "lieux" and "lieu", "communities" and "community". It errs
// on the side of merging: both forms only need the same key.
func singular(w []byte) []byte {
	n := len(w)
	switch {
	case n > 4 && w[n-3] == 'i' && w[n-2] == 'e' && w[n-1] == 's':
		return append(w[:n-3], 'y')
	case n > 3 && w[n-1] == 'x' && (w[n-2] == 'u') && (w[n-3] == 'e' || w[n-3] == 'a'):
		return w[:n-1]
	case n > 3 && w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i':
		return w[:n-1]
	}
	return w
}

// Top returns the n most mentioned themes, most mentioned first. A phrase
// replaces its words when it accounts for at least half of their mentions
// ("fracture numérique" rather than "fracture" and "numérique").
func (t *Themes) Top(n int) []Theme {
	type cand struct {
		key string
		tm  *term
	}
	var cands []cand
	for i := range int32(t.nterms) {
		if tm := t.term(i); tm.count >= minThemeCount {
			cands = append(cands, cand{tm.key, tm})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if a.tm.count != b.tm.count {
			return b.tm.count - a.tm.count
		}
		if a.tm.bigram != b.tm.bigram {
			if a.tm.bigram {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	var picked []cand
	covered := func(word string, count int) bool {
		for _, p := range picked {
			if p.tm.bigram && p.tm.count*2 >= count && containsWord(p.key, word) {
				return true
			}
		}
		return false
	}
	for _, c := range cands {
		if len(picked) >= n {
			break
		}
		if !c.tm.bigram && covered(c.key, c.tm.count) {
			continue
		}
		if c.tm.bigram {
			// The phrase supersedes words already picked that it mostly covers.
			picked = slices.DeleteFunc(picked, func(p cand) bool {
				return !p.tm.bigram && c.tm.count*2 >= p.tm.count && containsWord(c.key, p.key)
			})
		}
		picked = append(picked, c)
	}
	out := make([]Theme, 0, len(picked))
	for _, p := range picked {
		qs := slices.Clone(p.tm.quotes[:p.tm.nq])
		slices.SortFunc(qs, func(a, b quote) int {
			if quoteLess(a, b) {
				return -1
			}
			return 1
		})
		th := Theme{Label: p.tm.label(), Count: p.tm.count, Quotes: make([]Quote, len(qs))}
		for i := range th.Quotes {
			q := qs[i].Quote
			q.Text = truncateRunes(q.Text, MaxQuoteRunes)
			th.Quotes[i] = q
		}
		out = append(out, th)
	}
	return out
}

func containsWord(phrase, word string) bool {
	a, b, _ := strings.Cut(phrase, " ")
	return a == word || b == word
}

// label returns the most frequent way the term was written, in lower case
// unless it is an acronym.
func (tm *term) label() string {
	best := tm.forms[0]
	for _, f := range tm.forms[1:] {
		// On a tie the shorter spelling wins (the singular), then the first
		// in alphabetical order: never the first to arrive, which varies.
		if f.n == 0 {
			continue
		}
		fl, bl := utf8.RuneCountInString(f.text), utf8.RuneCountInString(best.text)
		if f.n > best.n || f.n == best.n && (fl < bl || fl == bl && strings.ToLower(f.text) < strings.ToLower(best.text)) {
			best = f
		}
	}
	s := strings.Join(strings.Fields(best.text), " ")
	if strings.ToUpper(s) == s {
		return s
	}
	return strings.ToLower(s)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n; k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return strings.TrimSpace(s[:i]) + "…"
}

// isStopWord reports whether the folded word w carries no theme.
func isStopWord(w []byte) bool {
	_, ok := stopWords[string(w)]
	return ok
}

var stopWords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(stopWordList) {
		m[w] = struct{}{}
	}
	return m
}()

// stopWordList holds French and English function words and the filler of
// feedback ("merci", "vraiment", "great"), folded and in lower case.
const stopWordList = `
a au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je j la le les leur leurs lui ma mais me meme
mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous
c d l m n s t y etre avoir ete etait etais sont suis est es etes sommes ai as avons avez ont avait avaient aurait serait
fait faire fais font cela ca ceci celui celle ceux celles ici la-bas tout tous toute toutes autre autres aussi alors
apres avant bien tres trop plus moins peu beaucoup assez encore deja jamais toujours souvent parfois vraiment
vrai vraie super merci bravo bon bonne bons bonnes mal mieux quand comme comment pourquoi parce donc car puis
si sans sous chez entre vers depuis pendant contre selon dont ou quoi quel quelle quels quelles chaque plusieurs
certain certaine certains certaines rien personne chose choses aucun aucune non oui ni soit tant tel telle
peut peuvent pourrait pourraient doit doivent faut falloir va vont aller etait sera seront the an and or but if of
to in on at by for with about from into over under this that these those it its is are was were be been being
have has had do does did i me my we our you your he she him her they them their what which who whom whose
there here when where why how all any both each few more most other some such no nor not only own same so than
too very can will just should would could may might must also really great good nice thanks thank lot lots
much many well yes etc cf ok okay http https www com org fr net html
`
