package organiser

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// tokenResponse answers POST /api/events/{event}/token. The new token
// appears here once; only its hash is stored.
type tokenResponse struct {
	ID             string `json:"id"`
	OrganiserToken string `json:"organiser_token"`
	OrganiserURL   string `json:"organiser_url"`
}

// rotateToken replaces the token of the organiser access presented: it
// stops working at once, for instance after it was shared too widely, and
// the event's other accesses keep theirs.
func (s *Server) rotateToken(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, false)
	if err != nil {
		return err
	}
	token, err := s.rotateAccess(r, e, actor)
	if err != nil {
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "organiser token rotated", slog.String("event", e.ID))
	web.WriteJSON(w, http.StatusOK, tokenResponse{ID: e.ID, OrganiserToken: token, OrganiserURL: s.baseURL(r) + "/o/" + e.ID})
	return nil
}

// exportEvent answers everything stored about the event as one JSON
// document, for its organisers (GDPR access and portability): see
// download.Export.
func (s *Server) exportEvent(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	return s.serveDownload(w, r, e, download.Request{Format: download.Export})
}

// eraseResponse answers DELETE /api/events/{event}.
type eraseResponse struct {
	ID     string `json:"id"`
	Erased int    `json:"erased_items"`
}

// eraseEvent deletes the event and all its answers and notes. The request
// must repeat the event id in ?confirm=, so that a stray DELETE cannot erase
// an event by accident.
func (s *Server) eraseEvent(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("confirm") != e.ID {
		return &retours.Error{Code: retours.EINVALID,
			Key: "erase.confirm", Args: []any{e.ID},
			Fields: map[string]string{"confirm": retours.FieldRequired}}
	}
	n, err := s.cfg.Events.EraseEvent(r.Context(), e.ID)
	if err != nil {
		return err
	}
	if s.cfg.SurveyEventTTL > 0 {
		// A participant's request that read the event before the erasure may
		// still store an answer from its cached copy: sweep once more when no
		// such request can be running.
		select {
		case <-time.After(s.cfg.SurveyEventTTL + s.cfg.SurveyTimeout):
		case <-r.Context().Done():
			return r.Context().Err()
		}
		late, err := s.cfg.Events.EraseEvent(r.Context(), e.ID)
		if err != nil && retours.ErrorCode(err) != retours.ENOTFOUND {
			return err
		}
		n += late
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "event erased", slog.String("event", e.ID), slog.Int("items", n))
	web.WriteJSON(w, http.StatusOK, eraseResponse{ID: e.ID, Erased: n})
	return nil
}
