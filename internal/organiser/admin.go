package organiser

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// adminCookieMaxAge is how long a browser keeps the admin token: a working
// day, less than the organisers', since it opens every event.
const adminCookieMaxAge = 12 * time.Hour

// adminListLimit is the number of events a page of the admin space lists.
const adminListLimit = 25

// adminLoginView is the admin space's login form.
type adminLoginView struct {
	web.Base
	Style      template.CSS
	LoginError string
	Next       string
}

// adminListView is the admin space's home: the events, a page at a time,
// searchable by title or series.
type adminListView struct {
	web.Base
	Style    template.CSS
	Query    string
	Events   []adminEventRow
	NextHref string
	Paged    bool // the page is not the first
}

// adminEventRow is one event of the admin space's list.
type adminEventRow struct {
	ID, Title, Place, When, Status, State string
	Answers, Notes                        int
}

// fieldView is one labelled input of a form, with its problem.
type fieldView struct {
	ID, Name, Label, Type, Value, Help, Error string
	// Req is the word that marks a required field, "" for another.
	Req      string
	Required bool
}

// DescribedBy lists the ids of the field's help and error.
func (f fieldView) DescribedBy() string { return describedBy(f.ID, f.Help, f.Error) }

// describedBy lists the ids of the help and error of the field of id, for
// its aria-describedby: those of the texts it has.
func describedBy(id, help, err string) string {
	var ids []string
	if help != "" {
		ids = append(ids, id+"-help")
	}
	if err != "" {
		ids = append(ids, id+"-error")
	}
	return strings.Join(ids, " ")
}

// newField returns the input name of a form, of type typ.
func newField(lang, name, typ, label, help, value string, required bool) fieldView {
	f := fieldView{ID: "f-" + name, Name: name, Type: typ, Value: value, Label: label, Help: help, Required: required}
	if required {
		f.Req = messages.T(lang, "form.required")
	}
	return f
}

// optionView is one checkbox of a form.
type optionView struct {
	ID, Name, Value, Label string
	Checked                bool
}

// adminFormView is the form that creates an event.
type adminFormView struct {
	web.Base
	Style         template.CSS
	Fields        []fieldView
	Languages     []optionView
	LanguageError string
}

// tokenView shows an organiser access's token, once, with the link it
// opens.
type tokenView struct {
	web.Base
	Style                          template.CSS
	Heading, Intro, Name           string
	OrganiserURL, SurveyURL, Token string
	BackHref, BackLabel            string
}

// adminEventView is one event in the admin space: its links, its
// organiser accesses, and the form that issues a fresh one.
type adminEventView struct {
	web.Base
	Style                   template.CSS
	Row                     adminEventRow
	OrganiserURL, SurveyURL string
	Accesses                []accessRow
	Name                    fieldView
}

// adminBase is the base view of the admin space's pages.
func adminBase(r *http.Request, title, path string) web.Base {
	return web.Base{Lang: web.RequestLang(r), Title: title, Path: path}
}

// adminHome answers GET /admin: the login form, or, with the admin cookie,
// the list of events.
func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) error {
	err := s.checkAdmin(r)
	lang := web.RequestLang(r)
	switch retours.ErrorCode(err) {
	case "":
	case retours.EUNAUTHORIZED:
		return s.renderAdminLogin(w, r, http.StatusOK, "")
	default:
		return s.renderAdminLogin(w, r, http.StatusForbidden, messages.T(lang, "admin.login.wrong"))
	}
	if next := web.SafeNext(r.URL.Query().Get("next"), web.AdminCookiePaths...); next != "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	q := r.URL.Query()
	events, next, err := s.eventsPage(r, q.Get("q"), q.Get("cursor"), adminListLimit)
	if err != nil {
		return err
	}
	v := &adminListView{Base: adminBase(r, messages.T(web.RequestLang(r), "admin.title"), "/admin"), Style: template.CSS(organisersCSS),
		Query: q.Get("q"), Paged: q.Get("cursor") != ""}
	for _, e := range events {
		v.Events = append(v.Events, adminRow(e, lang))
	}
	if next != "" {
		v.NextHref = "/admin?" + url.Values{"q": {q.Get("q")}, "cursor": {next}, "lang": {lang}}.Encode()
	}
	return pages.Render(w, r, http.StatusOK, "admin", v)
}

