package organiser

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
)

// sessionsPath is the page of an event's sessions, under /o/{event}.
const sessionsPath = "/sessions"

// sessionsPage answers GET /o/{event}/sessions: a form per session, and
// one to add a session.
func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	v := s.sessionsView(r, e, e.Version, "", retours.SessionEdit{})
	v.Notice = doneNotice(r, v.Lang)
	return renderEdit(w, r, http.StatusOK, v)
}

// sessionsView is the sessions page made from version; the form of the
// session editing (its id, "new" for the new one) shows edited's values.
func (s *Server) sessionsView(r *http.Request, e *retours.Event, version int, editing string, edited retours.SessionEdit) *editView {
	v := newEditView(r, e, sessionsPath)
	v.titled(messages.T(v.Lang, "sessions.page"))
	action := "/o/" + e.ID + sessionsPath + "?lang=" + v.Lang
	intro := sectionView{Paras: []string{messages.T(v.Lang, "sessions.intro"), messages.T(v.Lang, "sessions.cancel.help")}}
	v.Sections = append(v.Sections, intro)
	// In the order of the day, as the programme reads; each form stands on
	// its own, so the order they are stored in does not matter.
	sessions := retours.EditOf(e).Sessions
	slices.SortStableFunc(sessions, func(a, b retours.SessionEdit) int { return a.StartsAt.Compare(b.StartsAt) })
	for _, ss := range sessions {
		if ss.ID == editing {
			ss = edited
		}
		f := sessionForm(v, action, version, ss)
		heading := ss.Title
		if ss.Cancelled {
			heading = messages.T(v.Lang, "sessions.cancelled.title", ss.Title)
		}
		sec := sectionView{ID: "s-" + ss.ID, Heading: heading, Forms: []formView{f}}
		if ss.Cancelled {
			sec.Class = "cancelled"
			sec.Paras = []string{messages.T(v.Lang, "sessions.cancelled")}
		}
		v.Sections = append(v.Sections, sec)
	}
	fresh := retours.SessionEdit{SessionInput: retours.SessionInput{Kind: retours.KindAtelier}}
	if editing == "new" {
		fresh = edited
	}
	add := sessionForm(v, action, version, fresh)
	v.Sections = append(v.Sections, sectionView{ID: "s-new", Heading: messages.T(v.Lang, "sessions.add"), Forms: []formView{add}})
	return v
}

// sessionForm is the form of one session, or of a new one when ss.ID is
// "". Its fields' keys are those of the domain's errors for the session,
// which sessionErrors maps them to.
func sessionForm(v *editView, action string, version int, ss retours.SessionEdit) formView {
	prefix := "s-" + ss.ID + "-"
	if ss.ID == "" {
		prefix = "s-new-"
	}
	field := func(name, typ, value string, required bool, label, help string) editField {
		return editField{ID: prefix + name, Name: name, Key: name, Label: label, Help: help, Type: typ, Value: value, Required: required}
	}
	kind := field("kind", "select", "", true, messages.T(v.Lang, "sessions.kind"), "")
	kind.Options = kindOptions(v.Lang, ss.Kind)
	f := formView{ID: strings.TrimSuffix(prefix, "-"), Action: action, Class: "session",
		Hidden: []hiddenField{{"version", strconv.Itoa(version)}, {"session", ss.ID}},
		Fields: []editField{
			field("title", "text", ss.Title, true, messages.T(v.Lang, "sessions.title"), ""),
			kind,
			field("starts_at", "datetime-local", localTime(ss.StartsAt), true, messages.T(v.Lang, "sessions.starts_at"), ""),
			field("ends_at", "datetime-local", localTime(ss.EndsAt), false, messages.T(v.Lang, "sessions.ends_at"), ""),
			field("room", "text", ss.Room, false, messages.T(v.Lang, "sessions.room"), ""),
			field("speakers", "text", strings.Join(ss.Speakers, ", "), false, messages.T(v.Lang, "sessions.speakers"), messages.T(v.Lang, "sessions.speakers.help")),
			field("opens_at", "datetime-local", localTime(ss.OpensAt), false, messages.T(v.Lang, "sessions.opens_at"), messages.T(v.Lang, "sessions.opens_at.help")),
			field("closes_at", "datetime-local", localTime(ss.ClosesAt), false, messages.T(v.Lang, "sessions.closes_at"), messages.T(v.Lang, "sessions.closes_at.help")),
		},
	}
	switch {
	case ss.ID == "":
		f.Legend = messages.T(v.Lang, "sessions.add")
		f.Buttons = []buttonView{{Value: "save", Label: messages.T(v.Lang, "sessions.add.button")}}
	case ss.Cancelled:
		f.Legend = ss.Title
		f.Buttons = []buttonView{{Value: "save", Label: messages.T(v.Lang, "edit.save")}, {Value: "restore", Label: messages.T(v.Lang, "sessions.restore"), Secondary: true}}
	default:
		f.Legend = ss.Title
		f.Buttons = []buttonView{{Value: "save", Label: messages.T(v.Lang, "edit.save")}, {Value: "cancel", Label: messages.T(v.Lang, "sessions.cancel"), Secondary: true}}
	}
	if ss.Title == "" {
		f.Legend = messages.T(v.Lang, "sessions.add")
	}
	// The legend names the session; the heading above it already does.
	f.Legend = messages.T(v.Lang, "sessions.details", f.Legend)
	return f
}

