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
}

type sessionRequest struct {
	Title    string    `json:"title"`
	Kind     string    `json:"kind"`
	StartsAt time.Time `json:"starts_at"`
	OpensAt  time.Time `json:"opens_at"`
	ClosesAt time.Time `json:"closes_at"`
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
	if err := s.requireAdmin(r); err != nil {
		return err
	}
	if !isJSON(r) {
		return retours.NewError(retours.EINVALID, "event.json")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxEventBody)
	var req eventRequest
	if err := decodeJSON(r.Body, &req); err != nil {
		return err
	}
	in := retours.EventInput{
		Title: req.Title, Place: req.Place, StartsAt: req.StartsAt, EndsAt: req.EndsAt, ClosesAt: req.ClosesAt,
		Series: req.Series, Edition: req.Edition, RegisteredCount: req.RegisteredCount, Languages: req.Languages,
		Questionnaire: req.Questionnaire.questionnaire(), OrganiserEmails: req.OrganiserEmails,
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

// bilanStore is what bilan.Load reads.
func (s *Server) bilanStore() bilan.Store {
	return struct {
		retours.AnswerStore
		retours.SnapshotStore
		retours.ModerationStore
		retours.SeriesStore
		retours.ChangeFeed
	}{s.cfg.Answers, s.cfg.Snapshots, s.cfg.Moderation, s.cfg.Series, s.cfg.Changes}
}

// bilanFormats lists the formats of GET /api/events/{event}/bilan with
// their content type and file extension.
var bilanFormats = map[string][2]string{
	"json": {"application/json; charset=utf-8", "json"},
	"md":   {"text/markdown; charset=utf-8", "md"},
	"html": {"text/html; charset=utf-8", "html"},
	"csv":  {"text/csv; charset=utf-8", "csv"},
	"xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
}

// getBilan serves the bilan in each format. The aggregate formats come from
// the stored snapshot when it covers every answer, else are computed; the
// X-Retours-Bilan header says which ("snapshot" or "computed"). The CSV and
// the XLSX answers sheet are raw answers, always read afresh.
func (s *Server) getBilan(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	lang := q.Get("lang")
	if !retours.IsLanguage(lang) {
		lang = retours.Languages[0]
	}
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	ft, ok := bilanFormats[format]
	if !ok {
		return &retours.Error{Code: retours.EINVALID, Key: "bilan.format", Fields: map[string]string{"format": retours.FieldChoice}}
	}
	ctx := r.Context()
	each := func(fn func(*retours.Answer) error) error { return s.cfg.Answers.Answers(ctx, e.ID, fn) }
	// Buffered, so that a failed read turns into an error status, not a
	// truncated file.
	var buf bytes.Buffer
	source := "raw"
	name := "bilan-" + e.ID + "-" + lang
	if format == "csv" {
		name = "reponses-" + e.ID
		if err := bilan.WriteCSV(&buf, e, each, bilan.CSVOptions{Semicolon: q.Get("sep") == "semicolon"}); err != nil {
			return err
		}
	} else {
		b, fromSnapshot, err := bilan.Load(ctx, s.bilanStore(), e, lang, s.cfg.Now())
		if err != nil {
			return err
		}
		source = "computed"
		if fromSnapshot {
			source = "snapshot"
		}
		switch format {
		case "json":
			err = bilan.WriteJSON(&buf, b)
		case "md":
			err = bilan.WriteMarkdown(&buf, b)
		case "html":
			err = bilan.WriteHTML(&buf, b)
		case "xlsx":
			err = bilan.WriteXLSX(&buf, b, e, each)
		}
		if err != nil {
			return err
		}
	}
	h := w.Header()
	h.Set("Content-Type", ft[0])
	h.Set("Cache-Control", "no-store")
	h.Set("X-Retours-Bilan", source)
	if format == "html" {
		// The page inlines the bilan's own stylesheet, allowed by its hash.
		h.Set("Content-Security-Policy", buildCSP([]string{bilan.HTMLStyle}))
	}
	if format != "json" && format != "html" {
		h.Set("Content-Disposition", `attachment; filename="`+name+"."+ft[1]+`"`)
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}
