package organiser

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// The data-entry page types paper sheets in, one sheet per screen, by
// keyboard alone: each answer is a plain text field that takes the number
// of the box ticked (a rating's value, a choice's rank), Tab goes through
// them in the sheet's order and Enter saves and starts the next sheet. It
// needs no script; a small one, allowed by its hash on this page alone,
// moves to the next field once a field's answer is complete and gives the
// sheet number the focus as soon as the page is read.

// entryScript moves on when a field's digits can only be a whole answer.
// It gives the sheet number the focus as soon as the page is read:
// autofocus waits for the first frame drawn, and a digit typed before it
// would be lost.
//
//go:embed templates/entry.js
var entryScript string

// entryCSS styles the data-entry page; allowed by its hash (see Service).
//
//go:embed templates/entry.css
var entryCSS string

// entryScriptSrc is the script-src of the data-entry page's policy.
var entryScriptSrc = func() string {
	sum := sha256.Sum256([]byte(entryScript))
	return "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// entryCookie holds a data-entry link's token, for the data-entry page
// only.
const entryCookie = "retours_entry"

// recentSheets is how many of the sheets entered in a sitting the page
// lists: the page passes their numbers on from one sheet to the next (last),
// and reads those alone, so that its work does not grow with the event.
const recentSheets = 10

// entryView is the data-entry page.
type entryView struct {
	web.Base
	Style     template.CSS
	Script    template.JS
	Organiser bool
	Action    string
	Sessions  []entrySession
	Session   string
	Sheet     string
	Replace   string // the sheet being corrected
	Fields    []entryField
	Note      string
	NoteError string
	SheetErr  string
	Saved     string // says the sheet just stored, corrected or removed
	Fixing    string // says which sheet is corrected
	// First is the first entry of a sheet typed in again.
	First *sheetRow
	// Count is the sheets entered in this sitting, Last their numbers,
	// newest first, recentSheets at most; Total the event's answers as its
	// activity counts them.
	Count  int
	Last   string
	Total  int
	Recent []sheetRow
	Links  []entryLink
	// NewLink is a data-entry link just created, shown this once.
	NewLink     string
	NewLinkText string
	LinkError   string
}

type entrySession struct {
	ID, Title string
	Selected  bool
}

// entryField is a question as a plain field: its answer typed as the
// number of the box ticked.
type entryField struct {
	ID, Label, Keys, Value, Error string
	Text                          bool
	Max                           int // a number with more digits than Max has cannot be typed
	MaxLength                     int
}

// sheetRow is a sheet entered, as listed.
type sheetRow struct {
	Sheet, When, By, Session, Summary, Note string
	Editable                                bool
}

type entryLink struct{ ID, Name, When string }

// entryEvent reads the event of the path and checks, with entryActor, that
// the request comes from one of its organisers or data-entry links.
func (s *Server) entryEvent(r *http.Request) (*retours.Event, retours.Actor, bool, error) {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return nil, retours.Actor{}, false, err
	}
	actor, orga, err := s.entryActor(r, e)
	return e, actor, orga, err
}

// entryActor checks that the request comes from an organiser of the event
// or from one of its data-entry links, and says which.
func (s *Server) entryActor(r *http.Request, e *retours.Event) (retours.Actor, bool, error) {
	if tok := organiserToken(r); tok != "" {
		if a, ok := e.AccessFor(tok); ok {
			return retours.Actor{Access: a}, true, nil
		}
	}
	if c, err := r.Cookie(entryCookie); err == nil {
		if a, ok := e.RoleAccessFor(c.Value, retours.RoleEntry); ok {
			return retours.Actor{Access: a}, false, nil
		}
		return retours.Actor{}, false, retours.NewError(retours.EFORBIDDEN, "entry.link_invalid")
	}
	if organiserToken(r) != "" {
		return retours.Actor{}, false, retours.NewError(retours.EFORBIDDEN, "organiser.token_forbidden")
	}
	return retours.Actor{}, false, retours.NewError(retours.EUNAUTHORIZED, "entry.login")
}

// entryPage answers GET /o/{event}/saisie: a blank sheet, or with
// ?corriger= the sheet to correct.
func (s *Server) entryPage(w http.ResponseWriter, r *http.Request) error {
	e, actor, orga, err := s.entryEvent(r)
	if err != nil {
		return err
	}
	return s.showEntry(w, r, e, actor, orga)
}

