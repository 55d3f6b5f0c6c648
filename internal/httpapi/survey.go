package httpapi

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
)

//go:embed templates/*.html
var templateFS embed.FS

// surveyCSS styles the participants' pages. It is inlined (one round trip,
// nothing to cache or invalidate) and allowed by its hash in the
// Content-Security-Policy, so no inline style from anywhere else applies.
//
//go:embed templates/survey.css
var surveyCSS string

// pages maps each page name to its template set, built once: every
// template defined in templates/ is a page rendered inside "layout", except
// the parts below and the poster, which is a document of its own.
var pages = func() map[string]*template.Template {
	base := template.Must(template.New("").ParseFS(templateFS, "templates/*.html"))
	m := map[string]*template.Template{"poster": base}
	for _, t := range base.Templates() {
		name := t.Name()
		if name == "" || name == "layout" || name == "errors" || name == "poster" {
			continue
		}
		set := template.Must(base.Clone())
		template.Must(set.New("content").Parse(`{{template "` + name + `" .}}`))
		m[name] = set
	}
	return m
}()

// pageData is what the page templates render.
type pageData struct {
	Lang, Title  string
	CSS          template.CSS
	Event        *retours.Event
	Session      *retours.Session
	Sessions     []sessionView
	Questions    []questionView
	SubmissionID string
	Errors       []errorView
	ErrorsTitle  string // the error summary's heading
	Unavailable  bool
	Message      string
	// Anonymity is the privacy notice's paragraph on what results show.
	Anonymity string
	NoteSaved bool
	NoteKinds []optionView
	NoteText  string
	NoteError string
	// The digest's unsubscribe page.
	UnsubToken  string
	UnsubEvents []string
	UnsubDone   bool
	KindError   string
	// SwitchHref is the same page in the other language; empty when the
	// event is not offered in it.
	SwitchHref  string
	PrivacyHref string
	// Orga is the organisers' page (organisers.go).
	Orga *orgaView
	// path is the address of this page for a GET, language aside: the
	// language switch of a page re-rendered after a post leads there, since
	// the post's own URL cannot be fetched.
	path string
}

// T returns the message key in the page's language.
func (p *pageData) T(key string) string { return messages.T(p.Lang, key) }

type sessionView struct {
	ID, Title, When string
	State           string // "now", "soon", "closed" or ""
}

type questionView struct {
	ID, Label, Help string
	Kind            retours.QuestionKind
	Required        bool
	Scale           bool // numbered options, laid out in a grid
	Options         []optionView
	Text            string
	MaxLength       int
	Error           string
	DescribedBy     string
}

type optionView struct {
	Value, Label string
	Checked      bool
}

type errorView struct{ Anchor, Label, Message string }

// render writes a page with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *pageData) error {
	if p.Lang == "" {
		p.Lang = pageLang(r, p.Event)
	}
	p.CSS = template.CSS(surveyCSS)
	if other := messages.T(p.Lang, "lang.switch.code"); p.Event == nil || slices.Contains(p.Event.Languages, other) {
		p.SwitchHref = switchHref(r, p.path, other)
	}
	p.PrivacyHref = "/confidentialite?lang=" + p.Lang
	if p.Event != nil {
		p.PrivacyHref += "&e=" + url.QueryEscape(p.Event.ID)
	}
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	h.Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// switchHref returns the link to this page in lang: the request's own URL
// for a GET, else path. Only the parameters pages read are kept.
func switchHref(r *http.Request, path, lang string) string {
	u := &url.URL{Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && path != "" {
		u, _ = url.Parse(path)
	}
	in, out := u.Query(), url.Values{"lang": {lang}}
	for _, k := range []string{"general", "s", "note", "e"} {
		if v := in.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return u.Path + "?" + out.Encode()
}

// pageLang picks the language of a page about e: the reader's (see
// requestLang) when the event is offered in it, else the event's first.
func pageLang(r *http.Request, e *retours.Event) string {
	lang := requestLang(r)
	if e != nil && len(e.Languages) > 0 && !slices.Contains(e.Languages, lang) {
		return e.Languages[0]
	}
	return lang
}

// page adapts an HTML handler: errors become a page in the reader's
// language, or JSON when the client sent JSON.
func (s *Server) page(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		status := statusOf(err)
		s.logError(r, status, err)
		if isJSON(r) {
			writeJSONError(w, r, status, err)
			return
		}
		lang := requestLang(r)
		p := &pageData{Lang: lang, Title: messages.T(lang, "error.title")}
		switch status {
		case http.StatusNotFound:
			p.Message = messages.T(lang, "err.not_found")
		case http.StatusRequestEntityTooLarge:
			p.Message = messages.T(lang, "err.too_large")
		case http.StatusServiceUnavailable:
			w.Header().Set("Retry-After", "5")
			p.Message = messages.T(lang, "err.unavailable")
		case http.StatusInternalServerError:
			p.Message = messages.T(lang, "err.internal")
		default:
			p.Message = retours.ErrorMessage(lang, err)
		}
		if r.Method != http.MethodGet {
			// A failed post has no page of its own to switch language on.
			p.path = "/"
		}
		if err := s.render(w, r, status, "error", p); err != nil {
			http.Error(w, messages.T(lang, "err.internal"), http.StatusInternalServerError)
		}
	}
}

func isJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.surveyEvents.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	if len(e.Sessions) > 0 && r.URL.Query().Get("general") == "" {
		lang := pageLang(r, e)
		return s.render(w, r, http.StatusOK, "sessions", &pageData{Lang: lang, Title: e.Title, Event: e, Sessions: s.sessionViews(e, lang)})
	}
	return s.showForm(w, r, e, nil)
}