// saveSession answers POST /o/{event}/sessions: one session added,
// changed, cancelled or restored, as an edit over the version the form
// carries.
func (s *Server) saveSession(w http.ResponseWriter, r *http.Request) error {
	e, actor, from, err := s.editForm(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	in := retours.EditOf(e)
	id := f.Get("session")
	i := slices.IndexFunc(in.Sessions, func(ss retours.SessionEdit) bool { return ss.ID == id })
	switch {
	case id == "":
		in.Sessions = append(in.Sessions, retours.SessionEdit{})
		i = len(in.Sessions) - 1
	case i < 0 && from == e.Version:
		return retours.NewError(retours.ENOTFOUND, "session.not_found")
	case i < 0:
		return editFailed(retours.NewError(retours.ESTALE, "event.changed"), s.staleSessions(r), nil)
	}
	ss, fe := sessionInput(f, in.Sessions[i].ID)
	ss.Cancelled = in.Sessions[i].Cancelled
	done := "saved"
	switch f.Get("action") {
	case "cancel":
		ss.Cancelled, done = true, "cancelled"
	case "restore":
		ss.Cancelled, done = false, "restored"
	}
	in.Sessions[i] = ss
	if len(fe) == 0 {
		_, err = s.saveEdit(r, e, actor, from, in, retours.ActionUpdated)
	} else {
		err = fe.Err("event.invalid")
	}
	if err != nil {
		editing := ss.ID
		if editing == "" {
			editing = "new"
		}
		return editFailed(err, s.staleSessions(r), func(w http.ResponseWriter, status int, fields map[string]string) error {
			v := s.sessionsView(r, e, from, editing, ss)
			v.showErrors(sessionErrors(fields, i))
			return renderEdit(w, r, status, v)
		})
	}
	anchor := "s-" + id
	if id == "" {
		anchor = ""
	}
	savedRedirect(w, r, e, sessionsPath, done, anchor)
	return nil
}

// staleSessions shows the sessions as they are now, saying that someone
// else changed them and that nothing was written.
func (s *Server) staleSessions(r *http.Request) func(w http.ResponseWriter, status int) error {
	return func(w http.ResponseWriter, status int) error {
		now, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
		if err != nil {
			return err
		}
		v := s.sessionsView(r, now, now.Version, "", retours.SessionEdit{})
		v.Problem = messages.T(v.Lang, "edit.stale")
		return renderEdit(w, r, status, v)
	}
}

// sessionErrors keeps the problems of the session at index i, named as its
// form's fields, and those of the event as a whole; other sessions' are
// not the form's doing.
func sessionErrors(fields map[string]string, i int) map[string]string {
	out := map[string]string{}
	prefix := "sessions." + strconv.Itoa(i) + "."
	for k, p := range fields {
		switch {
		case strings.HasPrefix(k, prefix):
			out[strings.TrimPrefix(k, prefix)] = p
		case !strings.HasPrefix(k, "sessions."):
			out[k] = p
		}
	}
	return out
}

// sessionInput reads a session's form: its times in Paris, its speakers
// separated by commas.
func sessionInput(f map[string][]string, id string) (retours.SessionEdit, retours.FieldErrors) {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	fe := retours.FieldErrors{}
	ss := retours.SessionEdit{ID: id}
	ss.Title, ss.Kind, ss.Room = get("title"), get("kind"), get("room")
	ss.Speakers = lines(get("speakers"), true)
	for name, t := range map[string]*time.Time{"starts_at": &ss.StartsAt, "ends_at": &ss.EndsAt, "opens_at": &ss.OpensAt, "closes_at": &ss.ClosesAt} {
		var problem string
		if *t, problem = parseLocal(get(name)); problem != "" {
			fe.Add(name, problem)
		}
	}
	return ss, fe
}

// sessionWhen is when a session starts and ends, as people read it.
func sessionWhen(lang string, ss retours.SessionInput) string {
	when := i18n.DateTime(lang, ss.StartsAt)
	if !ss.EndsAt.IsZero() {
		when += "–" + i18n.Clock(ss.EndsAt)
	}
	return when
}

// kindOptions are the kinds of session to choose from, selected the one.
func kindOptions(lang, selected string) []editOption {
	var out []editOption
	for _, k := range retours.SessionKinds {
		out = append(out, editOption{Value: k, Label: messages.T(lang, "session.kind."+k), Selected: k == selected})
	}
	return out
}
