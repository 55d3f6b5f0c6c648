package retours

import (
	"io"
	"slices"
	"time"
)

// EditionInput is what organisers give to make the next edition of their
// event: its dates, and what changes besides.
type EditionInput struct {
	StartsAt time.Time
	EndsAt   time.Time // zero: as long as the event it comes from
	ClosesAt time.Time // zero: EndsAt + DefaultCloseAfter
	Title    string    // "": the same title
	Place    string    // "": the same place
	// Sessions, when not nil, are the new edition's sessions as edited;
	// nil takes the sessions of the event it comes from, shifted to the new
	// dates.
	Sessions []SessionInput
}

// NextEdition returns the next edition of e's series, not stored: the same
// questionnaire (retired questions left out), the same sessions shifted by
// as much as the start moves (cancelled ones left out) unless in gives
// them, edition + 1, the same series, organisers and settings, and a link
// to e. Its id and new sessions' ids are drawn from r; it has no access
// yet. EINVALID when e is in no series, or the new edition is invalid.
func (e *Event) NextEdition(in EditionInput, r io.Reader, now time.Time) (*Event, error) {
	if e.Series == "" {
		return nil, &Error{Code: EINVALID, Key: "edition.no_series", Fields: map[string]string{"series": FieldRequired}}
	}
	if in.StartsAt.IsZero() {
		return nil, &Error{Code: EINVALID, Key: "event.invalid", Fields: map[string]string{"starts_at": FieldRequired}}
	}
	shift := in.StartsAt.Sub(e.StartsAt)
	move := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.Add(shift)
	}
	next := EventInput{
		Title: cmpOr(in.Title, e.Title), Place: cmpOr(in.Place, e.Place),
		StartsAt: in.StartsAt, EndsAt: in.EndsAt, ClosesAt: in.ClosesAt,
		Series: e.Series, Edition: e.Edition + 1, RegisteredCount: e.RegisteredCount,
		Languages: slices.Clone(e.Languages), OrganiserEmails: slices.Clone(e.OrganiserEmails),
		RetentionMonths: e.RetentionMonths, AnonymityThreshold: e.AnonymityThreshold,
		Sessions: in.Sessions,
	}
	if next.EndsAt.IsZero() {
		next.EndsAt = in.StartsAt.Add(e.EndsAt.Sub(e.StartsAt))
	}
	if e.Edition == 0 {
		next.Edition = 2
	}
	q := Questionnaire{}
	for _, qq := range e.Questionnaire.Questions {
		if !qq.Retired {
			q.Questions = append(q.Questions, qq)
		}
	}
	next.Questionnaire = &q
	if in.Sessions == nil {
		for _, s := range e.Sessions {
			if s.Cancelled {
				continue
			}
			si := s.input()
			si.StartsAt, si.EndsAt, si.OpensAt, si.ClosesAt = move(si.StartsAt), move(si.EndsAt), move(si.OpensAt), move(si.ClosesAt)
			si.UID = ""
			next.Sessions = append(next.Sessions, si)
		}
	}
	ne, err := NewEvent(next, r, now, e.RetentionMonths)
	if err != nil {
		return nil, err
	}
	ne.PreviousEvent = e.ID
	return ne, nil
}
