package retours

import (
	"crypto/subtle"
	"io"
	"slices"
	"strings"
	"time"
)

// Limits of an event's accesses.
const (
	MaxAccesses   = 20
	MaxAccessName = 100
)

// FirstAccessID is the id of the access an event stored before it had
// several was given: its one organiser token.
const FirstAccessID = "first"

// AdminActor is what the record of changes names when the deployment's
// administrator made one.
const AdminActor = "admin"

// Access is one organiser access to an event: a structure or a person
// co-organising it, named, with its own token, which is known by its hash
// alone and revoked on its own.
type Access struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
	// CreatedBy is the access that issued it, or AdminActor; "" for the
	// access the event was created with.
	CreatedBy string `json:"created_by,omitempty"`
	// Role limits what the access may do: RoleOrganiser ("") may do
	// everything an organiser does; any other role only its one thing.
	Role Role `json:"role,omitempty"`
}

// Role is what an access may do.
type Role string

// Roles of an access.
const (
	// RoleOrganiser runs the event: every organiser route.
	RoleOrganiser Role = ""
	// RoleEntry types paper sheets in, and nothing else: a data-entry link.
	RoleEntry Role = "entry"
	// RoleWall shows the closing wall on the room's computer, and nothing
	// else.
	RoleWall Role = "wall"
)

// ParseRole returns the role named s ("organiser", "entry", "wall"; "" is
// the organiser's). EINVALID for any other.
func ParseRole(s string) (Role, error) {
	switch s {
	case "", "organiser":
		return RoleOrganiser, nil
	case string(RoleEntry):
		return RoleEntry, nil
	case string(RoleWall):
		return RoleWall, nil
	}
	return "", &Error{Code: EINVALID, Key: "access.role", Fields: map[string]string{"role": FieldChoice}}
}

// String returns the role's name: "organiser" for RoleOrganiser.
func (r Role) String() string {
	if r == RoleOrganiser {
		return "organiser"
	}
	return string(r)
}

// NewAccess returns a new organiser access named name, issued by by at
// now, and its token, which appears only here. An empty name is allowed for
// the access an event is created with; others need one.
func NewAccess(r io.Reader, name, by string, now time.Time, first bool) (Access, string, error) {
	return NewRoleAccess(r, name, by, RoleOrganiser, now, first)
}

// NewRoleAccess is NewAccess for an access of role.
func NewRoleAccess(r io.Reader, name, by string, role Role, now time.Time, first bool) (Access, string, error) {
	clean, msg := CleanText(name, MaxAccessName)
	switch {
	case msg == "" && strings.ContainsRune(clean, '\n'):
		msg = FieldInvalid
	case msg == "" && clean == "" && !first:
		msg = FieldRequired
	}
	if msg != "" {
		return Access{}, "", &Error{Code: EINVALID, Key: "access.invalid", Fields: map[string]string{"name": msg}}
	}
	id, err := NewID(r, 5)
	if err != nil {
		return Access{}, "", err
	}
	token, hash, err := NewToken(r)
	if err != nil {
		return Access{}, "", err
	}
	return Access{ID: id[:6], Name: clean, Hash: hash, CreatedAt: now.UTC(), CreatedBy: by, Role: role}, token, nil
}

// AccessFor returns the organiser access whose token is token, comparing
// every access's hash in constant time. A role-limited access is not an
// organiser's: RoleAccessFor finds it.
func (e *Event) AccessFor(token string) (*Access, bool) {
	return e.RoleAccessFor(token, RoleOrganiser)
}

// RoleAccessFor returns the access of role whose token is token, comparing
// every access's hash in constant time.
func (e *Event) RoleAccessFor(token string, role Role) (*Access, bool) {
	i := tokenIndex(token, len(e.Accesses), func(i int) string { return e.Accesses[i].Hash })
	if i < 0 || e.Accesses[i].Role != role {
		return nil, false
	}
	return &e.Accesses[i], true
}

// AccessHashes returns the token hashes of the event's organiser accesses.
func (e *Event) AccessHashes() []string {
	hashes := []string{}
	for _, a := range e.Accesses {
		if a.Role == RoleOrganiser {
			hashes = append(hashes, a.Hash)
		}
	}
	return hashes
}