// sessionViews lists the sessions for the event page: the ones in progress
// first, then the others in time order. A session is in progress from its
// start until the next start time or the end of the event; parallel
// ateliers are in progress together.
func (s *Server) sessionViews(e *retours.Event, lang string) []sessionView {
	now := s.cfg.Now()
	sessions := slices.Clone(e.Sessions)
	slices.SortStableFunc(sessions, func(a, b retours.Session) int { return a.StartsAt.Compare(b.StartsAt) })
	var current time.Time
	if now.Before(e.EndsAt) {
		for _, ss := range sessions {
			if !ss.StartsAt.After(now) {
				current = ss.StartsAt
			}
		}
	}
	oneDay := i18n.SameDay(e.StartsAt, e.EndsAt)
	var first, rest []sessionView
	for _, ss := range sessions {
		v := sessionView{ID: ss.ID, Title: ss.Title, When: i18n.DateTime(lang, ss.StartsAt)}
		if oneDay {
			v.When = i18n.Clock(ss.StartsAt)
		}
		opens, closes := e.Window(ss.ID)
		switch {
		case now.Before(opens):
			v.State = "soon"
		case !now.Before(closes):
			v.State = "closed"
		case !current.IsZero() && ss.StartsAt.Equal(current):
			v.State = "now"
		}
		if v.State == "now" {
			first = append(first, v)
		} else {
			rest = append(rest, v)
		}
	}
	return append(first, rest...)
}

func (s *Server) sessionPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.surveyEvents.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	ss, ok := e.Session(r.PathValue("session"))
	if !ok {
		return retours.NewError(retours.ENOTFOUND, "session.not_found")
	}
	return s.showForm(w, r, e, ss)
}

// showForm renders the questionnaire, or a kind page when answers are not
// open.
func (s *Server) showForm(w http.ResponseWriter, r *http.Request, e *retours.Event, ss *retours.Session) error {
	sessionID := ""
	if ss != nil {
		sessionID = ss.ID
	}
	if err := e.CheckOpen(sessionID, s.cfg.Now()); err != nil {
		if retours.ErrorCode(err) == retours.ECLOSED {
			return s.renderClosed(w, r, http.StatusOK, e, sessionID)
		}
		return err
	}
	sub, err := retours.NewSubmissionID(s.cfg.Rand)
	if err != nil {
		return err
	}
	return s.renderForm(w, r, http.StatusOK, e, ss, sub, nil, nil, false)
}

// renderClosed renders the kind page that says when answers are accepted.
func (s *Server) renderClosed(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, sessionID string) error {
	lang := pageLang(r, e)
	opens, closes := e.Window(sessionID)
	p := &pageData{Title: messages.T(lang, "closed.title"), Event: e, Lang: lang, path: formPath(e, sessionID)}
	if s.cfg.Now().Before(opens) {
		p.Title = messages.T(lang, "closed.before.title")
		p.Message = messages.T(lang, "closed.before", i18n.DateTime(lang, opens))
	} else {
		p.Message = messages.T(lang, "closed.after", i18n.DateTime(lang, closes))
	}
	return s.render(w, r, status, "closed", p)
}

