package organiser

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// wallLinksView is the page of the wall's read-only links: those issued,
// each with a button to revoke it, and a form to issue one, whose address
// (with its token) the page shows once, right after.
type wallLinksView struct {
	web.Base
	Style     template.CSS
	Links     []wallLinkRow
	Name      string
	NameError string
	// NewURL is the link just issued, shown this once.
	NewURL, NewName string
}

type wallLinkRow struct{ ID, Name, Created string }

// wallLinksPage answers GET /o/{event}/mur/liens.
func (s *Server) wallLinksPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	return s.renderWallLinks(w, r, http.StatusOK, e, &wallLinksView{})
}

func (s *Server) renderWallLinks(w http.ResponseWriter, r *http.Request, status int, e *retours.Event, v *wallLinksView) error {
	lang := web.PageLang(r, e)
	v.Base = web.Base{Lang: lang, Title: messages.T(lang, "wall.links.title"), Event: e, Path: "/o/" + e.ID + "/mur/liens",
		Errors: v.Errors, ErrorsTitle: messages.T(lang, "wall.links.errors")}
	v.Style = template.CSS(organisersCSS)
	for _, a := range e.Accesses {
		if a.Role == retours.RoleWall {
			v.Links = append(v.Links, wallLinkRow{ID: a.ID, Name: a.Name, Created: i18n.DateTime(lang, a.CreatedAt)})
		}
	}
	return pages.Render(w, r, status, "wall-links", v)
}

// createWallLink answers POST /o/{event}/mur/liens with a name: a new
// read-only link to the wall, shown on the page once; only its hash is
// stored.
func (s *Server) createWallLink(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authoriseForm(r)
	if err != nil {
		return err
	}
	lang := web.PageLang(r, e)
	name := r.PostForm.Get("name")
	a, token, err := s.addAccess(r, e, actor, name, retours.RoleWall)
	if msg, refused := refusedLink(lang, err); refused {
		v := &wallLinksView{Name: name, NameError: msg}
		v.Errors = []web.ErrorView{{Anchor: "name", Label: messages.T(lang, "wall.links.name"), Message: v.NameError}}
		return s.renderWallLinks(w, r, web.StatusOf(err), e, v)
	}
	if err != nil {
		return err
	}
	return s.renderWallLinks(w, r, http.StatusCreated, e, &wallLinksView{NewName: a.Name, NewURL: s.wallURL(r, e.ID, token)})
}

// wallURL is the address of the wall's read-only link of token.
func (s *Server) wallURL(r *http.Request, eventID, token string) string {
	return s.baseURL(r) + "/mur/" + eventID + "/" + url.PathEscape(token)
}

// revokeWallLink answers POST /o/{event}/mur/liens/{access}: the link
// stops working at once, on the room's computer too. Only a wall link is
// revoked here; organiser accesses have their own route.
func (s *Server) revokeWallLink(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, false)
	if err != nil {
		return err
	}
	if err := s.revokeRoleAccess(r, e, actor, r.PathValue("access"), retours.RoleWall); err != nil {
		return err
	}
	http.Redirect(w, r, "/o/"+e.ID+"/mur/liens?"+url.Values{"lang": {web.PageLang(r, e)}}.Encode(), http.StatusSeeOther)
	return nil
}
