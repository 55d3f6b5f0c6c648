package retours

import (
	"context"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EventEdit is an event's definition as its organisers edit it: everything
// but its id, its accesses and its history. An edit carries the whole
// definition; what it leaves as it was stays as it was.
type EventEdit struct {
	Title            string
	Place            string
	StartsAt, EndsAt time.Time
	ClosesAt         time.Time // zero: EndsAt + DefaultCloseAfter
	Series           string
	Edition          int
	RegisteredCount  int
	Languages        []string
	OrganiserEmails  []string
	// RetentionMonths and AnonymityThreshold keep the event's when 0.
	RetentionMonths    int
	AnonymityThreshold int
	Sessions           []SessionEdit
	Questionnaire      Questionnaire
}

// SessionEdit is one session of an EventEdit: an existing one by its ID, or
// a new one when ID is "".
type SessionEdit struct {
	ID string
	SessionInput
	Cancelled bool
}

// Limits of a session's details.
const (
	MaxRoom     = MaxTitle
	MaxSpeakers = 20
	MaxUID      = 255
)

// EditOf returns the edit that leaves e as it is: what a form or a client
// starts from.
func EditOf(e *Event) EventEdit {
	in := EventEdit{
		Title: e.Title, Place: e.Place, StartsAt: e.StartsAt, EndsAt: e.EndsAt, ClosesAt: e.ClosesAt,
		Series: e.Series, Edition: e.Edition, RegisteredCount: e.RegisteredCount,
		Languages: slices.Clone(e.Languages), OrganiserEmails: slices.Clone(e.OrganiserEmails),
		RetentionMonths: e.RetentionMonths, AnonymityThreshold: e.AnonymityThreshold,
		Questionnaire: Questionnaire{Questions: slices.Clone(e.Questionnaire.Questions)},
	}
	for _, s := range e.Sessions {
		in.Sessions = append(in.Sessions, SessionEdit{ID: s.ID, SessionInput: s.input(), Cancelled: s.Cancelled})
	}
	return in
}

// Edit returns the event as in describes it, at the next version, with new
// sessions' ids drawn from r. answered says whether the event has received
// answers or notes: from then on, what they were given against must stay —
// questions keep their ids, kinds, scales, choices and roles (labels may be
// corrected, questions added, and a question retired rather than removed),
// sessions are cancelled rather than removed, and the erasure date may not
// come earlier than the one the answers were stored with. It returns an
// EINVALID error naming every faulty field; e itself is left unchanged.
func (e *Event) Edit(in EventEdit, answered bool, r io.Reader) (*Event, error) {
	fe := FieldErrors{}
	next := &Event{
		ID: e.ID, CreatedAt: e.CreatedAt, Version: e.Version + 1, PreviousEvent: e.PreviousEvent,
		Accesses:           e.Accesses,
		Series:             strings.TrimSpace(in.Series),
		Edition:            in.Edition,
		RegisteredCount:    in.RegisteredCount,
		StartsAt:           in.StartsAt.UTC(),
		EndsAt:             in.EndsAt.UTC(),
		ClosesAt:           in.ClosesAt.UTC(),
		RetentionMonths:    in.RetentionMonths,
		AnonymityThreshold: in.AnonymityThreshold,
	}
	if next.AnonymityThreshold == 0 {
		next.AnonymityThreshold = e.AnonymityThreshold
	}
	next.setDescription(in.Title, in.Place, fe)
	next.setSchedule(fe)
	next.setPrivacy(e.RetentionMonths, fe)
	next.setLanguages(in.Languages, fe)
	next.setOrganisers(in.OrganiserEmails, fe)
	q := in.Questionnaire
	next.setQuestionnaire(&q, fe)
	if answered {
		if next.ExpiresAt().Before(e.ExpiresAt()) {
			// The answers received are erased when their TTL says, which
			// the new date would not move: they would outlive it.
			fe.Add("retention_months", FieldEarlier)
		}
		keepQuestions(e.Questionnaire, next.Questionnaire, fe)
	}
	if err := next.setSessions(e.Sessions, in.Sessions, answered, r, fe); err != nil {
		return nil, err
	}
	if err := fe.Err("event.invalid"); err != nil {
		return nil, err
	}
	if err := checkSize(next); err != nil {
		return nil, err
	}
	return next, nil
}

// setSessions checks the sessions of in against those the event had
// (before) and sets them: existing ones keep their id, new ones get one
// drawn from r. Once answered, a session may be cancelled, not removed.
func (e *Event) setSessions(before []Session, in []SessionEdit, answered bool, r io.Reader, fe FieldErrors) error {
	if len(in) > MaxSessions {
		fe.Add("sessions", FieldTooMany)
	}
	kept := map[string]bool{}
	e.Sessions = nil
	for i, si := range in {
		field := "sessions." + strconv.Itoa(i)
		s := Session{ID: si.ID, Kind: si.Kind, StartsAt: si.StartsAt.UTC(), EndsAt: si.EndsAt.UTC(),
			OpensAt: si.OpensAt.UTC(), ClosesAt: si.ClosesAt.UTC(), Cancelled: si.Cancelled}
		if s.ID != "" {
			switch {
			case !slices.ContainsFunc(before, func(b Session) bool { return b.ID == s.ID }):
				fe.Add(field+".id", FieldUnknown)
			case kept[s.ID]:
				fe.Add(field+".id", FieldDuplicate)
			}
			kept[s.ID] = true
		}
		var msg string
		if s.Title, msg = CleanText(si.Title, MaxTitle); msg != "" {
			fe.Add(field+".title", msg)
		} else if s.Title == "" || strings.ContainsRune(s.Title, '\n') {
			fe.Add(field+".title", FieldRequired)
		}
		if s.Room, msg = CleanText(si.Room, MaxRoom); msg != "" || strings.ContainsRune(s.Room, '\n') {
			fe.Add(field+".room", cmpOr(msg, FieldInvalid))
		}
		if len(si.Speakers) > MaxSpeakers {
			fe.Add(field+".speakers", FieldTooMany)
		}
		for _, sp := range si.Speakers {
			clean, msg := CleanText(sp, MaxTitle)
			if msg != "" || clean == "" || strings.ContainsRune(clean, '\n') {
				fe.Add(field+".speakers", cmpOr(msg, FieldInvalid))
				continue
			}
			s.Speakers = append(s.Speakers, clean)
		}
		if s.UID, msg = CleanText(si.UID, MaxUID); msg != "" || strings.ContainsRune(s.UID, '\n') {
			fe.Add(field+".uid", cmpOr(msg, FieldInvalid))
		}
		if !validKind(s.Kind) {
			fe.Add(field+".kind", FieldChoice)
		}
		if s.StartsAt.IsZero() {
			fe.Add(field+".starts_at", FieldRequired)
		}
		if !s.EndsAt.IsZero() && !s.EndsAt.After(s.StartsAt) {
			fe.Add(field+".ends_at", FieldOrder)
		}
		if !s.ClosesAt.IsZero() && !s.ClosesAt.After(s.StartsAt) {
			fe.Add(field+".closes_at", FieldOrder)
		} else if s.ClosesAt.After(e.ExpiresAt()) {
			// A session's own window outlasts the event's: it too must
			// close before its answers are erased.
			fe.Add(field+".closes_at", FieldRetention)
		}
		e.Sessions = append(e.Sessions, s)
	}
	if answered {
		for _, b := range before {
			if !kept[b.ID] {
				fe.Add("sessions", FieldRemoved)
			}
		}
	}
	// Session ids are short (they end up on posters) and unique in the
	// event, and never those of a session removed before.
	for i := range e.Sessions {
		for e.Sessions[i].ID == "" {
			id, err := NewID(r, 5)
			if err != nil {
				return err
			}
			taken := slices.ContainsFunc(before, func(b Session) bool { return b.ID == id[:6] })
			if _, in := e.Session(id[:6]); !in && !taken {
				e.Sessions[i].ID = id[:6]
			}
		}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// keepQuestions checks that every question of before is still in after,
// with the same kind, scale, choices and role: the answers given to it are
// read with them. Labels, help, the order, required and the length of text
// answers may change, and choices may be added.
func keepQuestions(before, after Questionnaire, fe FieldErrors) {
	for _, b := range before.Questions {
		i := slices.IndexFunc(after.Questions, func(q Question) bool { return q.ID == b.ID })
		if i < 0 {
			fe.Add("questionnaire.questions", FieldRemoved)
			continue
		}
		a, f := after.Questions[i], "questionnaire.questions."+strconv.Itoa(i)
		switch {
		case a.Kind != b.Kind:
			fe.Add(f+".kind", FieldLocked)
		case b.Kind.IsScale() && !sameScale(&a, &b):
			fe.Add(f+".max", FieldLocked)
		case a.Role != b.Role:
			fe.Add(f+".role", FieldLocked)
		}
		for _, c := range b.Choices {
			if _, ok := a.Choice(c.ID); !ok {
				fe.Add(f+".choices", FieldLocked)
			}
		}
	}
}

func sameScale(a, b *Question) bool {
	alo, ahi := a.Scale()
	blo, bhi := b.Scale()
	return alo == blo && ahi == bhi
}

// EditStore writes the edits of events and the record of who made them.
type EditStore interface {
	// UpdateEvent replaces the definition of e over version e.Version-1,
	// moving its series entry when its series or edition changed, and
	// records edit, in one write. ESTALE ("event.changed") when the stored
	// version is no longer e.Version-1; ENOTFOUND when the event is gone.
	UpdateEvent(ctx context.Context, e *Event, edit *Edit) error
	// ReplaceAccesses replaces the accesses of e, which were e.Accesses,
	// with accesses, and records edit (when not nil), in one write.
	// ECONFLICT ("accesses.changed") when they are no longer e.Accesses;
	// ENOTFOUND when the event is gone.
	ReplaceAccesses(ctx context.Context, e *Event, accesses []Access, edit *Edit) error
	// Edits returns the event's record of changes, newest first: at most
	// limit entries made before before (zero: from the latest).
	Edits(ctx context.Context, eventID string, before time.Time, limit int) ([]Edit, error)
}
