package organiser

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// shareView is a share as the API lists it: its link appears only when it
// is created, since only its token's hash is stored.
type shareView struct {
	retours.Share
	SessionTitle string `json:"session_title"`
	URL          string `json:"url,omitempty"`
}

// listShares answers GET /api/events/{event}/shares.
func (s *Server) listShares(w http.ResponseWriter, r *http.Request) error {
	e, _, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	shares, err := s.cfg.Shares.Shares(r.Context(), e.ID)
	if err != nil {
		return err
	}
	titles := sessionTitles(e)
	out := []shareView{}
	for _, sh := range shares {
		out = append(out, shareView{Share: sh, SessionTitle: titles[sh.SessionID]})
	}
	web.WriteJSON(w, http.StatusOK, struct {
		Shares []shareView `json:"shares"`
	}{out})
	return nil
}

// createShare answers POST /api/events/{event}/sessions/{session}/shares: a
// read-only link to the session's results, to hand to its speaker, shown
// once.
func (s *Server) createShare(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	sh, url, err := s.share(r, e, actor, r.PathValue("session"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, shareView{Share: *sh, SessionTitle: sessionTitles(e)[sh.SessionID], URL: url})
	return nil
}

// share creates a share of the session of e, made by actor, and returns it
// with its link, which appears only here.
func (s *Server) share(r *http.Request, e *retours.Event, actor retours.Actor, sessionID string) (*retours.Share, string, error) {
	now := s.cfg.Now()
	sh, token, err := retours.NewShare(e, sessionID, s.cfg.Rand, actor.ID(), now)
	if err != nil {
		return nil, "", err
	}
	if err := s.cfg.Shares.CreateShare(r.Context(), e, sh, actor.Edit(retours.ActionShareCreated, now, 0, sh.ID)); err != nil {
		return nil, "", err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "session shared", slog.String("event", e.ID), slog.String("share", sh.ID), slog.String("by", actor.ID()))
	return sh, s.baseURL(r) + "/s/" + e.ID + "/" + token, nil
}

// revokeShare answers DELETE /api/events/{event}/shares/{share}: the link
// stops working at once.
func (s *Server) revokeShare(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	id := r.PathValue("share")
	if err := s.cfg.Shares.RevokeShare(r.Context(), e, id, actor.Edit(retours.ActionShareRevoked, s.cfg.Now(), 0, id)); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, struct {
		ID      string `json:"id"`
		Revoked bool   `json:"revoked"`
	}{id, true})
	return nil
}

// sharedSession answers GET /s/{event}/{token}, the link a speaker was
// given: the session's results as the bilan shows them
// (bilan.SessionReport), read afresh, in the reader's language. An unknown
// or revoked link is a 404 that says so.
func (s *Server) sharedSession(w http.ResponseWriter, r *http.Request) error {
	notFound := retours.NewError(retours.ENOTFOUND, "share.not_found")
	token := r.PathValue("token")
	if !strings.HasPrefix(token, "rts_") || len(token) > 64 {
		return notFound
	}
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return notFound
	}
	if err != nil {
		return err
	}
	sh, err := s.cfg.Shares.ShareByHash(r.Context(), e.ID, retours.HashToken(token))
	if err != nil {
		return err
	}
	// The link is the credential: it must not travel on as a Referer.
	w.Header().Set("Referrer-Policy", "no-referrer")
	lang := web.PageLang(r, e)
	req := download.Request{Format: download.Session, Session: sh.SessionID, Lang: lang, Page: web.WantsPage(r)}
	if o := messages.T(lang, "lang.switch.code"); req.Page && slices.Contains(e.Languages, o) {
		req.OtherLang = o
	}
	if id := r.URL.Query().Get("job"); id != "" {
		return s.sharedJob(w, r, e, req, id)
	}
	f, err := s.renderer().Render(r.Context(), s.bilanStore(), e, req, s.cfg.Now())
	if errors.Is(err, download.ErrLarge) {
		// Too many answers to read within the request: the report is
		// prepared outside it, and this link with ?job= follows it.
		// The prepared page is handed out from elsewhere: no link to this
		// page in the other language, which would lead there.
		req.OtherLang = ""
		job, err := download.NewJob(s.cfg.Rand, s.cfg.Now(), e.ID, req)
		if err != nil {
			return err
		}
		if err := s.cfg.Jobs.Start(r.Context(), job); err != nil {
			return err
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "session report job started", slog.String("event", e.ID))
		started, _ := download.JobStarted(job.ID)
		return s.preparingAt(w, r, e, r.URL.Path+"?job="+job.ID, started)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	if req.Page {
		// The page inlines the bilan's stylesheet, allowed by its hash.
		w.Header().Set("Content-Security-Policy", web.CSP(bilan.HTMLStyle))
		w.Header().Set("Content-Language", lang)
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(f.Body)
	return err
}

// sharedJob answers GET /s/{event}/{token}?job=…: a redirect (303) to the
// session's report once the job has written it, else 202. The job's file is
// looked for under the share's session only.
func (s *Server) sharedJob(w http.ResponseWriter, r *http.Request, e *retours.Event, req download.Request, id string) error {
	return s.followJob(w, r, id, func(id string) string { return download.SessionKey(e.ID, req.Session, id) }, func(started time.Time) error {
		return s.preparingAt(w, r, e, r.URL.Path+"?job="+id, started)
	})
}