// adminRow is an event of the list as the admin space shows it.
func adminRow(e listedEvent, lang string) adminEventRow {
	when := i18n.Date(lang, e.StartsAt)
	if !i18n.SameDay(e.StartsAt, e.EndsAt) {
		when += " – " + i18n.Date(lang, e.EndsAt)
	}
	return adminEventRow{ID: e.ID, Title: e.Title, Place: e.Place, When: when, State: string(e.Status),
		Status: messages.T(lang, "status."+string(e.Status)), Answers: e.Answers, Notes: e.Notes}
}

func (s *Server) renderAdminLogin(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostForm.Get("next")
	}
	return pages.Render(w, r, status, "admin-login", &adminLoginView{Base: adminBase(r, messages.T(web.RequestLang(r), "admin.title"), "/admin"),
		Style: template.CSS(organisersCSS), LoginError: problem, Next: web.SafeNext(next, web.AdminCookiePaths...)})
}

// adminLogin checks the admin token typed in the form and keeps it in an
// HttpOnly cookie scoped to the admin space and the admin API, then leads
// to the page asked for, or the list of events.
func (s *Server) adminLogin(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(r); err != nil {
		return err
	}
	lang := web.RequestLang(r)
	tok := strings.TrimSpace(r.PostForm.Get("token"))
	switch {
	case tok == "":
		return s.renderAdminLogin(w, r, http.StatusUnauthorized, messages.T(lang, "admin.login.missing"))
	case s.cfg.AdminToken == "":
		return s.renderAdminLogin(w, r, http.StatusForbidden, messages.T(lang, "admin.login.disabled"))
	}
	// A client that typed too many wrong tokens waits for the end of its
	// window, whatever it types now.
	if l := s.cfg.Limiter; l != nil {
		if err := l.Over(r, web.LimitLogin, ""); err != nil {
			return err
		}
	}
	if !web.SameSecret(tok, s.cfg.AdminToken) {
		if err := s.wrongToken(r, ""); err != nil {
			return err
		}
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "admin login refused")
		return s.renderAdminLogin(w, r, http.StatusForbidden, messages.T(lang, "admin.login.wrong"))
	}
	web.SetCookies(w, web.AdminCookie, tok, adminCookieMaxAge, web.AdminCookiePaths...)
	to := web.SafeNext(r.PostForm.Get("next"), web.AdminCookiePaths...)
	if to == "" {
		to = "/admin?lang=" + lang
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// adminLogout forgets the admin token in this browser.
func (s *Server) adminLogout(w http.ResponseWriter, r *http.Request) error {
	web.SetCookies(w, web.AdminCookie, "", -1, web.AdminCookiePaths...)
	http.Redirect(w, r, "/admin?lang="+web.RequestLang(r), http.StatusSeeOther)
	return nil
}

// eventFields are the fields of the form that creates an event, with
// form's values, and the event's field (retours.NewEvent's) each one's
// problems are reported under.
func eventFields(lang string, form url.Values) (fields []fieldView, domain []string) {
	add := func(field, name, typ, label, help string, required bool) {
		fields = append(fields, newField(lang, name, typ, label, help, form.Get(name), required))
		domain = append(domain, field)
	}
	add("title", "title", "text", messages.T(lang, "admin.f.title"), "", true)
	add("place", "place", "text", messages.T(lang, "admin.f.place"), "", false)
	add("starts_at", "date", "date", messages.T(lang, "admin.f.date"), "", true)
	add("starts_time", "start", "time", messages.T(lang, "admin.f.start"), "", true)
	add("ends_date", "end_date", "date", messages.T(lang, "admin.f.end_date"), messages.T(lang, "admin.f.end_date.help"), false)
	add("ends_at", "end", "time", messages.T(lang, "admin.f.end"), "", true)
	add("closes_at", "closes", "date", messages.T(lang, "admin.f.closes"), messages.T(lang, "admin.f.closes.help"), false)
	add("series", "series", "text", messages.T(lang, "admin.f.series"), messages.T(lang, "admin.f.series.help"), false)
	add("edition", "edition", "number", messages.T(lang, "admin.f.edition"), "", false)
	add("organiser_emails", "emails", "textarea", messages.T(lang, "admin.f.emails"), messages.T(lang, "admin.f.emails.help"), false)
	add("name", "access_name", "text", messages.T(lang, "admin.f.access_name"), messages.T(lang, "admin.f.access_name.help"), false)
	return fields, domain
}

// adminNewForm answers GET /admin/nouveau: the form that creates an event.
func (s *Server) adminNewForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkAdmin(r); err != nil {
		return err
	}
	return s.renderEventForm(w, r, http.StatusOK, url.Values{"start": {"09:00"}, "end": {"17:00"}, "lang_fr": {"1"}}, nil)
}