// entryLink answers GET /o/{event}/saisie/{token}, a data-entry link: it
// keeps the token in a cookie for the data-entry page alone and shows it.
func (s *Server) entryLink(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	tok := r.PathValue("token")
	a, ok := e.RoleAccessFor(tok, retours.RoleEntry)
	if !ok {
		return retours.NewError(retours.EFORBIDDEN, "entry.link_invalid")
	}
	http.SetCookie(w, &http.Cookie{Name: entryCookie, Value: tok, Path: "/o/" + e.ID + "/saisie", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(cookieMaxAge / time.Second)})
	return s.showEntry(w, r, e, retours.Actor{Access: a}, false)
}

// showEntry renders the page for a GET: a blank sheet after the one just
// saved, or the sheet to correct.
func (s *Server) showEntry(w http.ResponseWriter, r *http.Request, e *retours.Event, actor retours.Actor, orga bool) error {
	q := r.URL.Query()
	v, err := s.entryView(r, e, actor, orga, q.Get("s"), sitting(q))
	if err != nil {
		return err
	}
	if sheet, err := retours.ParseSheet(q.Get("ok")); err == nil {
		v.Saved = messages.T(v.Lang, "entry.saved", sheet)
	} else if sheet, err := retours.ParseSheet(q.Get("removed")); err == nil {
		v.Saved = messages.T(v.Lang, "entry.removed", sheet)
	} else if sheet, err := retours.ParseSheet(q.Get("fixed")); err == nil {
		v.Saved = messages.T(v.Lang, "entry.fixed", sheet)
	}
	if fix := q.Get("corriger"); fix != "" {
		sheet, err := retours.ParseSheet(fix)
		if err != nil {
			return err
		}
		a, n, err := s.cfg.Sheets.Sheet(r.Context(), e.ID, retours.SheetSubmissionID(e.ID, sheet))
		if err != nil {
			return err
		}
		if !mayChange(a, actor, orga) {
			return retours.NewError(retours.EFORBIDDEN, "entry.not_yours")
		}
		v.Replace, v.Sheet, v.Session = sheet, sheet, a.SessionID
		v.Fixing = messages.T(v.Lang, "entry.fixing", sheet)
		v.Sessions = entrySessions(e, v.Lang, a.SessionID)
		v.Fields = entryFields(e, v.Lang, typedValues(e, a), nil)
		if n != nil {
			v.Note = n.Text
		}
	}
	return s.renderEntry(w, r, http.StatusOK, v)
}

// mayChange reports whether actor may correct or remove the sheet a:
// organisers any, a data-entry link those it entered.
func mayChange(a *retours.Answer, actor retours.Actor, orga bool) bool {
	return a.Channel == retours.ChannelPaper && (orga || actor.Access != nil && a.EnteredBy == actor.Access.ID)
}

// entrySitting is what the page passes on from one sheet to the next: how
// many sheets were entered in this sitting, and the last ones' numbers.
type entrySitting struct {
	count int
	last  []string
}

// sitting reads the sitting from a query or a form: n and last.
func sitting(v url.Values) entrySitting {
	var st entrySitting
	if n, err := strconv.Atoi(v.Get("n")); err == nil && n > 0 && n < 1_000_000 {
		st.count = n
	}
	for _, sh := range strings.Split(v.Get("last"), ",") {
		if sheet, err := retours.ParseSheet(sh); err == nil && len(st.last) < recentSheets && !slices.Contains(st.last, sheet) {
			st.last = append(st.last, sheet)
		}
	}
	return st
}

// with returns the sitting after sheet was entered, or removed when
// removed is set.
func (st entrySitting) with(sheet string, removed bool) entrySitting {
	last := slices.DeleteFunc(slices.Clone(st.last), func(x string) bool { return x == sheet })
	if removed {
		return entrySitting{count: max(st.count-1, 0), last: last}
	}
	last = append([]string{sheet}, last...)
	if len(last) > recentSheets {
		last = last[:recentSheets]
	}
	return entrySitting{count: st.count + 1, last: last}
}

// set writes the sitting into a query.
func (st entrySitting) set(q url.Values) {
	if st.count > 0 {
		q.Set("n", strconv.Itoa(st.count))
	}
	if len(st.last) > 0 {
		q.Set("last", strings.Join(st.last, ","))
	}
}

