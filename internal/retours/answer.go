package retours

import (
	"context"
	"io"
	"regexp"
	"strings"
	"time"
)

// Note kinds: the four headings of a rapport d'étonnement.
const (
	NoteEtonnement     = "etonnement"
	NotePointFort      = "point-fort"
	NoteAmelioration   = "amelioration"
	NoteMomentMarquant = "moment-marquant"
)

// NoteKinds lists the note kinds in display order.
var NoteKinds = []string{NoteEtonnement, NotePointFort, NoteAmelioration, NoteMomentMarquant}

// MaxNoteLength is the longest note, in characters.
const MaxNoteLength = 2000

// Answer is one participant's answers to the questionnaire of an event or of
// one of its sessions. It holds nothing that identifies the participant.
type Answer struct {
	EventID      string           `json:"event_id"`
	SessionID    string           `json:"session_id,omitempty"`
	ID           string           `json:"id"`
	SubmissionID string           `json:"submission_id"`
	Lang         string           `json:"lang"`
	CreatedAt    time.Time        `json:"created_at"`
	Values       map[string]Value `json:"values"`
	// Hidden lists the text questions whose answer an organiser hid from the
	// bilan; the raw export still has them.
	Hidden []string `json:"hidden,omitempty"`
	// Channel is ChannelWeb or ChannelPaper. A paper answer carries its
	// sheet number and the access that typed it in (EnteredBy).
	Channel   string `json:"channel"`
	Sheet     string `json:"sheet,omitempty"`
	EnteredBy string `json:"entered_by,omitempty"`
}

// Note is a rapport d'étonnement note: what surprised, worked, should change
// or stood out.
type Note struct {
	EventID      string    `json:"event_id"`
	SessionID    string    `json:"session_id,omitempty"`
	ID           string    `json:"id"`
	SubmissionID string    `json:"submission_id"`
	Kind         string    `json:"kind"`
	Text         string    `json:"text"`
	Lang         string    `json:"lang"`
	CreatedAt    time.Time `json:"created_at"`
	Hidden       bool      `json:"hidden,omitempty"`
	// Channel is ChannelWeb, or ChannelPaper for the box of a paper sheet.
	Channel string `json:"channel"`
	// OnWall: an organiser approved it for the closing wall (WallStore).
	OnWall bool `json:"on_wall,omitempty"`
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidSubmissionID reports whether s is a UUID in canonical lower-case form.
// Clients generate one per form so that a retried submit is recognised.
func ValidSubmissionID(s string) bool { return uuidPattern.MatchString(s) }

// NewSubmissionID returns a random (version 4) UUID read from r.
func NewSubmissionID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexdigits[c>>4], hexdigits[c&0xf])
	}
	return string(out), nil
}

// AnswerInput is a participant's submission before validation.
type AnswerInput struct {
	SubmissionID string
	SessionID    string
	Lang         string
	Raw          map[string][]string // question id → submitted strings
}

// NewAnswer validates in against the event at now and returns the answer to
// store. Errors: ENOTFOUND for an unknown session, ECLOSED outside the answer
// window, EINVALID for anything else.
func NewAnswer(e *Event, in AnswerInput, r io.Reader, now time.Time) (*Answer, error) {
	if err := checkCommon(e, in.SubmissionID, in.SessionID, now); err != nil {
		return nil, err
	}
	values, err := e.Questionnaire.ParseValues(in.Raw)
	if err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, &Error{Code: EINVALID, Key: "answer.empty", Fields: map[string]string{"answers": FieldRequired}}
	}
	id, err := NewID(r, 10)
	if err != nil {
		return nil, err
	}
	return &Answer{
		EventID: e.ID, SessionID: in.SessionID, ID: id, SubmissionID: in.SubmissionID,
		Lang: langOrDefault(in.Lang), CreatedAt: now.UTC(), Values: values, Channel: ChannelWeb,
	}, nil
}

