package organiser

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/retours/retours/internal/programme"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// programmePath is the page that imports a programme, under /o/{event}.
const programmePath = "/programme"

// programmePage answers GET /o/{event}/programme: what a programme file
// holds, the templates to download, and the form to send one.
func (s *Server) programmePage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	return renderEdit(w, r, http.StatusOK, s.programmeView(r, e))
}

// programmeView is the import page with its upload form.
func (s *Server) programmeView(r *http.Request, e *retours.Event) *editView {
	v := newEditView(r, e, programmePath)
	v.titled(messages.T(v.Lang, "programme.page"))
	v.Sections = []sectionView{
		{Paras: []string{messages.T(v.Lang, "programme.intro"), messages.T(v.Lang, "programme.csv"), messages.T(v.Lang, "programme.ics"), messages.T(v.Lang, "programme.safe")},
			Links: []linkView{
				{Label: messages.T(v.Lang, "programme.template.fr"), Href: "/api/programme/template.csv?lang=fr"},
				{Label: messages.T(v.Lang, "programme.template.en"), Href: "/api/programme/template.csv?lang=en"},
			}},
		{ID: "upload", Heading: messages.T(v.Lang, "programme.upload"), Forms: []formView{{
			ID: "programme", Action: "/o/" + e.ID + programmePath + "?lang=" + v.Lang, Multipart: true,
			Fields: []editField{{ID: "p-file", Name: "file", Key: "file", Label: messages.T(v.Lang, "programme.file"), Help: messages.T(v.Lang, "programme.file.help"),
				Type: "file", Accept: ".csv,.ics,.txt,text/csv,text/calendar", Required: true}},
			Buttons: []buttonView{{Value: "preview", Label: messages.T(v.Lang, "programme.preview.button")}},
		}}},
	}
	return v
}

// importPage answers POST /o/{event}/programme: a file sent is shown as a
// preview of what it would create and change, with the problem of each
// faulty line, and writes nothing; the preview's "import" button sends its
// sessions back to be written over the version previewed.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, false)
	if err != nil {
		return err
	}
	name, data, apply, from, err := programmeForm(r)
	if err != nil {
		if code := retours.ErrorCode(err); code == retours.ETOOLARGE || code == retours.EINVALID {
			return web.Reshow(err, func(w http.ResponseWriter, status int) error {
				v := s.programmeView(r, e)
				v.Problem = retours.ErrorMessage(v.Lang, err)
				v.showErrors(retours.ErrorFields(err))
				return renderEdit(w, r, status, v)
			})
		}
		return err
	}
	res := programme.Parse(name, "", data)
	if apply && from != e.Version {
		err = retours.NewError(retours.ESTALE, "event.changed")
	}
	if !importable(e, res) || !apply || err != nil {
		v := s.previewView(r, e, res)
		status := http.StatusOK
		if !importable(e, res) {
			status = http.StatusBadRequest
		}
		if err != nil {
			v.Problem = messages.T(v.Lang, "programme.stale")
			status = http.StatusPreconditionFailed
		}
		return renderEdit(w, r, status, v)
	}
	in := retours.EditOf(e)
	in.Sessions = programme.PlanImport(e, res.Drafts).Sessions
	if _, err := s.saveEdit(r, e, actor, from, in, retours.ActionImported); err != nil {
		return editFailed(err, func(w http.ResponseWriter, status int) error {
			now, err := s.cfg.Events.Event(r.Context(), e.ID)
			if err != nil {
				return err
			}
			v := s.previewView(r, now, res)
			v.Problem = messages.T(v.Lang, "programme.stale")
			return renderEdit(w, r, status, v)
		}, func(w http.ResponseWriter, status int, fields map[string]string) error {
			// The sessions read from the file break a rule of the event (too
			// many sessions, an answer window past the erasure date): each
			// problem is listed.
			v := s.previewView(r, e, res)
			v.Problem = retours.ErrorMessage(v.Lang, err)
			v.showErrors(fields)
			return renderEdit(w, r, status, v)
		})
	}
	savedRedirect(w, r, e, sessionsPath, "imported", "")
	return nil
}

// importable reports whether res can be imported into e: no line has an
// error, and the event's sessions with it stay within retours.MaxSessions.
func importable(e *retours.Event, res *programme.Result) bool {
	return res.OK() && len(programme.PlanImport(e, res.Drafts).Sessions) <= retours.MaxSessions
}