// entryView builds the page's blank sheet, the count and the last sheets of
// this sitting, and, for organisers, the data-entry links.
func (s *Server) entryView(r *http.Request, e *retours.Event, actor retours.Actor, orga bool, session string, st entrySitting) (*entryView, error) {
	lang := web.PageLang(r, e)
	if _, ok := e.Session(session); !ok {
		session = ""
	}
	v := &entryView{
		Base:  web.Base{Lang: lang, Title: messages.T(lang, "entry.title"), Event: e, Path: "/o/" + e.ID + "/saisie", ErrorsTitle: messages.T(lang, "entry.errors")},
		Style: template.CSS(entryCSS), Script: template.JS(entryScript), Organiser: orga,
		Action: "/o/" + e.ID + "/saisie?lang=" + lang, Session: session,
		Sessions: entrySessions(e, lang, session), Fields: entryFields(e, lang, nil, nil),
	}
	v.Count, v.Last = st.count, strings.Join(st.last, ",")
	act, err := s.cfg.Changes.Activity(r.Context(), e.ID)
	if err != nil {
		return nil, err
	}
	v.Total = act.Answers
	titles, names := sessionTitles(e), accessNames(e)
	for _, sheet := range st.last {
		a, n, err := s.cfg.Sheets.Sheet(r.Context(), e.ID, retours.SheetSubmissionID(e.ID, sheet))
		switch {
		case retours.ErrorCode(err) == retours.ENOTFOUND:
			continue // removed since
		case err != nil:
			return nil, err
		}
		v.Recent = append(v.Recent, s.sheetRow(e, a, n, lang, titles, names, mayChange(a, actor, orga)))
	}
	if orga {
		for _, a := range e.Accesses {
			if a.Role == retours.RoleEntry {
				v.Links = append(v.Links, entryLink{ID: a.ID, Name: a.Name, When: i18n.DateTime(lang, a.CreatedAt)})
			}
		}
	}
	return v, nil
}

// sheetRow describes a stored sheet.
func (s *Server) sheetRow(e *retours.Event, a *retours.Answer, n *retours.Note, lang string, titles, names map[string]string, editable bool) sheetRow {
	row := sheetRow{Sheet: a.Sheet, When: i18n.DateTime(lang, a.CreatedAt), By: names[a.EnteredBy], Session: titles[a.SessionID],
		Editable: editable}
	if row.By == "" {
		row.By = messages.T(lang, "entry.by.organisers")
	}
	if row.Session == "" {
		row.Session = messages.T(lang, "orga.event.whole")
	}
	var parts []string
	for _, q := range e.Questionnaire.Questions {
		val, ok := a.Values[q.ID]
		if !ok {
			continue
		}
		switch {
		case q.Kind.IsScale():
			parts = append(parts, q.ID+" "+strconv.Itoa(val.Number))
		case q.Kind.HasChoices():
			var labels []string
			for _, id := range val.Choices {
				if c, ok := q.Choice(id); ok {
					labels = append(labels, c.Label.In(lang))
				}
			}
			parts = append(parts, q.ID+" "+strings.Join(labels, ", "))
		default:
			parts = append(parts, q.ID+" «\u00a0"+excerpt(val.Text)+"\u00a0»")
		}
	}
	row.Summary = strings.Join(parts, " · ")
	if n != nil {
		row.Note = excerpt(n.Text)
	}
	return row
}

// accessNames maps the event's accesses' ids to their names.
func accessNames(e *retours.Event) map[string]string {
	names := map[string]string{}
	for _, a := range e.Accesses {
		names[a.ID] = a.Name
	}
	return names
}