// formPath is the address of the questionnaire about a session, or about
// the event as a whole when sessionID is "".
func formPath(e *retours.Event, sessionID string) string {
	switch {
	case sessionID != "":
		return "/e/" + e.ID + "/" + sessionID
	case len(e.Sessions) > 0:
		return "/e/" + e.ID + "?general=1"
	}
	return "/e/" + e.ID
}

// renderForm renders the questionnaire with the given values and errors.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, ss *retours.Session, sub string, raw map[string][]string, fieldErrs map[string]string, unavailable bool) error {
	lang := pageLang(r, e)
	p := &pageData{Event: e, Session: ss, SubmissionID: sub, Lang: lang, Title: e.Title, Unavailable: unavailable, ErrorsTitle: messages.T(lang, "form.errors")}
	if ss != nil {
		p.Title = ss.Title + " – " + e.Title
		p.path = formPath(e, ss.ID)
	} else {
		p.path = formPath(e, "")
	}
	for _, q := range e.Questionnaire.Questions {
		v := questionView{ID: q.ID, Kind: q.Kind, Label: q.Label.In(lang), Help: q.Help.In(lang), Required: q.Required, MaxLength: q.TextLimit()}
		chosen := map[string]bool{}
		for _, c := range raw[q.ID] {
			chosen[c] = true
		}
		switch {
		case q.Kind.IsScale():
			v.Scale = true
			lo, hi := q.Scale()
			for n := lo; n <= hi; n++ {
				v.Options = append(v.Options, optionView{Value: itoa(n), Label: itoa(n), Checked: chosen[itoa(n)]})
			}
		case q.Kind.HasChoices():
			for _, c := range q.Choices {
				v.Options = append(v.Options, optionView{Value: c.ID, Label: c.Label.In(lang), Checked: chosen[c.ID]})
			}
		case q.Kind.IsText():
			if len(raw[q.ID]) > 0 {
				v.Text = raw[q.ID][0]
			}
		}
		var described []string
		if v.Help != "" {
			described = append(described, "q-"+q.ID+"-help")
		}
		if problem, ok := fieldErrs[q.ID]; ok {
			v.Error = retours.FieldMessage(lang, problem)
			described = append(described, "q-"+q.ID+"-error")
			p.Errors = append(p.Errors, errorView{Anchor: "q-" + q.ID, Label: v.Label, Message: v.Error})
		}
		v.DescribedBy = strings.Join(described, " ")
		p.Questions = append(p.Questions, v)
	}
	if problem, ok := fieldErrs["answers"]; ok && problem == retours.FieldRequired && len(p.Errors) == 0 {
		p.Errors = append(p.Errors, errorView{Anchor: "q-" + e.Questionnaire.Questions[0].ID, Label: p.Questions[0].Label, Message: retours.FieldMessage(lang, problem)})
		delete(fieldErrs, "answers")
	}
	p.Errors = append(p.Errors, formErrors(lang, "q-"+e.Questionnaire.Questions[0].ID, fieldErrs, func(k string) bool {
		_, ok := e.Questionnaire.Question(k)
		return ok
	})...)
	return s.render(w, r, status, "form", p)
}

// answerRequest is the JSON body of POST /e/{event}/answers.
type answerRequest struct {
	SubmissionID string                     `json:"submission_id"`
	Session      string                     `json:"session"`
	Lang         string                     `json:"lang"`
	Answers      map[string]json.RawMessage `json:"answers"`
}

// answerResponse is the JSON answer to a stored or repeated submission.
type answerResponse struct {
	ID           string `json:"id"`
	SubmissionID string `json:"submission_id"`
	Event        string `json:"event"`
	Session      string `json:"session,omitempty"`
	Created      bool   `json:"created"`
}

// openSubmission reads the event a participant's post is about, bounds the
// body and tells whether it is JSON (else a form).
func (s *Server) openSubmission(w http.ResponseWriter, r *http.Request) (e *retours.Event, jsonBody bool, err error) {
	e, err = s.surveyEvents.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return nil, false, err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	return e, isJSON(r), nil
}

