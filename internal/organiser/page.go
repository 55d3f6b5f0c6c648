package organiser

import (
	_ "embed"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/suppress"
	"github.com/retours/retours/internal/web"
)

// organisersCSS adds the organisers' page's tables and lists to the
// layout's stylesheet; it is allowed by its hash like the layout's (see
// Service).
//
//go:embed templates/organisers.css
var organisersCSS string

// cookieMaxAge is how long a browser keeps the organiser token.
const cookieMaxAge = 30 * 24 * time.Hour

// loginView is the organisers' page without the event's token: a form to
// enter it.
type loginView struct {
	web.Base
	Style      template.CSS
	LoginError string
	// Notice says why the person is signed out, Next where the form leads
	// once signed in.
	Notice, Next string
}

// dashboardView is the organisers' page: live counts, downloads, sessions
// with their QR codes and posters, and texts to moderate.
type dashboardView struct {
	web.Base
	Style   template.CSS
	Nav     []navItem
	Window  string
	Answers int
	Notes   int
	// ResponseRate is empty when the registered count is not known.
	ResponseRate string
	Downloads    []linkView
	Sessions     []sessionRow
	// Texts is one page of the texts to moderate (see readTexts); TextsPage
	// its cursor, which the hide and show buttons keep so that the page
	// comes back to it; NextTexts and FirstTexts link to the next page and
	// back to the first, when there are.
	Texts                            []textView
	TextsPage, NextTexts, FirstTexts string
	// EraseError says why the erase form was refused.
	EraseError string
}

type linkView struct{ Label, Href string }

// sessionRow is a line of the page's table of sessions: the event as a
// whole, then each session.
type sessionRow struct {
	Title, When, SurveyURL string
	Answers                string // a count, or "not shown" for small cells
	Poster, PNG, SVG       string
	Paper                  string // the paper questionnaire; "" for a cancelled session
}

// organisersPage shows the login form, or, with the event's token, the
// event's live counts, downloads, sessions with their QR codes, and texts
// to moderate.
func (s *Server) organisersPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return s.renderErasure(w, r, r.PathValue("event"), err)
	}
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
	if next := organiserNext(r.URL.Query().Get("next"), e.ID); next != "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.renderDashboard(w, r, e, lang, http.StatusOK, "")
}

// renderLogin renders the login form, which leads, once signed in, to the
// page of the event asked for in ?next= (or the form's next).
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, problem string) error {
	lang := web.PageLang(r, e)
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostForm.Get("next")
	}
	v := &loginView{
		Base:  web.Base{Title: messages.T(lang, "orga.title"), Event: e, Path: "/o/" + e.ID},
		Style: template.CSS(organisersCSS), LoginError: problem, Next: organiserNext(next, e.ID),
	}
	if r.URL.Query().Get("revoked") == "1" {
		v.Notice = messages.T(lang, "orga.login.revoked")
	}
	return pages.Render(w, r, status, "organisers-login", v)
}

// renderDashboard renders the organisers' page with reads that do not grow
// with the event: its activity (one item) for the counts, and one page of
// texts. eraseProblem is what the erase form's confirmation lacked.
func (s *Server) renderDashboard(w http.ResponseWriter, r *http.Request, e *retours.Event, lang string, status int, eraseProblem string) error {
	ctx := r.Context()
	act, err := s.cfg.Changes.Activity(ctx, e.ID)
	if err != nil {
		return err
	}
	cur, ok := parseTextCursor(r.URL.Query().Get("texts"))
	if !ok {
		cur = textCursor{} // a stale or mangled link: the first page
	}
	texts, next, err := s.readTexts(ctx, e, cur, pageTexts)
	if err != nil {
		return err
	}
	describeTexts(texts, e, lang)
	v := &dashboardView{
		Base:  web.Base{Lang: lang, Title: messages.T(lang, "orga.title"), Event: e, Path: "/o/" + e.ID},
		Style: template.CSS(organisersCSS), Nav: organiserNav(e, lang, "home"), Window: s.window(e, lang),
		Answers: act.Answers, Notes: act.Notes, ResponseRate: responseRate(e, act.Answers, lang),
		Downloads: downloads(e, lang), Sessions: s.sessionRows(r, e, act, lang),
		Texts: texts, TextsPage: cur.String(), EraseError: eraseProblem,
	}
	page := "/o/" + e.ID + "?lang=" + lang
	if next != "" {
		v.NextTexts = page + "&texts=" + next + "#texts"
	}
	if v.TextsPage != "" {
		v.FirstTexts = page + "#texts"
	}
	return pages.Render(w, r, status, "organisers", v)
}

