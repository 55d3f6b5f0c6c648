package retours

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"io"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Session kinds.
const (
	KindPleniere   = "pleniere"
	KindAtelier    = "atelier"
	KindTableRonde = "table-ronde"
	KindAutre      = "autre"
)

// SessionKinds lists the valid session kinds in display order.
var SessionKinds = []string{KindPleniere, KindAtelier, KindTableRonde, KindAutre}

// Defaults that apply when an event does not set its own.
const (
	DefaultCloseAfter         = 30 * 24 * time.Hour // answers stay open this long after the event ends
	DefaultRetentionMonths    = 24                  // answers and notes are kept this long after the event ends
	DefaultAnonymityThreshold = 5                   // breakdown cells with fewer answers are not shown
	MaxSessions               = 60
	MaxTitle                  = 200
	MaxOrganiserEmails        = 20
)

// Event is a day or series of sessions that participants give feedback on.
type Event struct {
	ID              string        `json:"id"`
	Title           string        `json:"title"`
	Place           string        `json:"place,omitempty"`
	StartsAt        time.Time     `json:"starts_at"`
	EndsAt          time.Time     `json:"ends_at"`
	ClosesAt        time.Time     `json:"closes_at"` // answers are accepted until then
	Series          string        `json:"series,omitempty"`
	Edition         int           `json:"edition,omitempty"`
	RegisteredCount int           `json:"registered_count,omitempty"`
	Languages       []string      `json:"languages"`
	Questionnaire   Questionnaire `json:"questionnaire"`
	Sessions        []Session     `json:"sessions"`
	OrganiserEmails []string      `json:"organiser_emails,omitempty"`
	// RetentionMonths is how long after EndsAt answers and notes are kept.
	RetentionMonths int `json:"retention_months"`
	// AnonymityThreshold is the smallest number of answers a breakdown cell
	// needs to be shown.
	AnonymityThreshold int       `json:"anonymity_threshold"`
	CreatedAt          time.Time `json:"created_at"`
	// Version counts the definition's versions: 1 when created, one more
	// for each edit. An edit is written only over the version it was made
	// from (Event.Edit, EditStore.UpdateEvent).
	Version int `json:"version"`
	// PreviousEvent is the event this one was made from as its series' next
	// edition, if any.
	PreviousEvent string `json:"previous_event,omitempty"`
	// Accesses are the organisers' accesses, each a token known by its hash
	// alone. They are stored beside the definition, not in it: an access
	// granted or revoked is no edit of the event.
	Accesses []Access `json:"-"`
}

// Session is one part of an event: a plénière, an atelier, a table ronde.
type Session struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Kind     string    `json:"kind"`
	StartsAt time.Time `json:"starts_at"`
	// EndsAt is when the session ends, when known.
	EndsAt time.Time `json:"ends_at,omitzero"`
	// OpensAt and ClosesAt, when set, override the session's answer window,
	// which otherwise runs from StartsAt to the event's ClosesAt.
	OpensAt  time.Time `json:"opens_at,omitzero"`
	ClosesAt time.Time `json:"closes_at,omitzero"`
	Room     string    `json:"room,omitempty"`
	Speakers []string  `json:"speakers,omitempty"`
	// UID is the agenda's or spreadsheet's identifier of the session, so
	// that a programme imported again updates it.
	UID string `json:"uid,omitempty"`
	// Cancelled sessions are no longer offered to participants and accept
	// no answer; the answers they received stay in the bilan.
	Cancelled bool `json:"cancelled,omitempty"`
}

// input returns what makes the session, as a new session's input.
func (s *Session) input() SessionInput {
	return SessionInput{Title: s.Title, Kind: s.Kind, StartsAt: s.StartsAt, EndsAt: s.EndsAt, OpensAt: s.OpensAt,
		ClosesAt: s.ClosesAt, Room: s.Room, Speakers: slices.Clone(s.Speakers), UID: s.UID}
}

// Session returns the session with the given id.
func (e *Event) Session(id string) (*Session, bool) {
	for i := range e.Sessions {
		if e.Sessions[i].ID == id {
			return &e.Sessions[i], true
		}
	}
	return nil, false
}

// Window returns when answers are accepted for the session with the given id,
// or for the event as a whole when sessionID is "".
func (e *Event) Window(sessionID string) (opens, closes time.Time) {
	opens, closes = e.StartsAt, e.ClosesAt
	if s, ok := e.Session(sessionID); ok {
		opens = s.StartsAt
		if !s.OpensAt.IsZero() {
			opens = s.OpensAt
		}
		if !s.ClosesAt.IsZero() {
			closes = s.ClosesAt
		}
	}
	return opens, closes
}

