package organiser

import (
	_ "embed"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/qr"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// posterCSS lays out the A4 poster; inlined and allowed by its hash (see
// Service).
//
//go:embed templates/poster.css
var posterCSS string

// PNG sizes organisers may ask for with ?size=, in pixels.
const (
	defaultQRSize = 1024
	minQRSize     = 64
)

// qrTarget is what a QR code or poster points to: an event's page, or one
// of its sessions' questionnaire.
type qrTarget struct {
	Event   *retours.Event
	Session *retours.Session
	URL     string
	code    *qr.Code
}

// qrTarget checks the organiser's token and encodes the survey URL of the
// event, or of the session named in the path.
func (s *Server) qrTarget(r *http.Request) (*qrTarget, error) {
	e, err := s.organiserEvent(r)
	if err != nil {
		return nil, err
	}
	t := &qrTarget{Event: e}
	sessionID := ""
	if id := r.PathValue("session"); id != "" {
		ss, ok := e.Session(id)
		if !ok {
			return nil, retours.NewError(retours.ENOTFOUND, "session.not_found")
		}
		t.Session, sessionID = ss, ss.ID
	}
	t.URL = s.surveyURL(r, e.ID, sessionID)
	if t.code, err = qr.New(t.URL); err != nil {
		return nil, err
	}
	return t, nil
}

// filename names a downloaded QR code after its event and session.
func (t *qrTarget) filename(ext string) string {
	name := "retours-" + t.Event.ID
	if t.Session != nil {
		name += "-" + t.Session.ID
	}
	return name + "." + ext
}

func (s *Server) qrPNG(w http.ResponseWriter, r *http.Request) error {
	size := defaultQRSize
	if v := r.URL.Query().Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < minQRSize || n > qr.MaxPNGSize {
			return &retours.Error{Code: retours.EINVALID,
				Key: "qr.size", Args: []any{minQRSize, qr.MaxPNGSize},
				Fields: map[string]string{"size": retours.FieldRange}}
		}
		size = n
	}
	t, err := s.qrTarget(r)
	if err != nil {
		return err
	}
	data, err := t.code.PNG(size)
	if err != nil {
		return err
	}
	writeQR(w, "image/png", t.filename("png"), data)
	return nil
}

func (s *Server) qrSVG(w http.ResponseWriter, r *http.Request) error {
	t, err := s.qrTarget(r)
	if err != nil {
		return err
	}
	writeQR(w, "image/svg+xml", t.filename("svg"), t.code.SVG())
	return nil
}

func writeQR(w http.ResponseWriter, contentType, filename string, data []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `inline; filename="`+filename+`"`)
	// The organiser's token guards it: no shared cache may keep it.
	h.Set("Cache-Control", "private, max-age=3600")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// posterView is the poster, a document of its own.
type posterView struct {
	web.Base
	Session  *retours.Session
	When     string
	SVG      template.HTML
	ShortURL string
	Other    bool // the questionnaire is offered in the other language too
}

// poster renders an A4 page to print: the event, the session, the QR code
// and, under it, the address to type for those who cannot scan.
func (s *Server) poster(w http.ResponseWriter, r *http.Request) error {
	t, err := s.qrTarget(r)
	if err != nil {
		return err
	}
	lang := web.PageLang(r, t.Event)
	p := &posterView{Base: web.Base{Lang: lang, Title: t.Event.Title, CSS: template.CSS(posterCSS), Event: t.Event},
		Session: t.Session, When: i18n.Date(lang, t.Event.StartsAt),
		SVG: template.HTML(t.code.SVG()), ShortURL: strings.TrimPrefix(t.URL, "https://")}
	p.Other = slices.Contains(t.Event.Languages, messages.T(lang, "lang.switch.code"))
	if t.Session != nil {
		p.Title = t.Session.Title
		p.When = i18n.DateTime(lang, t.Session.StartsAt)
	}
	return writeDocument(w, "poster", p, lang, "private, no-cache")
}

// writeDocument renders the document name, a page of its own in lang, and
// writes it with cacheControl.
func writeDocument(w http.ResponseWriter, name string, v web.View, lang, cacheControl string) error {
	page, err := pages.Document(name, v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cacheControl)
	h.Set("Content-Language", lang)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(page)
	return err
}
