package programme

import (
	"strings"
	"time"
)

// windowsZones maps the Windows time zone names Outlook and Exchange write
// in TZID to IANA zones: those of Europe, of France's overseas departments
// and territories (after CLDR's windowsZones for their territory), and a
// few others agendas often hold.
var windowsZones = map[string]string{
	"Romance Standard Time":           "Europe/Paris",
	"W. Europe Standard Time":         "Europe/Berlin",
	"Central Europe Standard Time":    "Europe/Budapest",
	"Central European Standard Time":  "Europe/Warsaw",
	"GMT Standard Time":               "Europe/London",
	"Greenwich Standard Time":         "Atlantic/Reykjavik",
	"GTB Standard Time":               "Europe/Bucharest",
	"E. Europe Standard Time":         "Europe/Chisinau",
	"FLE Standard Time":               "Europe/Kyiv",
	"Morocco Standard Time":           "Africa/Casablanca",
	"W. Central Africa Standard Time": "Africa/Lagos",
	"UTC":                             "UTC",
	"Coordinated Universal Time":      "UTC",
	"SA Western Standard Time":        "America/Martinique", // Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy
	"SA Eastern Standard Time":        "America/Cayenne",    // Guyane
	"Saint Pierre Standard Time":      "America/Miquelon",
	"Mauritius Standard Time":         "Indian/Reunion",
	"E. Africa Standard Time":         "Indian/Mayotte",
	"Central Pacific Standard Time":   "Pacific/Noumea",
	"Hawaiian Standard Time":          "Pacific/Tahiti",
	"UTC+12":                          "Pacific/Wallis",
	"Eastern Standard Time":           "America/New_York",
	"Central Standard Time":           "America/Chicago",
	"Pacific Standard Time":           "America/Los_Angeles",
	"Canada Central Standard Time":    "America/Regina",
	"Tokyo Standard Time":             "Asia/Tokyo",
}

// loadZone returns the zone a TZID or X-WR-TIMEZONE names without help from
// a VTIMEZONE: an IANA name, an IANA name behind a prefix (Thunderbird's
// old "/mozilla.org/20050126_1/Europe/Paris"), or a Windows name.
func loadZone(name string) (*time.Location, bool) {
	name = strings.Trim(strings.TrimSpace(name), `"`)
	if name == "" || name == "Local" {
		return nil, false
	}
	if iana, ok := windowsZones[name]; ok {
		name = iana
	}
	for s := name; s != ""; {
		if loc, err := time.LoadLocation(s); err == nil {
			return loc, true
		}
		i := strings.IndexByte(s, '/')
		if i < 0 {
			break
		}
		s = s[i+1:]
	}
	// Older Outlook writes the zone's display name, in the user's
	// language: "(UTC+01:00) Bruxelles, Copenhague, Madrid, Paris".
	if strings.Contains(name, "Paris") {
		return Paris, true
	}
	return nil, false
}

// tzRule is a STANDARD or DAYLIGHT part of a VTIMEZONE.
type tzRule struct {
	start  string // DTSTART, compared as text: the latest rule is in force
	offset int    // TZOFFSETTO in seconds
	month  string // RRULE's BYMONTH
	byDay  string // RRULE's BYDAY
}

// zoneFromRules follows a VTIMEZONE that names no zone retours knows. Its
// current rules are enough when they are the European Union's (summer time
// from the last Sunday of March to the last Sunday of October, one hour
// ahead) or a fixed offset.
func zoneFromRules(tzid string, std, dst *tzRule) (*time.Location, bool) {
	switch {
	case std == nil:
		return nil, false
	case dst == nil:
		return time.FixedZone(tzid, std.offset), true
	case dst.month == "3" && std.month == "10" && dst.byDay == "-1SU" && std.byDay == "-1SU" && dst.offset == std.offset+3600:
		switch std.offset {
		case 0:
			return mustLoad("Europe/London"), true
		case 3600:
			return Paris, true
		case 7200:
			return mustLoad("Europe/Athens"), true
		}
	}
	return nil, false
}