func (s *Server) renderEventForm(w http.ResponseWriter, r *http.Request, status int, form url.Values, problems map[string]string) error {
	lang := web.RequestLang(r)
	v := &adminFormView{Base: adminBase(r, messages.T(web.RequestLang(r), "admin.new.title"), "/admin/nouveau"), Style: template.CSS(organisersCSS)}
	v.ErrorsTitle = messages.T(lang, "admin.new.errors")
	shown := map[string]bool{"languages": true}
	fields, domain := eventFields(lang, form)
	for i, fv := range fields {
		if p, ok := problems[domain[i]]; ok {
			fv.Error = retours.FieldMessage(lang, p)
			v.Errors = append(v.Errors, web.ErrorView{Anchor: fv.ID, Label: fv.Label, Message: fv.Error})
		}
		shown[domain[i]] = true
		v.Fields = append(v.Fields, fv)
	}
	for _, l := range retours.Languages {
		v.Languages = append(v.Languages, optionView{ID: "f-lang-" + l, Name: "lang_" + l, Value: "1",
			Label: messages.T(lang, "lang."+l), Checked: form.Get("lang_"+l) != ""})
	}
	if p, ok := problems["languages"]; ok {
		v.LanguageError = retours.FieldMessage(lang, p)
		v.Errors = append(v.Errors, web.ErrorView{Anchor: "f-lang-fr", Label: messages.T(lang, "admin.f.languages"), Message: v.LanguageError})
	}
	v.Errors = append(v.Errors, web.FormErrors(lang, "f-title", problems, func(k string) bool { return shown[k] })...)
	return pages.Render(w, r, status, "admin-new", v)
}

// parisTime reads a date (2026-10-13) and a time of day (14:30) as people
// in France mean them, in Paris.
func parisTime(date, clock string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(clock), i18n.Paris)
	return t, err == nil
}

// eventInput reads the form that creates an event, and its problems of
// form (dates, numbers); retours.NewEvent checks the rest.
func eventInput(form url.Values) (retours.EventInput, map[string]string) {
	problems := map[string]string{}
	in := retours.EventInput{Title: form.Get("title"), Place: form.Get("place"), Series: form.Get("series")}
	date := form.Get("date")
	switch {
	case strings.TrimSpace(date) == "":
		problems["starts_at"] = retours.FieldRequired
	default:
		start, ok := parisTime(date, form.Get("start"))
		if !ok {
			problems["starts_at"] = retours.FieldInvalid
		}
		in.StartsAt = start
		endDate := form.Get("end_date")
		if strings.TrimSpace(endDate) == "" {
			endDate = date
		}
		end, ok := parisTime(endDate, form.Get("end"))
		if !ok {
			problems["ends_at"] = retours.FieldInvalid
		}
		in.EndsAt = end
	}
	if c := strings.TrimSpace(form.Get("closes")); c != "" {
		closes, ok := parisTime(c, "23:59")
		if !ok {
			problems["closes_at"] = retours.FieldInvalid
		}
		in.ClosesAt = closes
	}
	if ed := strings.TrimSpace(form.Get("edition")); ed != "" {
		n, err := strconv.Atoi(ed)
		if err != nil {
			problems["edition"] = retours.FieldInvalid
		}
		in.Edition = n
	}
	for _, m := range strings.FieldsFunc(form.Get("emails"), func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' }) {
		in.OrganiserEmails = append(in.OrganiserEmails, m)
	}
	for _, l := range retours.Languages {
		if form.Get("lang_"+l) != "" {
			in.Languages = append(in.Languages, l)
		}
	}
	if len(in.Languages) == 0 {
		problems["languages"] = retours.FieldRequired
	}
	return in, problems
}