// CheckOpen returns an ECLOSED error when answers for the session (or the
// event when sessionID is "") are not accepted at now, and an ENOTFOUND error
// when the session does not exist.
func (e *Event) CheckOpen(sessionID string, now time.Time) error {
	if sessionID != "" {
		s, ok := e.Session(sessionID)
		if !ok {
			return NewError(ENOTFOUND, "session.not_found")
		}
		if s.Cancelled {
			return NewError(ECLOSED, "session.cancelled")
		}
	}
	opens, closes := e.Window(sessionID)
	if now.Before(opens) {
		return &Error{Code: ECLOSED, Key: "answers.not_open", Fields: map[string]string{"opens_at": opens.UTC().Format(time.RFC3339)}}
	}
	if !now.Before(closes) {
		return &Error{Code: ECLOSED, Key: "answers.closed", Fields: map[string]string{"closes_at": closes.UTC().Format(time.RFC3339)}}
	}
	return nil
}

// ExpiresAt is when the event's answers and notes are erased.
func (e *Event) ExpiresAt() time.Time {
	m := e.RetentionMonths
	if m <= 0 {
		m = DefaultRetentionMonths
	}
	return e.EndsAt.AddDate(0, m, 0)
}

// HashToken returns the hex SHA-256 of token. Tokens carry 128 random bits,
// so a fast hash is enough: there is nothing to brute-force.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewID returns a random identifier of n bytes from r, encoded in lower-case
// letters and digits without look-alikes (no l, o, 0, 1), so it can be read
// off a poster.
func NewID(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return idEncoding.EncodeToString(b), nil
}

// NewToken returns a new organiser token of 160 random bits from r and its
// hash.
func NewToken(r io.Reader) (token, hash string, err error) {
	return newSecret(r, "rto_")
}

