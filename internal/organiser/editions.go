package organiser

import (
	"net/http"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// editionRequest is the body of POST /api/events/{event}/editions.
type editionRequest struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	ClosesAt time.Time `json:"closes_at"`
	Title    string    `json:"title"`
	Place    string    `json:"place"`
	// Sessions, when given, replace the sessions shifted from the event.
	Sessions *[]sessionRequest `json:"sessions"`
	// AccessName names the new edition's first organiser access.
	AccessName string `json:"access_name"`
}

// editionResponse answers the creation of an edition, as the creation of an
// event does, with the event it comes from.
type editionResponse struct {
	eventResponse
	Edition       int    `json:"edition"`
	Series        string `json:"series"`
	PreviousEvent string `json:"previous_event"`
}

// createEdition answers POST /api/events/{event}/editions: the next edition
// of the event's series in one step (retours.Event.NextEdition), owned by
// the same organisers, with its own first access, shown once. An
// Idempotency-Key (16 to 64 lower-case letters and digits 2–9) makes the
// same request sent again create nothing more and answer the same.
func (s *Server) createEdition(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	if !web.IsJSON(r) {
		return retours.NewError(retours.EINVALID, "edition.json")
	}
	var req editionRequest
	if err := web.DecodeJSON(r.Body, &req); err != nil {
		return err
	}
	in := retours.EditionInput{StartsAt: req.StartsAt, EndsAt: req.EndsAt, ClosesAt: req.ClosesAt, Title: req.Title, Place: req.Place}
	if req.Sessions != nil {
		in.Sessions = []retours.SessionInput{}
		for _, ss := range *req.Sessions {
			in.Sessions = append(in.Sessions, ss.input())
		}
	}
	// With an Idempotency-Key, the request sent again (a retry after a lost
	// answer) makes the same edition, stored once, and answers the same.
	rnd := s.cfg.Rand
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		if !editionKey.MatchString(key) {
			return &retours.Error{Code: retours.EINVALID, Key: "event.invalid", Fields: map[string]string{"Idempotency-Key": retours.FieldInvalid}}
		}
		rnd = keyedRand(e.ID, key)
	}
	next, token, err := s.newEdition(r, e, actor, in, req.AccessName, rnd)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, editionResponse{
		eventResponse: s.created(r, next, token), Edition: next.Edition, Series: next.Series, PreviousEvent: e.ID,
	})
	return nil
}
