package organiser

import (
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// wallCSS lays out the closing wall, a document of its own, in large type
// and high contrast; inlined and allowed by its hash (see Service).
//
//go:embed templates/wall.css
var wallCSS string

// The wall shows a page of notes at a time and moves to the next at each
// refresh: the whole screen is readable from the back of a room at
// 1280×720 with wallNotesPerPage notes of at most wallNoteRunes.
const (
	wallNotesPerPage = 3
	wallNoteRunes    = 280
	wallThemes       = 6
	// DefaultWallRefresh is how often the wall reloads itself.
	DefaultWallRefresh = 10 * time.Second
)

// wallView is the closing wall.
type wallView struct {
	web.Base
	// Refresh is the address the next refresh loads; Paused says that the
	// wall stays on this page, and Pause is the link that pauses or resumes.
	Refresh      string
	Paused       bool
	Pause        string
	Answers      int
	Satisfaction string // "4,2 / 5", "" when not shown
	Themes       []string
	Notes        []wallNoteView
	Updated      string
}

// wallNoteView is a note on the wall; Lang, the language it was written in,
// when it is not the wall's.
type wallNoteView struct{ Kind, Text, Lang string }

// wallPage answers GET /o/{event}/mur: the wall, for organisers, on their
// own computer or the room's.
func (s *Server) wallPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	return s.renderWall(w, r, e, "/o/"+e.ID+"/mur")
}

// wallLink answers GET /mur/{event}/{token}: the wall through a read-only
// link for the room's computer, which shows the wall and nothing else. An
// unknown or revoked link is not found, like an unknown event.
func (s *Server) wallLink(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	if _, ok := e.RoleAccessFor(r.PathValue("token"), retours.RoleWall); !ok {
		return retours.NewError(retours.ENOTFOUND, "wall.link_not_found")
	}
	return s.renderWall(w, r, e, r.URL.Path)
}

// renderWall reads what the wall shows without reading the event's answers:
// the counts from the activity, the satisfaction and themes from the stored
// snapshot, and one page of approved notes from a bounded query; then the
// page refreshes onto the next page of notes, unless paused (?pause=1).
func (s *Server) renderWall(w http.ResponseWriter, r *http.Request, e *retours.Event, path string) error {
	ctx := r.Context()
	lang := web.PageLang(r, e)
	after := r.URL.Query().Get("apres")
	act, err := s.cfg.Changes.Activity(ctx, e.ID)
	if err != nil {
		return err
	}
	notes, next, err := s.cfg.Wall.WallNotes(ctx, e.ID, after, wallNotesPerPage)
	if retours.ErrorCode(err) == retours.EINVALID {
		// A cursor from an old link: start again from the newest.
		notes, next, err = s.cfg.Wall.WallNotes(ctx, e.ID, "", wallNotesPerPage)
	}
	if err != nil {
		return err
	}
	v := &wallView{
		Base:    web.Base{Lang: lang, Title: e.Title, CSS: template.CSS(wallCSS), Event: e},
		Answers: act.Answers, Updated: i18n.Clock(s.cfg.Now()),
	}
	if b, err := s.wallBilan(r, e, lang); err != nil {
		return err
	} else if b != nil {
		v.Satisfaction = satisfaction(e, b, lang)
		for _, t := range b.Themes[:min(len(b.Themes), wallThemes)] {
			v.Themes = append(v.Themes, t.Label)
		}
	}
	for _, n := range notes {
		nv := wallNoteView{Kind: messages.T(lang, "note."+n.Kind), Text: clip(n.Text, wallNoteRunes)}
		if n.Lang != lang {
			nv.Lang = n.Lang
		}
		v.Notes = append(v.Notes, nv)
	}
	q := url.Values{"lang": {lang}}
	if next != "" {
		q.Set("apres", next)
	}
	v.Refresh = path + "?" + q.Encode()
	v.Paused = r.URL.Query().Get("pause") == "1"
	here := url.Values{"lang": {lang}}
	if after != "" {
		here.Set("apres", after)
	}
	if !v.Paused {
		here.Set("pause", "1")
	}
	v.Pause = path + "?" + here.Encode()
	if !v.Paused {
		// The header, rather than a <meta> element, so that the page
		// itself keeps no timed refresh that a reader could not stop: the
		// wall's pause link stops it (WCAG 2.2.1, 2.2.2).
		w.Header().Set("Refresh", strconv.Itoa(int(max(s.cfg.WallRefresh, time.Second)/time.Second))+"; url="+v.Refresh)
	}
	return writeDocument(w, "wall", v, lang, "no-store")
}

// wallBilan returns the event's stored snapshot in lang, or in another
// language (figures and themes do not depend on it), or nil when none is
// stored yet: the wall never computes the bilan.
func (s *Server) wallBilan(r *http.Request, e *retours.Event, lang string) (*bilan.Bilan, error) {
	langs := []string{lang}
	for _, l := range e.Languages {
		if l != lang {
			langs = append(langs, l)
		}
	}
	for _, l := range langs {
		snap, err := s.cfg.Snapshots.Snapshot(r.Context(), e.ID, l)
		switch retours.ErrorCode(err) {
		case "":
			if b, err := bilan.ReadJSON(snap.Data); err == nil && b.Version == bilan.Version {
				return b, nil
			}
		case retours.ENOTFOUND:
		default:
			return nil, err
		}
	}
	return nil, nil
}

// satisfaction is the event's mean satisfaction as the bilan publishes it
// ("4,2 / 5"), or "" when it shows none (too few answers, or no such
// question).
func satisfaction(e *retours.Event, b *bilan.Bilan, lang string) string {
	q, ok := e.Questionnaire.ByRole(retours.RoleSatisfaction)
	if !ok || b.Suppressed {
		return ""
	}
	for _, qs := range b.Questions {
		if qs.ID == q.ID && qs.Mean != nil {
			_, hi := q.Scale()
			return i18n.Number(lang, *qs.Mean, 1) + "\u00a0/\u00a0" + strconv.Itoa(hi)
		}
	}
	return ""
}

// clip cuts text to at most n runes, at a space when it can, with an
// ellipsis.
func clip(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n]
	for i := len(r) - 1; i > n*3/4; i-- {
		if r[i] == ' ' {
			r = r[:i]
			break
		}
	}
	return string(r) + "…"
}