// stored answers a stored (created) or repeated submission: 201 or 200 with
// the stored id for JSON, else a redirect to the thank-you page.
func (s *Server) stored(w http.ResponseWriter, r *http.Request, jsonBody bool, e *retours.Event, resp answerResponse, lang string, note bool) {
	if jsonBody {
		status := http.StatusCreated
		if !resp.Created {
			status = http.StatusOK
		}
		writeJSON(w, status, resp)
		return
	}
	q := url.Values{"lang": {langOr(lang, r)}}
	if note {
		q.Set("note", "1")
	}
	if resp.Session != "" {
		q.Set("s", resp.Session)
	}
	http.Redirect(w, r, "/e/"+e.ID+"/merci?"+q.Encode(), http.StatusSeeOther)
}

func (s *Server) postAnswer(w http.ResponseWriter, r *http.Request) error {
	e, jsonBody, err := s.openSubmission(w, r)
	if err != nil {
		return err
	}
	var in retours.AnswerInput
	if jsonBody {
		var req answerRequest
		if err := decodeJSON(r.Body, &req); err != nil {
			return err
		}
		raw, err := rawAnswers(req.Answers)
		if err != nil {
			return err
		}
		in = retours.AnswerInput{SubmissionID: req.SubmissionID, SessionID: req.Session, Lang: req.Lang, Raw: raw}
	} else {
		if err := parseForm(r); err != nil {
			return err
		}
		in = retours.AnswerInput{SubmissionID: r.PostForm.Get("submission_id"), SessionID: r.PostForm.Get("session"), Lang: r.PostForm.Get("lang"), Raw: map[string][]string{}}
		for k, vs := range r.PostForm {
			if id, ok := strings.CutPrefix(k, "q_"); ok {
				in.Raw[id] = vs
			}
		}
	}
	a, err := retours.NewAnswer(e, in, s.cfg.Rand, s.cfg.Now())
	if err != nil {
		if !jsonBody {
			return s.formError(w, r, e, in, err)
		}
		return err
	}
	stored, created, err := s.cfg.Answers.PutAnswer(r.Context(), a, e.ExpiresAt())
	if err != nil {
		if !jsonBody && retours.ErrorCode(err) == retours.EUNAVAILABLE {
			return s.formError(w, r, e, in, err)
		}
		return err
	}
	s.stored(w, r, jsonBody, e, answerResponse{ID: stored.ID, SubmissionID: stored.SubmissionID, Event: e.ID, Session: stored.SessionID, Created: created}, in.Lang, false)
	return nil
}

// formError re-renders the form after a failed form post: the person's
// values and submission id are kept, so sending again stores one answer.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, e *retours.Event, in retours.AnswerInput, err error) error {
	code := retours.ErrorCode(err)
	if code != retours.EINVALID && code != retours.EUNAVAILABLE {
		if code == retours.ECLOSED {
			return s.renderClosed(w, r, http.StatusConflict, e, in.SessionID)
		}
		return err
	}
	ss, _ := e.Session(in.SessionID)
	sub := in.SubmissionID
	if !retours.ValidSubmissionID(sub) {
		// A form whose hidden id was damaged gets a fresh one.
		// Not err: the fields of the original error are rendered below.
		var idErr error
		if sub, idErr = retours.NewSubmissionID(s.cfg.Rand); idErr != nil {
			return idErr
		}
	}
	status := statusOf(err)
	s.logError(r, status, err)
	if code == retours.EUNAVAILABLE {
		w.Header().Set("Retry-After", "5")
	}
	return s.renderForm(w, r, status, e, ss, sub, in.Raw, retours.ErrorFields(err), code == retours.EUNAVAILABLE)
}

func langOr(lang string, r *http.Request) string {
	if retours.IsLanguage(lang) {
		return lang
	}
	return requestLang(r)
}

