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
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/retours/retours/internal/retours"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.New("").ParseFS(templateFS, "templates/*.html"))

const css = `*{box-sizing:border-box}body{margin:0 auto;max-width:40rem;padding:1rem;font:1.125rem/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff}
a{color:#0b4fa8}a:focus,button:focus,input:focus,textarea:focus{outline:3px solid #b34700;outline-offset:2px}
header{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem;font-size:1rem}.event{margin:0;color:#444}
.lang{display:inline-block;min-height:44px;padding:.6rem 0}h1{font-size:1.6rem;line-height:1.25}h2{font-size:1.25rem}
fieldset,.q{border:0;margin:0 0 1.5rem;padding:0}legend,label[for]{font-weight:600;display:block;margin-bottom:.25rem}
.help{margin:.1rem 0 .4rem;color:#444}.options{display:flex;flex-wrap:wrap;gap:.4rem}
.opt{display:flex;align-items:center;gap:.4rem;min-height:44px;min-width:44px;padding:.3rem .7rem;border:2px solid #5a5a5a;border-radius:.4rem}
.opt input{width:1.3rem;height:1.3rem;margin:0}textarea{width:100%;font:inherit;padding:.5rem;border:2px solid #5a5a5a;border-radius:.4rem}
button{font:inherit;font-weight:600;min-height:48px;padding:.6rem 1.4rem;border:0;border-radius:.4rem;background:#0b4fa8;color:#fff}
.errors{border:3px solid #b00020;padding:0 1rem;margin-bottom:1rem}.error{color:#b00020;font-weight:600;margin:.2rem 0}
.has-error .opt,.has-error textarea{border-color:#b00020}.req{font-weight:400;color:#444}.now{color:#fff;background:#1b6e20;padding:0 .4rem;border-radius:.3rem}
.sessions{padding:0;list-style:none}.sessions li{margin:.6rem 0}.sessions a{display:inline-block;min-height:44px;padding:.5rem 0;font-weight:600}.when{color:#444}`

// pageData is what the page templates render.
type pageData struct {
	Lang, Title  string
	LangQuery    template.URL
	CSS          template.CSS
	Event        *retours.Event
	Session      *retours.Session
	Sessions     []sessionView
	Questions    []questionView
	SubmissionID string
	Errors       []errorView
	Unavailable  bool
	Message      string
	NoteSaved    bool
	NoteKinds    []optionView
	NoteText     string
	NoteError    string
	// The digest's unsubscribe page.
	UnsubToken  string
	UnsubEvents []string
	UnsubDone   bool
}

// T returns the message key in the page's language.
func (p *pageData) T(key string) string { return msg(p.Lang, key) }

type sessionView struct {
	ID, Title, When string
	Current         bool
}

type questionView struct {
	ID, Kind, Label, Help string
	Required              bool
	Options               []optionView
	Text                  string
	MaxLength             int
	Error                 string
}

type optionView struct {
	Value, Label string
	Checked      bool
}

type errorView struct{ Anchor, Label, Message string }

// render writes a page with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *pageData) error {
	if p.Lang == "" {
		p.Lang = requestLang(r)
	}
	p.CSS = template.CSS(css)
	var q url.Values = url.Values{}
	for _, k := range []string{"general", "s", "note"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if len(q) > 0 {
		p.LangQuery = template.URL("&" + q.Encode())
	}
	t, err := pages.Clone()
	if err != nil {
		return err
	}
	if _, err := t.New("content").Parse(`{{template "` + name + `" .}}`); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", p.Lang)
	h.Set("Vary", "Accept-Language")
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	return err
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
		p := &pageData{Lang: lang}
		switch status {
		case http.StatusNotFound:
			p.Message = msg(lang, "err.not_found")
		case http.StatusRequestEntityTooLarge:
			p.Message = msg(lang, "err.too_large")
		case http.StatusServiceUnavailable:
			w.Header().Set("Retry-After", "5")
			p.Message = msg(lang, "err.unavailable")
		case http.StatusInternalServerError:
			p.Message = msg(lang, "err.internal")
		default:
			p.Message = retours.ErrorMessage(err)
		}
		if err := s.render(w, r, status, "error", p); err != nil {
			http.Error(w, msg(lang, "err.internal"), http.StatusInternalServerError)
		}
	}
}

func isJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	if len(e.Sessions) > 0 && r.URL.Query().Get("general") == "" {
		return s.render(w, r, http.StatusOK, "sessions", &pageData{Title: e.Title, Event: e, Sessions: s.sessionViews(e, requestLang(r))})
	}
	return s.showForm(w, r, e, nil)
}

// sessionViews lists the sessions in time order, the one in progress first.
func (s *Server) sessionViews(e *retours.Event, lang string) []sessionView {
	now := s.cfg.Now()
	sessions := append([]retours.Session(nil), e.Sessions...)
	sort.SliceStable(sessions, func(i, j int) bool { return sessions[i].StartsAt.Before(sessions[j].StartsAt) })
	current := -1
	if !now.After(e.EndsAt) {
		for i, ss := range sessions {
			if !ss.StartsAt.After(now) {
				current = i
			}
		}
	}
	loc := paris()
	var out []sessionView
	for i, ss := range sessions {
		v := sessionView{ID: ss.ID, Title: ss.Title, When: ss.StartsAt.In(loc).Format("15:04"), Current: i == current}
		if v.Current {
			out = append([]sessionView{v}, out...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

func (s *Server) sessionPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	ss, ok := e.Session(r.PathValue("session"))
	if !ok {
		return retours.Errorf(retours.ENOTFOUND, "Cette session n'existe pas.")
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

func (s *Server) renderClosed(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, sessionID string) error {
	lang := requestLang(r)
	opens, closes := e.Window(sessionID)
	p := &pageData{Title: msg(lang, "closed.title"), Event: e, Lang: lang}
	if s.cfg.Now().Before(opens) {
		p.Message = fmt.Sprintf(msg(lang, "closed.before"), formatDate(opens, lang))
	} else {
		p.Message = fmt.Sprintf(msg(lang, "closed.after"), formatDate(closes, lang))
	}
	return s.render(w, r, status, "closed", p)
}

// renderForm renders the questionnaire with the given values and errors.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, ss *retours.Session, sub string, raw map[string][]string, fieldErrs map[string]string, unavailable bool) error {
	lang := requestLang(r)
	p := &pageData{Event: e, Session: ss, SubmissionID: sub, Lang: lang, Title: e.Title, Unavailable: unavailable}
	if ss != nil {
		p.Title = ss.Title
	}
	for _, q := range e.Questionnaire.Questions {
		v := questionView{ID: q.ID, Kind: q.Kind, Label: q.Label.In(lang), Help: q.Help.In(lang), Required: q.Required, MaxLength: q.TextLimit()}
		chosen := map[string]bool{}
		for _, c := range raw[q.ID] {
			chosen[c] = true
		}
		switch q.Kind {
		case retours.QuestionRating, retours.QuestionNPS:
			lo, hi := q.Scale()
			for n := lo; n <= hi; n++ {
				v.Options = append(v.Options, optionView{Value: itoa(n), Label: itoa(n), Checked: chosen[itoa(n)]})
			}
		case retours.QuestionSingle, retours.QuestionMulti:
			for _, c := range q.Choices {
				v.Options = append(v.Options, optionView{Value: c.ID, Label: c.Label.In(lang), Checked: chosen[c.ID]})
			}
		case retours.QuestionText:
			if len(raw[q.ID]) > 0 {
				v.Text = raw[q.ID][0]
			}
		}
		if problem, ok := fieldErrs[q.ID]; ok {
			v.Error = fieldMessage(lang, problem)
			p.Errors = append(p.Errors, errorView{Anchor: "q-" + q.ID, Label: v.Label, Message: v.Error})
		}
		p.Questions = append(p.Questions, v)
	}
	if problem, ok := fieldErrs["answers"]; ok && problem == retours.FieldRequired && len(p.Errors) == 0 {
		p.Errors = append(p.Errors, errorView{Anchor: "q-" + e.Questionnaire.Questions[0].ID, Label: p.Questions[0].Label, Message: fieldMessage(lang, problem)})
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

func (s *Server) postAnswer(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	var in retours.AnswerInput
	jsonBody := isJSON(r)
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
	if jsonBody {
		status := http.StatusCreated
		if !created {
			status = http.StatusOK
		}
		writeJSON(w, status, answerResponse{ID: stored.ID, SubmissionID: stored.SubmissionID, Event: e.ID, Session: stored.SessionID, Created: created})
		return nil
	}
	q := url.Values{"lang": {langOr(in.Lang, r)}}
	if stored.SessionID != "" {
		q.Set("s", stored.SessionID)
	}
	http.Redirect(w, r, "/e/"+e.ID+"/merci?"+q.Encode(), http.StatusSeeOther)
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
				return nil, &retours.Error{Code: retours.EINVALID, Message: "Réponse non valide.", Fields: map[string]string{fieldKey(id): retours.FieldInvalid}}
			}
			out[id] = []string{itoa(int(t))}
		case string:
			out[id] = []string{t}
		case []any:
			for _, x := range t {
				sx, ok := x.(string)
				if !ok {
					return nil, &retours.Error{Code: retours.EINVALID, Message: "Réponse non valide.", Fields: map[string]string{fieldKey(id): retours.FieldInvalid}}
				}
				out[id] = append(out[id], sx)
			}
		default:
			return nil, &retours.Error{Code: retours.EINVALID, Message: "Réponse non valide.", Fields: map[string]string{fieldKey(id): retours.FieldInvalid}}
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
	return retours.Errorf(retours.EINVALID, "Le corps de la requête n'est pas du JSON valide.")
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
		return retours.Errorf(retours.EINVALID, "Le corps de la requête est incomplet.")
	}
	if !utf8.Valid(data) {
		return retours.Errorf(retours.EINVALID, "Le corps de la requête n'est pas en UTF-8 valide.")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			if ute.Field == "" {
				return retours.Errorf(retours.EINVALID, "Le corps de la requête doit être un objet JSON.")
			}
			return retours.Errorf(retours.EINVALID, "Le champ %q n'a pas le bon type.", ute.Field)
		}
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			return retours.Errorf(retours.EINVALID, "Champ inconnu : %s.", strings.TrimPrefix(err.Error(), "json: unknown field "))
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
		return retours.Errorf(retours.EINVALID, "Type de contenu non pris en charge : envoyez un formulaire ou du JSON.")
	}
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		return retours.Errorf(retours.EINVALID, "Le formulaire est illisible.")
	}
	return nil
}

func (s *Server) thanksPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
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
	lang := requestLang(r)
	p := &pageData{Lang: lang, Title: msg(lang, "thanks.title"), Event: e, Session: ss, SubmissionID: sub, NoteSaved: saved, NoteText: in.Text, Unavailable: unavailable}
	for _, k := range retours.NoteKinds {
		p.NoteKinds = append(p.NoteKinds, optionView{Value: k, Label: msg(lang, "note."+k), Checked: k == in.Kind})
	}
	if problem, ok := fieldErrs["kind"]; ok {
		p.Errors = append(p.Errors, errorView{Anchor: "note-kind", Label: msg(lang, "thanks.note.kind"), Message: fieldMessage(lang, problem)})
	}
	if problem, ok := fieldErrs["text"]; ok {
		p.NoteError = fieldMessage(lang, problem)
		p.Errors = append(p.Errors, errorView{Anchor: "note-text", Label: msg(lang, "thanks.note.text"), Message: p.NoteError})
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
	sort.Strings(keys)
	var out []errorView
	for _, k := range keys {
		m := fieldMessage(lang, fieldErrs[k])
		if k == "submission_id" {
			// A fresh id was issued: sending again works.
			m = msg(lang, "form.resend")
		}
		out = append(out, errorView{Anchor: anchor, Label: msg(lang, "form.label"), Message: m})
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
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	var in retours.NoteInput
	jsonBody := isJSON(r)
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
			if jsonBody {
				status := http.StatusCreated
				if !created {
					status = http.StatusOK
				}
				writeJSON(w, status, answerResponse{ID: nt.ID, SubmissionID: nt.SubmissionID, Event: e.ID, Session: nt.SessionID, Created: created})
				return nil
			}
			q := url.Values{"lang": {langOr(in.Lang, r)}, "note": {"1"}}
			if nt.SessionID != "" {
				q.Set("s", nt.SessionID)
			}
			http.Redirect(w, r, "/e/"+e.ID+"/merci?"+q.Encode(), http.StatusSeeOther)
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

var parisLoc *time.Location

func paris() *time.Location {
	if parisLoc == nil {
		if loc, err := time.LoadLocation("Europe/Paris"); err == nil {
			parisLoc = loc
		} else {
			parisLoc = time.UTC
		}
	}
	return parisLoc
}

func formatDate(t time.Time, lang string) string {
	t = t.In(paris())
	if lang == "en" {
		return t.Format("2 January 2006, 15:04")
	}
	months := [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	return fmt.Sprintf("%d %s %d à %s", t.Day(), months[t.Month()-1], t.Year(), t.Format("15:04"))
}
