package programme

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// calendar holds what the events of one iCalendar file share.
type calendar struct {
	floating *time.Location            // zone of times with neither Z nor TZID
	defs     map[string][2]*tzRule     // VTIMEZONE rules by TZID: standard, daylight
	zones    map[string]*time.Location // resolved TZIDs; nil when unknown
}

func parseICS(data []byte) *Result {
	res := &Result{Format: FormatICS}
	// Bytes that are not UTF-8 are left to clean, after unfolding: some
	// agendas fold lines in the middle of a character.
	text := bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
	cal, err := ics.ParseCalendarWithOptions(bytes.NewReader(text),
		ics.WithUnknownPropertyHandler(ics.AcceptUnknownPropertyHandler))
	if err != nil {
		return fail(FormatICS, ICSUnreadable)
	}
	c := &calendar{floating: Paris, defs: map[string][2]*tzRule{}, zones: map[string]*time.Location{}}
	for _, p := range cal.CalendarProperties {
		if strings.EqualFold(p.IANAToken, "X-WR-TIMEZONE") {
			if loc, ok := loadZone(p.Value); ok {
				c.floating = loc
			}
		}
	}
	for _, co := range cal.Components {
		if tz, ok := co.(*ics.VTimezone); ok {
			c.addTimezone(tz)
		}
	}
	events := cal.Events()
	if len(events) > MaxSessions {
		return fail(FormatICS, TooManySessions, strconv.Itoa(MaxSessions))
	}
	lines := eventLines(data)
	for i, ev := range events {
		line := 0
		if len(lines) == len(events) {
			line = lines[i]
		}
		res.readEvent(c, ev.Properties, line)
	}
	return res.finish()
}

// eventLines returns the line of each BEGIN:VEVENT, so that problems can
// say where an event is in the file.
func eventLines(data []byte) []int {
	var lines []int
	for i, l := range bytes.Split(data, []byte("\n")) {
		if strings.EqualFold(string(bytes.TrimSpace(l)), "BEGIN:VEVENT") {
			lines = append(lines, i+1)
		}
	}
	return lines
}

func prop(props []ics.IANAProperty, name string) *ics.IANAProperty {
	for i := range props {
		if strings.EqualFold(props[i].IANAToken, name) {
			return &props[i]
		}
	}
	return nil
}

func param(p *ics.IANAProperty, name string) string {
	for k, v := range p.ICalParameters {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
	}
	return ""
}

func value(props []ics.IANAProperty, name string) string {
	if p := prop(props, name); p != nil {
		return p.Value
	}
	return ""
}

func (c *calendar) addTimezone(tz *ics.VTimezone) {
	tzid := strings.TrimSpace(value(tz.Properties, "TZID"))
	if tzid == "" {
		return
	}
	if loc, ok := loadZone(value(tz.Properties, "X-LIC-LOCATION")); ok {
		c.zones[tzid] = loc
		return
	}
	var def [2]*tzRule
	for _, sub := range tz.Components {
		var props []ics.IANAProperty
		i := 0
		switch s := sub.(type) {
		case *ics.Standard:
			props = s.Properties
		case *ics.Daylight:
			props, i = s.Properties, 1
		default:
			continue
		}
		r := &tzRule{start: value(props, "DTSTART")}
		off, ok := parseOffset(strings.TrimSpace(value(props, "TZOFFSETTO")))
		if !ok {
			continue
		}
		r.offset = off
		for _, part := range strings.Split(value(props, "RRULE"), ";") {
			k, v, _ := strings.Cut(part, "=")
			switch strings.ToUpper(k) {
			case "BYMONTH":
				r.month = v
			case "BYDAY":
				r.byDay = strings.ToUpper(v)
			}
		}
		if def[i] == nil || r.start > def[i].start {
			def[i] = r
		}
	}
	c.defs[tzid] = def
}

// zone resolves a TZID: a name retours knows, else the calendar's
// VTIMEZONE for it.
func (c *calendar) zone(tzid string) (*time.Location, bool) {
	tzid = strings.Trim(tzid, `"`)
	if loc, ok := c.zones[tzid]; ok {
		return loc, loc != nil
	}
	loc, ok := loadZone(tzid)
	if !ok {
		if def, found := c.defs[tzid]; found {
			loc, ok = zoneFromRules(tzid, def[0], def[1])
		}
	}
	c.zones[tzid] = loc
	return loc, ok
}

var icsTimeRe = lazyRegexp(`^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?$`)

