package organiser

import (
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// accessView is an access as the API lists it: never its token or hash.
type accessView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by,omitempty"`
	// Role is "organiser", "entry" for a data-entry link, or "wall" for a
	// read-only link to the closing wall.
	Role string `json:"role"`
	// Current marks the access the request was made with.
	Current bool `json:"current,omitempty"`
}

func accessViews(e *retours.Event, actor retours.Actor) []accessView {
	out := []accessView{}
	for _, a := range e.Accesses {
		out = append(out, accessView{ID: a.ID, Name: a.Name, CreatedAt: a.CreatedAt, CreatedBy: a.CreatedBy, Role: a.Role.String(),
			Current: actor.Access != nil && actor.Access.ID == a.ID})
	}
	return out
}

// listAccesses answers GET /api/events/{event}/accesses.
func (s *Server) listAccesses(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, struct {
		Accesses []accessView `json:"accesses"`
	}{accessViews(e, actor)})
	return nil
}

// newAccessResponse answers the creation of an access: its token appears
// here once; only its hash is stored.
type newAccessResponse struct {
	accessView
	OrganiserToken string `json:"organiser_token"`
	OrganiserURL   string `json:"organiser_url"`
	// EntryURL is a data-entry link's address, which holds its token.
	EntryURL string `json:"entry_url,omitempty"`
	// WallURL is a wall link's address, which holds its token.
	WallURL string `json:"wall_url,omitempty"`
}

// createAccess answers POST /api/events/{event}/accesses with {"name": …}:
// a new organiser access for a co-organising structure or person, or, from
// the administrator, a fresh access for organisers who lost theirs; with
// "role": "wall", a wall link.
func (s *Server) createAccess(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	if !web.IsJSON(r) {
		return retours.NewError(retours.EINVALID, "body.content_type")
	}
	var req struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	if err := web.DecodeJSON(r.Body, &req); err != nil {
		return err
	}
	role, err := retours.ParseRole(req.Role)
	if err != nil {
		return err
	}
	a, token, err := s.addAccess(r, e, actor, req.Name, role)
	if err != nil {
		return err
	}
	resp := newAccessResponse{
		accessView:     accessView{ID: a.ID, Name: a.Name, CreatedAt: a.CreatedAt, CreatedBy: a.CreatedBy, Role: role.String()},
		OrganiserToken: token, OrganiserURL: s.baseURL(r) + "/o/" + e.ID,
	}
	if role == retours.RoleEntry {
		resp.EntryURL = s.entryURL(r, e.ID, token)
	}
	if role == retours.RoleWall {
		resp.WallURL = s.wallURL(r, e.ID, token)
	}
	web.WriteJSON(w, http.StatusCreated, resp)
	return nil
}

// addAccess issues e a new access of role named name, by actor, and
// returns it with its token; e's accesses are then the new ones.
func (s *Server) addAccess(r *http.Request, e *retours.Event, actor retours.Actor, name string, role retours.Role) (retours.Access, string, error) {
	now := s.cfg.Now()
	a, token, err := retours.NewRoleAccess(s.cfg.Rand, name, actor.ID(), role, now, false)
	if err != nil {
		return a, "", err
	}
	accesses, err := retours.WithAccess(e.Accesses, a)
	if err != nil {
		return a, "", err
	}
	ed := actor.Edit(retours.ActionAccessAdded, now, 0, a.ID)
	ed.RefName = a.Name
	if err := s.cfg.Edits.ReplaceAccesses(r.Context(), e, accesses, ed); err != nil {
		return a, "", err
	}
	e.Accesses = accesses
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "access created", slog.String("event", e.ID), slog.String("access", a.ID),
		slog.String("role", role.String()), slog.String("by", actor.ID()))
	return a, token, nil
}

// refusedLink returns the message to show by a new link's name field when
// err refused the link — its name, or the event's accesses all taken — and
// whether it did; any other error fails the request.
func refusedLink(lang string, err error) (string, bool) {
	if c := retours.ErrorCode(err); c != retours.EINVALID && c != retours.ECONFLICT {
		return "", false
	}
	if p, ok := retours.ErrorFields(err)["name"]; ok {
		return retours.FieldMessage(lang, p), true
	}
	return retours.ErrorMessage(lang, err), true
}

// revokeRoleAccess revokes the access id of e, by actor, when it is a link
// of role (a data-entry or wall link); ENOTFOUND for any other access, so
// that an organiser's is never revoked from a link's page.
func (s *Server) revokeRoleAccess(r *http.Request, e *retours.Event, actor retours.Actor, id string, role retours.Role) error {
	if i := slices.IndexFunc(e.Accesses, func(a retours.Access) bool { return a.ID == id }); i < 0 || e.Accesses[i].Role != role {
		return retours.NewError(retours.ENOTFOUND, "access.not_found")
	}
	return s.removeAccess(r, e, actor, id)
}

// revokeAccess answers DELETE /api/events/{event}/accesses/{access}: that
// access's token stops working at once, and the others keep working. The
// organisers may not revoke the event's last access; the administrator,
// who can issue another, may.
func (s *Server) revokeAccess(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authorise(r, true)
	if err != nil {
		return err
	}
	id := r.PathValue("access")
	if err := s.removeAccess(r, e, actor, id); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, struct {
		ID      string `json:"id"`
		Revoked bool   `json:"revoked"`
	}{id, true})
	return nil
}

// removeAccess revokes the access id of e: the organisers may not revoke
// the last one, the administrator may.
func (s *Server) removeAccess(r *http.Request, e *retours.Event, actor retours.Actor, id string) error {
	accesses, err := retours.WithoutAccess(e.Accesses, id, !actor.Admin)
	if err != nil {
		return err
	}
	ed := actor.Edit(retours.ActionAccessRevoked, s.cfg.Now(), 0, id)
	if i := slices.IndexFunc(e.Accesses, func(a retours.Access) bool { return a.ID == id }); i >= 0 {
		ed.RefName = e.Accesses[i].Name
	}
	if err := s.cfg.Edits.ReplaceAccesses(r.Context(), e, accesses, ed); err != nil {
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "organiser access revoked", slog.String("event", e.ID), slog.String("access", id), slog.String("by", actor.ID()))
	return nil
}

// rotateAccess gives the access the request was made with a new token,
// which it returns; the old one stops working at once.
func (s *Server) rotateAccess(r *http.Request, e *retours.Event, actor retours.Actor) (string, error) {
	token, hash, err := retours.NewToken(s.cfg.Rand)
	if err != nil {
		return "", err
	}
	accesses, err := retours.Rotated(e.Accesses, actor.Access.ID, hash)
	if err != nil {
		return "", err
	}
	ed := actor.Edit(retours.ActionAccessRotated, s.cfg.Now(), 0, actor.Access.ID)
	ed.RefName = actor.Access.Name
	err = s.cfg.Edits.ReplaceAccesses(r.Context(), e, accesses, ed)
	if retours.ErrorCode(err) == retours.ECONFLICT {
		// Another rotation, or another change of the accesses, came first.
		return "", retours.NewError(retours.ECONFLICT, "token.changed")
	}
	return token, err
}
