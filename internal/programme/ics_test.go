package programme_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/programme"
)

func utc(y, mo, d, h, mi int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, 0, 0, time.UTC)
}

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// The files under testdata are written as each agenda exports them: folded
// lines, CRLF, escapes, their own properties and time zone definitions.
func TestAgendaExports(t *testing.T) {
	tests := []struct {
		file   string
		drafts []programme.Draft
		notes  []string
	}{
		{"google.ics", []programme.Draft{
			{Title: "Plénière d'ouverture", Kind: "pleniere", StartsAt: utc(2026, 10, 13, 7, 30), EndsAt: utc(2026, 10, 13, 8, 15),
				Room: "Amphithéâtre, Maison des associations, 12 rue de l'Oradou, 63000 Clermont-Ferrand, France", Line: 27,
				UID: "5q2v8kq1c0h9e3l7bbd4o0m6sd@google.com"},
			{Title: "Atelier : accompagner les démarches en ligne", Kind: "atelier", StartsAt: utc(2026, 10, 13, 8, 45),
				EndsAt: utc(2026, 10, 13, 10, 15), Room: "Salle 2", Line: 43, UID: "7b3kq0o1vd2m4pse5t7u9ql2aa@google.com"},
			{Title: "Forum ouvert des tiers-lieux", Kind: "autre", StartsAt: paris(2026, 10, 14, 0, 0), EndsAt: paris(2026, 10, 15, 0, 0),
				Line: 58, UID: "0c1a2b3c4d5e6f7g8h9i0j1k2l@google.com"},
			{Title: "Réunion de préparation des intervenant·es", Kind: "autre", StartsAt: paris(2026, 9, 15, 18, 0),
				EndsAt: paris(2026, 9, 15, 19, 0), Room: "En ligne", Line: 72, UID: "3r9s8t7u6v5w4x3y2z1a0b9c8d@google.com"},
		}, []string{"all_day@58", "kind_missing@58", "recurring@72", "kind_missing@72"}},
		{"outlook.ics", []programme.Draft{
			{Title: "Table ronde : les tiers-lieux, lieux de médiation numérique ?", Kind: "table-ronde",
				StartsAt: utc(2026, 10, 13, 12, 0), EndsAt: utc(2026, 10, 13, 13, 30), Room: "Amphithéâtre", Line: 21,
				UID: "040000008200E00074C5B7101A82E00800000000D0C3A5B1F94ADC01000000000000000010000000A4B3B9F1D2C6E44A9B5E0C2F7A1D3E51"},
			// After the change of time: 09:30 is UTC+1 again.
			{Title: "Atelier : le numérique responsable en bibliothèque", Kind: "atelier",
				StartsAt: utc(2026, 10, 25, 8, 30), EndsAt: utc(2026, 10, 25, 10, 30), Room: "Médiathèque de Riom", Line: 73,
				UID: "040000008200E00074C5B7101A82E00800000000A1A2A3A4A5A6DC01000000000000000010000000D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0"},
			{Title: "Montage des stands", Kind: "autre", StartsAt: utc(2026, 10, 11, 22, 0), EndsAt: utc(2026, 10, 12, 22, 0), Line: 90,
				UID: "040000008200E00074C5B7101A82E00800000000B1B2B3B4B5B6DC01000000000000000010000000E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0"},
		}, []string{"cancelled@53", "all_day@90", "kind_missing@90"}},
		{"apple.ics", []programme.Draft{
			{Title: "Table ronde : inclusion numérique et services publics", Kind: "table-ronde", StartsAt: utc(2026, 10, 13, 9, 0),
				EndsAt: utc(2026, 10, 13, 10, 30), Room: "Maison des associations", Line: 26, UID: "8F2C1E6A-3B7D-4C9E-A5F1-0D2B4E6A8C10"},
			// The last Sunday of March 2027: summer time from 02:00.
			{Title: "Atelier réparation d'ordinateurs", Kind: "atelier", StartsAt: utc(2027, 3, 28, 8, 0), EndsAt: utc(2027, 3, 28, 9, 30),
				Room: "Tiers-lieu La Cordée", Line: 52, UID: "A1C3E5F7-9B2D-4F6A-8C0E-2D4F6A8C0E1B"},
		}, nil},
		{"thunderbird.ics", []programme.Draft{
			{Title: "Fresque du numérique", Kind: "atelier", StartsAt: utc(2026, 10, 13, 12, 0), EndsAt: utc(2026, 10, 13, 14, 0),
				Room: "Salle Jean Jaurès", Line: 22, UID: "2b1f9c4e-7d3a-4e8b-9f16-5a0c2d8e7b43"},
			// Floating: "local time" in Thunderbird, read in Paris.
			{Title: "Pause déjeuner", Kind: "autre", StartsAt: utc(2026, 10, 13, 10, 30), EndsAt: utc(2026, 10, 13, 11, 30),
				Room: "Hall", Line: 36, UID: "6e0a8d2c-1f4b-4c7e-a3d5-9b8f7e6d5c4a"},
			{Title: "Clôture et rapport d'étonnement", Kind: "pleniere", StartsAt: utc(2026, 10, 13, 14, 30), EndsAt: utc(2026, 10, 13, 15, 15),
				Room: "Amphithéâtre", Line: 48, UID: "9c7b5a3e-2d1f-4e6a-b8c0-1d3e5f7a9b2c"},
		}, []string{"kind_missing@36"}},
		{"nextcloud.ics", []programme.Draft{
			{Title: "Atelier : premiers pas avec le smartphone", Kind: "atelier", StartsAt: utc(2026, 10, 13, 8, 45), EndsAt: utc(2026, 10, 13, 10, 15),
				Room: "Salle 1", Line: 26, UID: "0c5d7e9f-1a3b-4c5d-8e7f-9a1b3c5d7e9f"},
			// Across the change of time: 23:00 summer time to 03:30 winter time.
			{Title: "Nuit du code citoyen", Kind: "autre", StartsAt: utc(2026, 10, 24, 21, 0), EndsAt: utc(2026, 10, 25, 2, 30),
				Room: "FabLab", Line: 40, UID: "4f6a8c0e-2b4d-4f6a-8c0e-2b4d6f8a0c2e"},
		}, []string{`kind_unknown@40["Hackathon"]`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := programme.Parse(tt.file, "text/calendar", mustRead(t, tt.file))
			checkResult(t, r)
			if !r.OK() || r.Format != programme.FormatICS {
				t.Fatalf("format %q, problems %v", r.Format, brief(r.Problems))
			}
			checkDrafts(t, r.Drafts, tt.drafts)
			checkBrief(t, "notes", r.Notes, tt.notes)
		})
	}
}

