package organiser

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// pageEdits is the number of entries of the record of changes the accesses
// page shows; the API pages through them all.
const pageEdits = 50

// accessRow is one organiser access as the pages list it.
type accessRow struct {
	ID, Name, Created, By string
	You                   bool
}

// shareRow is one speaker's link as the accesses page lists it.
type shareRow struct{ ID, Session, Created, By string }

// editRow is one entry of the record of changes.
type editRow struct{ When, Who, What string }

// confirmView asks to confirm a revocation before it is made.
type confirmView struct {
	Question, Action, Submit string
}

// sharedLink is a speaker's link just made, shown once.
type sharedLink struct{ Session, URL string }

// accessesView is the organisers' page of accesses, speakers' links and
// the record of changes.
type accessesView struct {
	web.Base
	Style    template.CSS
	Nav      []navItem
	Notice   string
	Problem  string
	Confirm  *confirmView
	NewToken *tokenView
	NewShare *sharedLink
	Accesses []accessRow
	LastOne  bool
	Name     fieldView
	Sessions []optionView
	Shares   []shareRow
	Edits    []editRow
}

// accessName names an access on the pages; the one an event was created
// with may have no name.
func accessName(lang string, a retours.Access) string {
	if a.Name != "" {
		return a.Name
	}
	return messages.T(lang, "access.first")
}

// actorName names who made a change: the administration, or an access.
func actorName(lang, by string, e *retours.Event) string {
	if by == retours.AdminActor || by == "" {
		return messages.T(lang, "access.admin")
	}
	for _, a := range e.Accesses {
		if a.ID == by {
			return accessName(lang, a)
		}
	}
	return messages.T(lang, "access.gone")
}

func accessRows(e *retours.Event, actor retours.Actor, lang string) []accessRow {
	var out []accessRow
	for _, a := range e.Accesses {
		if a.Role != retours.RoleOrganiser {
			continue // a data-entry or wall link: listed on its own page
		}
		row := accessRow{ID: a.ID, Name: accessName(lang, a), Created: i18n.DateTime(lang, a.CreatedAt),
			You: actor.Access != nil && actor.Access.ID == a.ID}
		if a.CreatedBy != "" {
			row.By = actorName(lang, a.CreatedBy, e)
		}
		out = append(out, row)
	}
	return out
}

// accessesPage answers GET /o/{event}/acces. ?revoquer= and ?retirer= ask
// to confirm the revocation of an access or a speaker's link; ?fait= says
// what was just done.
func (s *Server) accessesPage(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, false)
	if err != nil {
		return err
	}
	v, err := s.accessesView(r, e, actor)
	if err != nil {
		return err
	}
	lang, q := v.Lang, r.URL.Query()
	switch q.Get("fait") {
	case "acces-revoque":
		v.Notice = messages.T(lang, "access.done.revoked")
	case "partage-retire":
		v.Notice = messages.T(lang, "access.done.unshared")
	}
	if id := q.Get("revoquer"); id != "" {
		for _, a := range v.Accesses {
			if a.ID == id {
				question := messages.T(lang, "access.revoke.confirm", a.Name)
				if a.You {
					question += " " + messages.T(lang, "access.revoke.self")
				}
				v.Confirm = &confirmView{Question: question, Action: "/o/" + e.ID + "/acces/" + a.ID + "/revoquer?lang=" + lang,
					Submit: messages.T(lang, "access.revoke")}
			}
		}
	}
	if id := q.Get("retirer"); id != "" {
		for _, sh := range v.Shares {
			if sh.ID == id {
				v.Confirm = &confirmView{Question: messages.T(lang, "share.revoke.confirm", sh.Session),
					Action: "/o/" + e.ID + "/partages/" + sh.ID + "/revoquer?lang=" + lang, Submit: messages.T(lang, "share.revoke")}
			}
		}
	}
	return pages.Render(w, r, http.StatusOK, "accesses", v)
}