// rawAnswers turns JSON answer values (number, string, list of strings, or
// null) into the strings the questionnaire parses.
func rawAnswers(in map[string]json.RawMessage) (map[string][]string, error) {
	out := make(map[string][]string, len(in))
	for id, msgRaw := range in {
		var v any
		if err := json.Unmarshal(msgRaw, &v); err != nil {
			return nil, invalidJSON()
		}
		switch t := v.(type) {
		case nil:
		case float64:
			// Bounded first: converting a float beyond int's range is
			// implementation-defined. No scale goes anywhere near a million.
			if t != math.Trunc(t) || math.Abs(t) > 1e6 {
				return nil, &retours.Error{Code: retours.EINVALID, Key: "answer.value", Fields: map[string]string{fieldKey(id): retours.FieldInvalid}}
			}
			out[id] = []string{itoa(int(t))}
		case string:
			out[id] = []string{t}
		case []any:
			for _, x := range t {
				sx, ok := x.(string)
				if !ok {
					return nil, &retours.Error{Code: retours.EINVALID, Key: "answer.value", Fields: map[string]string{fieldKey(id): retours.FieldInvalid}}
				}
				out[id] = append(out[id], sx)
			}
		default:
			return nil, &retours.Error{Code: retours.EINVALID, Key: "answer.value", Fields: map[string]string{fieldKey(id): retours.FieldInvalid}}
		}
	}
	return out, nil
}

func fieldKey(id string) string {
	if retours.ValidKey(id) {
		return id
	}
	return "answers"
}

func invalidJSON() error {
	return retours.NewError(retours.EINVALID, "body.json")
}

// decodeJSON decodes exactly one JSON object into v, rejecting invalid
// UTF-8 (which encoding/json would silently turn into U+FFFD), unknown fields
// and trailing data. body is read whole: callers bound it with
// http.MaxBytesReader.
func decodeJSON(body io.Reader, v any) error {
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return retours.NewError(retours.EINVALID, "body.incomplete")
	}
	if !utf8.Valid(data) {
		return retours.NewError(retours.EINVALID, "body.utf8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			if ute.Field == "" {
				return retours.NewError(retours.EINVALID, "body.object")
			}
			return retours.NewError(retours.EINVALID, "body.field_type", ute.Field)
		}
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			return retours.NewError(retours.EINVALID, "body.unknown_field", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return invalidJSON()
	}
	if dec.More() {
		return invalidJSON()
	}
	if _, err := dec.Token(); err != io.EOF {
		return invalidJSON()
	}
	return nil
}

// parseForm parses an urlencoded body, refusing other content types.
func parseForm(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return retours.NewError(retours.EINVALID, "body.content_type")
	}
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		return retours.NewError(retours.EINVALID, "body.form")
	}
	return nil
}

func (s *Server) thanksPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.surveyEvents.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	ss, _ := e.Session(r.URL.Query().Get("s"))
	sub, err := retours.NewSubmissionID(s.cfg.Rand)
	if err != nil {
		return err
	}
	return s.renderThanks(w, r, http.StatusOK, e, ss, sub, r.URL.Query().Get("note") != "", retours.NoteInput{}, nil, false)
}

// renderThanks renders the thanks page and its note form. unavailable says
// the note could not be stored for now and should be sent again.
func (s *Server) renderThanks(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, ss *retours.Session, sub string, saved bool, in retours.NoteInput, fieldErrs map[string]string, unavailable bool) error {
	lang := pageLang(r, e)
	p := &pageData{Lang: lang, Title: messages.T(lang, "thanks.title"), Event: e, Session: ss, SubmissionID: sub, NoteSaved: saved, NoteText: in.Text, Unavailable: unavailable, ErrorsTitle: messages.T(lang, "thanks.note.errors")}
	p.path = "/e/" + e.ID + "/merci"
	if ss != nil {
		p.path += "?s=" + ss.ID
	}
	for _, k := range retours.NoteKinds {
		p.NoteKinds = append(p.NoteKinds, optionView{Value: k, Label: messages.T(lang, "note."+k), Checked: k == in.Kind})
	}
	if problem, ok := fieldErrs["kind"]; ok {
		p.KindError = retours.FieldMessage(lang, problem)
		p.Errors = append(p.Errors, errorView{Anchor: "note-kind", Label: messages.T(lang, "thanks.note.kind"), Message: p.KindError})
	}
	if problem, ok := fieldErrs["text"]; ok {
		p.NoteError = retours.FieldMessage(lang, problem)
		p.Errors = append(p.Errors, errorView{Anchor: "note-text", Label: messages.T(lang, "thanks.note.text"), Message: p.NoteError})
	}
	p.Errors = append(p.Errors, formErrors(lang, "note-kind", fieldErrs, func(k string) bool { return k == "kind" || k == "text" })...)
	return s.render(w, r, status, "thanks", p)
}

