package i18n

import (
	_ "embed"
	"strconv"
	"strings"
	"time"
)

// Paris is the time zone people read dates and times in: retours serves
// French events, wherever the code runs.
var Paris = mustLoad("Europe/Paris", parisTZif)

// parisTZif is Europe/Paris from the IANA time zone database, as Go's
// lib/time/zoneinfo.zip holds it (a test compares it with time/tzdata's).
// Lambda's provided.al2023 image has no zoneinfo, and time/tzdata would
// link the whole database, 450 KB, into every function for this one zone.
//
//go:embed zoneinfo/Europe_Paris
var parisTZif []byte

func mustLoad(name string, tzif []byte) *time.Location {
	loc, err := time.LoadLocationFromTZData(name, tzif)
	if err != nil {
		panic(err) // the embedded file is tested: cannot happen
	}
	return loc
}

var (
	monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	daysFR   = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
)

// Date writes the day of t in Paris: "29 novembre 2026", "29 November 2026".
func Date(lang string, t time.Time) string {
	t = t.In(Paris)
	if lang == "en" {
		return t.Format("2 January 2006")
	}
	return strconv.Itoa(t.Day()) + " " + monthsFR[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// LongDate writes the day of t in Paris with its weekday: "lundi 30
// novembre 2026", "Monday 30 November 2026".
func LongDate(lang string, t time.Time) string {
	if lang == "en" {
		return t.In(Paris).Format("Monday ") + Date(lang, t)
	}
	return daysFR[t.In(Paris).Weekday()] + " " + Date(lang, t)
}

// DateTime writes t in Paris: "29 novembre 2026 à 02:05", "29 November
// 2026, 02:05".
func DateTime(lang string, t time.Time) string { return Date(lang, t) + atTime(lang, t) }

// LongDateTime writes t in Paris with its weekday: "jeudi 12 novembre 2026
// à 16:30", "Thursday 12 November 2026, 16:30".
func LongDateTime(lang string, t time.Time) string { return LongDate(lang, t) + atTime(lang, t) }

func atTime(lang string, t time.Time) string {
	if lang == "en" {
		return ", " + Clock(t)
	}
	return " à " + Clock(t)
}

// Clock writes the time of day of t in Paris: "16:30".
func Clock(t time.Time) string { return t.In(Paris).Format("15:04") }

// SameDay reports whether a and b fall on the same day in Paris.
func SameDay(a, b time.Time) bool {
	ya, ma, da := a.In(Paris).Date()
	yb, mb, db := b.In(Paris).Date()
	return ya == yb && ma == mb && da == db
}

// Number writes x rounded to at most decimals digits after the decimal
// separator, trailing zeros dropped: "1 234,5" in French (a decimal comma,
// thousands grouped by non-breaking spaces), "1,234.5" in English.
func Number(lang string, x float64, decimals int) string {
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return localise(lang, s)
}

// Fixed writes x with exactly decimals digits after the decimal separator,
// as Number does otherwise: "4,0" in French, "4.0" in English.
func Fixed(lang string, x float64, decimals int) string {
	return localise(lang, strconv.FormatFloat(x, 'f', decimals, 64))
}

// localise turns a number formatted by strconv ("-1234.5") into lang's
// writing, and "-0" into "0".
func localise(lang, s string) string {
	sign, s := "", s
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		sign, s = "-", rest
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if strings.Trim(whole+frac, "0") == "" {
		sign = ""
	}
	point, group := ".", ","
	if lang != "en" {
		point, group = ",", "\u00a0"
	}
	var sb strings.Builder
	sb.WriteString(sign)
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			sb.WriteString(group)
		}
		sb.WriteRune(d)
	}
	if hasFrac {
		sb.WriteString(point)
		sb.WriteString(frac)
	}
	return sb.String()
}
