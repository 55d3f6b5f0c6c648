// Package programme reads an organiser's programme — a CSV exported from a
// spreadsheet, or an iCalendar file exported from an agenda — into session
// drafts, with a problem for each line it cannot read. It writes nothing
// anywhere: the caller shows the drafts and problems, and applies the drafts
// only when Result.OK.
//
// Times without a zone are read in Europe/Paris; the zone database is
// embedded, so this holds where the system has none (Lambda's
// provided.al2023).
package programme

import (
	"bytes"
	"mime"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris and Outlook's zones without system tzdata

	"github.com/retours/retours/internal/retours"
)

// Limits of what Parse reads.
const (
	MaxBytes    = 1 << 20 // larger files are refused whole
	MaxSessions = 500     // more sessions than this are refused whole
	MaxRoom     = retours.MaxTitle
	MaxSpeakers = 500 // characters of a speakers cell
)

// Format is the kind of file a programme came in.
type Format string

// Formats Parse reads.
const (
	FormatCSV Format = "csv"
	FormatICS Format = "ics"
)

// Draft is a session read from a programme file, not yet part of an event.
type Draft struct {
	Title string `json:"title"`
	// Kind is one of retours.SessionKinds.
	Kind     string    `json:"kind"`
	StartsAt time.Time `json:"starts_at"`
	// EndsAt is zero when the file gives no end.
	EndsAt   time.Time `json:"ends_at,omitzero"`
	Room     string    `json:"room,omitempty"`
	Speakers []string  `json:"speakers,omitempty"`
	// Line is where the draft comes from: the line as a spreadsheet numbers
	// it, or the line where the agenda event begins.
	Line int `json:"line"`
	// UID is the agenda event's UID (or a CSV's uid column), so that a later
	// import of the same file can update the same session.
	UID string `json:"uid,omitempty"`
}

// Result is what Parse read.
type Result struct {
	Format Format  `json:"format,omitempty"`
	Drafts []Draft `json:"drafts"`
	// Problems are errors; a line with an error gives no draft.
	Problems []Problem `json:"problems"`
	// Notes are what the person should know but need not fix.
	Notes []Problem `json:"notes"`
}

// OK reports whether the file can be applied: it gave drafts and no line has
// an error.
func (r *Result) OK() bool { return len(r.Problems) == 0 && len(r.Drafts) > 0 }

func (r *Result) add(p Problem) {
	if p.Code.IsNote() {
		r.Notes = append(r.Notes, p)
	} else {
		r.Problems = append(r.Problems, p)
	}
}

// fail returns a Result that holds only a problem about the whole file.
func fail(f Format, c Code, args ...string) *Result {
	return (&Result{Format: f, Problems: []Problem{{Code: c, Args: args}}}).finish()
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Parse reads a programme file. name is the uploaded file's name and
// contentType the type its browser sent; both only help when the content
// itself does not say what it is. Parse never fails: what it cannot read is
// in the result's problems.
func Parse(name, contentType string, data []byte) *Result {
	if len(data) > MaxBytes {
		return fail("", FileTooLarge, strconv.Itoa(MaxBytes>>20))
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0 {
		return fail("", FileEmpty)
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch format, code := detect(ext, contentType, data); {
	case code != "":
		return fail("", code)
	case format == FormatICS:
		return parseICS(data)
	default:
		return parseCSV(data)
	}
}

// detect tells the format from the content first, then the extension, then
// the content type.
func detect(ext, contentType string, data []byte) (Format, Code) {
	head := bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
	switch {
	case hasPrefixFold(head, "BEGIN:VCALENDAR"):
		return FormatICS, ""
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
		// ZIP (XLSX, ODS) or OLE (XLS): a spreadsheet's own format.
		return "", Spreadsheet
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		// UTF-16: Excel's "Unicode text"; read as a CSV, it is converted.
		return FormatCSV, ""
	case bytes.IndexByte(data[:min(len(data), 4096)], 0) >= 0:
		return "", NotCSVOrICS
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case ext == ".ics" || ext == ".ical" || ext == ".icalendar" || mt == "text/calendar":
		// Says iCalendar but does not begin like one.
		return "", ICSUnreadable
	case bytes.HasPrefix(head, []byte("%PDF")), bytes.HasPrefix(head, []byte("{\\rtf")), hasPrefixFold(head, "<!doctype"), hasPrefixFold(head, "<html"), hasPrefixFold(head, "<?xml"):
		return "", NotCSVOrICS
	}
	return FormatCSV, ""
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}

// finish checks what every format shares: at least one session, and no
// session twice.
func (r *Result) finish() *Result {
	if len(r.Drafts) == 0 && len(r.Problems) == 0 {
		r.Problems = append(r.Problems, Problem{Code: NoSessions})
	}
	type key struct {
		title string
		start int64
	}
	seen := map[key]int{}
	kept := r.Drafts[:0]
	for _, d := range r.Drafts {
		k := key{fold(d.Title), d.StartsAt.Unix()}
		if first, ok := seen[k]; ok {
			r.add(Problem{Code: Duplicate, Line: d.Line, Title: d.Title, UID: d.UID, Args: []string{strconv.Itoa(first)}})
			continue
		}
		seen[k] = d.Line
		kept = append(kept, d)
	}
	r.Drafts = kept
	if r.Drafts == nil {
		r.Drafts = []Draft{}
	}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	if r.Notes == nil {
		r.Notes = []Problem{}
	}
	return r
}
