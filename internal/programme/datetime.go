package programme

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/retours/retours/internal/i18n"
)

// Paris is the zone of times written without one.
var Paris = i18n.Paris

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: this cannot happen
	}
	return loc
}

// civil is a date and, when hasTime, a time of day, as written, with no zone.
type civil struct {
	y, mo, d, h, mi, s int
	hasTime            bool
}

func (c civil) date() civil { return civil{y: c.y, mo: c.mo, d: c.d} }

func (c civil) withTime(t clock) civil {
	c.h, c.mi, c.s, c.hasTime = t.h, t.mi, t.s, true
	return c
}

// clock is a time of day.
type clock struct{ h, mi, s int }

// in returns the instant c names in loc. A time that happens twice (the
// last Sunday of October, 02:00–03:00 in Paris) is the first of the two; a
// time that does not exist (the last Sunday of March, 02:00–03:00) is read
// with the offset in force before the change, so 02:30 is 03:30 summer
// time. That is what RFC 5545 prescribes, and time.Date leaves unspecified.
func (c civil) in(loc *time.Location) time.Time {
	naive := time.Date(c.y, time.Month(c.mo), c.d, c.h, c.mi, c.s, 0, time.UTC)
	before := offsetAt(naive.Add(-26*time.Hour), loc)
	var best time.Time
	for _, off := range []int{before, offsetAt(naive, loc), offsetAt(naive.Add(26*time.Hour), loc)} {
		t := naive.Add(-time.Duration(off) * time.Second)
		if offsetAt(t, loc) != off {
			continue // not a wall time of this offset
		}
		if best.IsZero() || t.Before(best) {
			best = t
		}
	}
	if best.IsZero() {
		best = naive.Add(-time.Duration(before) * time.Second)
	}
	return best.UTC()
}

func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

// valid reports whether c names a real day and time, in the years a
// programme can be about.
func (c civil) valid() bool {
	if c.y < 2000 || c.y > 2099 || c.h > 23 || c.mi > 59 || c.s > 59 {
		return false
	}
	t := time.Date(c.y, time.Month(c.mo), c.d, 0, 0, 0, 0, time.UTC)
	return t.Year() == c.y && int(t.Month()) == c.mo && t.Day() == c.d
}

var months = map[string]int{
	"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
	"aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
	"janv": 1, "fevr": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
}

var (
	// 13/10/2026, 13/10/26, 13-10-2026, 13.10.2026
	dmyRe = lazyRegexp(`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$`)
	// 2026-10-13, 2026/10/13
	ymdRe = lazyRegexp(`^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$`)
	// mardi 13 octobre 2026, 1er oct. 2026, 13 October 2026 (folded)
	longRe = lazyRegexp(`^(?:[a-z]+ )?(\d{1,2})(?: ?er)? ([a-z]+) (\d{4})$`)
	// 14:30, 14h30, 14h, 9:05, 14:30:00, 14 h 30
	clockRe = lazyRegexp(`^(\d{1,2}) ?(?:[:hH]) ?(\d{2})?(?::(\d{2}))?$`)
	// ISO 8601 with a T: 2026-10-13T14:30, 2026-10-13T14:30:00+02:00, …Z
	// "14 h 30", "14 h", to be joined as "14h30", "14h"
	spacedClockRe = lazyRegexp(`(\d) [hH] ?(\d{2})?$`)
	isoRe         = lazyRegexp(`^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?$`)
)

// parseDate reads a date as people write it in France, or ISO.
func parseDate(s string) (civil, bool) {
	s = strings.TrimSpace(s)
	var c civil
	if m := dmyRe().FindStringSubmatch(s); m != nil {
		c = civil{y: atoi(m[3]), mo: atoi(m[2]), d: atoi(m[1])}
		if len(m[3]) == 2 {
			c.y += 2000
		}
	} else if m := ymdRe().FindStringSubmatch(s); m != nil {
		c = civil{y: atoi(m[1]), mo: atoi(m[2]), d: atoi(m[3])}
	} else if m := longRe().FindStringSubmatch(fold(s)); m != nil {
		mo, ok := months[m[2]]
		if !ok {
			return civil{}, false
		}
		c = civil{y: atoi(m[3]), mo: mo, d: atoi(m[1])}
	} else {
		return civil{}, false
	}
	return c, c.valid()
}

