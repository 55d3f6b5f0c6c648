package programme

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// column is what a CSV column holds.
type column int

const (
	colIgnored column = iota
	colTitle
	colDate    // a day, or a day and a time
	colStart   // a time, a time range, or a day and a time
	colEndDate // the last day
	colEnd     // a time, or a day and a time
	colKind
	colRoom
	colSpeakers
	colUID
)

// headers maps folded header names to columns, in French and English, with
// the names Outlook's and Google Calendar's CSV exports use. Several date,
// start and end columns may be present: Outlook's "Début" is a date and its
// "Heure de début" a time, and the cells are read together.
var headers = map[string]column{
	"titre": colTitle, "title": colTitle, "intitule": colTitle, "titre de la session": colTitle,
	"intitule de la session": colTitle, "nom de la session": colTitle, "session": colTitle,
	"session title": colTitle, "objet": colTitle, "subject": colTitle, "summary": colTitle, "sujet": colTitle,

	"date": colDate, "jour": colDate, "day": colDate, "date de debut": colDate, "date debut": colDate,
	"start date": colDate, "date et heure": colDate, "date and time": colDate,

	"debut": colStart, "heure de debut": colStart, "heure debut": colStart, "start": colStart,
	"start time": colStart, "starts at": colStart, "heure": colStart, "horaire": colStart,
	"horaires": colStart, "time": colStart, "times": colStart, "begin": colStart,

	"date de fin": colEndDate, "date fin": colEndDate, "end date": colEndDate,

	"fin": colEnd, "heure de fin": colEnd, "heure fin": colEnd, "end": colEnd, "end time": colEnd,
	"ends at": colEnd,

	"type": colKind, "kind": colKind, "format": colKind, "type de session": colKind,
	"categorie": colKind, "categories": colKind, "category": colKind, "type d activite": colKind,

	"salle": colRoom, "lieu": colRoom, "room": colRoom, "location": colRoom, "emplacement": colRoom,
	"place": colRoom, "espace": colRoom, "venue": colRoom,

	"uid": colUID, "id": colUID, "identifiant": colUID,
}

// speakerPrefixes catch the many ways of writing speakers' columns:
// intervenant·es, intervenant(e)s, animateur·rice, animé par, modérateur…
var speakerPrefixes = []string{"intervenant", "animat", "anime par", "speaker", "facilitat", "orat",
	"presentat", "presenter", "moderat", "host", "avec", "with"}

var parenRe = lazyRegexp(`\([^)]*\)`)

func columnOf(header string) column {
	f := fold(parenRe().ReplaceAllString(header, " "))
	if c, ok := headers[f]; ok {
		return c
	}
	for _, p := range speakerPrefixes {
		if strings.HasPrefix(f, p) {
			return colSpeakers
		}
	}
	return colIgnored
}

// record is one row of the file, with its line as a spreadsheet numbers it.
type record struct {
	line  int
	cells []string
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func parseCSV(data []byte) *Result {
	res := &Result{Format: FormatCSV}
	text, line, ok := decodeText(data)
	if !ok {
		res.add(Problem{Code: NotUTF8, Line: line})
		return res.finish()
	}
	records, bad := readRecords(text)
	if bad > 0 {
		res.add(Problem{Code: UnclosedQuote, Line: bad})
		return res.finish()
	}
	if len(records) == 0 {
		res.add(Problem{Code: FileEmpty})
		return res.finish()
	}
	// The header is the first row that names a title and a start, within
	// the first rows (a spreadsheet may begin with the programme's own
	// title); failing that, the first row.
	h := 0
	for i := range min(len(records), 10) {
		cols := mapColumns(records[i].cells)
		if cols.has(colTitle) && (cols.has(colDate) || cols.has(colStart)) {
			h = i
			break
		}
	}
	header := records[h]
	cols := mapColumns(header.cells)
	if !cols.has(colTitle) {
		res.add(Problem{Code: MissingTitleColumn, Line: header.line})
	}
	if !cols.has(colDate) && !cols.has(colStart) {
		res.add(Problem{Code: MissingStartColumn, Line: header.line})
	}
	if len(res.Problems) > 0 {
		return res.finish()
	}
	if len(cols.ignored) > 0 {
		res.add(Problem{Code: IgnoredColumns, Line: header.line, Args: []string{strings.Join(cols.ignored, ", ")}})
	}
	rows := records[h+1:]
	if len(rows) > MaxSessions {
		return fail(FormatCSV, TooManySessions, strconv.Itoa(MaxSessions))
	}
	for _, rec := range rows {
		res.readRow(cols, rec)
	}
	return res.finish()
}

// decodeText returns data as UTF-8 without a byte-order mark, converting
// UTF-16 (Excel's "Unicode text"). When data is not UTF-8, it returns the
// first line that is not.
func decodeText(data []byte) (string, int, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		be := data[0] == 0xFE
		data = data[2:]
		u := make([]uint16, len(data)/2)
		for i := range u {
			if be {
				u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		return string(utf16.Decode(u)), 0, true
	case !utf8.Valid(data):
		line := 1
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				return "", line, false
			}
			if r == '\n' {
				line++
			}
			i += n
		}
	}
	return string(bytes.TrimPrefix(data, utf8BOM)), 0, true
}

