package organiser

import (
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// editCSS styles the organisers' editing pages (details, sessions,
// questionnaire, programme, new edition); it is allowed by its hash like
// the layout's (see Service).
//
//go:embed templates/edit.css
var editCSS string

// editView is one of the organisers' editing pages: a navigation, what
// happened (saved, or someone else's change in between), the summary of
// the form's errors, then sections of text, tables and forms. Every page is
// made of these, so that one template renders them all the same way.
type editView struct {
	web.Base
	Style     template.CSS // the organisers' page's
	EditStyle template.CSS
	Nav       []navItem
	Heading   string
	Notice    string // what was just done, said as a status
	Problem   string // why nothing was written, said as an alert
	Sections  []sectionView
}

// sectionView is a part of an editing page: a heading, paragraphs, a
// list, a table, and forms.
type sectionView struct {
	ID, Heading string
	Class       string
	Paras       []string
	List        []string
	Links       []linkView
	Table       *tableView
	Forms       []formView
	// Secret is a token shown once, in a box of its own.
	Secret *secretView
}

type tableView struct {
	Caption string
	Head    []string
	Rows    [][]string
}

type secretView struct{ Label, Value, Help string }

// formView is a form of an editing page: its fields, hidden values and
// buttons (each a value of the form's "action").
type formView struct {
	ID, Legend, Note string
	Action           string
	Multipart        bool
	// Collapsed, when set, folds the form under a summary of that text,
	// opened when Open or when one of its fields has a problem.
	Collapsed string
	Open      bool
	Class     string
	Hidden    []hiddenField
	Fields    []editField
	Buttons   []buttonView
}

type hiddenField struct{ Name, Value string }

type buttonView struct {
	Value, Label string
	Secondary    bool
}

// editField is a labelled control. Key is the field's name in the
// domain's errors ("title", "sessions.3.ends_at"), which may differ from
// its name in the form.
type editField struct {
	ID, Name, Key string
	Label, Help   string
	Type          string // text, number, email, datetime-local, textarea, select, checkbox, checkboxes, file
	Value         string
	Required      bool
	Checked       bool
	Options       []editOption
	Accept        string
	Class         string
	Min, Max      string
	Error         string
}

type editOption struct {
	Value, Label string
	Selected     bool
}

// DescribedBy is the ids of the field's help and error.
func (f editField) DescribedBy() string { return describedBy(f.ID, f.Help, f.Error) }

// newEditView returns the base of the editing page at path (under
// /o/{event}); its caller titles it.
func newEditView(r *http.Request, e *retours.Event, path string) *editView {
	lang := web.PageLang(r, e)
	return &editView{
		Base:  web.Base{Lang: lang, Event: e, Path: "/o/" + e.ID + path, ErrorsTitle: messages.T(lang, "edit.errors")},
		Style: template.CSS(organisersCSS), EditStyle: template.CSS(editCSS), Nav: organiserNav(e, lang, strings.TrimPrefix(path, "/")),
	}
}

// titled sets the page's title and heading.
func (v *editView) titled(title string) *editView {
	v.Title, v.Heading = title, title
	return v
}

// showErrors puts the problems of fieldErrs on the fields of v's forms
// that carry them, and summarises them all at the top of the page; those
// of no field shown link to the first form.
func (v *editView) showErrors(fieldErrs map[string]string) {
	shown := map[string]bool{}
	first := ""
	for si := range v.Sections {
		for fi := range v.Sections[si].Forms {
			f := &v.Sections[si].Forms[fi]
			for i := range f.Fields {
				fld := &f.Fields[i]
				if first == "" {
					first = fld.ID
				}
				problem, ok := fieldErrs[fld.Key]
				if !ok || fld.Key == "" {
					continue
				}
				shown[fld.Key] = true
				f.Open = true
				fld.Error = retours.FieldMessage(v.Lang, problem)
				v.Errors = append(v.Errors, web.ErrorView{Anchor: fld.ID, Label: fld.Label, Message: fld.Error})
			}
		}
	}
	v.Errors = append(v.Errors, web.FormErrors(v.Lang, first, fieldErrs, func(k string) bool { return shown[k] })...)
}

// renderEdit renders an editing page.
func renderEdit(w http.ResponseWriter, r *http.Request, status int, v *editView) error {
	return pages.Render(w, r, status, "edit", v)
}

// savedRedirect sends the browser back to the page at path after a
// successful post, with what was done to say.
func savedRedirect(w http.ResponseWriter, r *http.Request, e *retours.Event, path, done, anchor string) {
	q := url.Values{"lang": {web.PageLang(r, e)}, "fait": {done}}
	if anchor != "" {
		anchor = "#" + anchor
	}
	http.Redirect(w, r, "/o/"+e.ID+path+"?"+q.Encode()+anchor, http.StatusSeeOther)
}

// doneNotice is the sentence of ?fait=, for the notices the pages know.
func doneNotice(r *http.Request, lang string) string {
	switch done := r.URL.Query().Get("fait"); done {
	case "saved", "cancelled", "restored", "moved", "retired", "deleted", "added", "reset", "imported":
		return messages.T(lang, "edit.done."+done)
	}
	return ""
}

// editForm authorises a post of an editing page's form and reads it, with
// the version it was made from.
func (s *Server) editForm(r *http.Request) (*retours.Event, retours.Actor, int, error) {
	e, actor, err := s.authoriseForm(r)
	if err != nil {
		return nil, actor, 0, err
	}
	from, err := formVersion(r)
	if err != nil {
		return nil, actor, 0, err
	}
	return e, actor, from, nil
}

// formVersion reads the version the form was made from, which it carries
// as a hidden field as an API client carries If-Match: EINVALID when it is
// missing or damaged.
func formVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || v < 1 {
		return 0, &retours.Error{Code: retours.EINVALID, Key: "event.version_invalid", Fields: map[string]string{"version": retours.FieldInvalid}}
	}
	return v, nil
}

