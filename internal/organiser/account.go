package organiser

import (
	"log/slog"
	"net/http"
	"sort"
	"time"

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

// exportVersion names the layout of the export document.
const exportVersion = "retours-export/1"

// exportDocument is everything stored about an event, for its organisers
// (GDPR access and portability): the event, every answer and every note,
// hidden ones included. Nothing else is stored about participants.
type exportDocument struct {
	Format     string            `json:"format"`
	ExportedAt time.Time         `json:"exported_at"`
	ExpiresAt  time.Time         `json:"expires_at"` // when the answers and notes are erased
	Event      *retours.Event    `json:"event"`
	Answers    []*retours.Answer `json:"answers"`
	Notes      []*retours.Note   `json:"notes"`
}

func (s *Server) exportEvent(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	doc := exportDocument{Format: exportVersion, ExportedAt: s.cfg.Now().UTC(), ExpiresAt: e.ExpiresAt().UTC(), Event: e,
		Answers: []*retours.Answer{}, Notes: []*retours.Note{}}
	if err := s.cfg.Answers.Answers(r.Context(), e.ID, func(a *retours.Answer) error { doc.Answers = append(doc.Answers, a); return nil }); err != nil {
		return err
	}
	if err := s.cfg.Answers.Notes(r.Context(), e.ID, func(n *retours.Note) error { doc.Notes = append(doc.Notes, n); return nil }); err != nil {
		return err
	}
	sort.Slice(doc.Answers, func(i, j int) bool {
		return earlier(doc.Answers[i].CreatedAt, doc.Answers[i].ID, doc.Answers[j].CreatedAt, doc.Answers[j].ID)
	})
	sort.Slice(doc.Notes, func(i, j int) bool {
		return earlier(doc.Notes[i].CreatedAt, doc.Notes[i].ID, doc.Notes[j].CreatedAt, doc.Notes[j].ID)
	})
	w.Header().Set("Content-Disposition", `attachment; filename="retours-`+e.ID+`.json"`)
	web.WriteJSON(w, http.StatusOK, doc)
	return nil
}

func earlier(t1 time.Time, id1 string, t2 time.Time, id2 string) bool {
	if !t1.Equal(t2) {
		return t1.Before(t2)
	}
	return id1 < id2
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
