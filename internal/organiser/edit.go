package organiser

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// eventView is an event as GET /api/events/{event} gives it: its
// definition, where it stands, and whether answers have come (from then on
// questions and sessions keep what answers were given against).
type eventView struct {
	*retours.Event
	Status       retours.Status `json:"status"`
	Answered     bool           `json:"answered"`
	SurveyURL    string         `json:"survey_url"`
	OrganiserURL string         `json:"organiser_url"`
}

// etag is the entity tag of an event's definition: its version.
func etag(e *retours.Event) string { return `"` + strconv.Itoa(e.Version) + `"` }

// ifMatch returns the version an edit was made from, read from If-Match:
// EVERSION when there is none, EINVALID when it is not an ETag of ours.
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, retours.NewError(retours.EVERSION, "event.version_missing")
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v < 1 {
		return 0, &retours.Error{Code: retours.EINVALID, Key: "event.version_invalid", Fields: map[string]string{"If-Match": retours.FieldInvalid}}
	}
	return v, nil
}

// answered reports whether the event has received answers or notes: the
// activity counts them a few seconds after they arrive, so when it counts
// none the answers themselves are looked at.
func (s *Server) answered(ctx context.Context, e *retours.Event) (bool, error) {
	if s.cfg.Changes != nil {
		act, err := s.cfg.Changes.Activity(ctx, e.ID)
		if err != nil {
			return false, err
		}
		if act.Answers+act.Notes > 0 {
			return true, nil
		}
	}
	found := errors.New("found")
	err := s.cfg.Answers.Answers(ctx, e.ID, func(*retours.Answer) error { return found })
	if err == nil {
		err = s.cfg.Answers.Notes(ctx, e.ID, func(*retours.Note) error { return found })
	}
	switch {
	case errors.Is(err, found):
		return true, nil
	case err != nil:
		return false, err
	}
	return false, nil
}

func (s *Server) view(r *http.Request, e *retours.Event) (*eventView, error) {
	answered, err := s.answered(r.Context(), e)
	if err != nil {
		return nil, err
	}
	return &eventView{Event: e, Status: e.Status(s.cfg.Now()), Answered: answered,
		SurveyURL: s.surveyURL(r, e.ID, ""), OrganiserURL: s.baseURL(r) + "/o/" + e.ID}, nil
}

// getEvent answers GET /api/events/{event}: the definition, with its
// version as ETag, for its organisers and the administrator.
func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) error {
	e, _, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	v, err := s.view(r, e)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(e))
	web.WriteJSON(w, http.StatusOK, v)
	return nil
}

