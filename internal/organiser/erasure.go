package organiser

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// An erasure runs as a job (internal/erase): the event is marked at once,
// so that it reads as gone for everyone, and its items are deleted by runs
// of the erase function (on AWS) or a goroutine (locally) until none is
// left. The routes here start it and show its progress to the event's
// organisers, whose token the erasure's record keeps (the event's item, and
// with it the token's hash, goes at the end).

// erasureJob returns the job of cfg, or one on the event store with no
// trigger, whose erasures the erase function's hourly run takes up.
func erasureJob(cfg Config) *erase.Job {
	if cfg.Erasure != nil {
		return cfg.Erasure
	}
	st, _ := cfg.Events.(retours.ErasureStore)
	return &erase.Job{Store: st, Grace: retours.ErasureGrace(cfg.SurveyEventTTL, cfg.SurveyTimeout), Log: cfg.Logger}
}

// erasureResponse answers DELETE /api/events/{event} and GET
// /api/events/{event}/erasure.
type erasureResponse struct {
	ID         string     `json:"id"`
	State      string     `json:"state"` // "erasing", then "erased"
	Items      int        `json:"erased_items"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// URL is where to follow the erasure.
	URL string `json:"url"`
}

func newErasureResponse(eventID string, er *retours.Erasure) erasureResponse {
	resp := erasureResponse{ID: eventID, State: er.State, Items: er.Items, StartedAt: er.StartedAt.UTC(), URL: "/api/events/" + eventID + "/erasure"}
	if er.Done() {
		at := er.FinishedAt.UTC()
		resp.FinishedAt = &at
	}
	return resp
}

// writeErasure answers the erasure's progress: 202 while it runs, 200 once
// nothing of the event is left.
func writeErasure(w http.ResponseWriter, eventID string, er *retours.Erasure) {
	status := http.StatusAccepted
	if er.Done() {
		status = http.StatusOK
	}
	web.WriteJSON(w, status, newErasureResponse(eventID, er))
}

// startErasure checks the organiser token and the confirmation, and starts
// the event's erasure; for an event being erased or erased, it returns that
// erasure (for its organisers) without starting anything.
func (s *Server) startErasure(r *http.Request, confirm string) (*retours.Erasure, error) {
	id := r.PathValue("event")
	e, err := s.organiserEvent(r)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		if er, perr := s.erasureOf(r, id); perr == nil || retours.ErrorCode(perr) != retours.ENOTFOUND {
			if perr == nil && confirm != id {
				return nil, confirmError(id)
			}
			return er, perr
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if confirm != e.ID {
		return nil, confirmError(e.ID)
	}
	return s.erasure.Start(r.Context(), e.ID)
}

func confirmError(eventID string) error {
	return &retours.Error{Code: retours.EINVALID, Key: "erase.confirm", Args: []any{eventID},
		Fields: map[string]string{"confirm": retours.FieldRequired}}
}

// eraseEvent answers DELETE /api/events/{event}?confirm=<event>: it starts
// the erasure of the event and all its answers, notes and other items, and
// answers at once with its progress (202); asked again, it answers the
// progress. The request repeats the event id in ?confirm=, so that a stray
// DELETE cannot erase an event by accident.
func (s *Server) eraseEvent(w http.ResponseWriter, r *http.Request) error {
	er, err := s.startErasure(r, r.URL.Query().Get("confirm"))
	if err != nil {
		return err
	}
	writeErasure(w, r.PathValue("event"), er)
	return nil
}

// erasureProgress answers GET /api/events/{event}/erasure: the progress of
// the event's erasure, for its organisers, until it is over and for
// retours.ErasureKept after. 404 when the event is not being erased.
func (s *Server) erasureProgress(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("event")
	er, err := s.erasureOf(r, id)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		// No erasure: the event's own token says so, and no one else learns
		// anything.
		if _, eerr := s.organiserEvent(r); eerr != nil {
			return eerr
		}
	}
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, newErasureResponse(id, er))
	return nil
}

// erasureOf returns the erasure of the event, once the request's organiser
// token is checked against the one the erasure's record keeps.
func (s *Server) erasureOf(r *http.Request, eventID string) (*retours.Erasure, error) {
	if !retours.ValidID(eventID) {
		return nil, retours.NewError(retours.ENOTFOUND, "erasure.not_found")
	}
	er, err := s.erasure.Progress(r.Context(), eventID)
	if err != nil {
		return nil, err
	}
	if err := checkToken(r, er.CheckToken); err != nil {
		return nil, err
	}
	return er, nil
}

// checkToken checks the request's organiser token with check.
func checkToken(r *http.Request, check func(string) bool) error {
	tok := organiserToken(r)
	if tok == "" {
		return retours.NewError(retours.EUNAUTHORIZED, "organiser.token_missing")
	}
	if !check(tok) {
		return retours.NewError(retours.EFORBIDDEN, "organiser.token_forbidden")
	}
	return nil
}

// erasureView is the organisers' page of an event being erased, or erased:
// it reloads itself until the erasure is over.
type erasureView struct {
	web.Base
	Style   template.CSS
	Message string
}

// organisersErase answers the page's erase form (POST /o/{event}/erase,
// with the event id typed in confirm): the erasure starts, and the page
// follows it.
func (s *Server) organisersErase(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("event")
	follow := "/o/" + id + "?lang=" + web.RequestLang(r)
	e, err := s.organiserEvent(r)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		if _, perr := s.erasureOf(r, id); perr == nil {
			// Being erased already (a form sent twice): the page follows it.
			http.Redirect(w, r, follow, http.StatusSeeOther)
			return nil
		}
	}
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	if strings.TrimSpace(r.PostForm.Get("confirm")) != e.ID {
		lang := web.PageLang(r, e)
		err := confirmError(e.ID)
		return web.Reshow(err, func(w http.ResponseWriter, status int) error {
			return s.renderDashboard(w, r, e, lang, status, messages.T(lang, "erase.confirm_typed", e.ID))
		})
	}
	if _, err := s.erasure.Start(r.Context(), e.ID); err != nil {
		return err
	}
	http.Redirect(w, r, follow, http.StatusSeeOther)
	return nil
}

// renderErasure shows the erasure of an event that reads as gone, to its
// organisers; it returns err, the event's own error, to anyone else.
func (s *Server) renderErasure(w http.ResponseWriter, r *http.Request, eventID string, err error) error {
	er, perr := s.erasureOf(r, eventID)
	if perr != nil {
		return err
	}
	lang := web.RequestLang(r)
	v := &erasureView{Base: web.Base{Lang: lang, Title: messages.T(lang, "erasure.title"), Path: "/o/" + eventID},
		Style: template.CSS(organisersCSS)}
	items := messages.Plural(lang, "erasure.items", er.Items)
	if er.Done() {
		v.Message = messages.T(lang, "erasure.done", i18n.DateTime(lang, er.FinishedAt), i18n.Number(lang, float64(er.Items), 0), items)
	} else {
		v.Message = messages.T(lang, "erasure.running", i18n.DateTime(lang, er.StartedAt), i18n.Number(lang, float64(er.Items), 0), items)
		v.Refresh = pollEvery
	}
	return pages.Render(w, r, http.StatusOK, "organisers-erasure", v)
}
