package organiser

import (
	_ "embed"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// organisersCSS adds the organisers' page's tables and lists to the
// layout's stylesheet; it is allowed by its hash like the layout's (see
// Service).
//
//go:embed templates/organisers.css
var organisersCSS string

// maxPageTexts is the number of texts the organisers' page lists for
// moderation, newest first; the API lists them all.
const maxPageTexts = 300

// cookieMaxAge is how long a browser keeps the organiser token.
const cookieMaxAge = 30 * 24 * time.Hour

// loginView is the organisers' page without the event's token: a form to
// enter it.
type loginView struct {
	web.Base
	Style      template.CSS
	LoginError string
}

// dashboardView is the organisers' page: live counts, downloads, sessions
// with their QR codes and posters, and texts to moderate.
type dashboardView struct {
	web.Base
	Style   template.CSS
	Window  string
	Answers int
	Notes   int
	// ResponseRate is empty when the registered count is not known.
	ResponseRate string
	Downloads    []linkView
	Sessions     []sessionRow
	Texts        []textView
	More         string
}

type linkView struct{ Label, Href string }

// sessionRow is a line of the page's table of sessions: the event as a
// whole, then each session.
type sessionRow struct {
	Title, When, SurveyURL string
	Answers                string // a count, or "not shown" for small cells
	Poster, PNG, SVG       string
}

// organisersPage shows the login form, or, with the event's token, the
// event's live counts, downloads, sessions with their QR codes, and texts
// to moderate.
func (s *Server) organisersPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	lang := web.PageLang(r, e)
	tok := organiserToken(r)
	if tok == "" {
		return s.renderLogin(w, r, http.StatusOK, e, "")
	}
	if _, ok := e.AccessFor(tok); !ok {
		return s.renderLogin(w, r, http.StatusForbidden, e, messages.T(lang, "orga.login.wrong"))
	}
	return s.renderDashboard(w, r, e, lang)
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, problem string) error {
	return pages.Render(w, r, status, "organisers-login", &loginView{
		Base:  web.Base{Title: messages.T(web.PageLang(r, e), "orga.title"), Event: e, Path: "/o/" + e.ID},
		Style: template.CSS(organisersCSS), LoginError: problem,
	})
}

// renderDashboard renders the organisers' page from one pass over the
// event's answers and notes.
func (s *Server) renderDashboard(w http.ResponseWriter, r *http.Request, e *retours.Event, lang string) error {
	agg, texts, err := s.readEvent(r, e, lang)
	if err != nil {
		return err
	}
	b := agg.Bilan(s.cfg.Now())
	cov := agg.Coverage()
	v := &dashboardView{
		Base:  web.Base{Lang: lang, Title: messages.T(lang, "orga.title"), Event: e, Path: "/o/" + e.ID},
		Style: template.CSS(organisersCSS), Window: s.window(e, lang),
		Answers: cov.Answers, Notes: cov.Notes, ResponseRate: responseRate(b, lang),
		Downloads: downloads(e, lang), Sessions: s.sessionRows(r, e, b, lang),
	}
	v.Texts, v.More = pageTexts(texts, lang)
	return pages.Render(w, r, http.StatusOK, "organisers", v)
}

// window says whether answers are open, and until or from when.
func (s *Server) window(e *retours.Event, lang string) string {
	now := s.cfg.Now()
	opens, closes := e.Window("")
	switch {
	case now.Before(opens):
		return messages.T(lang, "orga.window.before", i18n.DateTime(lang, opens))
	case now.Before(closes):
		return messages.T(lang, "orga.window.open", i18n.DateTime(lang, closes))
	}
	return messages.T(lang, "orga.window.closed", i18n.DateTime(lang, closes))
}