// describeTexts says what each text answers, in words, and when it came.
func describeTexts(texts []textView, e *retours.Event, lang string) {
	questions := map[string]string{}
	for _, q := range e.Questionnaire.Questions {
		questions[q.ID] = q.Label.In(lang)
	}
	for i, t := range texts {
		if t.Kind == "note" {
			texts[i].What = messages.T(lang, "orga.note") + messages.T(lang, "punct.colon") + " " + messages.T(lang, "note."+t.Of)
		} else {
			texts[i].What = questions[t.Of]
		}
		texts[i].When = i18n.DateTime(lang, t.At)
	}
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

// responseRate is the answers over the registered count as people write
// it, or "" when the registered count is not known.
func responseRate(e *retours.Event, answers int, lang string) string {
	if e.RegisteredCount <= 0 {
		return ""
	}
	pct := strconv.Itoa(int(float64(answers)/float64(e.RegisteredCount)*100 + 0.5))
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
// answers as the activity counts them, hidden as the bilan hides a small
// group ("not shown"), its questionnaire's address, its poster and QR
// codes.
func (s *Server) sessionRows(r *http.Request, e *retours.Event, act *retours.Activity, lang string) []sessionRow {
	ids := []string{""}
	for _, ss := range e.Sessions {
		ids = append(ids, ss.ID)
	}
	counts := make([][]int, len(ids))
	for i, id := range ids {
		counts[i] = []int{act.Sessions[id]}
	}
	// One column: each session's count is its row's total; the event's
	// total is shown above the table.
	tab := suppress.New(e.AnonymityThreshold, counts)
	tab.Fix(suppress.Figure{Row: suppress.Total, Col: suppress.Total}, suppress.Shown)
	tab.Fix(suppress.Figure{Row: suppress.Total, Col: 0}, suppress.Shown)
	tab.CellsFollowRows()
	tab.Solve()
	count := func(i int) string {
		if tab.Failed() || !tab.Shown(suppress.Figure{Row: i, Col: suppress.Total}) {
			return messages.T(lang, "orga.suppressed")
		}
		return strconv.Itoa(counts[i][0])
	}
	api := "/api/events/" + e.ID
	rows := []sessionRow{{Title: messages.T(lang, "orga.event.whole"), SurveyURL: s.surveyURL(r, e.ID, ""), Answers: count(0),
		Poster: api + "/poster?lang=" + lang, PNG: api + "/qr.png", SVG: api + "/qr.svg", Paper: api + "/paper?lang=" + lang}}
	for i, ss := range e.Sessions {
		sp := api + "/sessions/" + ss.ID
		row := sessionRow{Title: ss.Title, When: i18n.DateTime(lang, ss.StartsAt), SurveyURL: s.surveyURL(r, e.ID, ss.ID),
			Answers: count(i + 1), Poster: sp + "/poster?lang=" + lang, PNG: sp + "/qr.png", SVG: sp + "/qr.svg"}
		if !ss.Cancelled {
			row.Paper = sp + "/paper?lang=" + lang
		}
		rows = append(rows, row)
	}
	return rows
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
	// A client that typed too many wrong tokens for the event waits for
	// the end of its window, whatever it types now.
	if l := s.cfg.Limiter; l != nil {
		if err := l.Over(r, web.LimitLogin, e.ID); err != nil {
			return err
		}
	}
	if _, ok := e.AccessFor(tok); !ok {
		if err := s.wrongToken(r, e.ID); err != nil {
			return err
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "organiser login refused", slog.String("event", e.ID))
		return s.renderLogin(w, r, http.StatusForbidden, e, messages.T(lang, "orga.login.wrong"))
	}
	setOrganiserCookies(w, e.ID, tok, cookieMaxAge)
	to := organiserNext(r.PostForm.Get("next"), e.ID)
	if to == "" {
		to = "/o/" + e.ID + "?lang=" + lang
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
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
	web.SetCookies(w, organiserCookie, token, maxAge, "/o/"+eventID, "/api/events/"+eventID)
}

// organisersHide hides or shows a text from the page's form.
func (s *Server) organisersHide(w http.ResponseWriter, r *http.Request) error {
	return s.moderateForm(w, r, "hidden", &retours.Error{Code: retours.EINVALID, Key: "text.hidden_form", Fields: map[string]string{"hidden": retours.FieldChoice}}, s.setHidden)
}

// organisersWall approves a note for the closing wall, or withdraws it,
// from the page's form.
func (s *Server) organisersWall(w http.ResponseWriter, r *http.Request) error {
	return s.moderateForm(w, r, "on", &retours.Error{Code: retours.EINVALID, Key: "wall.form", Fields: map[string]string{"on": retours.FieldChoice}}, s.setOnWall)
}

// moderateForm applies the page's moderation form whose field is "1" or
// "0" to the text of the path's ref, and goes back to the texts; any other
// value of the field is invalid.
func (s *Server) moderateForm(w http.ResponseWriter, r *http.Request, field string, invalid *retours.Error, apply func(*http.Request, *retours.Event, string, bool) error) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	v := r.PostForm.Get(field)
	if v != "0" && v != "1" {
		return invalid
	}
	if err := apply(r, e, r.PathValue("ref"), v == "1"); err != nil {
		return err
	}
	back := url.Values{"lang": {web.PageLang(r, e)}}
	if cur, ok := parseTextCursor(r.PostForm.Get("texts")); ok && cur.String() != "" {
		back.Set("texts", cur.String())
	}
	http.Redirect(w, r, "/o/"+e.ID+"?"+back.Encode()+"#texts", http.StatusSeeOther)
	return nil
}