// tokenIndex returns the index of token's hash among n hashes, comparing
// every one in constant time, or -1 when none is token's.
func tokenIndex(token string, n int, hash func(int) string) int {
	if token == "" {
		return -1
	}
	got := []byte(HashToken(token))
	found := -1
	for i := range n {
		if subtle.ConstantTimeCompare(got, []byte(hash(i))) == 1 {
			found = i
		}
	}
	return found
}

// WithAccess returns accesses with a added. ECONFLICT when the event has
// MaxAccesses already.
func WithAccess(accesses []Access, a Access) ([]Access, error) {
	if len(accesses) >= MaxAccesses {
		return nil, NewError(ECONFLICT, "access.too_many", MaxAccesses)
	}
	return append(slices.Clone(accesses), a), nil
}

// WithoutAccess returns accesses without the one of id. ENOTFOUND when
// there is none; ECONFLICT when it is the last organiser access and keepOne
// is set: the organisers cannot lock themselves out, only the
// administrator, who can issue an access again, may revoke the last one.
func WithoutAccess(accesses []Access, id string, keepOne bool) ([]Access, error) {
	i := slices.IndexFunc(accesses, func(a Access) bool { return a.ID == id })
	if i < 0 {
		return nil, NewError(ENOTFOUND, "access.not_found")
	}
	organisers := 0
	for _, a := range accesses {
		if a.Role == RoleOrganiser {
			organisers++
		}
	}
	if keepOne && accesses[i].Role == RoleOrganiser && organisers == 1 {
		return nil, NewError(ECONFLICT, "access.last")
	}
	return slices.Delete(slices.Clone(accesses), i, i+1), nil
}

// Rotated returns accesses with the token hash of the access id replaced by
// hash. ENOTFOUND when there is no such access.
func Rotated(accesses []Access, id, hash string) ([]Access, error) {
	i := slices.IndexFunc(accesses, func(a Access) bool { return a.ID == id })
	if i < 0 {
		return nil, NewError(ENOTFOUND, "access.not_found")
	}
	out := slices.Clone(accesses)
	out[i].Hash = hash
	return out, nil
}

// Actor is who makes a change: the administrator, or an organiser through
// one of the event's accesses.
type Actor struct {
	Admin  bool
	Access *Access
}

// ID returns the actor's id in the record of changes: AdminActor, or the
// access's id.
func (a Actor) ID() string {
	if a.Admin || a.Access == nil {
		return AdminActor
	}
	return a.Access.ID
}

// Edit returns the entry of the record of changes for action by a, at now.
func (a Actor) Edit(action string, now time.Time, version int, ref string) *Edit {
	ed := &Edit{At: now.UTC(), By: a.ID(), Action: action, Version: version, Ref: ref}
	if a.Access != nil && !a.Admin {
		ed.ByName = a.Access.Name
	}
	return ed
}

// Actions of the record of changes.
const (
	ActionCreated       = "event.created"
	ActionUpdated       = "event.updated"
	ActionImported      = "programme.imported"
	ActionHidden        = "text.hidden"
	ActionShown         = "text.shown"
	ActionWallShown     = "text.wall_shown"
	ActionWallWithdrawn = "text.wall_withdrawn"
	ActionAccessAdded   = "access.created"
	ActionAccessRevoked = "access.revoked"
	ActionAccessRotated = "access.rotated"
	ActionShareCreated  = "share.created"
	ActionShareRevoked  = "share.revoked"
	ActionEditionMade   = "edition.created"
)

// Actions lists every action of the record of changes.
var Actions = []string{ActionCreated, ActionUpdated, ActionImported, ActionHidden, ActionShown, ActionWallShown,
	ActionWallWithdrawn, ActionAccessAdded, ActionAccessRevoked, ActionAccessRotated, ActionShareCreated,
	ActionShareRevoked, ActionEditionMade}

// Edit is one entry of an event's record of changes: who changed what,
// when. It holds no participant's text.
type Edit struct {
	At time.Time `json:"at"`
	// By is the access that made it, or AdminActor; ByName that access's
	// name at the time.
	By     string `json:"by"`
	ByName string `json:"by_name,omitempty"`
	Action string `json:"action"`
	// Version is the event's version after an edit of its definition.
	Version int `json:"version,omitempty"`
	// Ref is what the change is about: a text's reference, an access, a
	// share, a new edition's event.
	Ref string `json:"ref,omitempty"`
	// RefName is the name of the access Ref names, at the time: the
	// record still names an access once it is revoked.
	RefName string `json:"ref_name,omitempty"`
}
