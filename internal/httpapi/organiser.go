package httpapi

import (
	"bytes"
	"log/slog"
	"net/http"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
)

// eventRequest is the JSON body of POST /api/events.
type eventRequest struct {
	Title              string                 `json:"title"`
	Place              string                 `json:"place"`
	StartsAt           time.Time              `json:"starts_at"`
	EndsAt             time.Time              `json:"ends_at"`
	ClosesAt           time.Time              `json:"closes_at"`
	Sessions           []sessionRequest       `json:"sessions"`
	Series             string                 `json:"series"`
	Edition            int                    `json:"edition"`
	RegisteredCount    int                    `json:"registered_count"`
	Languages          []string               `json:"languages"`
	Questionnaire      *retours.Questionnaire `json:"questionnaire"`
	OrganiserEmails    []string               `json:"organiser_emails"`
	RetentionMonths    int                    `json:"retention_months"`
	AnonymityThreshold int                    `json:"anonymity_threshold"`
}

type sessionRequest struct {
	Title    string    `json:"title"`
	Kind     string    `json:"kind"`
	StartsAt time.Time `json:"starts_at"`
	OpensAt  time.Time `json:"opens_at"`
	ClosesAt time.Time `json:"closes_at"`
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
	if err := s.requireAdmin(r); err != nil {
		return err
	}
	if !isJSON(r) {
		return retours.Errorf(retours.EINVALID, "Envoyez l'événement en JSON (Content-Type: application/json).")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxEventBody)
	var req eventRequest
	if err := decodeJSON(r.Body, &req); err != nil {
		return err
	}
	in := retours.EventInput{
		Title: req.Title, Place: req.Place, StartsAt: req.StartsAt, EndsAt: req.EndsAt, ClosesAt: req.ClosesAt,
		Series: req.Series, Edition: req.Edition, RegisteredCount: req.RegisteredCount, Languages: req.Languages,
		Questionnaire: req.Questionnaire, OrganiserEmails: req.OrganiserEmails,
		RetentionMonths: req.RetentionMonths, AnonymityThreshold: req.AnonymityThreshold,
	}
	for _, ss := range req.Sessions {
		in.Sessions = append(in.Sessions, retours.SessionInput{Title: ss.Title, Kind: ss.Kind, StartsAt: ss.StartsAt, OpensAt: ss.OpensAt, ClosesAt: ss.ClosesAt})
	}
	e, err := retours.NewEvent(in, s.cfg.Rand, s.cfg.Now(), s.cfg.RetentionMonths)
	if err != nil {
		return err
	}
	token, hash, err := retours.NewToken(s.cfg.Rand)
	if err != nil {
		return err
	}
	e.TokenHash = hash
	if err := s.cfg.Events.CreateEvent(r.Context(), e); err != nil {
		return err
	}
	resp := eventResponse{
		ID: e.ID, Title: e.Title, OrganiserToken: token, ClosesAt: e.ClosesAt,
		SurveyURL:    s.surveyURL(r, e.ID, ""),
		OrganiserURL: s.baseURL(r) + "/o/" + e.ID,
		Sessions:     []sessionResponse{},
	}
	for _, ss := range e.Sessions {
		resp.Sessions = append(resp.Sessions, sessionResponse{ID: ss.ID, Title: ss.Title, Kind: ss.Kind, SurveyURL: s.surveyURL(r, e.ID, ss.ID)})
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "event created", slog.String("event", e.ID), slog.Int("sessions", len(e.Sessions)))
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func (s *Server) getBilan(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if !retours.IsLanguage(lang) {
		lang = retours.Languages[0]
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	each := func(fn func(*retours.Answer) error) error { return s.cfg.Answers.Answers(r.Context(), e.ID, fn) }
	switch format {
	case "json", "md":
		agg := bilan.New(e, lang)
		if err := each(func(a *retours.Answer) error { agg.AddAnswer(a); return nil }); err != nil {
			return err
		}
		if err := s.cfg.Answers.Notes(r.Context(), e.ID, func(n *retours.Note) error { agg.AddNote(n); return nil }); err != nil {
			return err
		}
		b := agg.Bilan(s.cfg.Now())
		w.Header().Set("Cache-Control", "no-store")
		if format == "json" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			return bilan.WriteJSON(w, b)
		}
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="bilan-`+e.ID+`.md"`)
		w.WriteHeader(http.StatusOK)
		return bilan.WriteMarkdown(w, b)
	case "csv":
		opts := bilan.CSVOptions{Semicolon: r.URL.Query().Get("sep") == "semicolon"}
		// Buffer so that a failed read turns into an error status, not a
		// truncated file.
		var buf bytes.Buffer
		if err := bilan.WriteCSV(&buf, e, each, opts); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="reponses-`+e.ID+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, err := w.Write(buf.Bytes())
		return err
	}
	return &retours.Error{Code: retours.EINVALID, Message: "Format inconnu : json, md ou csv.", Fields: map[string]string{"format": retours.FieldChoice}}
}