// editRequest is the body of PUT /api/events/{event}: the whole definition,
// as GET gives it. The fields GET adds that no edit changes are read and
// ignored, so that a client may send back what it got.
type editRequest struct {
	Title              string                `json:"title"`
	Place              string                `json:"place"`
	StartsAt           time.Time             `json:"starts_at"`
	EndsAt             time.Time             `json:"ends_at"`
	ClosesAt           time.Time             `json:"closes_at"`
	Series             string                `json:"series"`
	Edition            int                   `json:"edition"`
	RegisteredCount    int                   `json:"registered_count"`
	Languages          []string              `json:"languages"`
	OrganiserEmails    []string              `json:"organiser_emails"`
	RetentionMonths    int                   `json:"retention_months"`
	AnonymityThreshold int                   `json:"anonymity_threshold"`
	Sessions           []sessionEditRequest  `json:"sessions"`
	Questionnaire      *questionnaireRequest `json:"questionnaire"`

	ID            string    `json:"id"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	PreviousEvent string    `json:"previous_event"`
	Status        string    `json:"status"`
	Answered      bool      `json:"answered"`
	SurveyURL     string    `json:"survey_url"`
	OrganiserURL  string    `json:"organiser_url"`
}

type sessionEditRequest struct {
	ID string `json:"id"`
	sessionRequest
	Cancelled bool `json:"cancelled"`
}

func (req *editRequest) edit(e *retours.Event) retours.EventEdit {
	in := retours.EventEdit{
		Title: req.Title, Place: req.Place, StartsAt: req.StartsAt, EndsAt: req.EndsAt, ClosesAt: req.ClosesAt,
		Series: req.Series, Edition: req.Edition, RegisteredCount: req.RegisteredCount, Languages: req.Languages,
		OrganiserEmails: req.OrganiserEmails, RetentionMonths: req.RetentionMonths, AnonymityThreshold: req.AnonymityThreshold,
	}
	if q := req.Questionnaire.questionnaire(); q != nil {
		in.Questionnaire = *q
	}
	for _, ss := range req.Sessions {
		in.Sessions = append(in.Sessions, retours.SessionEdit{ID: ss.ID, SessionInput: ss.input(), Cancelled: ss.Cancelled})
	}
	return in
}

// putEvent answers PUT /api/events/{event}: the event's details, sessions
// and questionnaire, replaced whole over the version of If-Match, under the
// domain's rules (retours.Event.Edit).
func (s *Server) putEvent(w http.ResponseWriter, r *http.Request) error {
	e, actor, from, err := s.authoriseEdit(r)
	if err != nil {
		return err
	}
	if !web.IsJSON(r) {
		return retours.NewError(retours.EINVALID, "event.json")
	}
	var req editRequest
	if err := web.DecodeJSON(r.Body, &req); err != nil {
		return err
	}
	if req.Questionnaire == nil {
		return &retours.Error{Code: retours.EINVALID, Key: "event.invalid", Fields: map[string]string{"questionnaire": retours.FieldRequired}}
	}
	next, err := s.saveEdit(r, e, actor, from, req.edit(e), retours.ActionUpdated)
	if err != nil {
		return err
	}
	v, err := s.view(r, next)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(next))
	web.WriteJSON(w, http.StatusOK, v)
	return nil
}

// saveEdit applies in to e, made from version from, and stores it with the
// record of who made it: ESTALE when e is no longer at that version.
func (s *Server) saveEdit(r *http.Request, e *retours.Event, actor retours.Actor, from int, in retours.EventEdit, action string) (*retours.Event, error) {
	if from != e.Version {
		return nil, retours.NewError(retours.ESTALE, "event.changed")
	}
	answered, err := s.answered(r.Context(), e)
	if err != nil {
		return nil, err
	}
	next, err := e.Edit(in, answered, s.cfg.Rand)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Edits.UpdateEvent(r.Context(), next, actor.Edit(action, s.cfg.Now(), next.Version, "")); err != nil {
		return nil, err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "event edited", slog.String("event", e.ID), slog.Int("version", next.Version), slog.String("by", actor.ID()))
	return next, nil
}

// maxEdits is the most entries of the record of changes one request reads.
const maxEdits = 100

// listEdits answers GET /api/events/{event}/edits: who changed what, newest
// first, a page of up to ?limit= (100) at a time, ?before= the last
// entry's time for the next.
func (s *Server) listEdits(w http.ResponseWriter, r *http.Request) error {
	e, _, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	limit, err := limitParam(r, maxEdits)
	if err != nil {
		return err
	}
	var before time.Time
	if b := r.URL.Query().Get("before"); b != "" {
		if before, err = time.Parse(time.RFC3339Nano, b); err != nil {
			return &retours.Error{Code: retours.EINVALID, Key: "cursor.invalid", Fields: map[string]string{"before": retours.FieldInvalid}}
		}
	}
	edits, err := s.cfg.Edits.Edits(r.Context(), e.ID, before, limit)
	if err != nil {
		return err
	}
	resp := struct {
		Edits  []retours.Edit `json:"edits"`
		Before string         `json:"before,omitempty"`
	}{Edits: edits}
	if len(edits) == limit {
		resp.Before = edits[len(edits)-1].At.Format(time.RFC3339Nano)
	}
	web.WriteJSON(w, http.StatusOK, resp)
	return nil
}

// limitParam reads ?limit=, 1 to max, max by default.
func limitParam(r *http.Request, max int) (int, error) {
	l := r.URL.Query().Get("limit")
	if l == "" {
		return max, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > max {
		return 0, &retours.Error{Code: retours.EINVALID, Key: "limit.invalid", Args: []any{max}, Fields: map[string]string{"limit": retours.FieldRange}}
	}
	return n, nil
}

// listedEvent is one event of GET /api/events.
type listedEvent struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Place    string            `json:"place,omitempty"`
	StartsAt time.Time         `json:"starts_at"`
	EndsAt   time.Time         `json:"ends_at"`
	ClosesAt time.Time         `json:"closes_at"`
	Status   retours.Status    `json:"status"`
	Series   string            `json:"series,omitempty"`
	Edition  int               `json:"edition,omitempty"`
	Answers  int               `json:"answers"`
	Notes    int               `json:"notes"`
	Links    map[string]string `json:"links"`
}

// Pages of the list of events.
const (
	maxListLimit = 100
	maxListScan  = 500 // events a search reads for one page
)

// listEvents answers GET /api/events for the administrator: the events,
// latest closing first, ?limit= (50) at a time, with a cursor to the next
// page; ?q= keeps those whose title or series contains it.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkAdmin(r); err != nil {
		return err
	}
	limit, err := limitParam(r, maxListLimit)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("limit") == "" {
		limit = 50
	}
	events, next, err := s.eventsPage(r, r.URL.Query().Get("q"), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, struct {
		Events []listedEvent `json:"events"`
		Next   string        `json:"next,omitempty"`
	}{events, next})
	return nil
}

// eventsPage returns a page of limit events whose title or series holds
// term, from cursor on, with their answers and notes as the activity counts
// them, and the cursor of the next page ("" after the last).
func (s *Server) eventsPage(r *http.Request, term, cursor string, limit int) ([]listedEvent, string, error) {
	query := retours.EventQuery{Limit: limit, MaxScan: maxListScan}
	if cursor != "" {
		cur, err := retours.ParseEventCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		query.After = &cur
	}
	if strings.TrimSpace(term) != "" {
		query.Match = func(e *retours.Event) bool { return e.Matches(term) }
	}
	page, err := s.cfg.Lister.ListEvents(r.Context(), query)
	if err != nil {
		return nil, "", err
	}
	now := s.cfg.Now()
	out := make([]listedEvent, len(page.Events))
	g, ctx := errgroup.WithContext(r.Context())
	g.SetLimit(8)
	for i, e := range page.Events {
		out[i] = listedEvent{ID: e.ID, Title: e.Title, Place: e.Place, StartsAt: e.StartsAt, EndsAt: e.EndsAt, ClosesAt: e.ClosesAt,
			Status: e.Status(now), Series: e.Series, Edition: e.Edition,
			Links: map[string]string{"self": "/api/events/" + e.ID, "organisers": s.baseURL(r) + "/o/" + e.ID, "survey": s.surveyURL(r, e.ID, "")}}
		g.Go(func() error {
			act, err := s.cfg.Changes.Activity(ctx, e.ID)
			if err != nil {
				return err
			}
			out[i].Answers, out[i].Notes = act.Answers, act.Notes
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, "", err
	}
	next := ""
	if page.Next != nil {
		next = page.Next.Encode()
	}
	return out, next, nil
}
