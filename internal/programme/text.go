package programme

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/retours/retours/internal/retours"
)

// fold reduces s to lower-case letters and digits without accents, words
// separated by single spaces, so that "Intervenant·es", "intervenants" and
// "INTERVENANT(E)S" compare by their words.
func fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// Accents, once decomposed.
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// clean turns a cell into one line of text: control and invisible
// characters become spaces, runs of spaces one space, and it is trimmed.
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\ufeff' || r == '\u200b' || r == utf8.RuneError {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func tooLong(s string, max int) bool { return utf8.RuneCountInString(s) > max }

// kindWords maps the first words people write for a kind, folded, to the
// kind. "Conférence" and "keynote" are talks given to everyone: plénières.
var kindWords = []struct {
	words string
	kind  string
}{
	{"pleniere", retours.KindPleniere},
	{"plenieres", retours.KindPleniere},
	{"plenary", retours.KindPleniere},
	{"pleniary", retours.KindPleniere},
	{"keynote", retours.KindPleniere},
	{"conference", retours.KindPleniere},
	{"conferences", retours.KindPleniere},
	{"talk", retours.KindPleniere},
	{"ouverture", retours.KindPleniere},
	{"cloture", retours.KindPleniere},
	{"opening", retours.KindPleniere},
	{"closing", retours.KindPleniere},
	{"atelier", retours.KindAtelier},
	{"ateliers", retours.KindAtelier},
	{"workshop", retours.KindAtelier},
	{"workshops", retours.KindAtelier},
	{"formation", retours.KindAtelier},
	{"training", retours.KindAtelier},
	{"table ronde", retours.KindTableRonde},
	{"tables rondes", retours.KindTableRonde},
	{"tableronde", retours.KindTableRonde},
	{"round table", retours.KindTableRonde},
	{"roundtable", retours.KindTableRonde},
	{"panel", retours.KindTableRonde},
	{"debat", retours.KindTableRonde},
	{"debats", retours.KindTableRonde},
	{"debate", retours.KindTableRonde},
	{"discussion", retours.KindTableRonde},
	{"autre", retours.KindAutre},
	{"autres", retours.KindAutre},
	{"other", retours.KindAutre},
}

// kindOf returns the kind s names: in a type cell, with its words anywhere
// ("Atelier pratique", "mini-atelier", "hands-on workshop"); in a title,
// only with its first words ("Atelier : fresque", not "Pause avant la table
// ronde").
func kindOf(s string, title bool) (string, bool) {
	f := " " + fold(s) + " "
	for _, kw := range kindWords {
		if title && strings.HasPrefix(f, " "+kw.words+" ") || !title && strings.Contains(f, " "+kw.words+" ") {
			return kw.kind, true
		}
	}
	return "", false
}

// kindFor decides a draft's kind from what was written for it and, when
// nothing was, from its title. With tags (an agenda's categories, often
// about something else: "Travail", "Catégorie rouge") the title is tried
// before an unknown value makes the session "autre". The note says what was
// assumed, if anything.
func kindFor(written []string, title string, tags bool) (kind string, note Code, arg string) {
	unknown := ""
	for _, w := range written {
		if k, ok := kindOf(w, false); ok {
			return k, "", ""
		}
		if w = clean(w); unknown == "" {
			unknown = w
		}
	}
	if unknown != "" && !tags {
		return retours.KindAutre, KindUnknown, unknown
	}
	if k, ok := kindOf(title, true); ok {
		return k, "", ""
	}
	if unknown != "" {
		return retours.KindAutre, KindUnknown, unknown
	}
	return retours.KindAutre, KindMissing, ""
}

// splitSpeakers splits a speakers cell into names on , ; / & + line breaks
// and the words "et" and "and", outside parentheses, so that "Léa Martin
// (Asso A, Lyon) et Paul Durand" is two people.
func splitSpeakers(s string) []string {
	var names []string
	var cur strings.Builder
	depth := 0
	flush := func() {
		if n := clean(cur.String()); n != "" {
			names = append(names, n)
		}
		cur.Reset()
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '(' || r == '[':
			depth++
		case (r == ')' || r == ']') && depth > 0:
			depth--
		case depth > 0:
		case r == ',' || r == ';' || r == '/' || r == '&' || r == '+' || r == '\n' || r == '\r':
			flush()
			continue
		case unicode.IsSpace(r):
			if n := conjunction(rs[i:]); n > 0 {
				flush()
				i += n - 1
				continue
			}
		}
		cur.WriteRune(r)
	}
	flush()
	return names
}

// conjunction returns the length of " et " or " and " at the start of rs
// (any spacing, any case), or 0.
func conjunction(rs []rune) int {
	i := 0
	for i < len(rs) && unicode.IsSpace(rs[i]) {
		i++
	}
	for _, w := range []string{"et", "and"} {
		n := len(w)
		if i+n < len(rs) && strings.EqualFold(string(rs[i:i+n]), w) && unicode.IsSpace(rs[i+n]) {
			return i + n + 1
		}
	}
	return 0
}
