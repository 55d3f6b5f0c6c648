package organiser

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/retours/retours/internal/programme"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// upload reads the programme file of a request: the file field of a
// multipart form (a page's upload), or the body itself, named by ?name=.
// A file over the route's limit is ETOOLARGE.
func upload(r *http.Request) (name, contentType string, data []byte, err error) {
	tooLarge := func(err error) error {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return retours.NewError(retours.ETOOLARGE, "programme.too_large")
		}
		return err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(web.ProgrammeBody); err != nil {
			if err := tooLarge(err); retours.ErrorCode(err) == retours.ETOOLARGE {
				return "", "", nil, err
			}
			return "", "", nil, retours.NewError(retours.EINVALID, "body.form")
		}
		f, h, err := r.FormFile("file")
		if err != nil {
			return "", "", nil, &retours.Error{Code: retours.EINVALID, Key: "programme.missing", Fields: map[string]string{"file": retours.FieldRequired}}
		}
		defer f.Close()
		data, err := io.ReadAll(f)
		if err != nil {
			return "", "", nil, tooLarge(err)
		}
		return h.Filename, h.Header.Get("Content-Type"), data, nil
	}
	data, err = io.ReadAll(r.Body)
	if err != nil {
		if err := tooLarge(err); retours.ErrorCode(err) == retours.ETOOLARGE {
			return "", "", nil, err
		}
		return "", "", nil, retours.NewError(retours.EINVALID, "body.incomplete")
	}
	if len(data) == 0 {
		return "", "", nil, &retours.Error{Code: retours.EINVALID, Key: "programme.missing", Fields: map[string]string{"file": retours.FieldRequired}}
	}
	return r.URL.Query().Get("name"), r.Header.Get("Content-Type"), data, nil
}

// problemView is a problem of a programme file, with its sentence in the
// reader's language.
type problemView struct {
	programme.Problem
	Key     string `json:"key"`
	Message string `json:"message"`
}

// previewResponse says what an import would do, and why it cannot be
// applied when it cannot.
type previewResponse struct {
	Format   programme.Format `json:"format,omitempty"`
	OK       bool             `json:"ok"`
	Steps    []programme.Step `json:"steps"`
	Problems []problemView    `json:"problems"`
	Notes    []problemView    `json:"notes"`
	// Version is the event's version the preview was made from: apply it
	// with If-Match.
	Version int `json:"version"`
}

func problemViews(lang string, ps []programme.Problem) []problemView {
	out := []problemView{}
	for _, p := range ps {
		out = append(out, problemView{Problem: p, Key: "problem." + string(p.Code), Message: p.Message(lang)})
	}
	return out
}

// readProgramme reads the uploaded file and plans its import into e.
func readProgramme(r *http.Request, e *retours.Event) (*programme.Result, *programme.Plan, *previewResponse, error) {
	name, ctype, data, err := upload(r)
	if err != nil {
		return nil, nil, nil, err
	}
	res := programme.Parse(name, ctype, data)
	lang := web.RequestLang(r)
	pv := &previewResponse{Format: res.Format, OK: res.OK(), Steps: []programme.Step{},
		Problems: problemViews(lang, res.Problems), Notes: problemViews(lang, res.Notes), Version: e.Version}
	var plan *programme.Plan
	if res.OK() {
		plan = programme.PlanImport(e, res.Drafts)
		pv.Steps = plan.Steps
	}
	return res, plan, pv, nil
}

// previewProgramme answers POST /api/events/{event}/programme/preview: what
// importing the file would create and change, line by line, and the
// problem of each faulty line. Nothing is written.
func (s *Server) previewProgramme(w http.ResponseWriter, r *http.Request) error {
	e, _, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	_, _, pv, err := readProgramme(r, e)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(e))
	web.WriteJSON(w, http.StatusOK, pv)
	return nil
}

// importProgramme answers POST /api/events/{event}/programme: the file's
// sessions created and updated, over the version of If-Match, as an edit.
// Nothing is written when any line has an error: the answer is then 400
// with the preview, problems included.
func (s *Server) importProgramme(w http.ResponseWriter, r *http.Request) error {
	e, actor, from, err := s.authoriseEdit(r)
	if err != nil {
		return err
	}
	_, plan, pv, err := readProgramme(r, e)
	if err != nil {
		return err
	}
	if !pv.OK {
		// The error's fields name each faulty line, as other errors name
		// their fields; the preview beside them says the rest.
		lang := web.RequestLang(r)
		fields := map[string]string{}
		for _, p := range pv.Problems {
			fields["line "+strconv.Itoa(p.Line)] = p.Message
		}
		web.WriteJSON(w, http.StatusBadRequest, struct {
			Error  string            `json:"error"`
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
			*previewResponse
		}{retours.ErrorMessage(lang, retours.NewError(retours.EINVALID, "programme.invalid")), retours.EINVALID, fields, pv})
		return nil
	}
	in := retours.EditOf(e)
	in.Sessions = plan.Sessions
	next, err := s.saveEdit(r, e, actor, from, in, retours.ActionImported)
	if err != nil {
		return err
	}
	pv.Version = next.Version
	// The new sessions' ids, now that they have them.
	for i := range pv.Steps {
		if pv.Steps[i].Action == programme.Create {
			for _, ss := range next.Sessions {
				if ss.Title == pv.Steps[i].Draft.Title && ss.StartsAt.Equal(pv.Steps[i].Draft.StartsAt) {
					pv.Steps[i].Session = ss.ID
				}
			}
		}
	}
	w.Header().Set("ETag", etag(next))
	web.WriteJSON(w, http.StatusOK, pv)
	return nil
}

// programmeTemplate answers GET /api/programme/template.csv: the CSV to
// fill in, French (";", with a byte-order mark for Excel) or English
// (?lang=en).
func (s *Server) programmeTemplate(w http.ResponseWriter, r *http.Request) error {
	lang := web.RequestLang(r)
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+map[bool]string{true: "programme-modele.csv", false: "programme-template.csv"}[lang == "fr"]+`"`)
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(programme.Template(lang))
	return err
}

// questionLibrary answers GET /api/questions: the default questionnaire and
// the library of ready questions an organiser may add to it.
func (s *Server) questionLibrary(w http.ResponseWriter, r *http.Request) error {
	web.WriteJSON(w, http.StatusOK, struct {
		Default []retours.Question `json:"default"`
		Library []retours.Question `json:"library"`
	}{retours.DefaultQuestionnaire().Questions, retours.QuestionLibrary()})
	return nil
}