// parseClock reads a time of day: 14:30, 14h30, 14h, 9:05, 14:30:00.
func parseClock(s string) (clock, bool) {
	m := clockRe().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return clock{}, false
	}
	if m[2] == "" && (strings.Contains(m[0], ":") || m[3] != "") {
		return clock{}, false // "14:" is not a time; "14h" is
	}
	t := clock{h: atoi(m[1]), mi: atoi(m[2]), s: atoi(m[3])}
	if t.h == 24 && t.mi == 0 && t.s == 0 {
		return clock{}, false
	}
	return t, t.h < 24 && t.mi < 60 && t.s < 60
}

// parseClockRange reads "14h30-16h", "14:30 – 16:00" or "de 14h à 16h".
func parseClockRange(s string) (start, end clock, ok bool) {
	f := strings.TrimSpace(s)
	lf := strings.ToLower(f)
	if strings.HasPrefix(lf, "de ") || strings.HasPrefix(lf, "from ") {
		f = f[strings.IndexByte(f, ' ')+1:]
	}
	for _, sep := range []string{"–", "—", " à ", " a ", " to ", "-", "/"} {
		if a, b, found := strings.Cut(f, sep); found {
			start, ok1 := parseClock(a)
			end, ok2 := parseClock(b)
			if ok1 && ok2 {
				return start, end, true
			}
		}
	}
	return clock{}, clock{}, false
}

// parseDateTime reads a date with a time ("13/10/2026 14:30", "13/10/2026 à
// 14h30", ISO with or without an offset) or a date alone. A time with an
// offset or Z is an instant: it is returned as at, with ok true.
func parseDateTime(s string) (c civil, at time.Time, ok bool) {
	s = strings.TrimSpace(s)
	if m := isoRe().FindStringSubmatch(s); m != nil {
		c = civil{y: atoi(m[1]), mo: atoi(m[2]), d: atoi(m[3]), h: atoi(m[4]), mi: atoi(m[5]), s: atoi(m[6]), hasTime: true}
		if !c.valid() {
			return civil{}, time.Time{}, false
		}
		if m[7] == "" {
			return c, time.Time{}, true
		}
		off, ok := parseOffset(m[7])
		if !ok {
			return civil{}, time.Time{}, false
		}
		return c, c.in(time.FixedZone("", off)), true
	}
	if d, ok := parseDate(s); ok {
		return d, time.Time{}, true
	}
	// A date, then a time: split at the last space, dropping "à" or ",".
	s = spacedClockRe().ReplaceAllString(s, "${1}h$2")
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return civil{}, time.Time{}, false
	}
	t, ok := parseClock(s[i+1:])
	if !ok {
		return civil{}, time.Time{}, false
	}
	datePart := strings.TrimRight(strings.TrimSpace(s[:i]), ",")
	datePart = strings.TrimSuffix(strings.TrimSuffix(datePart, " à"), " a")
	d, ok := parseDate(datePart)
	if !ok {
		return civil{}, time.Time{}, false
	}
	return d.withTime(t), time.Time{}, true
}

// parseOffset reads Z, +02:00, +0200 or (in a VTIMEZONE) +020000.
func parseOffset(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if s == "Z" {
		return 0, true
	}
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	s = strings.ReplaceAll(s[1:], ":", "")
	if len(s) != 4 && len(s) != 6 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	h, m, sec := atoi(s[:2]), atoi(s[2:4]), atoi(s[4:])
	if h > 14 || m > 59 || sec > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60 + sec), true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// lazyRegexp returns expr compiled on first use: the organiser function,
// which links this package for the rare programme import, does not compile
// its expressions at every cold start.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
