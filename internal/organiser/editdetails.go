package organiser

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
)

// detailsPath is the page of an event's details, under /o/{event}.
const detailsPath = "/modifier"

// detailsPage answers GET /o/{event}/modifier: the event's details in a
// form, with the version they were read at.
func (s *Server) detailsPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	v := s.detailsView(r, e, retours.EditOf(e), e.Version)
	v.Notice = doneNotice(r, v.Lang)
	return renderEdit(w, r, http.StatusOK, v)
}

// detailsView is the details page with the values of in, made from
// version.
func (s *Server) detailsView(r *http.Request, e *retours.Event, in retours.EventEdit, version int) *editView {
	v := newEditView(r, e, detailsPath)
	v.titled(messages.T(v.Lang, "details.page"))
	langs := []editOption{
		{Value: "fr", Label: messages.T(v.Lang, "details.lang.fr"), Selected: slices.Contains(in.Languages, "fr")},
		{Value: "en", Label: messages.T(v.Lang, "details.lang.en"), Selected: slices.Contains(in.Languages, "en")},
	}
	field := func(name, typ, value string, required bool, label, help string) editField {
		return editField{ID: "d-" + name, Name: name, Key: name, Label: label, Help: help, Type: typ, Value: value, Required: required}
	}
	form := formView{ID: "details", Action: "/o/" + e.ID + detailsPath + "?lang=" + v.Lang,
		Hidden: []hiddenField{{"version", strconv.Itoa(version)}},
		Fields: []editField{
			field("title", "text", in.Title, true, messages.T(v.Lang, "details.title"), ""),
			field("place", "text", in.Place, false, messages.T(v.Lang, "details.place"), ""),
			field("starts_at", "datetime-local", localTime(in.StartsAt), true, messages.T(v.Lang, "details.starts_at"), ""),
			field("ends_at", "datetime-local", localTime(in.EndsAt), true, messages.T(v.Lang, "details.ends_at"), ""),
			field("closes_at", "datetime-local", localTime(in.ClosesAt), false, messages.T(v.Lang, "details.closes_at"), messages.T(v.Lang, "details.closes_at.help")),
			field("registered_count", "number", countValue(in.RegisteredCount), false, messages.T(v.Lang, "details.registered_count"), messages.T(v.Lang, "details.registered_count.help")),
			{ID: "d-languages", Name: "languages", Key: "languages", Label: messages.T(v.Lang, "details.languages"), Type: "checkboxes", Options: langs},
			field("series", "text", in.Series, false, messages.T(v.Lang, "details.series"), messages.T(v.Lang, "details.series.help")),
			field("edition", "number", countValue(in.Edition), false, messages.T(v.Lang, "details.edition"), ""),
			field("organiser_emails", "textarea", strings.Join(in.OrganiserEmails, "\n"), false, messages.T(v.Lang, "details.organiser_emails"), messages.T(v.Lang, "details.organiser_emails.help")),
			field("anonymity_threshold", "number", countValue(in.AnonymityThreshold), false, messages.T(v.Lang, "details.anonymity_threshold"), messages.T(v.Lang, "details.anonymity_threshold.help")),
			field("retention_months", "number", countValue(in.RetentionMonths), false, messages.T(v.Lang, "details.retention_months"), messages.T(v.Lang, "details.retention_months.help")),
		},
		Buttons: []buttonView{{Value: "save", Label: messages.T(v.Lang, "edit.save")}},
	}
	for i := range form.Fields {
		if form.Fields[i].Type == "number" {
			form.Fields[i].Min = "0"
		}
	}
	v.Sections = []sectionView{{Paras: []string{messages.T(v.Lang, "details.intro")}, Forms: []formView{form}}}
	return v
}

// saveDetails answers POST /o/{event}/modifier: the details of the form,
// written over the version it carries, under the rules of
// PUT /api/events/{event}. A form made from an older version than the
// stored one writes nothing and shows the current details.
func (s *Server) saveDetails(w http.ResponseWriter, r *http.Request) error {
	e, actor, from, err := s.editForm(r)
	if err != nil {
		return err
	}
	in, fe := detailsInput(r, e)
	if len(fe) == 0 {
		_, err = s.saveEdit(r, e, actor, from, in, retours.ActionUpdated)
	} else {
		err = fe.Err("event.invalid")
	}
	if err != nil {
		return editFailed(err, func(w http.ResponseWriter, status int) error {
			return s.staleDetails(w, r, status)
		}, func(w http.ResponseWriter, status int, fields map[string]string) error {
			v := s.detailsView(r, e, in, from)
			v.showErrors(fields)
			return renderEdit(w, r, status, v)
		})
	}
	savedRedirect(w, r, e, detailsPath, "saved", "")
	return nil
}

// staleDetails shows the details as they are now, saying that someone
// else changed them and that nothing was written.
func (s *Server) staleDetails(w http.ResponseWriter, r *http.Request, status int) error {
	now, err := s.cfg.Events.Event(r.Context(), r.PathValue("event"))
	if err != nil {
		return err
	}
	v := s.detailsView(r, now, retours.EditOf(now), now.Version)
	v.Problem = messages.T(v.Lang, "edit.stale")
	return renderEdit(w, r, status, v)
}

// detailsInput reads the details of the form over the rest of e's
// definition, and the problems of values that are no number or time.
func detailsInput(r *http.Request, e *retours.Event) (retours.EventEdit, retours.FieldErrors) {
	in := retours.EditOf(e)
	fe := retours.FieldErrors{}
	f := r.PostForm
	in.Title, in.Place, in.Series = f.Get("title"), f.Get("place"), f.Get("series")
	for name, t := range map[string]*time.Time{"starts_at": &in.StartsAt, "ends_at": &in.EndsAt, "closes_at": &in.ClosesAt} {
		var problem string
		if *t, problem = parseLocal(f.Get(name)); problem != "" {
			fe.Add(name, problem)
		}
	}
	for name, n := range map[string]*int{"registered_count": &in.RegisteredCount, "edition": &in.Edition,
		"anonymity_threshold": &in.AnonymityThreshold, "retention_months": &in.RetentionMonths} {
		var problem string
		if *n, problem = parseCount(f.Get(name)); problem != "" {
			fe.Add(name, problem)
		}
	}
	in.Languages = nil
	for _, l := range f["languages"] {
		if !slices.Contains(in.Languages, l) {
			in.Languages = append(in.Languages, l)
		}
	}
	if len(in.Languages) == 0 {
		fe.Add("languages", retours.FieldRequired)
	}
	in.OrganiserEmails = lines(f.Get("organiser_emails"), true)
	return in, fe
}