func excerpt(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

// entrySessions lists what a sheet may be about: the event as a whole,
// then each session not cancelled.
func entrySessions(e *retours.Event, lang, selected string) []entrySession {
	out := []entrySession{{ID: "", Title: messages.T(lang, "orga.event.whole"), Selected: selected == ""}}
	for _, ss := range e.Sessions {
		if !ss.Cancelled || ss.ID == selected {
			out = append(out, entrySession{ID: ss.ID, Title: ss.Title, Selected: ss.ID == selected})
		}
	}
	return out
}

// entryFields lists the questions asked, in the sheet's order, with the
// values typed and their problems.
func entryFields(e *retours.Event, lang string, typed map[string]string, problems map[string]string) []entryField {
	var out []entryField
	for _, q := range e.Questionnaire.Questions {
		if q.Retired {
			continue
		}
		f := entryField{ID: q.ID, Label: q.Label.In(lang), Value: typed[q.ID]}
		switch {
		case q.Kind.IsScale():
			lo, hi := q.Scale()
			f.Max, f.MaxLength = hi, 2
			f.Keys = messages.T(lang, "entry.keys.scale", lo, hi)
		case q.Kind.HasChoices():
			var keys []string
			for i, c := range q.Choices {
				keys = append(keys, strconv.Itoa(i+1)+"\u00a0"+c.Label.In(lang))
			}
			f.Keys = strings.Join(keys, " · ")
			if q.Kind.AllowsMany() {
				f.Keys += " — " + messages.T(lang, "entry.keys.many")
				f.MaxLength = 3 * len(q.Choices)
			} else {
				f.Max, f.MaxLength = len(q.Choices), 2
			}
		default:
			f.Text, f.MaxLength = true, q.TextLimit()
		}
		if p, ok := problems[q.ID]; ok {
			f.Error = retours.FieldMessage(lang, p)
		}
		out = append(out, f)
	}
	return out
}

// typedValues returns a stored answer as it would be typed in.
func typedValues(e *retours.Event, a *retours.Answer) map[string]string {
	out := map[string]string{}
	for _, q := range e.Questionnaire.Questions {
		val, ok := a.Values[q.ID]
		switch {
		case !ok:
		case q.Kind.IsScale():
			out[q.ID] = strconv.Itoa(val.Number)
		case q.Kind.HasChoices():
			var ranks []string
			for i, c := range q.Choices {
				if slices.Contains(val.Choices, c.ID) {
					ranks = append(ranks, strconv.Itoa(i+1))
				}
			}
			out[q.ID] = strings.Join(ranks, " ")
		default:
			out[q.ID] = val.Text
		}
	}
	return out
}

// rawSheet turns the typed fields into the answers the questionnaire
// parses: a choice's rank becomes its id. A rank that is no choice's is
// passed on as typed, for the questionnaire to refuse as the web form's.
func rawSheet(e *retours.Event, typed map[string]string) map[string][]string {
	raw := map[string][]string{}
	for _, q := range e.Questionnaire.Questions {
		s := strings.TrimSpace(typed[q.ID])
		if q.Retired || s == "" {
			continue
		}
		if !q.Kind.HasChoices() {
			raw[q.ID] = []string{s}
			continue
		}
		var tokens []string
		if f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' }); len(f) > 1 || !q.Kind.AllowsMany() || len(q.Choices) > 9 {
			tokens = f
		} else {
			// Up to nine choices, "13" is the first and the third.
			for _, r := range s {
				tokens = append(tokens, string(r))
			}
		}
		for _, t := range tokens {
			if i, err := strconv.Atoi(t); err == nil && i >= 1 && i <= len(q.Choices) {
				t = q.Choices[i-1].ID
			} else {
				t = "#" + t // never a choice's id
			}
			raw[q.ID] = append(raw[q.ID], t)
		}
	}
	return raw
}

// entrySave answers POST /o/{event}/saisie: it stores the sheet typed in
// (action save), stores a correction (replace set to the sheet's number),
// or removes a sheet (action delete), and then shows a blank sheet.
func (s *Server) entrySave(w http.ResponseWriter, r *http.Request) error {
	e, actor, orga, err := s.entryEvent(r)
	if err != nil {
		return err
	}
	if err := web.ParseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	lang := web.PageLang(r, e)
	st := sitting(f)
	next := url.Values{"lang": {lang}}
	if ss := f.Get("session"); ss != "" {
		next.Set("s", ss)
	}
	if f.Get("action") == "delete" {
		sheet, err := s.changeSheet(r, e, actor, orga, f.Get("sheet"), nil, nil)
		if err != nil {
			return err
		}
		next.Set("removed", sheet)
		st.with(sheet, true).set(next)
		http.Redirect(w, r, "/o/"+e.ID+"/saisie?"+next.Encode(), http.StatusSeeOther)
		return nil
	}
	typed := map[string]string{}
	for k, vs := range f {
		if id, ok := strings.CutPrefix(k, "q_"); ok && len(vs) > 0 {
			typed[id] = vs[0]
		}
	}
	in := retours.SheetInput{Sheet: f.Get("sheet"), SessionID: f.Get("session"), Lang: lang, Raw: rawSheet(e, typed), Note: f.Get("note")}
	by := ""
	if actor.Access != nil {
		by = actor.Access.ID
	}
	now := s.cfg.Now()
	a, n, err := retours.NewSheet(e, in, by, s.cfg.Rand, now)
	if err == nil && f.Get("replace") != "" {
		if a.Sheet != f.Get("replace") {
			err = &retours.Error{Code: retours.EINVALID, Key: "entry.replace_sheet", Fields: map[string]string{"sheet": retours.FieldInvalid}}
		} else if _, err = s.changeSheet(r, e, actor, orga, a.Sheet, a, n); err == nil {
			next.Set("fixed", a.Sheet)
			st.set(next)
			http.Redirect(w, r, "/o/"+e.ID+"/saisie?"+next.Encode(), http.StatusSeeOther)
			return nil
		}
	}
	var first *sheetRow
	if err == nil {
		stored, storedNote, created, perr := s.cfg.Sheets.PutSheet(r.Context(), a, n, e.ExpiresAt())
		switch {
		case perr != nil:
			err = perr
		case created:
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "sheet entered", slog.String("event", e.ID), slog.String("by", by))
			next.Set("ok", a.Sheet)
			st.with(a.Sheet, false).set(next)
			http.Redirect(w, r, "/o/"+e.ID+"/saisie?"+next.Encode(), http.StatusSeeOther)
			return nil
		default:
			row := s.sheetRow(e, stored, storedNote, lang, sessionTitles(e), accessNames(e), mayChange(stored, actor, orga))
			first = &row
			err = &retours.Error{Code: retours.ECONFLICT, Key: "sheet.duplicate", Args: []any{stored.Sheet}, Fields: map[string]string{"sheet": retours.FieldDuplicate}}
		}
	}
	return s.refusedSheet(r, e, actor, orga, st, in, typed, f.Get("replace"), first, err)
}