// vcal wraps lines into a calendar with CRLF line endings.
func vcal(lines ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Test//FR\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n"
}

// vevent is an event with the given properties.
func vevent(props ...string) string {
	return "BEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20260901T000000Z\r\n" + strings.Join(props, "\r\n") + "\r\nEND:VEVENT"
}

const customZone = "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\n" +
	"BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n" +
	"BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n" +
	"END:VTIMEZONE"

func TestICSTimes(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		start, end time.Time
	}{
		{"UTC", vcal(vevent("SUMMARY:A", "DTSTART:20261013T120000Z", "DTEND:20261013T130000Z")), utc(2026, 10, 13, 12, 0), utc(2026, 10, 13, 13, 0)},
		{"floating is Paris", vcal(vevent("SUMMARY:A", "DTSTART:20261013T140000", "DTEND:20261013T150000")), utc(2026, 10, 13, 12, 0), utc(2026, 10, 13, 13, 0)},
		{"floating follows X-WR-TIMEZONE", vcal("X-WR-TIMEZONE:America/Martinique", vevent("SUMMARY:A", "DTSTART:20261013T140000")), utc(2026, 10, 13, 18, 0), time.Time{}},
		{"IANA TZID", vcal(vevent("SUMMARY:A", "DTSTART;TZID=Indian/Reunion:20261013T140000")), utc(2026, 10, 13, 10, 0), time.Time{}},
		{"Romance Standard Time without its VTIMEZONE", vcal(vevent("SUMMARY:A", "DTSTART;TZID=Romance Standard Time:20261013T140000")), utc(2026, 10, 13, 12, 0), time.Time{}},
		{"quoted Windows TZID", vcal(vevent("SUMMARY:A", `DTSTART;TZID="W. Europe Standard Time":20270101T140000`)), utc(2027, 1, 1, 13, 0), time.Time{}},
		{"Windows zone of the Antilles", vcal(vevent("SUMMARY:A", "DTSTART;TZID=SA Western Standard Time:20261013T140000")), utc(2026, 10, 13, 18, 0), time.Time{}},
		{"Outlook's display name", vcal(vevent("SUMMARY:A", `DTSTART;TZID="(UTC+01:00) Bruxelles, Copenhague, Madrid, Paris":20261013T140000`)), utc(2026, 10, 13, 12, 0), time.Time{}},
		{"a custom zone with the EU's rules, summer", vcal(customZone, vevent("SUMMARY:A", "DTSTART;TZID=Customized Time Zone:20261013T140000")), utc(2026, 10, 13, 12, 0), time.Time{}},
		{"a custom zone with the EU's rules, winter", vcal(customZone, vevent("SUMMARY:A", "DTSTART;TZID=Customized Time Zone:20261213T140000")), utc(2026, 12, 13, 13, 0), time.Time{}},
		{"a fixed custom zone", vcal("BEGIN:VTIMEZONE\r\nTZID:Ile de la Reunion\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0400\r\nTZOFFSETTO:+0400\r\nEND:STANDARD\r\nEND:VTIMEZONE",
			vevent("SUMMARY:A", "DTSTART;TZID=Ile de la Reunion:20261013T140000")), utc(2026, 10, 13, 10, 0), time.Time{}},
		{"X-LIC-LOCATION names the zone", vcal("BEGIN:VTIMEZONE\r\nTZID:Paris, Madrid\r\nX-LIC-LOCATION:Europe/Paris\r\nEND:VTIMEZONE",
			vevent("SUMMARY:A", "DTSTART;TZID=Paris, Madrid:20261013T140000")), utc(2026, 10, 13, 12, 0), time.Time{}},
		{"DURATION", vcal(vevent("SUMMARY:A", "DTSTART;TZID=Europe/Paris:20261013T140000", "DURATION:PT1H30M")), utc(2026, 10, 13, 12, 0), utc(2026, 10, 13, 13, 30)},
		{"DURATION of a day across a change of time", vcal(vevent("SUMMARY:A", "DTSTART;TZID=Europe/Paris:20261024T140000", "DURATION:P1D")), utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 13, 0)},
		{"all day", vcal(vevent("SUMMARY:A", "DTSTART;VALUE=DATE:20261013")), utc(2026, 10, 12, 22, 0), utc(2026, 10, 13, 22, 0)},
		{"all day over two days", vcal(vevent("SUMMARY:A", "DTSTART;VALUE=DATE:20261013", "DTEND;VALUE=DATE:20261015")), utc(2026, 10, 12, 22, 0), utc(2026, 10, 14, 22, 0)},
		{"no duration", vcal(vevent("SUMMARY:A", "DTSTART:20261013T120000Z", "DTEND:20261013T120000Z")), utc(2026, 10, 13, 12, 0), time.Time{}},
		{"time that happens twice", vcal(vevent("SUMMARY:A", "DTSTART;TZID=Europe/Paris:20261025T023000")), utc(2026, 10, 25, 0, 30), time.Time{}},
		{"time that does not exist", vcal(vevent("SUMMARY:A", "DTSTART;TZID=Europe/Paris:20260329T023000")), utc(2026, 3, 29, 1, 30), time.Time{}},
		{"lower-case names, LF, no seconds", strings.ReplaceAll("begin:vcalendar\nBEGIN:VEVENT\nsummary:A\ndtstart;tzid=Europe/Paris:20261013T1400\nEND:VEVENT\nEND:VCALENDAR\n", "begin:vcalendar", "BEGIN:VCALENDAR"),
			utc(2026, 10, 13, 12, 0), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := programme.Parse("a.ics", "", []byte(tt.file))
			checkResult(t, r)
			if !r.OK() {
				t.Fatalf("problems %v", brief(r.Problems))
			}
			d := r.Drafts[0]
			if !d.StartsAt.Equal(tt.start) || !d.EndsAt.Equal(tt.end) {
				t.Errorf("from %v to %v, want from %v to %v", d.StartsAt, d.EndsAt, tt.start, tt.end)
			}
		})
	}
}

