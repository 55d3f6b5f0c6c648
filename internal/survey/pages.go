package survey

import (
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

// sessionsView is the event page: its sessions to choose from.
type sessionsView struct {
	web.Base
	Sessions []sessionView
}

type sessionView struct {
	ID, Title, When string
	State           string // "now", "soon", "closed" or ""
}

// formView is the questionnaire of the event or of one session.
type formView struct {
	web.Base
	Session      *retours.Session
	Questions    []questionView
	SubmissionID string
	// Unavailable says the answers could not be stored for now and should
	// be sent again.
	Unavailable bool
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

// thanksView is the thank-you page and its rapport d'étonnement note.
type thanksView struct {
	web.Base
	Session      *retours.Session
	SubmissionID string
	NoteSaved    bool
	NoteKinds    []optionView
	NoteText     string
	NoteError    string
	KindError    string
	Unavailable  bool // the note could not be stored for now
}

// privacyView is the privacy notice.
type privacyView struct {
	web.Base
	Message string // how long answers are kept
	// Anonymity is the paragraph on what results show.
	Anonymity string
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.event(r)
	if err != nil {
		return err
	}
	if len(e.Sessions) > 0 && r.URL.Query().Get("general") == "" {
		lang := web.PageLang(r, e)
		return pages.Render(w, r, http.StatusOK, "sessions", &sessionsView{
			Base:     web.Base{Lang: lang, Title: e.Title, Event: e, ShowsEvent: true},
			Sessions: s.sessionViews(e, lang),
		})
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
		if ss.Cancelled {
			continue // its QR code, still on a poster, says it was cancelled
		}
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
	e, err := s.event(r)
	if err != nil {
		return err
	}
	ss, ok := e.Session(r.PathValue("session"))
	if !ok {
		return retours.NewError(retours.ENOTFOUND, "session.not_found")
	}
	return s.showForm(w, r, e, ss)
}

// showForm renders the questionnaire, or a page saying when answers are
// accepted when they are not open.
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

// renderClosed renders the page that says when answers are accepted.
func (s *Server) renderClosed(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, sessionID string) error {
	lang := web.PageLang(r, e)
	opens, closes := e.Window(sessionID)
	p := &web.Notice{Base: web.Base{Title: messages.T(lang, "closed.title"), Event: e, Lang: lang, Path: formPath(e, sessionID)}}
	if ss, ok := e.Session(sessionID); ok && ss.Cancelled {
		p.Title, p.Message = messages.T(lang, "cancelled.title"), messages.T(lang, "cancelled", ss.Title)
		return pages.Render(w, r, status, "closed", p)
	}
	if s.cfg.Now().Before(opens) {
		p.Title = messages.T(lang, "closed.before.title")
		p.Message = messages.T(lang, "closed.before", i18n.DateTime(lang, opens))
	} else {
		p.Message = messages.T(lang, "closed.after", i18n.DateTime(lang, closes))
	}
	return pages.Render(w, r, status, "closed", p)
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
	lang := web.PageLang(r, e)
	p := &formView{
		Base:    web.Base{Event: e, Lang: lang, Title: e.Title, ErrorsTitle: messages.T(lang, "form.errors"), Path: formPath(e, "")},
		Session: ss, SubmissionID: sub, Unavailable: unavailable,
	}
	if ss != nil {
		p.Title = ss.Title + " – " + e.Title
		p.Path = formPath(e, ss.ID)
	}
	for _, q := range e.Questionnaire.Questions {
		if q.Retired {
			continue
		}
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
				v.Options = append(v.Options, optionView{Value: strconv.Itoa(n), Label: strconv.Itoa(n), Checked: chosen[strconv.Itoa(n)]})
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
			p.Errors = append(p.Errors, web.ErrorView{Anchor: "q-" + q.ID, Label: v.Label, Message: v.Error})
		}
		v.DescribedBy = strings.Join(described, " ")
		p.Questions = append(p.Questions, v)
	}
	if problem, ok := fieldErrs["answers"]; ok && problem == retours.FieldRequired && len(p.Errors) == 0 {
		p.Errors = append(p.Errors, web.ErrorView{Anchor: "q-" + p.Questions[0].ID, Label: p.Questions[0].Label, Message: retours.FieldMessage(lang, problem)})
		delete(fieldErrs, "answers")
	}
	p.Errors = append(p.Errors, web.FormErrors(lang, "q-"+p.Questions[0].ID, fieldErrs, func(k string) bool {
		_, ok := e.Questionnaire.Question(k)
		return ok
	})...)
	return pages.Render(w, r, status, "form", p)
}

func (s *Server) thanksPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.event(r)
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
	lang := web.PageLang(r, e)
	p := &thanksView{
		Base:    web.Base{Lang: lang, Title: messages.T(lang, "thanks.title"), Event: e, ErrorsTitle: messages.T(lang, "thanks.note.errors"), Path: "/e/" + e.ID + "/merci"},
		Session: ss, SubmissionID: sub, NoteSaved: saved, NoteText: in.Text, Unavailable: unavailable,
	}
	q := url.Values{}
	if ss != nil {
		q.Set("s", ss.ID)
	}
	if saved {
		q.Set("note", "1")
	}
	if len(q) > 0 {
		p.Path += "?" + q.Encode()
	}
	for _, k := range retours.NoteKinds {
		p.NoteKinds = append(p.NoteKinds, optionView{Value: k, Label: messages.T(lang, "note."+k), Checked: k == in.Kind})
	}
	if problem, ok := fieldErrs["kind"]; ok {
		p.KindError = retours.FieldMessage(lang, problem)
		p.Errors = append(p.Errors, web.ErrorView{Anchor: "note-kind", Label: messages.T(lang, "thanks.note.kind"), Message: p.KindError})
	}
	if problem, ok := fieldErrs["text"]; ok {
		p.NoteError = retours.FieldMessage(lang, problem)
		p.Errors = append(p.Errors, web.ErrorView{Anchor: "note-text", Label: messages.T(lang, "thanks.note.text"), Message: p.NoteError})
	}
	p.Errors = append(p.Errors, web.FormErrors(lang, "note-kind", fieldErrs, func(k string) bool { return k == "kind" || k == "text" })...)
	return pages.Render(w, r, status, "thanks", p)
}

// privacyPage says what is kept about participants, for how long, and who
// to ask. With ?e= it names the event and the day its answers are erased.
func (s *Server) privacyPage(w http.ResponseWriter, r *http.Request) error {
	var e *retours.Event
	if id := r.URL.Query().Get("e"); retours.ValidID(id) {
		ev, err := s.events.Event(r.Context(), id)
		switch {
		case err == nil:
			e = ev
		case retours.ErrorCode(err) != retours.ENOTFOUND:
			// The general notice is still worth showing.
			web.LogError(s.cfg.Logger, r, err)
		}
	}
	lang := web.PageLang(r, e)
	p := &privacyView{Base: web.Base{Lang: lang, Title: messages.T(lang, "privacy.title"), Event: e}}
	p.Message = messages.T(lang, "privacy.retention", s.cfg.RetentionMonths)
	threshold := retours.DefaultAnonymityThreshold
	if e != nil {
		p.Message = messages.T(lang, "privacy.retention.event", e.Title, i18n.Date(lang, e.ExpiresAt()))
		threshold = e.AnonymityThreshold
	}
	p.Anonymity = messages.T(lang, "privacy.results", threshold)
	return pages.Render(w, r, http.StatusOK, "privacy", p)
}