// refusedSheet shows the sheet again, as typed, with its problems, or the
// first entry of a sheet typed in again. Nothing was stored.
func (s *Server) refusedSheet(r *http.Request, e *retours.Event, actor retours.Actor, orga bool, st entrySitting, in retours.SheetInput, typed map[string]string, replace string, first *sheetRow, err error) error {
	code := retours.ErrorCode(err)
	if code != retours.EINVALID && code != retours.ECONFLICT && code != retours.ECLOSED && code != retours.ENOTFOUND && code != retours.EUNAVAILABLE {
		return err
	}
	return web.Reshow(err, func(w http.ResponseWriter, status int) error {
		v, verr := s.entryView(r, e, actor, orga, in.SessionID, st)
		if verr != nil {
			return verr
		}
		lang := v.Lang
		problems := retours.ErrorFields(err)
		v.Sheet, v.Note, v.Replace, v.First = in.Sheet, in.Note, replace, first
		if replace != "" {
			v.Fixing = messages.T(lang, "entry.fixing", replace)
		}
		v.Fields = entryFields(e, lang, typed, problems)
		if code == retours.EUNAVAILABLE {
			v.Errors = append(v.Errors, web.ErrorView{Anchor: "sheet", Label: messages.T(lang, "entry.sheet"), Message: messages.T(lang, "err.unavailable")})
		} else if p, ok := problems["sheet"]; ok {
			// The sheet's own messages say more than the field's.
			v.SheetErr = retours.FieldMessage(lang, p)
			if strings.HasPrefix(errorKey(err), "sheet.") {
				v.SheetErr = retours.ErrorMessage(lang, err)
			}
			v.Errors = append(v.Errors, web.ErrorView{Anchor: "sheet", Label: messages.T(lang, "entry.sheet"), Message: v.SheetErr})
		}
		if code == retours.ECLOSED || code == retours.ENOTFOUND {
			v.Errors = append(v.Errors, web.ErrorView{Anchor: "session", Label: messages.T(lang, "entry.session"), Message: closedMessage(lang, err)})
		}
		for _, f := range v.Fields {
			if f.Error != "" {
				v.Errors = append(v.Errors, web.ErrorView{Anchor: "q-" + f.ID, Label: f.Label, Message: f.Error})
			}
		}
		if p, ok := problems["note"]; ok {
			v.NoteError = retours.FieldMessage(lang, p)
			v.Errors = append(v.Errors, web.ErrorView{Anchor: "note", Label: messages.T(lang, "paper.etonnement"), Message: v.NoteError})
		}
		if len(v.Errors) == 0 {
			// A blank sheet, or a problem of no field shown.
			v.Errors = append(v.Errors, web.ErrorView{Anchor: "sheet", Label: messages.T(lang, "entry.sheet"), Message: retours.ErrorMessage(lang, err)})
		}
		return s.renderEntry(w, r, status, v)
	})
}

