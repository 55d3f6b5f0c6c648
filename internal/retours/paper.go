package retours

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"
)

// Channels: how an answer reached retours.
const (
	ChannelWeb   = "web"   // a participant's own phone or computer
	ChannelPaper = "paper" // a printed sheet, typed in by an organiser or a data-entry link
)

// Channels lists the channels in the order the bilan shows them.
var Channels = []string{ChannelWeb, ChannelPaper}

// Sheet numbers are printed at the bottom of each paper questionnaire and
// typed in with its answers, so that the same sheet entered twice is
// recognised. A number is the print run's series (four digits, drawn at
// random for each print), the sheet's rank in the run (three digits) and a
// check digit (Damm's algorithm, which catches every single wrong digit and
// every swap of two adjacent digits): 4821-037-6. Only digits are typed; the
// dashes are optional.
const (
	MaxSheetCopies = 500 // sheets in one print run
	sheetDigits    = 8
)

// NewSheetSeries returns a random print-run series, 1000 to 9999, from r.
func NewSheetSeries(r io.Reader) (int, error) {
	var b [2]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	return 1000 + (int(b[0])<<8|int(b[1]))%9000, nil
}

// SheetNumber returns the number of the rank-th sheet (1 to MaxSheetCopies)
// of the print run series, as printed.
func SheetNumber(series, rank int) string {
	digits := fmt.Sprintf("%04d%03d", series, rank)
	return formatSheet(digits + string(rune('0'+damm(digits))))
}

func formatSheet(d string) string { return d[:4] + "-" + d[4:7] + "-" + d[7:] }

// ParseSheet reads a typed sheet number, with or without its dashes and
// spaces, and returns it as printed. An EINVALID error (field "sheet") when
// it is missing, is not eight digits, or its check digit does not match:
// a typo.
func ParseSheet(s string) (string, error) {
	var d strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == '-' || r == ' ' || r == '\u00a0' || r == '.':
		default:
			return "", &Error{Code: EINVALID, Key: "sheet.format", Fields: map[string]string{"sheet": FieldInvalid}}
		}
	}
	digits := d.String()
	switch {
	case digits == "":
		return "", &Error{Code: EINVALID, Key: "sheet.missing", Fields: map[string]string{"sheet": FieldRequired}}
	case len(digits) != sheetDigits:
		return "", &Error{Code: EINVALID, Key: "sheet.format", Fields: map[string]string{"sheet": FieldInvalid}}
	case damm(digits) != 0:
		return "", &Error{Code: EINVALID, Key: "sheet.check", Fields: map[string]string{"sheet": FieldInvalid}}
	}
	return formatSheet(digits), nil
}

// dammTable is the quasigroup of Damm's check digit algorithm.
var dammTable = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

// damm returns the interim digit of Damm's algorithm over digits: the check
// digit to append, or 0 when digits end with a correct one.
func damm(digits string) int {
	var i byte
	for _, c := range []byte(digits) {
		i = dammTable[i][c-'0']
	}
	return int(i)
}

