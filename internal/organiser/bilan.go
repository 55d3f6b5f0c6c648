package organiser

import (
	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/retours"
	"net/http"
)

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

// getBilan serves the bilan in each format (see serveDownload). The
// aggregate formats come from the stored snapshot when it covers every
// answer, else are computed; the X-Retours-Bilan header says which
// ("snapshot" or "computed"). The CSV and the XLSX answers sheet are raw
// answers, always read afresh ("raw").
func (s *Server) getBilan(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	req := download.Request{Format: q.Get("format"), Lang: q.Get("lang"), Semicolon: q.Get("sep") == "semicolon"}
	if req.Format == "" {
		req.Format = download.JSON
	}
	if !retours.IsLanguage(req.Lang) {
		req.Lang = retours.Languages[0]
	}
	st := s.bilanStore()
	var (
		e   *retours.Event
		err error
	)
	sr, ok := s.cfg.Events.(bilan.StartReader)
	if id := r.PathValue("event"); ok && req.Format != download.CSV && retours.ValidID(id) && organiserToken(r) != "" {
		// The snapshot and the activity are read with the event, for the
		// token: one round trip to the database instead of two.
		var (
			snap *retours.Snapshot
			act  *retours.Activity
		)
		if e, snap, act, err = sr.BilanStart(r.Context(), id, req.Lang); err == nil {
			e, _, err = s.authoriseEvent(r, e, false)
			st = bilan.Read(st, id, req.Lang, snap, act)
		}
	} else {
		e, err = s.organiserEvent(r)
	}
	if err != nil {
		return err
	}
	if !download.IsBilanFormat(req.Format) {
		return &retours.Error{Code: retours.EINVALID, Key: "bilan.format", Fields: map[string]string{"format": retours.FieldChoice}}
	}
	return s.serveDownloadFrom(w, r, st, e, req)
}