// closedMessage says, as the participants' closed page does, when answers
// to the sheet's questionnaire open or closed.
func closedMessage(lang string, err error) string {
	fields := retours.ErrorFields(err)
	if t, perr := time.Parse(time.RFC3339, fields["opens_at"]); perr == nil {
		return messages.T(lang, "entry.closed.before", i18n.DateTime(lang, t))
	}
	if t, perr := time.Parse(time.RFC3339, fields["closes_at"]); perr == nil {
		return messages.T(lang, "entry.closed.after", i18n.DateTime(lang, t))
	}
	return retours.ErrorMessage(lang, err)
}

func errorKey(err error) string {
	var e *retours.Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// changeSheet corrects the sheet typed (sheet), with a and n, or removes it
// when a is nil, if actor may; it returns the sheet's number.
func (s *Server) changeSheet(r *http.Request, e *retours.Event, actor retours.Actor, orga bool, typed string, a *retours.Answer, n *retours.Note) (string, error) {
	sheet, err := retours.ParseSheet(typed)
	if err != nil {
		return "", err
	}
	sub := retours.SheetSubmissionID(e.ID, sheet)
	old, oldNote, err := s.cfg.Sheets.Sheet(r.Context(), e.ID, sub)
	if err != nil {
		return "", err
	}
	if !mayChange(old, actor, orga) {
		return "", retours.NewError(retours.EFORBIDDEN, "entry.not_yours")
	}
	now := s.cfg.Now()
	if a == nil {
		err = s.cfg.Sheets.DeleteSheet(r.Context(), e, sub, now)
	} else {
		// A correction keeps the sheet's first entry: its id, time and
		// who typed it, and what the organisers hid.
		a.ID, a.CreatedAt, a.EnteredBy = old.ID, old.CreatedAt, old.EnteredBy
		for _, q := range old.Hidden {
			if a.Values[q].Text != "" {
				a.Hidden = append(a.Hidden, q)
			}
		}
		if n != nil && oldNote != nil {
			n.ID, n.CreatedAt, n.Hidden = oldNote.ID, oldNote.CreatedAt, oldNote.Hidden
		}
		err = s.cfg.Sheets.ReplaceSheet(r.Context(), e, a, n, now)
	}
	if err != nil {
		return "", err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "sheet changed", slog.String("event", e.ID), slog.Bool("removed", a == nil))
	return sheet, nil
}

// renderEntry renders the data-entry page, whose policy allows its script
// by its hash.
func (s *Server) renderEntry(w http.ResponseWriter, r *http.Request, status int, v *entryView) error {
	h := w.Header()
	if csp := h.Get("Content-Security-Policy"); csp != "" {
		h.Set("Content-Security-Policy", csp+"; "+entryScriptSrc)
	}
	return pages.Render(w, r, status, "entry", v)
}

// entryLinks answers POST /o/{event}/saisie/liens, for organisers: it
// creates a data-entry link (action create, with its name), shown once, or
// revokes one (action revoke, with its access id).
func (s *Server) entryLinks(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authoriseForm(r)
	if err != nil {
		return err
	}
	lang := web.PageLang(r, e)
	if r.PostForm.Get("action") == "revoke" {
		if err := s.revokeRoleAccess(r, e, actor, r.PostForm.Get("access"), retours.RoleEntry); err != nil {
			return err
		}
		http.Redirect(w, r, "/o/"+e.ID+"/saisie?lang="+lang+"#links", http.StatusSeeOther)
		return nil
	}
	a, token, err := s.addAccess(r, e, actor, r.PostForm.Get("name"), retours.RoleEntry)
	msg, refused := refusedLink(lang, err)
	if err != nil && !refused {
		return err
	}
	v, verr := s.entryView(r, e, actor, true, "", entrySitting{})
	if verr != nil {
		return verr
	}
	status := http.StatusCreated
	if refused {
		status = web.StatusOf(err)
		v.LinkError = msg
		v.Errors = []web.ErrorView{{Anchor: "link-name", Label: messages.T(lang, "entry.links.name"), Message: v.LinkError}}
	} else {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "data-entry link created", slog.String("event", e.ID), slog.String("access", a.ID))
		v.NewLink, v.NewLinkText = s.entryURL(r, e.ID, token), messages.T(lang, "entry.links.new", a.Name)
	}
	return s.renderEntry(w, r, status, v)
}

// entryURL is the address of a data-entry link.
func (s *Server) entryURL(r *http.Request, eventID, token string) string {
	return s.baseURL(r) + "/o/" + eventID + "/saisie/" + token
}