// formErrors lists the problems of fieldErrs that belong to no field shown on
// the form (a damaged hidden field, an answer to a question the form does not
// have), so that a form never comes back refused without saying why.
func formErrors(lang, anchor string, fieldErrs map[string]string, shown func(string) bool) []errorView {
	var keys []string
	for k := range fieldErrs {
		if !shown(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []errorView
	for _, k := range keys {
		m := retours.FieldMessage(lang, fieldErrs[k])
		if k == "submission_id" {
			// A fresh id was issued: sending again works.
			m = messages.T(lang, "form.resend")
		}
		out = append(out, errorView{Anchor: anchor, Label: messages.T(lang, "form.label"), Message: m})
	}
	return out
}

// noteRequest is the JSON body of POST /e/{event}/notes.
type noteRequest struct {
	SubmissionID string `json:"submission_id"`
	Session      string `json:"session"`
	Lang         string `json:"lang"`
	Kind         string `json:"kind"`
	Text         string `json:"text"`
}

func (s *Server) postNote(w http.ResponseWriter, r *http.Request) error {
	e, jsonBody, err := s.openSubmission(w, r)
	if err != nil {
		return err
	}
	var in retours.NoteInput
	if jsonBody {
		var req noteRequest
		if err := decodeJSON(r.Body, &req); err != nil {
			return err
		}
		in = retours.NoteInput{SubmissionID: req.SubmissionID, SessionID: req.Session, Lang: req.Lang, Kind: req.Kind, Text: req.Text}
	} else {
		if err := parseForm(r); err != nil {
			return err
		}
		f := r.PostForm
		in = retours.NoteInput{SubmissionID: f.Get("submission_id"), SessionID: f.Get("session"), Lang: f.Get("lang"), Kind: f.Get("kind"), Text: f.Get("text")}
	}
	nt, err := retours.NewNote(e, in, s.cfg.Rand, s.cfg.Now())
	if err == nil {
		var created bool
		if nt, created, err = s.cfg.Answers.PutNote(r.Context(), nt, e.ExpiresAt()); err == nil {
			s.stored(w, r, jsonBody, e, answerResponse{ID: nt.ID, SubmissionID: nt.SubmissionID, Event: e.ID, Session: nt.SessionID, Created: created}, in.Lang, true)
			return nil
		}
	}
	code := retours.ErrorCode(err)
	if jsonBody || (code != retours.EINVALID && code != retours.EUNAVAILABLE) {
		if code == retours.ECLOSED && !jsonBody {
			return s.renderClosed(w, r, http.StatusConflict, e, in.SessionID)
		}
		return err
	}
	status := statusOf(err)
	s.logError(r, status, err)
	ss, _ := e.Session(in.SessionID)
	sub := in.SubmissionID
	if !retours.ValidSubmissionID(sub) {
		// Not err: the fields of the original error are rendered below.
		var idErr error
		if sub, idErr = retours.NewSubmissionID(s.cfg.Rand); idErr != nil {
			return idErr
		}
	}
	if code == retours.EUNAVAILABLE {
		w.Header().Set("Retry-After", "5")
	}
	return s.renderThanks(w, r, status, e, ss, sub, false, in, retours.ErrorFields(err), code == retours.EUNAVAILABLE)
}

// privacyPage says what is kept about participants, for how long, and who
// to ask. With ?e= it names the event and the day its answers are erased.
func (s *Server) privacyPage(w http.ResponseWriter, r *http.Request) error {
	var e *retours.Event
	if id := r.URL.Query().Get("e"); retours.ValidID(id) {
		ev, err := s.surveyEvents.Event(r.Context(), id)
		switch {
		case err == nil:
			e = ev
		case retours.ErrorCode(err) != retours.ENOTFOUND:
			// The general notice is still worth showing.
			s.logError(r, statusOf(err), err)
		}
	}
	lang := pageLang(r, e)
	p := &pageData{Lang: lang, Title: messages.T(lang, "privacy.title"), Event: e}
	p.Message = messages.T(lang, "privacy.retention", s.cfg.RetentionMonths)
	threshold := retours.DefaultAnonymityThreshold
	if e != nil {
		p.Message = messages.T(lang, "privacy.retention.event", e.Title, i18n.Date(lang, e.ExpiresAt()))
		threshold = e.AnonymityThreshold
	}
	p.Anonymity = messages.T(lang, "privacy.results", threshold)
	return s.render(w, r, http.StatusOK, "privacy", p)
}
