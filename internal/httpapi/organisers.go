package httpapi

import (
	_ "embed"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
)

// organisersCSS adds the organisers' page's tables and lists to
// survey.css; it is allowed by its hash like survey.css (see csp.go).
//
//go:embed templates/organisers.css
var organisersCSS string

// maxPageTexts is the number of texts the organisers' page lists for
// moderation, newest first; the API lists them all.
const maxPageTexts = 300

// cookieMaxAge is how long a browser keeps the organiser token.
const cookieMaxAge = 30 * 24 * time.Hour

// orgaView is what the organisers' page shows.
type orgaView struct {
	CSS        template.CSS
	LoginError string
	Window     string
	Answers    int
	Notes      int
	// ResponseRate is empty when the registered count is not known.
	ResponseRate string
	Downloads    []linkView
	Sessions     []orgaSession
	Texts        []textView
	More         string
}

type linkView struct{ Label, Href string }

type orgaSession struct {
	Title, When, SurveyURL string
	Answers                string // a count, or "fewer than N" for small cells
	Poster, PNG, SVG       string
}

// textView is a note or a free-text answer as listed for moderation.
type textView struct {
	Ref     string    `json:"ref"`
	Kind    string    `json:"kind"` // "note" or "answer"
	Of      string    `json:"of"`   // the note's kind, or the answer's question id
	Session string    `json:"session,omitempty"`
	Text    string    `json:"text"`
	Hidden  bool      `json:"hidden"`
	At      time.Time `json:"created_at"`
	What    string    `json:"-"` // the note kind or question, in words
	When    string    `json:"-"`
}

// textRef is the opaque reference of a text in URLs: "n.<submission>" for a
// note, "a.<submission>.<question>" for a text answer.
func textRef(kind, submission, question string) string {
	if kind == "note" {
		return "n." + submission
	}
	return "a." + submission + "." + question
}

func parseTextRef(ref string) (retours.TextRef, bool) {
	parts := strings.Split(ref, ".")
	switch {
	case len(parts) == 2 && parts[0] == "n" && retours.ValidSubmissionID(parts[1]):
		return retours.TextRef{SubmissionID: parts[1]}, true
	case len(parts) == 3 && parts[0] == "a" && retours.ValidSubmissionID(parts[1]) && retours.ValidKey(parts[2]):
		return retours.TextRef{SubmissionID: parts[1], Question: parts[2]}, true
	}
	return retours.TextRef{}, false
}

// organisersPage shows the login form, or, with the event's token, the
// event's live counts, downloads, sessions with their QR codes, and texts
// to moderate.
func (s *Server) organisersPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	lang := pageLang(r, e)
	tok := organiserToken(r)
	if tok == "" {
		return s.renderLogin(w, r, http.StatusOK, e, "")
	}
	if !e.CheckToken(tok) {
		return s.renderLogin(w, r, http.StatusForbidden, e, messages.T(lang, "orga.login.wrong"))
	}
	return s.renderOrganisers(w, r, e, lang)
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, problem string) error {
	return s.render(w, r, status, "organisers-login", &pageData{Title: messages.T(pageLang(r, e), "orga.title"), Event: e,
		Orga: &orgaView{CSS: template.CSS(organisersCSS), LoginError: problem}, path: "/o/" + e.ID})
}

