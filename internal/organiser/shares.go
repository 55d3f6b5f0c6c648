package organiser

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/retours/retours/internal/bilan"
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
	now := s.cfg.Now()
	sh, token, err := retours.NewShare(e, r.PathValue("session"), s.cfg.Rand, actor.ID(), now)
	if err != nil {
		return err
	}
	if err := s.cfg.Shares.CreateShare(r.Context(), e, sh, actor.Edit(retours.ActionShareCreated, now, 0, sh.ID)); err != nil {
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "session shared", slog.String("event", e.ID), slog.String("share", sh.ID), slog.String("by", actor.ID()))
	web.WriteJSON(w, http.StatusCreated, shareView{Share: *sh, SessionTitle: sessionTitles(e)[sh.SessionID],
		URL: s.baseURL(r) + "/s/" + e.ID + "/" + token})
	return nil
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
	report, err := bilan.ReportSession(r.Context(), s.cfg.Answers, e, sh.SessionID, web.PageLang(r, e), s.cfg.Now())
	if err != nil {
		return err
	}
	// The link is the credential: it must not travel on as a Referer.
	w.Header().Set("Referrer-Policy", "no-referrer")
	web.WriteJSON(w, http.StatusOK, report)
	return nil
}