// adminCreate answers POST /admin/nouveau: it creates the event with the
// default questionnaire, and shows its organisers' link and first token,
// once; or the form again with its problems.
func (s *Server) adminCreate(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkAdmin(r); err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	in, problems := eventInput(r.PostForm)
	var e *retours.Event
	var token string
	var err error
	if len(problems) == 0 {
		e, token, err = s.newEvent(r, in, r.PostForm.Get("access_name"))
		if fields := retours.ErrorFields(err); len(fields) > 0 {
			problems = fields
		} else if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return web.Reshow(&retours.Error{Code: retours.EINVALID, Key: "event.invalid", Fields: problems}, func(w http.ResponseWriter, status int) error {
			return s.renderEventForm(w, r, status, r.PostForm, problems)
		})
	}
	lang := web.RequestLang(r)
	return pages.Render(w, r, http.StatusCreated, "token-once", &tokenView{
		Base: adminBase(r, messages.T(web.RequestLang(r), "admin.created.title"), "/admin"), Style: template.CSS(organisersCSS),
		Heading: e.Title, Intro: messages.T(lang, "admin.created.intro"), Name: accessName(lang, e.Accesses[0]),
		OrganiserURL: s.baseURL(r) + "/o/" + e.ID, SurveyURL: s.surveyURL(r, e.ID, ""), Token: token,
		BackHref: "/admin/e/" + e.ID + "?lang=" + lang, BackLabel: messages.T(lang, "admin.created.back"),
	})
}

// adminEvent answers GET /admin/e/{event}: the event's links and organiser
// accesses, and the form that issues a fresh access.
func (s *Server) adminEvent(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkAdmin(r); err != nil {
		return err
	}
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	return s.renderAdminEvent(w, r, http.StatusOK, e, "", "")
}

func (s *Server) renderAdminEvent(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, name, problem string) error {
	lang := web.RequestLang(r)
	act, err := s.cfg.Changes.Activity(r.Context(), e.ID)
	if err != nil {
		return err
	}
	row := adminRow(listedEvent{ID: e.ID, Title: e.Title, Place: e.Place, StartsAt: e.StartsAt, EndsAt: e.EndsAt,
		Status: e.Status(s.cfg.Now()), Answers: act.Answers, Notes: act.Notes}, lang)
	v := &adminEventView{Base: adminBase(r, messages.T(web.RequestLang(r), "admin.event.title"), "/admin/e/"+e.ID), Style: template.CSS(organisersCSS), Row: row,
		OrganiserURL: s.baseURL(r) + "/o/" + e.ID, SurveyURL: s.surveyURL(r, e.ID, ""),
		Accesses: accessRows(e, retours.Actor{Admin: true}, lang),
		Name:     newField(lang, "name", "text", messages.T(lang, "access.name"), messages.T(lang, "access.name.help"), name, true)}
	v.ErrorsTitle = messages.T(lang, "access.errors")
	if problem != "" {
		v.Name.Error = retours.FieldMessage(lang, problem)
		v.Errors = []web.ErrorView{{Anchor: v.Name.ID, Label: v.Name.Label, Message: v.Name.Error}}
	}
	return pages.Render(w, r, status, "admin-event", v)
}

// adminAccess answers POST /admin/e/{event}/acces: a fresh organiser access
// for organisers who lost theirs, its token shown once.
func (s *Server) adminAccess(w http.ResponseWriter, r *http.Request) error {
	if err := s.checkAdmin(r); err != nil {
		return err
	}
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	name := r.PostForm.Get("name")
	a, token, err := s.addAccess(r, e, retours.Actor{Admin: true}, name, retours.RoleOrganiser)
	if p := retours.ErrorFields(err)["name"]; p != "" {
		return web.Reshow(err, func(w http.ResponseWriter, status int) error { return s.renderAdminEvent(w, r, status, e, name, p) })
	}
	if err != nil {
		return err
	}
	lang := web.RequestLang(r)
	return pages.Render(w, r, http.StatusCreated, "token-once", &tokenView{
		Base: adminBase(r, messages.T(web.RequestLang(r), "access.created.title"), "/admin/e/"+e.ID), Style: template.CSS(organisersCSS),
		Heading: e.Title, Name: a.Name,
		OrganiserURL: s.baseURL(r) + "/o/" + e.ID, Token: token,
		BackHref: "/admin/e/" + e.ID + "?lang=" + lang, BackLabel: messages.T(lang, "admin.event.back"),
	})
}