// newSecret returns a token of 160 random bits from r, after prefix, and
// its hash.
func newSecret(r io.Reader, prefix string) (token, hash string, err error) {
	id, err := NewID(r, 20)
	if err != nil {
		return "", "", err
	}
	token = prefix + id
	return token, HashToken(token), nil
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ValidID reports whether s has the form of an event, session or answer id.
// It keeps odd characters and path tricks out of keys and URLs.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// EventInput is what an administrator sends to create an event.
type EventInput struct {
	Title              string
	Place              string
	StartsAt, EndsAt   time.Time
	ClosesAt           time.Time // zero: EndsAt + DefaultCloseAfter
	Sessions           []SessionInput
	Series             string
	Edition            int
	RegisteredCount    int
	Languages          []string
	Questionnaire      *Questionnaire // nil: DefaultQuestionnaire
	OrganiserEmails    []string
	RetentionMonths    int // 0: the deployment's default
	AnonymityThreshold int // 0: DefaultAnonymityThreshold
}

// SessionInput is one session of an EventInput.
type SessionInput struct {
	Title    string
	Kind     string
	StartsAt time.Time
	EndsAt   time.Time
	OpensAt  time.Time
	ClosesAt time.Time
	Room     string
	Speakers []string
	UID      string
}

// NewEvent validates in and returns the event it describes, with ids drawn
// from r. retentionMonths is the deployment's default retention. It returns an
// EINVALID error naming every faulty field.
func NewEvent(in EventInput, r io.Reader, now time.Time, retentionMonths int) (*Event, error) {
	fe := FieldErrors{}
	e := &Event{
		Series:             strings.TrimSpace(in.Series),
		Edition:            in.Edition,
		RegisteredCount:    in.RegisteredCount,
		StartsAt:           in.StartsAt.UTC(),
		EndsAt:             in.EndsAt.UTC(),
		ClosesAt:           in.ClosesAt.UTC(),
		RetentionMonths:    in.RetentionMonths,
		AnonymityThreshold: in.AnonymityThreshold,
		CreatedAt:          now.UTC(),
		Version:            1,
	}
	e.setDescription(in.Title, in.Place, fe)
	e.setSchedule(fe)
	e.setPrivacy(retentionMonths, fe)
	e.setLanguages(in.Languages, fe)
	e.setOrganisers(in.OrganiserEmails, fe)
	e.setQuestionnaire(in.Questionnaire, fe)
	if err := e.addSessions(in.Sessions, r, fe); err != nil {
		return nil, err
	}
	if err := fe.Err("event.invalid"); err != nil {
		return nil, err
	}
	id, err := NewID(r, 5)
	if err != nil {
		return nil, err
	}
	e.ID = id
	if err := checkSize(e); err != nil {
		return nil, err
	}
	return e, nil
}

// setDescription sets the title and place and checks the series, edition and
// registered count.
func (e *Event) setDescription(title, place string, fe FieldErrors) {
	var msg string
	if e.Title, msg = CleanText(title, MaxTitle); msg != "" {
		fe.Add("title", msg)
	} else if e.Title == "" || strings.ContainsRune(e.Title, '\n') {
		fe.Add("title", FieldRequired)
	}
	if e.Place, msg = CleanText(place, MaxTitle); msg != "" {
		fe.Add("place", msg)
	}
	if len(e.Series) > MaxTitle {
		fe.Add("series", FieldTooLong)
	}
	if e.Edition < 0 || e.Edition > 10000 {
		fe.Add("edition", FieldRange)
	}
	if e.RegisteredCount < 0 || e.RegisteredCount > 1_000_000 {
		fe.Add("registered_count", FieldRange)
	}
}

// setSchedule checks the start and end, and closes answers DefaultCloseAfter
// the end unless the event closes them itself.
func (e *Event) setSchedule(fe FieldErrors) {
	if e.StartsAt.IsZero() {
		fe.Add("starts_at", FieldRequired)
	}
	if e.EndsAt.IsZero() {
		fe.Add("ends_at", FieldRequired)
	} else if e.EndsAt.Before(e.StartsAt) {
		fe.Add("ends_at", FieldOrder)
	}
	if e.ClosesAt.IsZero() {
		e.ClosesAt = e.EndsAt.Add(DefaultCloseAfter)
	} else if e.ClosesAt.Before(e.EndsAt) {
		fe.Add("closes_at", FieldOrder)
	}
}

// setPrivacy sets and checks the retention (retentionMonths, the deployment's,
// unless the event sets its own) and the anonymity threshold.
func (e *Event) setPrivacy(retentionMonths int, fe FieldErrors) {
	if e.RetentionMonths == 0 {
		e.RetentionMonths = retentionMonths
	}
	if e.RetentionMonths <= 0 || e.RetentionMonths > 120 {
		fe.Add("retention_months", FieldRange)
	} else if e.ClosesAt.After(e.ExpiresAt()) {
		// An answer accepted then would be erased by the TTL soon after it
		// arrived: the retention must outlast the answer window.
		fe.Add("retention_months", FieldRetention)
	}
	if e.AnonymityThreshold == 0 {
		e.AnonymityThreshold = DefaultAnonymityThreshold
	}
	if e.AnonymityThreshold < 1 || e.AnonymityThreshold > 100 {
		fe.Add("anonymity_threshold", FieldRange)
	}
}

// setLanguages sets the languages the event is offered in: every one of
// Languages unless it names some.
func (e *Event) setLanguages(langs []string, fe FieldErrors) {
	e.Languages = langs
	if len(e.Languages) == 0 {
		e.Languages = append([]string(nil), Languages...)
	}
	for _, l := range e.Languages {
		if !IsLanguage(l) {
			fe.Add("languages", FieldChoice)
		}
	}
}

// setOrganisers sets the organisers' addresses, in lower case.
func (e *Event) setOrganisers(emails []string, fe FieldErrors) {
	if len(emails) > MaxOrganiserEmails {
		fe.Add("organiser_emails", FieldTooMany)
	}
	for _, addr := range emails {
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Name != "" || a.Address != strings.TrimSpace(addr) {
			fe.Add("organiser_emails", FieldInvalid)
			continue
		}
		e.OrganiserEmails = append(e.OrganiserEmails, strings.ToLower(a.Address))
	}
}

// setQuestionnaire sets q, or the DefaultQuestionnaire when q is nil.
func (e *Event) setQuestionnaire(q *Questionnaire, fe FieldErrors) {
	if q == nil {
		e.Questionnaire = DefaultQuestionnaire()
		return
	}
	e.Questionnaire = *q
	if err := e.Questionnaire.Validate(); err != nil {
		for k, v := range ErrorFields(err) {
			fe.Add("questionnaire."+k, v)
		}
		if len(ErrorFields(err)) == 0 {
			fe.Add("questionnaire", FieldInvalid)
		}
	}
}

// addSessions checks the sessions and adds them with ids drawn from r.
func (e *Event) addSessions(sessions []SessionInput, r io.Reader, fe FieldErrors) error {
	edits := make([]SessionEdit, len(sessions))
	for i, si := range sessions {
		edits[i] = SessionEdit{SessionInput: si}
	}
	return e.setSessions(nil, edits, false, r, fe)
}

func validKind(k string) bool {
	for _, v := range SessionKinds {
		if v == k {
			return true
		}
	}
	return false
}
