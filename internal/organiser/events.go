package organiser

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// eventRequest is the JSON body of POST /api/events.
type eventRequest struct {
	Title              string                `json:"title"`
	Place              string                `json:"place"`
	StartsAt           time.Time             `json:"starts_at"`
	EndsAt             time.Time             `json:"ends_at"`
	ClosesAt           time.Time             `json:"closes_at"`
	Sessions           []sessionRequest      `json:"sessions"`
	Series             string                `json:"series"`
	Edition            int                   `json:"edition"`
	RegisteredCount    int                   `json:"registered_count"`
	Languages          []string              `json:"languages"`
	Questionnaire      *questionnaireRequest `json:"questionnaire"`
	OrganiserEmails    []string              `json:"organiser_emails"`
	RetentionMonths    int                   `json:"retention_months"`
	AnonymityThreshold int                   `json:"anonymity_threshold"`
	// AccessName names the organiser access the event is created with.
	AccessName string `json:"access_name"`
}

type sessionRequest struct {
	Title    string    `json:"title"`
	Kind     string    `json:"kind"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	OpensAt  time.Time `json:"opens_at"`
	ClosesAt time.Time `json:"closes_at"`
	Room     string    `json:"room"`
	Speakers []string  `json:"speakers"`
	UID      string    `json:"uid"`
}

func (ss sessionRequest) input() retours.SessionInput {
	return retours.SessionInput{Title: ss.Title, Kind: ss.Kind, StartsAt: ss.StartsAt, EndsAt: ss.EndsAt, OpensAt: ss.OpensAt,
		ClosesAt: ss.ClosesAt, Room: ss.Room, Speakers: ss.Speakers, UID: ss.UID}
}

// questionnaireRequest is an event's questionnaire as posted. A question's
// kind is read as it was sent, so that validation names an unknown kind
// with the other faulty fields, where retours.QuestionKind refuses to decode.
type questionnaireRequest struct {
	Questions []struct {
		retours.Question
		Kind string `json:"kind"`
	} `json:"questions"`
}

func (q *questionnaireRequest) questionnaire() *retours.Questionnaire {
	if q == nil {
		return nil
	}
	out := &retours.Questionnaire{Questions: make([]retours.Question, len(q.Questions))}
	for i, qq := range q.Questions {
		out.Questions[i] = qq.Question
		out.Questions[i].Kind = retours.QuestionKind(qq.Kind)
	}
	return out
}

// eventResponse answers POST /api/events. The organiser token appears here
// once; only its hash is stored.
type eventResponse struct {
	ID             string            `json:"id"`
	Title          string            `json:"title"`
	OrganiserToken string            `json:"organiser_token"`
	SurveyURL      string            `json:"survey_url"`
	OrganiserURL   string            `json:"organiser_url"`
	ClosesAt       time.Time         `json:"closes_at"`
	Sessions       []sessionResponse `json:"sessions"`
}

type sessionResponse struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Kind      string `json:"kind"`
	SurveyURL string `json:"survey_url"`
}

func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) error {
	if err := web.CheckAdmin(r, s.cfg.AdminToken); err != nil {
		return err
	}
	if !web.IsJSON(r) {
		return retours.NewError(retours.EINVALID, "event.json")
	}
	var req eventRequest
	if err := web.DecodeJSON(r.Body, &req); err != nil {
		return err
	}
	in := retours.EventInput{
		Title: req.Title, Place: req.Place, StartsAt: req.StartsAt, EndsAt: req.EndsAt, ClosesAt: req.ClosesAt,
		Series: req.Series, Edition: req.Edition, RegisteredCount: req.RegisteredCount, Languages: req.Languages,
		Questionnaire: req.Questionnaire.questionnaire(), OrganiserEmails: req.OrganiserEmails,
		RetentionMonths: req.RetentionMonths, AnonymityThreshold: req.AnonymityThreshold,
	}
	for _, ss := range req.Sessions {
		in.Sessions = append(in.Sessions, ss.input())
	}
	e, token, err := s.newEvent(r, in, req.AccessName)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, s.created(r, e, token))
	return nil
}

// newEvent creates the event in describes with its first organiser access,
// named accessName, and returns it with that access's token, which
// appears only here.
func (s *Server) newEvent(r *http.Request, in retours.EventInput, accessName string) (*retours.Event, string, error) {
	e, err := retours.NewEvent(in, s.cfg.Rand, s.cfg.Now(), s.cfg.RetentionMonths)
	if err != nil {
		return nil, "", err
	}
	first, token, err := retours.NewAccess(s.cfg.Rand, accessName, "", s.cfg.Now(), true)
	if err != nil {
		return nil, "", err
	}
	e.Accesses = []retours.Access{first}
	if err := s.cfg.Events.CreateEvent(r.Context(), e); err != nil {
		return nil, "", err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "event created", slog.String("event", e.ID), slog.Int("sessions", len(e.Sessions)))
	return e, token, nil
}

// created is the answer to the creation of e, whose first organiser token
// is token.
func (s *Server) created(r *http.Request, e *retours.Event, token string) eventResponse {
	resp := eventResponse{
		ID: e.ID, Title: e.Title, OrganiserToken: token, ClosesAt: e.ClosesAt,
		SurveyURL:    s.surveyURL(r, e.ID, ""),
		OrganiserURL: s.baseURL(r) + "/o/" + e.ID,
		Sessions:     []sessionResponse{},
	}
	for _, ss := range e.Sessions {
		resp.Sessions = append(resp.Sessions, sessionResponse{ID: ss.ID, Title: ss.Title, Kind: ss.Kind, SurveyURL: s.surveyURL(r, e.ID, ss.ID)})
	}
	return resp
}
