package organiser

import (
	"bytes"
	"net/http"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
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
		h.Set("Content-Security-Policy", web.CSP(bilan.HTMLStyle))
	}
	if format != "json" && format != "html" {
		h.Set("Content-Disposition", `attachment; filename="`+name+"."+ft[1]+`"`)
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}
