package retours

import (
	"context"
	"io"
	"slices"
	"strings"
	"time"
)

// Share is a read-only link to one session's results, which the organisers
// hand to its speaker or facilitator. Its token is a capability known by
// its hash alone; revoking the share ends the link.
type Share struct {
	ID        string    `json:"id"`
	EventID   string    `json:"event"`
	SessionID string    `json:"session"`
	Hash      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// MaxShares bounds the shares of one event.
const MaxShares = 200

// NewShare returns a share of the session of e, made by by at now, and its
// token, which appears only here. ENOTFOUND when e has no such session.
func NewShare(e *Event, sessionID string, r io.Reader, by string, now time.Time) (*Share, string, error) {
	if _, ok := e.Session(sessionID); !ok {
		return nil, "", NewError(ENOTFOUND, "session.not_found")
	}
	id, err := NewID(r, 5)
	if err != nil {
		return nil, "", err
	}
	token, hash, err := newSecret(r, "rts_")
	if err != nil {
		return nil, "", err
	}
	return &Share{ID: id[:6], EventID: e.ID, SessionID: sessionID, Hash: hash, CreatedAt: now.UTC(), CreatedBy: by}, token, nil
}

// SortShares orders shares as ShareStore.Shares returns them: oldest
// first, then by id.
func SortShares(shares []Share) {
	slices.SortFunc(shares, func(a, b Share) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// ShareStore keeps the shares of sessions' results.
type ShareStore interface {
	// CreateShare stores sh, to be erased with e, and records edit, in one
	// write. ECONFLICT ("share.too_many") when e has MaxShares already.
	CreateShare(ctx context.Context, e *Event, sh *Share, edit *Edit) error
	// ShareByHash returns the share of the event whose token has hash.
	// ENOTFOUND ("share.not_found") when there is none, or it was revoked.
	ShareByHash(ctx context.Context, eventID, hash string) (*Share, error)
	// Shares returns the event's shares, oldest first.
	Shares(ctx context.Context, eventID string) ([]Share, error)
	// RevokeShare deletes the share id of e and records edit, in one
	// write. ENOTFOUND ("share.not_found") when there is none.
	RevokeShare(ctx context.Context, e *Event, id string, edit *Edit) error
}