// programmeForm reads the import form: the file sent for a preview, or the
// sessions of a preview sent back to be imported, with the version they
// were previewed at.
func programmeForm(r *http.Request) (name string, data []byte, apply bool, version int, err error) {
	if err := r.ParseMultipartForm(web.ProgrammeBody); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, false, 0, retours.NewError(retours.ETOOLARGE, "programme.too_large")
		}
		return "", nil, false, 0, retours.NewError(retours.EINVALID, "body.form")
	}
	if content := r.MultipartForm.Value["content"]; len(content) == 1 {
		v, err := strconv.Atoi(r.FormValue("version"))
		if err != nil || v < 1 {
			return "", nil, false, 0, &retours.Error{Code: retours.EINVALID, Key: "event.version_invalid", Fields: map[string]string{"version": retours.FieldInvalid}}
		}
		return "programme.csv", []byte(content[0]), true, v, nil
	}
	name, _, data, err = upload(r)
	return name, data, false, 0, err
}

// previewView is the import page showing what res would do to e: its
// problems, line by line, or its steps and the button that applies them.
func (s *Server) previewView(r *http.Request, e *retours.Event, res *programme.Result) *editView {
	v := s.programmeView(r, e)
	lines := func(ps []programme.Problem) []string {
		var out []string
		for _, p := range ps {
			msg := p.Message(v.Lang)
			if p.Line > 0 {
				msg = messages.T(v.Lang, "programme.line", p.Line) + messages.T(v.Lang, "punct.colon") + " " + msg
			}
			out = append(out, msg)
		}
		return out
	}
	preview := sectionView{ID: "preview", Heading: messages.T(v.Lang, "programme.preview")}
	if !res.OK() {
		preview.Class = "problems"
		preview.Paras = []string{messages.T(v.Lang, "programme.problems")}
		preview.List = lines(res.Problems)
		if len(res.Problems) == 0 {
			preview.List = []string{messages.T(v.Lang, "programme.empty")}
		}
		v.Sections = append([]sectionView{v.Sections[0], preview}, v.Sections[1:]...)
		return v
	}
	plan := programme.PlanImport(e, res.Drafts)
	table := &tableView{Caption: messages.T(v.Lang, "programme.preview.caption"),
		Head: []string{messages.T(v.Lang, "programme.col.line"), messages.T(v.Lang, "programme.col.action"), messages.T(v.Lang, "programme.col.session"), messages.T(v.Lang, "programme.col.when")}}
	created, changed := 0, 0
	for _, st := range plan.Steps {
		action := messages.T(v.Lang, "programme.action."+st.Action)
		switch st.Action {
		case programme.Create:
			created++
		case programme.Update:
			changed++
			var what []string
			for _, c := range st.Changes {
				what = append(what, messages.T(v.Lang, "programme.change."+c))
			}
			action += " (" + strings.Join(what, ", ") + ")"
		}
		when := sessionWhen(v.Lang, retours.SessionInput{StartsAt: st.Draft.StartsAt, EndsAt: st.Draft.EndsAt})
		table.Rows = append(table.Rows, []string{strconv.Itoa(st.Line), action, st.Draft.Title, when})
	}
	preview.Paras = []string{messages.T(v.Lang, "programme.summary", created, changed)}
	preview.Table = table
	preview.List = lines(res.Notes)
	if !importable(e, res) {
		preview.Class = "problems"
		preview.Paras = append(preview.Paras, messages.T(v.Lang, "programme.too_many", len(plan.Sessions), retours.MaxSessions))
		v.Sections = append([]sectionView{v.Sections[0], preview}, v.Sections[1:]...)
		return v
	}
	data := bytes.TrimPrefix(programme.EncodeCSV(res.Drafts, "en"), []byte("\xef\xbb\xbf"))
	preview.Forms = []formView{{ID: "apply", Action: "/o/" + e.ID + programmePath + "?lang=" + v.Lang, Multipart: true,
		Legend:  messages.T(v.Lang, "programme.apply.legend"),
		Hidden:  []hiddenField{{"version", strconv.Itoa(e.Version)}, {"content", string(data)}},
		Buttons: []buttonView{{Value: "apply", Label: messages.T(v.Lang, "programme.apply")}}}}
	v.Sections = append([]sectionView{v.Sections[0], preview}, v.Sections[1:]...)
	return v
}