// localLayout is how a datetime-local control gives a time, in Paris.
const localLayout = "2006-01-02T15:04"

// localTime writes t for a datetime-local control, "" for the zero time.
func localTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(i18n.Paris).Format(localLayout)
}

// parseLocal reads the time of a datetime-local control, in Paris: the
// zero time when empty, and a field problem when not a time (a browser
// without the control sends what was typed; the forms' own format and the
// French "13/10/2026 14:30" are read).
func parseLocal(s string) (time.Time, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, ""
	}
	for _, layout := range []string{localLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "02/01/2006 15:04", "02/01/2006 15h04", "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, s, i18n.Paris); err == nil {
			return t, ""
		}
	}
	return time.Time{}, retours.FieldInvalid
}

// parseCount reads a whole number field: 0 when empty.
func parseCount(s string) (int, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, retours.FieldInvalid
	}
	return n, ""
}

func countValue(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// lines splits a textarea or a comma-separated list into its trimmed,
// non-empty items.
func lines(s string, commas bool) []string {
	sep := func(r rune) bool { return r == '\n' || r == '\r' || (commas && (r == ',' || r == ';')) }
	var out []string
	for _, l := range strings.FieldsFunc(s, sep) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// editFailed says how a page answers an edit that was refused: a stale
// version shows the current state with why nothing was written; an
// invalid edit shows the form again with its problems; anything else is
// the error page's. Either page is written with the error's status, and
// the error logged, by the page adapter (web.Reshow).
func editFailed(err error, stale func(w http.ResponseWriter, status int) error, invalid func(w http.ResponseWriter, status int, fields map[string]string) error) error {
	switch retours.ErrorCode(err) {
	case retours.ESTALE:
		return web.Reshow(err, stale)
	case retours.EINVALID:
		fields := retours.ErrorFields(err)
		if len(fields) == 0 {
			return err
		}
		return web.Reshow(err, func(w http.ResponseWriter, status int) error { return invalid(w, status, fields) })
	}
	return err
}