// timeOf reads a DTSTART or DTEND: UTC (Z), in a TZID, floating, or a day
// (VALUE=DATE) starting at midnight.
func (c *calendar) timeOf(p *ics.IANAProperty) (t time.Time, loc *time.Location, allDay bool, code Code, arg string) {
	v := strings.TrimSpace(p.Value)
	m := icsTimeRe().FindStringSubmatch(v)
	if m == nil {
		return time.Time{}, nil, false, BadDate, clean(v)
	}
	cv := civil{y: atoi(m[1]), mo: atoi(m[2]), d: atoi(m[3]), h: atoi(m[4]), mi: atoi(m[5]), s: atoi(m[6]), hasTime: m[4] != ""}
	if !cv.valid() {
		return time.Time{}, nil, false, BadDate, clean(v)
	}
	loc = c.floating
	switch tzid := param(p, "TZID"); {
	case m[7] == "Z":
		loc = time.UTC
	case tzid != "":
		var ok bool
		if loc, ok = c.zone(tzid); !ok {
			return time.Time{}, nil, false, UnknownTimeZone, clean(tzid)
		}
	}
	return cv.in(loc), loc, !cv.hasTime, "", ""
}

var durationRe = lazyRegexp(`^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// addDuration adds an RFC 5545 DURATION to t: weeks and days are calendar
// days in loc (23 or 25 hours across a change of time), the rest exact.
func addDuration(t time.Time, loc *time.Location, d string) (time.Time, bool) {
	m := durationRe().FindStringSubmatch(strings.TrimSpace(d))
	if m == nil || d == "P" || strings.HasSuffix(d, "T") {
		return time.Time{}, false
	}
	sign := 1
	if m[1] == "-" {
		sign = -1
	}
	days := atoi(m[2])*7 + atoi(m[3])
	exact := time.Duration(atoi(m[4]))*time.Hour + time.Duration(atoi(m[5]))*time.Minute + time.Duration(atoi(m[6]))*time.Second
	if days > 3660 || exact > 3660*24*time.Hour {
		return time.Time{}, false
	}
	return t.In(loc).AddDate(0, 0, sign*days).Add(time.Duration(sign) * exact).UTC(), true
}

func (res *Result) readEvent(c *calendar, props []ics.IANAProperty, line int) {
	d := Draft{Line: line, Title: clean(value(props, "SUMMARY")), UID: cleanUID(value(props, "UID"))}
	if rid := clean(value(props, "RECURRENCE-ID")); rid != "" && d.UID != "" {
		// A changed occurrence of a repeating event shares its UID.
		d.UID = cleanUID(d.UID + "/" + rid)
	}
	l := newLineReport(line, d.Title, d.UID)
	if strings.EqualFold(strings.TrimSpace(value(props, "STATUS")), "CANCELLED") {
		l.add(Cancelled)
		res.Notes = append(res.Notes, l.notes...)
		return
	}
	// Apple Calendar writes the venue's name, then its address, on
	// separate lines: the name is the room.
	for _, s := range strings.Split(value(props, "LOCATION"), "\n") {
		if d.Room = clean(s); d.Room != "" {
			break
		}
	}
	l.check(&d)

	var loc *time.Location
	var allDay bool
	if p := prop(props, "DTSTART"); p == nil || strings.TrimSpace(p.Value) == "" {
		l.add(ICSNoStart)
	} else if t, zone, ad, code, arg := c.timeOf(p); code != "" {
		l.add(code, arg)
	} else {
		d.StartsAt, loc, allDay = t, zone, ad
	}
	if !d.StartsAt.IsZero() {
		if p := prop(props, "DTEND"); p != nil {
			if t, _, _, code, arg := c.timeOf(p); code != "" {
				l.add(code, arg)
			} else {
				d.EndsAt = t
			}
		} else if dur := value(props, "DURATION"); dur != "" {
			if t, ok := addDuration(d.StartsAt, loc, dur); ok {
				d.EndsAt = t
			} else {
				l.add(BadTime, clean(dur))
			}
		} else if allDay {
			d.EndsAt, _ = addDuration(d.StartsAt, loc, "P1D")
		}
		switch {
		case d.EndsAt.Equal(d.StartsAt):
			d.EndsAt = time.Time{} // an event that takes no time
		case !d.EndsAt.IsZero() && d.EndsAt.Before(d.StartsAt):
			l.add(EndBeforeStart, inParis(d.StartsAt), inParis(d.EndsAt))
		}
		if allDay {
			l.add(AllDay)
		}
		if prop(props, "RRULE") != nil || prop(props, "RDATE") != nil {
			l.add(Recurring)
		}
	}
	var categories []string
	for i := range props {
		if strings.EqualFold(props[i].IANAToken, "CATEGORIES") {
			categories = append(categories, strings.Split(props[i].Value, ",")...)
		}
	}
	d.Kind = l.kind(categories, d.Title, true)
	l.done(res, d)
}
