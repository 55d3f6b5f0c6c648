// Package i18n holds what every text of retours is read through: message
// catalogues per language and key, plurals, and the way people write dates,
// times and numbers in French and English, in Paris time.
//
// It imports nothing of retours, so the domain, the pages, the bilan and the
// digest all use it.
//
// The rules, once for all catalogues:
//   - A text is a fmt format: its placeholders are fmt verbs filled by the
//     lookup's arguments, and a literal percent sign is written %%.
//   - A key missing from a catalogue reads as "[key]", in every language:
//     never another language's text, never an empty string, never a panic.
//     Tests make it impossible to ship (see Catalogue.Problems and the test
//     of every catalogue, catalogues_test.go).
//   - A language the catalogue does not have reads the default language,
//     French.
//   - A catalogue may extend another (Extends): a key it lacks is read from
//     the one it extends, so that the pages of a function share the texts of
//     the layout around them without repeating them.
package i18n

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Languages are the languages every catalogue is written in; the first is
// the default.
var Languages = []string{"fr", "en"}

// Default is the language of a reader whose language is not offered.
const Default = "fr"

// Catalogue is a set of texts per language and key.
type Catalogue struct {
	name   string
	texts  map[string]map[string]string
	parent *Catalogue
}

var registry struct {
	sync.Mutex
	list []*Catalogue
}

// New returns the catalogue of texts (language → key → text) and records it
// under name, so that one test checks every catalogue of the program.
func New(name string, texts map[string]map[string]string) *Catalogue {
	c := newCatalogue(name, texts)
	registry.Lock()
	defer registry.Unlock()
	registry.list = append(registry.list, c)
	return c
}

func newCatalogue(name string, texts map[string]map[string]string) *Catalogue {
	return &Catalogue{name: name, texts: texts}
}

// Catalogues returns every catalogue made with New, by name.
func Catalogues() []*Catalogue {
	registry.Lock()
	defer registry.Unlock()
	list := slices.Clone(registry.list)
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	return list
}

// Name returns the name the catalogue was made with.
func (c *Catalogue) Name() string { return c.name }

// Extends makes parent the catalogue c reads a key from when c has none, and
// returns c. Each catalogue keeps its own keys: Keys, Problems and Owner
// tell them apart.
func (c *Catalogue) Extends(parent *Catalogue) *Catalogue {
	c.parent = parent
	return c
}

// Owner returns the catalogue that holds key: c, or the one it extends, or
// nil when neither does.
func (c *Catalogue) Owner(key string) *Catalogue {
	for ; c != nil; c = c.parent {
		if _, ok := c.texts[Default][key]; ok {
			return c
		}
	}
	return nil
}

// Has reports whether key has a text in the default language, in c or in
// the catalogue it extends.
func (c *Catalogue) Has(key string) bool { return c.Owner(key) != nil }

// Keys returns the keys of the catalogue itself, sorted.
func (c *Catalogue) Keys() []string {
	keys := slices.Collect(maps.Keys(c.texts[Default]))
	slices.Sort(keys)
	return keys
}

// Text returns the unformatted text of key in lang, and whether it exists
// in c or in the catalogue it extends.
func (c *Catalogue) Text(lang, key string) (string, bool) {
	owner := c.Owner(key)
	if owner == nil {
		return "", false
	}
	m, ok := owner.texts[lang]
	if !ok {
		m = owner.texts[Default]
	}
	s, ok := m[key]
	return s, ok
}

// T returns the text of key in lang with its verbs filled by args.
func (c *Catalogue) T(lang, key string, args ...any) string {
	s, ok := c.Text(lang, key)
	if !ok {
		return "[" + key + "]"
	}
	return format(s, args)
}

// Plural returns the text of key for a count of n, with n filling its verb
// if it has one. A plural key has the forms key.one and key.other, and may
// have key.zero, used for n = 0 in every language ("aucune réponse"). French
// treats 0 and 1 as singular, English only 1.
func (c *Catalogue) Plural(lang, key string, n int) string {
	form := key + ".other"
	switch {
	case n == 0 && c.Has(key+".zero"):
		form = key + ".zero"
	case singular(lang, n):
		form = key + ".one"
	}
	s, ok := c.Text(lang, form)
	if !ok {
		return "[" + form + "]"
	}
	if len(Verbs(s)) == 0 {
		return format(s, nil)
	}
	return format(s, []any{n})
}

func singular(lang string, n int) bool {
	if lang == "en" {
		return n == 1
	}
	return n == 0 || n == 1
}

func format(s string, args []any) string {
	if len(args) == 0 && !strings.Contains(s, "%") {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// verb matches one fmt verb, or %% (a literal percent sign). The space flag
// is left out: "95 % sûr" is a percent sign written by mistake, not "% s".
var verb = regexp.MustCompile(`%(?:%|(?:\[\d+\])?[-+#0]*(?:\d+|\*)?(?:\.(?:\d+|\*)?)?[a-zA-Z])`)

// Verbs returns the fmt verbs of a text in order, "%%" left out.
func Verbs(s string) []string {
	var out []string
	for _, v := range verb.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// Problems lists what is wrong with the catalogue, one sentence each: a
// language missing or extra, a key in one language and not another, an
// empty text, texts of one key with different verbs, a percent sign that is
// not a verb, a plural key without its forms.
func (c *Catalogue) Problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, c.name+": "+fmt.Sprintf(format, args...)) }
	for lang := range c.texts {
		if !slices.Contains(Languages, lang) {
			add("language %q is not one of %v", lang, Languages)
		}
	}
	ref := c.texts[Default]
	for _, lang := range Languages {
		m, ok := c.texts[lang]
		if !ok {
			add("no %s texts", lang)
			continue
		}
		for key, text := range m {
			if strings.TrimSpace(text) == "" {
				add("%s %q is empty", lang, key)
			}
			if stray := strings.Count(verb.ReplaceAllString(text, ""), "%"); stray > 0 {
				add("%s %q has a %% that is no verb (write %%%% for a percent sign)", lang, key)
			}
			r, ok := ref[key]
			switch {
			case !ok:
				add("%q is in %s, not in %s", key, lang, Default)
			case !slices.Equal(Verbs(text), Verbs(r)):
				add("%s %q has the verbs %v, %s has %v", lang, key, Verbs(text), Default, Verbs(r))
			}
		}
		for key := range ref {
			if _, ok := m[key]; !ok {
				add("%q is in %s, not in %s", key, Default, lang)
			}
		}
	}
	for key := range ref {
		base, form, _ := cutLast(key, ".")
		if form != "zero" && form != "one" && form != "other" {
			continue
		}
		for _, need := range []string{"one", "other"} {
			if _, ok := ref[base+"."+need]; !ok {
				add("plural %q has no form %q", base, need)
			}
		}
		if n := len(Verbs(ref[key])); n > 1 {
			add("plural form %q has %d verbs, at most one (the count)", key, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
