package retours

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// The closing wall shows, at the closing plénière, the rapport d'étonnement
// notes an organiser approved for it. A hidden note is never on it: hiding
// a note withdraws it from the wall, and a hidden note cannot be approved.

// WallNote is a note approved for the closing wall.
type WallNote struct {
	EventID      string
	SubmissionID string
	Kind         string
	Text         string
	Lang         string
	// ApprovedAt is when it was approved; ApprovedBy the access that did
	// it, or AdminActor.
	ApprovedAt time.Time
	ApprovedBy string
}

// MaxWallPage is the largest page of notes WallNotes returns: each wall
// refresh reads one bounded page, whatever the number of notes.
const MaxWallPage = 20

// WallStore keeps which notes are shown on an event's closing wall.
type WallStore interface {
	// SetOnWall approves the note of submission of e for the wall (on), or
	// withdraws it, and records edit (when not nil) in e's record of
	// changes, in the same write. Approving a note already on the wall, or
	// withdrawing one that is not, changes nothing and succeeds. ENOTFOUND
	// if e has no such note, or e is gone; ECONFLICT ("wall.hidden") when
	// approving a hidden note.
	SetOnWall(ctx context.Context, e *Event, submissionID string, on bool, now time.Time, edit *Edit) error
	// WallNotes returns at most limit (1 to MaxWallPage) of the event's
	// notes on the wall, newest approved first, starting after the opaque
	// cursor after ("" for the newest), and the cursor of the next page,
	// "" when there is none. One bounded read, whatever the number of
	// notes. EINVALID for a cursor it did not give.
	WallNotes(ctx context.Context, eventID, after string, limit int) ([]WallNote, string, error)
}

// WallCursor returns the opaque cursor of the wall's next page, which
// starts after the note of submission approved at.
func WallCursor(at time.Time, submission string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMilli(), 10) + "." + submission))
}

// ParseWallCursor reads a cursor of WallCursor. EINVALID for anything else.
func ParseWallCursor(c string) (time.Time, string, error) {
	bad := NewError(EINVALID, "wall.cursor")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", bad
	}
	ms, sub, ok := strings.Cut(string(raw), ".")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || n < 0 || !ValidSubmissionID(sub) {
		return time.Time{}, "", bad
	}
	return time.UnixMilli(n).UTC(), sub, nil
}