// SheetSubmissionID returns the submission id of a paper sheet: derived
// from the event and the sheet number, so that the sheet number per event
// is the submission key and entering a sheet again finds the first entry.
func SheetSubmissionID(eventID, sheet string) string {
	sum := sha256.Sum256([]byte("retours/paper\x00" + eventID + "\x00" + sheet))
	sum[6] = sum[6]&0x0f | 0x80 // version 8: a custom UUID
	sum[8] = sum[8]&0x3f | 0x80
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// SheetInput is a paper sheet as typed in, before validation: the answers
// read off it and its rapport d'étonnement box.
type SheetInput struct {
	Sheet     string
	SessionID string
	Lang      string
	Raw       map[string][]string // question id → values, as the web form sends them
	Note      string              // "Ce qui m'a étonné·e aujourd'hui"
}

// NewSheet validates a typed sheet against the event at now, as NewAnswer
// validates a web answer (but a required question may be left blank on
// paper: ParseSheetValues), and returns the answer and, when its box was
// filled in, the rapport d'étonnement note to store, both marked as paper,
// with the sheet number and the access that entered them (by). A sheet
// whose questions are all blank but whose box is filled gives an answer
// without values: the participant returned a sheet. Errors: as NewAnswer,
// and EINVALID for the sheet number (ParseSheet) or a box too long.
func NewSheet(e *Event, in SheetInput, by string, r io.Reader, now time.Time) (*Answer, *Note, error) {
	sheet, err := ParseSheet(in.Sheet)
	if err != nil {
		return nil, nil, err
	}
	sub := SheetSubmissionID(e.ID, sheet)
	if err := checkCommon(e, sub, in.SessionID, now); err != nil {
		return nil, nil, err
	}
	values, err := e.Questionnaire.ParseSheetValues(in.Raw)
	text, msg := CleanText(in.Note, MaxNoteLength)
	if msg != "" {
		fe := FieldErrors{"note": msg}
		for k, v := range ErrorFields(err) {
			fe.Add(k, v)
		}
		return nil, nil, fe.Err("answer.invalid")
	}
	if err != nil {
		return nil, nil, err
	}
	if len(values) == 0 && text == "" {
		return nil, nil, &Error{Code: EINVALID, Key: "sheet.empty", Fields: map[string]string{"answers": FieldRequired}}
	}
	id, err := NewID(r, 10)
	if err != nil {
		return nil, nil, err
	}
	lang := langOrDefault(in.Lang)
	a := &Answer{EventID: e.ID, SessionID: in.SessionID, ID: id, SubmissionID: sub, Lang: lang, CreatedAt: now.UTC(),
		Values: values, Channel: ChannelPaper, Sheet: sheet, EnteredBy: by}
	if text == "" {
		return a, nil, nil
	}
	nid, err := NewID(r, 10)
	if err != nil {
		return nil, nil, err
	}
	return a, &Note{EventID: e.ID, SessionID: in.SessionID, ID: nid, SubmissionID: sub, Kind: NoteEtonnement, Text: text,
		Lang: lang, CreatedAt: now.UTC(), Channel: ChannelPaper}, nil
}

// ChannelOf returns the channel of an answer or note: web unless it says
// otherwise (answers stored before channels were recorded came from the
// web).
func ChannelOf(c string) string {
	if c == "" {
		return ChannelWeb
	}
	return c
}

// SheetStore stores the paper sheets typed in.
type SheetStore interface {
	// PutSheet stores a paper sheet's answer and its note (nil when the box
	// was blank) together, unless the event has the sheet already (the same
	// submission id), in which case it stores nothing and returns the
	// first entry's answer and note, created false. ENOTFOUND if the event
	// is erased or being erased; EUNAVAILABLE when the database is
	// overloaded.
	PutSheet(ctx context.Context, a *Answer, n *Note, expires time.Time) (stored *Answer, note *Note, created bool, err error)
	// Sheet returns the answer and note (nil if none) of the sheet whose
	// submission id is sub. ENOTFOUND if there is none.
	Sheet(ctx context.Context, eventID, sub string) (*Answer, *Note, error)
	// ReplaceSheet replaces a stored sheet's answer and note with a and n (a
	// correction; n nil removes its note), keeping its id and entry time,
	// and counts the change in e's activity as a moderation change, in the
	// same write, so that a stored bilan is computed again. ENOTFOUND if the
	// sheet is not stored, or is not a paper sheet.
	ReplaceSheet(ctx context.Context, e *Event, a *Answer, n *Note, now time.Time) error
	// DeleteSheet removes a stored sheet's answer and note, and counts the
	// change as ReplaceSheet does. ENOTFOUND as ReplaceSheet.
	DeleteSheet(ctx context.Context, e *Event, sub string, now time.Time) error
}