// accessesView reads what the accesses page shows: the accesses, the
// speakers' links and the latest entries of the record of changes.
func (s *Server) accessesView(r *http.Request, e *retours.Event, actor retours.Actor) (*accessesView, error) {
	lang := web.PageLang(r, e)
	v := &accessesView{
		Base:  web.Base{Lang: lang, Title: messages.T(lang, "access.title"), Event: e, Path: "/o/" + e.ID + "/acces"},
		Style: template.CSS(organisersCSS), Nav: organiserNav(e, lang, "acces"),
		Accesses: accessRows(e, actor, lang),
		Name:     newField(lang, "name", "text", messages.T(lang, "access.name"), messages.T(lang, "access.name.help"), "", true),
	}
	v.LastOne = len(v.Accesses) == 1
	v.ErrorsTitle = messages.T(lang, "access.errors")
	for _, ss := range e.Sessions {
		if !ss.Cancelled {
			v.Sessions = append(v.Sessions, optionView{Value: ss.ID, Label: ss.Title + " · " + i18n.DateTime(lang, ss.StartsAt)})
		}
	}
	shares, err := s.cfg.Shares.Shares(r.Context(), e.ID)
	if err != nil {
		return nil, err
	}
	titles := sessionTitles(e)
	for _, sh := range shares {
		v.Shares = append(v.Shares, shareRow{ID: sh.ID, Session: titles[sh.SessionID], Created: i18n.DateTime(lang, sh.CreatedAt),
			By: actorName(lang, sh.CreatedBy, e)})
	}
	edits, err := s.cfg.Edits.Edits(r.Context(), e.ID, time.Time{}, pageEdits)
	if err != nil {
		return nil, err
	}
	for _, ed := range edits {
		who := ed.ByName
		if who == "" {
			who = actorName(lang, ed.By, e)
		}
		what := messages.T(lang, "edit.unknown")
		if slices.Contains(retours.Actions, ed.Action) {
			what = messages.T(lang, "edit."+ed.Action)
		}
		switch ed.Action {
		case retours.ActionAccessAdded, retours.ActionAccessRevoked, retours.ActionAccessRotated:
			// The access's name now, else its name when the change was
			// made: a revoked access is no longer among the event's.
			name := ed.RefName
			for _, a := range e.Accesses {
				if a.ID == ed.Ref {
					name = accessName(lang, a)
				}
			}
			if name != "" {
				what += messages.T(lang, "punct.colon") + " " + name
			}
		}
		v.Edits = append(v.Edits, editRow{When: i18n.DateTime(lang, ed.At), Who: who, What: what})
	}
	return v, nil
}

// accessesCreate answers POST /o/{event}/acces: a new access for a
// co-organising structure or person, its token shown once.
func (s *Server) accessesCreate(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authoriseForm(r)
	if err != nil {
		return err
	}
	name := r.PostForm.Get("name")
	a, token, err := s.addAccess(r, e, actor, name, retours.RoleOrganiser)
	if err != nil {
		problem := retours.ErrorFields(err)["name"]
		if problem == "" && retours.ErrorCode(err) != retours.ECONFLICT {
			return err
		}
		return web.Reshow(err, func(w http.ResponseWriter, status int) error {
			v, verr := s.accessesView(r, e, actor)
			if verr != nil {
				return verr
			}
			v.Name.Value = name
			if problem != "" {
				v.Name.Error = retours.FieldMessage(v.Lang, problem)
				v.Errors = []web.ErrorView{{Anchor: v.Name.ID, Label: v.Name.Label, Message: v.Name.Error}}
			} else {
				v.Problem = retours.ErrorMessage(v.Lang, err)
			}
			return pages.Render(w, r, status, "accesses", v)
		})
	}
	e.Accesses = append(e.Accesses, a)
	v, err := s.accessesView(r, e, actor)
	if err != nil {
		return err
	}
	v.NewToken = &tokenView{Name: a.Name, Token: token, OrganiserURL: s.baseURL(r) + "/o/" + e.ID}
	return pages.Render(w, r, http.StatusCreated, "accesses", v)
}

