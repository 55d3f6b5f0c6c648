package organiser

import (
	"bytes"
	_ "embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// paperCSS lays out the paper questionnaire on A4 sheets; inlined and
// allowed by its hash (see Service).
//
//go:embed templates/paper.css
var paperCSS string

// defaultCopies is the number of sheets a print gives when the organiser
// does not say: each sheet has its own number, so sheets are printed, not
// photocopied.
const defaultCopies = 30

// paperView is the paper questionnaire: as many numbered copies of the
// sheet as asked for, a document of its own.
type paperView struct {
	web.Base
	Session *retours.Session
	When    string
	Large   bool
	Copies  int
	Series  int
	Sheets  []string
	// First and Last are the run's first and last sheet numbers.
	First, Last string
	Questions   []paperQuestion
	// QR is the code's drawing, defined once and used by every sheet.
	QR       template.HTML
	QRBox    string
	ShortURL string
	// Here is the print's own address, without its query.
	Here       string
	CopiesMax  int
	OtherLang  string
	OtherLabel string
}

// paperQuestion is one question as printed: boxes to tick, or ruled lines.
type paperQuestion struct {
	Label, Help string
	Scale       bool // numbered boxes in a row
	Many        bool // several boxes may be ticked
	Boxes       []string
	Lines       []int
}

// paper renders the printable questionnaire of the event or of the session
// named in the path: ?copies= numbered sheets (defaultCopies), ?large=1
// for large print, ?series= to print a run again with the same numbers.
func (s *Server) paper(w http.ResponseWriter, r *http.Request) error {
	t, err := s.qrTarget(r)
	if err != nil {
		return err
	}
	if t.Session != nil && t.Session.Cancelled {
		return retours.NewError(retours.ECLOSED, "session.cancelled")
	}
	q := r.URL.Query()
	copies, ok := queryInt(q.Get("copies"), defaultCopies, 1, retours.MaxSheetCopies)
	if !ok {
		return &retours.Error{Code: retours.EINVALID, Key: "paper.copies", Args: []any{1, retours.MaxSheetCopies}, Fields: map[string]string{"copies": retours.FieldRange}}
	}
	series, ok := queryInt(q.Get("series"), 0, 1000, 9999)
	if !ok {
		return &retours.Error{Code: retours.EINVALID, Key: "paper.series", Args: []any{1000, 9999}, Fields: map[string]string{"series": retours.FieldRange}}
	}
	if series == 0 {
		if series, err = retours.NewSheetSeries(s.cfg.Rand); err != nil {
			return err
		}
	}
	lang := web.PageLang(r, t.Event)
	p := &paperView{Base: web.Base{Lang: lang, Title: t.Event.Title, CSS: template.CSS(paperCSS), Event: t.Event},
		Session: t.Session, When: i18n.Date(lang, t.Event.StartsAt), Large: q.Get("large") == "1",
		Copies: copies, Series: series, CopiesMax: retours.MaxSheetCopies,
		ShortURL: strings.TrimPrefix(strings.TrimPrefix(t.URL, "https://"), "http://"), Here: r.URL.Path,
		Questions: paperQuestions(t.Event, lang)}
	if t.Session != nil {
		p.Title = t.Session.Title
		p.When = i18n.DateTime(lang, t.Session.StartsAt)
	}
	for i := 1; i <= copies; i++ {
		p.Sheets = append(p.Sheets, retours.SheetNumber(series, i))
	}
	p.First, p.Last = p.Sheets[0], p.Sheets[len(p.Sheets)-1]
	if other := messages.T(lang, "lang.switch.code"); containsLang(t.Event, other) {
		p.OtherLang, p.OtherLabel = other, messages.T(lang, "lang.switch")
	}
	p.QR, p.QRBox = qrSymbol(t.code.SVG())
	page, err := pages.Document("paper", p)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Language", lang)
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(page)
	return err
}

func containsLang(e *retours.Event, lang string) bool {
	for _, l := range e.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// queryInt reads an integer query parameter between lo and hi, def when
// it is empty; false when it is neither.
func queryInt(v string, def, lo, hi int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= lo && n <= hi
}

// paperQuestions lists the questions asked, as printed in lang.
func paperQuestions(e *retours.Event, lang string) []paperQuestion {
	var out []paperQuestion
	for _, q := range e.Questionnaire.Questions {
		if q.Retired {
			continue
		}
		v := paperQuestion{Label: q.Label.In(lang), Help: q.Help.In(lang), Many: q.Kind.AllowsMany()}
		switch {
		case q.Kind.IsScale():
			v.Scale = true
			lo, hi := q.Scale()
			for n := lo; n <= hi; n++ {
				v.Boxes = append(v.Boxes, strconv.Itoa(n))
			}
		case q.Kind.HasChoices():
			for _, c := range q.Choices {
				v.Boxes = append(v.Boxes, c.Label.In(lang))
			}
		case q.Kind.IsText():
			lines := 3
			if q.TextLimit() > 1000 {
				lines = 4
			}
			v.Lines = make([]int, lines)
		}
		out = append(out, v)
	}
	return out
}

// qrSymbol turns a QR code's SVG document into a symbol that every sheet
// uses, so that 500 sheets carry one drawing, and returns its view box.
func qrSymbol(svg []byte) (template.HTML, string) {
	start := bytes.IndexByte(svg, '>') + 1
	end := bytes.LastIndex(svg, []byte("</svg>"))
	box := ""
	if i := bytes.Index(svg, []byte(`viewBox="`)); i >= 0 {
		rest := svg[i+len(`viewBox="`):]
		box = string(rest[:bytes.IndexByte(rest, '"')])
	}
	inner := svg[start:end]
	// The title names the code once, on each sheet's use of it.
	if i, j := bytes.Index(inner, []byte("<title>")), bytes.Index(inner, []byte("</title>")); i >= 0 && j > i {
		inner = append(append([]byte{}, inner[:i]...), inner[j+len("</title>"):]...)
	}
	return template.HTML(`<symbol id="qr" viewBox="` + box + `">` + string(inner) + `</symbol>`), box
}