func TestICSText(t *testing.T) {
	file := vcal(vevent("SUMMARY:Atelier\\, d\xc3\r\n \xa9bat\\; et \\\\ retours\\nsuite",
		"LOCATION:Salle\r\n  2\xff",
		"CATEGORIES:Divers,Table ronde",
		"CATEGORIES:Catégorie rouge",
		"RECURRENCE-ID;TZID=Europe/Paris:20261013T140000",
		"DTSTART;TZID=Europe/Paris:20261013T150000"))
	r := programme.Parse("a.ics", "", []byte(file))
	checkResult(t, r)
	want := []programme.Draft{{Title: `Atelier, débat; et \ retours suite`, Kind: "table-ronde", StartsAt: utc(2026, 10, 13, 13, 0),
		Room: "Salle 2", Line: 4, UID: "e1/20261013T140000"}}
	checkDrafts(t, r.Drafts, want)
}

func TestICSProblems(t *testing.T) {
	many := make([]string, programme.MaxSessions+1)
	for i := range many {
		many[i] = vevent("SUMMARY:A", "DTSTART:20261013T120000Z")
	}
	tests := []struct {
		name     string
		file     string
		problems []string
		drafts   int
	}{
		{"no DTSTART", vcal(vevent("SUMMARY:Atelier", "DTEND:20261013T120000Z"), vevent("SUMMARY:Plénière", "DTSTART:20261013T090000Z")),
			[]string{"ics_no_start@4"}, 1},
		{"empty DTSTART", vcal(vevent("SUMMARY:Atelier", "DTSTART:")), []string{"ics_no_start@4"}, 0},
		{"unreadable DTSTART", vcal(vevent("SUMMARY:Atelier", "DTSTART:2026-10-13 14:00")), []string{`bad_date@4["2026-10-13 14:00"]`}, 0},
		{"impossible DTSTART", vcal(vevent("SUMMARY:Atelier", "DTSTART:20261313T140000")), []string{`bad_date@4["20261313T140000"]`}, 0},
		{"unreadable DTEND", vcal(vevent("SUMMARY:Atelier", "DTSTART:20261013T140000", "DTEND:demain")), []string{`bad_date@4["demain"]`}, 0},
		{"unreadable DURATION", vcal(vevent("SUMMARY:Atelier", "DTSTART:20261013T140000", "DURATION:PT1X")), []string{`bad_time@4["PT1X"]`}, 0},
		{"unknown zone", vcal(vevent("SUMMARY:Atelier", "DTSTART;TZID=Mars/Olympus_Mons:20261013T140000")), []string{`unknown_time_zone@4["Mars/Olympus_Mons"]`}, 0},
		{"a zone whose rules are not the EU's", vcal(strings.ReplaceAll(strings.ReplaceAll(customZone, "BYMONTH=10", "BYMONTH=4"), "BYMONTH=3", "BYMONTH=9"),
			vevent("SUMMARY:Atelier", "DTSTART;TZID=Customized Time Zone:20261013T140000")), []string{`unknown_time_zone@19["Customized Time Zone"]`}, 0},
		{"end before start", vcal(vevent("SUMMARY:Atelier", "DTSTART:20261013T140000", "DTEND:20261013T130000")),
			[]string{`end_before_start@4["2026-10-13 14:00" "2026-10-13 13:00"]`}, 0},
		{"negative duration", vcal(vevent("SUMMARY:Atelier", "DTSTART:20261013T140000", "DURATION:-PT1H")),
			[]string{`end_before_start@4["2026-10-13 14:00" "2026-10-13 13:00"]`}, 0},
		{"no SUMMARY", vcal(vevent("DTSTART:20261013T140000")), []string{"missing_title@4"}, 0},
		{"no event", vcal("BEGIN:VTODO\r\nSUMMARY:Réserver la salle\r\nEND:VTODO"), []string{"no_sessions@0"}, 0},
		{"not iCalendar inside", "BEGIN:VCALENDAR\r\nCeci n'est pas un agenda\r\n", []string{"ics_unreadable@0"}, 0},
		{"duplicate", vcal(vevent("SUMMARY:Atelier", "DTSTART:20261013T140000"), vevent("SUMMARY:atelier", "DTSTART:20261013T120000Z")),
			[]string{`duplicate@10["4"]`}, 1},
		{"too many events", vcal(many...), []string{`too_many_sessions@0["500"]`}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := programme.Parse("agenda.ics", "text/calendar", []byte(tt.file))
			checkResult(t, r)
			checkBrief(t, "problems", r.Problems, tt.problems)
			if len(r.Drafts) != tt.drafts {
				t.Errorf("%d drafts, want %d", len(r.Drafts), tt.drafts)
			}
		})
	}
}

func TestICSProblemsNameTheEvent(t *testing.T) {
	r := programme.Parse("a.ics", "", []byte(vcal(vevent("SUMMARY:Atelier IA", "DTEND:20261013T120000Z"))))
	if len(r.Problems) != 1 || r.Problems[0].Title != "Atelier IA" || r.Problems[0].UID != "e1" || r.Problems[0].Line != 4 {
		t.Errorf("problems %+v, want one naming the event's line, SUMMARY and UID", r.Problems)
	}
}