// accessesRevoke answers POST /o/{event}/acces/{access}/revoquer. Revoking
// one's own access signs this browser out; the last access cannot be
// revoked, which the page says.
func (s *Server) accessesRevoke(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, false)
	if err != nil {
		return err
	}
	id := r.PathValue("access")
	lang := web.PageLang(r, e)
	if err := s.removeAccess(r, e, actor, id); err != nil {
		if retours.ErrorCode(err) != retours.ECONFLICT {
			return err
		}
		return web.Reshow(err, func(w http.ResponseWriter, status int) error {
			v, verr := s.accessesView(r, e, actor)
			if verr != nil {
				return verr
			}
			v.Problem = retours.ErrorMessage(lang, err)
			return pages.Render(w, r, status, "accesses", v)
		})
	}
	if actor.Access.ID == id {
		setOrganiserCookies(w, e.ID, "", -1)
		http.Redirect(w, r, "/o/"+e.ID+"?"+url.Values{"lang": {lang}, "revoked": {"1"}}.Encode(), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/o/"+e.ID+"/acces?"+url.Values{"lang": {lang}, "fait": {"acces-revoque"}}.Encode(), http.StatusSeeOther)
	return nil
}

// sharesCreate answers POST /o/{event}/partages: a speaker's link to the
// results of the session of the form, shown once.
func (s *Server) sharesCreate(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authoriseForm(r)
	if err != nil {
		return err
	}
	sh, link, err := s.share(r, e, actor, r.PostForm.Get("session"))
	if err != nil {
		code := retours.ErrorCode(err)
		if code != retours.ENOTFOUND && code != retours.ECONFLICT {
			return err
		}
		return web.Reshow(err, func(w http.ResponseWriter, status int) error {
			v, verr := s.accessesView(r, e, actor)
			if verr != nil {
				return verr
			}
			v.Problem = retours.ErrorMessage(v.Lang, err)
			return pages.Render(w, r, status, "accesses", v)
		})
	}
	v, err := s.accessesView(r, e, actor)
	if err != nil {
		return err
	}
	v.NewShare = &sharedLink{Session: sessionTitles(e)[sh.SessionID], URL: link}
	return pages.Render(w, r, http.StatusCreated, "accesses", v)
}

// sharesRevoke answers POST /o/{event}/partages/{share}/revoquer: the link
// stops working at once.
func (s *Server) sharesRevoke(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, false)
	if err != nil {
		return err
	}
	id := r.PathValue("share")
	if err := s.cfg.Shares.RevokeShare(r.Context(), e, id, actor.Edit(retours.ActionShareRevoked, s.cfg.Now(), 0, id)); err != nil {
		return err
	}
	http.Redirect(w, r, "/o/"+e.ID+"/acces?"+url.Values{"lang": {web.PageLang(r, e)}, "fait": {"partage-retire"}}.Encode()+"#partages", http.StatusSeeOther)
	return nil
}

// navItem is one link of the organisers' navigation.
type navItem struct {
	Href, Label string
	Current     bool
}

// organiserNav is the navigation between the organisers' pages of e;
// current names the page shown. Each page of the organisers adds its
// entry here, in the order organisers run an event.
func organiserNav(e *retours.Event, lang, current string) []navItem {
	items := []struct{ key, path string }{
		{"home", ""},
		{"modifier", detailsPath},
		{"sessions", sessionsPath},
		{"questionnaire", questionnairePath},
		{"programme", programmePath},
		{"edition", editionPath},
		{"acces", "/acces"},
		{"saisie", "/saisie"},
	}
	out := make([]navItem, 0, len(items))
	for _, it := range items {
		out = append(out, navItem{Href: "/o/" + e.ID + it.path + "?lang=" + lang, Label: messages.T(lang, "nav."+it.key), Current: it.key == current})
	}
	return out
}
