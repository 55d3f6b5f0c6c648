package organiser

import (
	"log/slog"
	"net/http"

	"github.com/retours/retours/internal/download"
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