func (s *Server) renderOrganisers(w http.ResponseWriter, r *http.Request, e *retours.Event, lang string) error {
	ctx := r.Context()
	now := s.cfg.Now()
	v := &orgaView{CSS: template.CSS(organisersCSS)}
	opens, closes := e.Window("")
	switch {
	case now.Before(opens):
		v.Window = messages.T(lang, "orga.window.before", i18n.DateTime(lang, opens))
	case now.Before(closes):
		v.Window = messages.T(lang, "orga.window.open", i18n.DateTime(lang, closes))
	default:
		v.Window = messages.T(lang, "orga.window.closed", i18n.DateTime(lang, closes))
	}

	// One pass over the answers and notes gives the live counts and the texts.
	agg := bilan.New(e, lang)
	var texts []textView
	questions := map[string]string{}
	for _, q := range e.Questionnaire.Questions {
		if q.Kind.IsText() {
			questions[q.ID] = q.Label.In(lang)
		}
	}
	titles := map[string]string{}
	for _, ss := range e.Sessions {
		titles[ss.ID] = ss.Title
	}
	err := s.cfg.Answers.Answers(ctx, e.ID, func(a *retours.Answer) error {
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
		return err
	}
	err = s.cfg.Answers.Notes(ctx, e.ID, func(n *retours.Note) error {
		agg.AddNote(n)
		texts = append(texts, textView{Ref: textRef("note", n.SubmissionID, ""), Kind: "note", Of: n.Kind,
			What:    messages.T(lang, "orga.note") + messages.T(lang, "punct.colon") + " " + messages.T(lang, "note."+n.Kind),
			Session: titles[n.SessionID], Text: n.Text, Hidden: n.Hidden, At: n.CreatedAt})
		return nil
	})
	if err != nil {
		return err
	}
	b := agg.Bilan(now)
	cov := agg.Coverage()
	v.Answers, v.Notes = cov.Answers, cov.Notes
	if b.ResponseRate != nil {
		v.ResponseRate = itoa(int(*b.ResponseRate*100+0.5)) + "\u00a0%"
		if lang == "en" {
			v.ResponseRate = itoa(int(*b.ResponseRate*100+0.5)) + "%"
		}
	}

	api := "/api/events/" + e.ID
	v.Downloads = []linkView{
		{messages.T(lang, "orga.dl.html"), api + "/bilan?format=html&lang=fr"},
		{messages.T(lang, "orga.dl.html.en"), api + "/bilan?format=html&lang=en"},
		{messages.T(lang, "orga.dl.xlsx"), api + "/bilan?format=xlsx&lang=" + lang},
		{messages.T(lang, "orga.dl.md"), api + "/bilan?format=md&lang=" + lang},
		{messages.T(lang, "orga.dl.csv"), api + "/bilan?format=csv"},
		{messages.T(lang, "orga.dl.csv.semicolon"), api + "/bilan?format=csv&sep=semicolon"},
		{messages.T(lang, "orga.dl.json"), api + "/bilan?format=json&lang=" + lang},
	}
	counts := map[string]string{}
	for _, g := range b.Sessions {
		if g.Suppressed {
			counts[g.ID] = messages.T(lang, "orga.suppressed")
		} else {
			counts[g.ID] = itoa(g.Answers)
		}
	}
	whole := orgaSession{Title: messages.T(lang, "orga.event.whole"), SurveyURL: s.surveyURL(r, e.ID, ""), Answers: counts[""],
		Poster: api + "/poster?lang=" + lang, PNG: api + "/qr.png", SVG: api + "/qr.svg"}
	if whole.Answers == "" {
		whole.Answers = "0"
	}
	v.Sessions = append(v.Sessions, whole)
	for _, ss := range e.Sessions {
		sp := api + "/sessions/" + ss.ID
		v.Sessions = append(v.Sessions, orgaSession{Title: ss.Title, When: i18n.DateTime(lang, ss.StartsAt), SurveyURL: s.surveyURL(r, e.ID, ss.ID),
			Answers: counts[ss.ID], Poster: sp + "/poster?lang=" + lang, PNG: sp + "/qr.png", SVG: sp + "/qr.svg"})
	}

	sortTexts(texts)
	if len(texts) > maxPageTexts {
		v.More = messages.T(lang, "orga.texts.more", len(texts)-maxPageTexts)
		texts = texts[:maxPageTexts]
	}
	for i := range texts {
		texts[i].When = i18n.DateTime(lang, texts[i].At)
	}
	v.Texts = texts
	return s.render(w, r, http.StatusOK, "organisers", &pageData{Lang: lang, Title: messages.T(lang, "orga.title"), Event: e, Orga: v, path: "/o/" + e.ID})
}

// sortTexts puts the newest first.
func sortTexts(texts []textView) {
	slices.SortStableFunc(texts, func(a, b textView) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(a.Ref, b.Ref)
	})
}