// readRecords reads every non-blank row, with the separator found in the
// first one. bad is the line of a quote that is never closed, if any.
func readRecords(text string) (records []record, bad int) {
	if !strings.Contains(text, "\n") {
		// Classic Mac OS line endings.
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = separator(text)
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	// A quoted cell may hold line breaks; a spreadsheet shows it as one
	// row, so rows are numbered by physical line less the breaks so far.
	extra := 0
	for {
		offset := r.InputOffset()
		cells, err := r.Read()
		if err == io.EOF {
			return records, 0
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, pe.StartLine - extra
			}
			return nil, line - extra
		}
		// Lenient quoting reads a quote that is never closed as a cell
		// running to the end of the file: refuse it.
		if int64(len(text)) == r.InputOffset() && unclosed(text[offset:], r.Comma) {
			return nil, line - extra
		}
		if !blank(cells) {
			records = append(records, record{line: line - extra, cells: cells})
		}
		for _, c := range cells {
			extra += strings.Count(c, "\n")
		}
	}
}

// unclosed reports whether a cell of the last record opens a quote that is
// never closed.
func unclosed(rest string, comma rune) bool {
	quoted, start := false, true
	rs := []rune(rest)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case quoted && r == '"' && i+1 < len(rs) && rs[i+1] == '"':
			i++
		case quoted && r == '"':
			quoted = false
		case quoted:
		case start && r == '"':
			quoted = true
		default:
			start = r == comma || r == '\n'
			continue
		}
		start = false
	}
	return quoted
}

// separator is the most frequent of ; , and tab outside quotes in the first
// non-blank line; ; wins a tie with , (a French header may hold a comma).
func separator(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
		} else if quoted {
			continue
		} else if r == ';' || r == ',' || r == '\t' {
			counts[r]++
		} else if r == '\n' && len(counts) > 0 {
			break
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > 0 && counts[r] >= counts[best] {
			best = r
		}
	}
	return best
}

// columns says which column of a row holds what.
type columns struct {
	of      []column
	ignored []string // headers of the columns not read
}

func (c columns) has(want column) bool {
	for _, col := range c.of {
		if col == want {
			return true
		}
	}
	return false
}

func mapColumns(header []string) columns {
	var c columns
	seen := map[column]bool{}
	for _, h := range header {
		col := columnOf(h)
		switch col {
		case colDate, colStart, colEndDate, colEnd:
			// Read together.
		case colIgnored:
			if h = clean(h); h != "" {
				c.ignored = append(c.ignored, h)
			}
		default:
			if seen[col] {
				c.ignored = append(c.ignored, clean(h))
				col = colIgnored
			}
		}
		seen[col] = true
		c.of = append(c.of, col)
	}
	return c
}