// readEvent reads the event's answers and notes once: into the bilan's
// aggregation, for the live counts, and as the texts to moderate, with
// their question or note kind in words.
func (s *Server) readEvent(r *http.Request, e *retours.Event, lang string) (*bilan.Aggregator, []textView, error) {
	agg := bilan.New(e, lang)
	var texts []textView
	questions := map[string]string{}
	for _, q := range e.Questionnaire.Questions {
		if q.Kind.IsText() {
			questions[q.ID] = q.Label.In(lang)
		}
	}
	titles := sessionTitles(e)
	err := s.cfg.Answers.Answers(r.Context(), e.ID, func(a *retours.Answer) error {
		agg.AddAnswer(a)
		for id, val := range a.Values {
			if label, ok := questions[id]; ok && val.Text != "" {
				texts = append(texts, textView{Ref: textRef("answer", a.SubmissionID, id), Kind: "answer", Of: id, What: label,
					Session: titles[a.SessionID], Text: val.Text, Hidden: slices.Contains(a.Hidden, id), At: a.CreatedAt})
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	err = s.cfg.Answers.Notes(r.Context(), e.ID, func(n *retours.Note) error {
		agg.AddNote(n)
		texts = append(texts, textView{Ref: textRef("note", n.SubmissionID, ""), Kind: "note", Of: n.Kind,
			What:    messages.T(lang, "orga.note") + messages.T(lang, "punct.colon") + " " + messages.T(lang, "note."+n.Kind),
			Session: titles[n.SessionID], Text: n.Text, Hidden: n.Hidden, At: n.CreatedAt})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return agg, texts, nil
}

// responseRate is the bilan's response rate as people write it, or "" when
// the registered count is not known.
func responseRate(b *bilan.Bilan, lang string) string {
	if b.ResponseRate == nil {
		return ""
	}
	pct := strconv.Itoa(int(*b.ResponseRate*100 + 0.5))
	if lang == "en" {
		return pct + "%"
	}
	return pct + "\u00a0%"
}

// downloads lists the bilan in every format.
func downloads(e *retours.Event, lang string) []linkView {
	api := "/api/events/" + e.ID
	return []linkView{
		{messages.T(lang, "orga.dl.html"), api + "/bilan?format=html&lang=fr"},
		{messages.T(lang, "orga.dl.html.en"), api + "/bilan?format=html&lang=en"},
		{messages.T(lang, "orga.dl.xlsx"), api + "/bilan?format=xlsx&lang=" + lang},
		{messages.T(lang, "orga.dl.md"), api + "/bilan?format=md&lang=" + lang},
		{messages.T(lang, "orga.dl.csv"), api + "/bilan?format=csv"},
		{messages.T(lang, "orga.dl.csv.semicolon"), api + "/bilan?format=csv&sep=semicolon"},
		{messages.T(lang, "orga.dl.json"), api + "/bilan?format=json&lang=" + lang},
	}
}

// sessionRows lists the event as a whole, then each session, with its
// answers as the bilan shows them (none for a group too small), its
// questionnaire's address, its poster and QR codes.
func (s *Server) sessionRows(r *http.Request, e *retours.Event, b *bilan.Bilan, lang string) []sessionRow {
	counts := map[string]string{}
	for _, g := range b.Sessions {
		if g.Suppressed {
			counts[g.ID] = messages.T(lang, "orga.suppressed")
		} else {
			counts[g.ID] = strconv.Itoa(g.Answers)
		}
	}
	api := "/api/events/" + e.ID
	whole := sessionRow{Title: messages.T(lang, "orga.event.whole"), SurveyURL: s.surveyURL(r, e.ID, ""), Answers: counts[""],
		Poster: api + "/poster?lang=" + lang, PNG: api + "/qr.png", SVG: api + "/qr.svg"}
	if whole.Answers == "" {
		whole.Answers = "0"
	}
	rows := []sessionRow{whole}
	for _, ss := range e.Sessions {
		sp := api + "/sessions/" + ss.ID
		rows = append(rows, sessionRow{Title: ss.Title, When: i18n.DateTime(lang, ss.StartsAt), SurveyURL: s.surveyURL(r, e.ID, ss.ID),
			Answers: counts[ss.ID], Poster: sp + "/poster?lang=" + lang, PNG: sp + "/qr.png", SVG: sp + "/qr.svg"})
	}
	return rows
}

// pageTexts returns the newest texts the page lists, with their dates, and
// says how many older ones it leaves to the API.
func pageTexts(texts []textView, lang string) (shown []textView, more string) {
	sortTexts(texts)
	if len(texts) > maxPageTexts {
		more = messages.T(lang, "orga.texts.more", len(texts)-maxPageTexts)
		texts = texts[:maxPageTexts]
	}
	for i := range texts {
		texts[i].When = i18n.DateTime(lang, texts[i].At)
	}
	return texts, more
}

// organisersLogin checks the token typed in the form and keeps it in an
// HttpOnly cookie scoped to the event's page and API, so every organiser
// route accepts it and scripts cannot read it.
func (s *Server) organisersLogin(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	lang := web.PageLang(r, e)
	tok := strings.TrimSpace(r.PostForm.Get("token"))
	if tok == "" {
		return s.renderLogin(w, r, http.StatusUnauthorized, e, messages.T(lang, "orga.login.missing"))
	}
	if _, ok := e.AccessFor(tok); !ok {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "organiser login refused", slog.String("event", e.ID))
		return s.renderLogin(w, r, http.StatusForbidden, e, messages.T(lang, "orga.login.wrong"))
	}
	setOrganiserCookies(w, e.ID, tok, cookieMaxAge)
	http.Redirect(w, r, "/o/"+e.ID+"?lang="+lang, http.StatusSeeOther)
	return nil
}

// organisersLogout forgets the token in this browser.
func (s *Server) organisersLogout(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("event")
	if !retours.ValidID(id) {
		return retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	setOrganiserCookies(w, id, "", -1)
	http.Redirect(w, r, "/o/"+id+"?lang="+web.RequestLang(r), http.StatusSeeOther)
	return nil
}

// setOrganiserCookies sets the token cookie for the event's page and its
// API routes; a browser can thus hold the tokens of several events. A
// negative maxAge deletes them.
func setOrganiserCookies(w http.ResponseWriter, eventID, token string, maxAge time.Duration) {
	for _, path := range []string{"/o/" + eventID, "/api/events/" + eventID} {
		c := &http.Cookie{Name: organiserCookie, Value: token, Path: path, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
		if maxAge < 0 {
			c.MaxAge = -1
		} else {
			c.MaxAge = int(maxAge / time.Second)
		}
		http.SetCookie(w, c)
	}
}

// organisersHide hides or shows a text from the page's form.
func (s *Server) organisersHide(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	hidden := r.PostForm.Get("hidden")
	if hidden != "0" && hidden != "1" {
		return &retours.Error{Code: retours.EINVALID, Key: "text.hidden_form", Fields: map[string]string{"hidden": retours.FieldChoice}}
	}
	if err := s.setHidden(r, e, r.PathValue("ref"), hidden == "1"); err != nil {
		return err
	}
	http.Redirect(w, r, "/o/"+e.ID+"?"+url.Values{"lang": {web.PageLang(r, e)}}.Encode()+"#texts", http.StatusSeeOther)
	return nil
}