// organisersLogin checks the token typed in the form and keeps it in an
// HttpOnly cookie scoped to the event's page and API, so every organiser
// route accepts it and scripts cannot read it.
func (s *Server) organisersLogin(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := parseForm(r); err != nil {
		return err
	}
	lang := pageLang(r, e)
	tok := strings.TrimSpace(r.PostForm.Get("token"))
	if tok == "" {
		return s.renderLogin(w, r, http.StatusUnauthorized, e, messages.T(lang, "orga.login.missing"))
	}
	if !e.CheckToken(tok) {
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
	http.Redirect(w, r, "/o/"+id+"?lang="+requestLang(r), http.StatusSeeOther)
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
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := parseForm(r); err != nil {
		return err
	}
	hidden := r.PostForm.Get("hidden")
	if hidden != "0" && hidden != "1" {
		return &retours.Error{Code: retours.EINVALID, Key: "text.hidden_form", Fields: map[string]string{"hidden": retours.FieldChoice}}
	}
	if err := s.setHidden(r, e, r.PathValue("ref"), hidden == "1"); err != nil {
		return err
	}
	http.Redirect(w, r, "/o/"+e.ID+"?"+url.Values{"lang": {pageLang(r, e)}}.Encode()+"#texts", http.StatusSeeOther)
	return nil
}

func (s *Server) setHidden(r *http.Request, e *retours.Event, ref string, hidden bool) error {
	tr, ok := parseTextRef(ref)
	if !ok {
		return retours.NewError(retours.ENOTFOUND, "text.not_found")
	}
	if err := s.cfg.Moderation.SetHidden(r.Context(), e, tr, hidden, s.cfg.Now()); err != nil {
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "text moderated", slog.String("event", e.ID), slog.Bool("hidden", hidden))
	return nil
}

// listTexts answers GET /api/events/{event}/texts: every note and free-text
// answer, hidden or not, newest first, with the ref to moderate it.
func (s *Server) listTexts(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	texts := []textView{}
	titles := map[string]string{}
	for _, ss := range e.Sessions {
		titles[ss.ID] = ss.Title
	}
	err = s.cfg.Answers.Answers(ctx, e.ID, func(a *retours.Answer) error {
		for _, q := range e.Questionnaire.Questions {
			if v, ok := a.Values[q.ID]; ok && q.Kind.IsText() && v.Text != "" {
				texts = append(texts, textView{Ref: textRef("answer", a.SubmissionID, q.ID), Kind: "answer", Of: q.ID,
					Session: titles[a.SessionID], Text: v.Text, Hidden: slices.Contains(a.Hidden, q.ID), At: a.CreatedAt.UTC()})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = s.cfg.Answers.Notes(ctx, e.ID, func(n *retours.Note) error {
		texts = append(texts, textView{Ref: textRef("note", n.SubmissionID, ""), Kind: "note", Of: n.Kind,
			Session: titles[n.SessionID], Text: n.Text, Hidden: n.Hidden, At: n.CreatedAt.UTC()})
		return nil
	})
	if err != nil {
		return err
	}
	sortTexts(texts)
	writeJSON(w, http.StatusOK, struct {
		Texts []textView `json:"texts"`
	}{texts})
	return nil
}

// putText answers PUT /api/events/{event}/texts/{ref} with {"hidden": true}
// or false: the text leaves (or returns to) the bilan.
func (s *Server) putText(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	if !isJSON(r) {
		return retours.NewError(retours.EINVALID, "text.hidden_json")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	var req struct {
		Hidden *bool `json:"hidden"`
	}
	if err := decodeJSON(r.Body, &req); err != nil {
		return err
	}
	if req.Hidden == nil {
		return &retours.Error{Code: retours.EINVALID, Key: "text.hidden_missing", Fields: map[string]string{"hidden": retours.FieldRequired}}
	}
	ref := r.PathValue("ref")
	if err := s.setHidden(r, e, ref, *req.Hidden); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Ref    string `json:"ref"`
		Hidden bool   `json:"hidden"`
	}{ref, *req.Hidden})
	return nil
}