// cells returns the row's non-empty cells of the given columns, in order.
func (c columns) cells(row []string, want ...column) []string {
	var out []string
	for i, col := range c.of {
		if i < len(row) && slices.Contains(want, col) {
			if v := untext(strings.TrimSpace(row[i])); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

func (res *Result) readRow(cols columns, rec record) {
	d := Draft{Line: rec.line}
	d.Title = clean(strings.Join(cols.cells(rec.cells, colTitle), " "))
	d.Room = clean(strings.Join(cols.cells(rec.cells, colRoom), " "))
	if uid := cols.cells(rec.cells, colUID); len(uid) > 0 {
		d.UID = cleanUID(uid[0])
	}
	l := newLineReport(rec.line, d.Title, d.UID)
	l.check(&d)
	sp := strings.Join(cols.cells(rec.cells, colSpeakers), ", ")
	if tooLong(sp, MaxSpeakers) {
		l.add(SpeakersTooLong, strconv.Itoa(MaxSpeakers))
	}
	d.Speakers = splitSpeakers(sp)

	start, ok := readMoment(cols.cells(rec.cells, colDate, colStart))
	end, endOK := readMoment(cols.cells(rec.cells, colEndDate, colEnd))
	for _, m := range []moment{start, end} {
		if m.bad != "" {
			l.add(m.bad, m.badText)
		}
	}
	if ok && endOK {
		d.StartsAt, d.EndsAt = start.resolve(end)
		switch {
		case d.StartsAt.IsZero() && start.hasClock:
			l.add(MissingDate, start.clockText)
		case d.StartsAt.IsZero():
			l.add(MissingStart)
		case !d.EndsAt.IsZero() && !d.EndsAt.After(d.StartsAt):
			l.add(EndBeforeStart, inParis(d.StartsAt), inParis(d.EndsAt))
		case !start.hasClock && start.at.IsZero():
			l.add(AllDay)
		}
	}
	d.Kind = l.kind(cols.cells(rec.cells, colKind), d.Title, false)
	l.done(res, d)
}

func inParis(t time.Time) string { return t.In(Paris).Format("2006-01-02 15:04") }

// cleanUID keeps a UID usable as a key: one line, and hashed when longer
// than 255 bytes (so still the same for the same event).
func cleanUID(s string) string {
	s = clean(s)
	if len(s) > 255 {
		sum := sha256.Sum256([]byte(s))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	return s
}

// moment is what the date and time cells of one side of a session (its
// start, or its end) say together.
type moment struct {
	at          time.Time // a cell gave an instant, with its offset
	date        civil
	hasDate     bool
	clock       clock
	hasClock    bool
	clockText   string
	rangeEnd    clock // "14h-16h" in a start cell
	hasRangeEnd bool
	bad         Code
	badText     string
}

// readMoment reads date and time cells: a day, a time, a time range, a day
// and a time, or an ISO instant, in any column of that side.
func readMoment(cells []string) (moment, bool) {
	var m moment
	for _, raw := range cells {
		if c, at, ok := parseDateTime(raw); ok {
			switch {
			case !at.IsZero():
				if m.at.IsZero() {
					m.at = at
				}
			default:
				if !m.hasDate {
					m.date, m.hasDate = c.date(), true
				}
				if c.hasTime && !m.hasClock {
					m.clock, m.hasClock, m.clockText = clock{c.h, c.mi, c.s}, true, raw
				}
			}
			continue
		}
		if t, ok := parseClock(raw); ok {
			if !m.hasClock {
				m.clock, m.hasClock, m.clockText = t, true, raw
			}
			continue
		}
		if a, b, ok := parseClockRange(raw); ok {
			if !m.hasClock {
				m.clock, m.hasClock, m.clockText = a, true, raw
				m.rangeEnd, m.hasRangeEnd = b, true
			}
			continue
		}
		if m.bad == "" {
			m.bad, m.badText = BadDate, clean(raw)
			if looksLikeClock(raw) {
				m.bad = BadTime
			}
		}
	}
	return m, m.bad == ""
}

var clockish = lazyRegexp(`^[\d\s]*[:hH][\d\s:hH]*$`)

func looksLikeClock(s string) bool { return clockish().MatchString(strings.TrimSpace(s)) }

// resolve returns the start the moment names and the end that end names,
// in Paris when they were written without a zone. An end with a time and no
// day is on the start's day; an end day without a time is included, so the
// session ends at the next midnight.
func (start moment) resolve(end moment) (time.Time, time.Time) {
	var from time.Time
	var day civil
	switch {
	case !start.at.IsZero():
		from = start.at
		t := from.In(Paris)
		day = civil{y: t.Year(), mo: int(t.Month()), d: t.Day()}
	case start.hasDate && start.hasClock:
		from, day = start.date.withTime(start.clock).in(Paris), start.date
	case start.hasDate:
		from, day = start.date.in(Paris), start.date
	default:
		return time.Time{}, time.Time{}
	}
	if !end.at.IsZero() {
		return from, end.at
	}
	if end.hasDate {
		day = end.date
	}
	switch {
	case end.hasClock:
		return from, day.withTime(end.clock).in(Paris)
	case start.hasRangeEnd:
		return from, day.withTime(start.rangeEnd).in(Paris)
	case end.hasDate:
		t := time.Date(day.y, time.Month(day.mo), day.d+1, 0, 0, 0, 0, time.UTC)
		return from, civil{y: t.Year(), mo: int(t.Month()), d: t.Day()}.in(Paris)
	}
	return from, time.Time{}
}