// NoteInput is a participant's note before validation.
type NoteInput struct {
	SubmissionID string
	SessionID    string
	Lang         string
	Kind         string
	Text         string
}

// NewNote validates in against the event at now and returns the note to
// store, with the same errors as NewAnswer.
func NewNote(e *Event, in NoteInput, r io.Reader, now time.Time) (*Note, error) {
	if err := checkCommon(e, in.SubmissionID, in.SessionID, now); err != nil {
		return nil, err
	}
	fe := FieldErrors{}
	if !ValidNoteKind(in.Kind) {
		fe.Add("kind", FieldChoice)
	}
	text, msg := CleanText(in.Text, MaxNoteLength)
	if msg != "" {
		fe.Add("text", msg)
	} else if text == "" {
		fe.Add("text", FieldRequired)
	}
	if err := fe.Err("note.invalid"); err != nil {
		return nil, err
	}
	id, err := NewID(r, 10)
	if err != nil {
		return nil, err
	}
	return &Note{
		EventID: e.ID, SessionID: in.SessionID, ID: id, SubmissionID: in.SubmissionID,
		Kind: in.Kind, Text: text, Lang: langOrDefault(in.Lang), CreatedAt: now.UTC(), Channel: ChannelWeb,
	}, nil
}

// ValidNoteKind reports whether k is one of NoteKinds.
func ValidNoteKind(k string) bool {
	for _, v := range NoteKinds {
		if v == k {
			return true
		}
	}
	return false
}

func checkCommon(e *Event, submissionID, sessionID string, now time.Time) error {
	if !ValidSubmissionID(submissionID) {
		return &Error{Code: EINVALID, Key: "submission_id.invalid", Fields: map[string]string{"submission_id": FieldInvalid}}
	}
	if sessionID != "" && !ValidID(sessionID) {
		return NewError(ENOTFOUND, "session.not_found")
	}
	return e.CheckOpen(sessionID, now)
}

func langOrDefault(lang string) string {
	lang = strings.ToLower(lang)
	if IsLanguage(lang) {
		return lang
	}
	return Languages[0]
}

// EventStore stores events.
type EventStore interface {
	// CreateEvent stores a new event, with its accesses. ECONFLICT if its id
	// is taken.
	CreateEvent(ctx context.Context, e *Event) error
	// Event returns the event with the given id. ENOTFOUND "event.not_found"
	// if there is none, ENOTFOUND "event.erasing" if it is being erased
	// (ErasureStore).
	Event(ctx context.Context, id string) (*Event, error)
	// EraseEvent erases the event and everything stored under it (answers,
	// notes and any other item) within this one call, as the erasure job
	// does (ErasureStore) but without its record or its wait for
	// participants' requests, and returns how many items it deleted; called
	// again, it deletes what was stored since. ENOTFOUND if nothing of the
	// event is left; EUNAVAILABLE if the database is overloaded, in which
	// case calling it again (or the erasure job) finishes it.
	EraseEvent(ctx context.Context, eventID string) (int, error)
}

// AnswerStore stores answers and notes. Writes are idempotent on the
// submission id: the first write wins, and later ones get it back.
type AnswerStore interface {
	// PutAnswer stores a unless the event already has an answer with the same
	// submission id, in which case it returns that one and created is false.
	// EUNAVAILABLE when the database is overloaded.
	PutAnswer(ctx context.Context, a *Answer, expires time.Time) (stored *Answer, created bool, err error)
	// PutNote is PutAnswer for notes.
	PutNote(ctx context.Context, n *Note, expires time.Time) (stored *Note, created bool, err error)
	// Answers calls fn for each answer of the event, in no particular order,
	// and stops at fn's first error.
	Answers(ctx context.Context, eventID string, fn func(*Answer) error) error
	// Notes calls fn for each note of the event, like Answers.
	Notes(ctx context.Context, eventID string, fn func(*Note) error) error
}
