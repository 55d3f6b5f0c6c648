package retours

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// OrganiserID returns the pseudonymous id of an organiser address: the first
// 128 bits of the SHA-256 of the lower-cased address, in hex. Keys, links and
// logs carry it instead of the address.
func OrganiserID(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:16])
}

// DigestClaim identifies one attempt at sending one organiser's digest of one
// week. Claims are exclusive: at most one run holds a given week and
// organiser at a time.
type DigestClaim struct {
	Week      string // ISO week, "2026-W48"
	Organiser string // OrganiserID of the address
	Attempt   string // random id of this attempt
}

// DigestStore records which weekly digests were sent, and which organisers
// want none for an event. It also lists the events an organiser may hear
// about without reading the whole table; ChangeFeed says which had news.
type DigestStore interface {
	// EventsClosingSince returns the events whose answers close at or after
	// t: those still open and those that closed since t.
	EventsClosingSince(ctx context.Context, t time.Time) ([]*Event, error)
	// ClaimDigest takes c for this run until leaseUntil. It succeeds when the
	// digest was never claimed, or was claimed by an attempt that failed or
	// whose lease ran out before now. ECONFLICT "digest.sent" when it was
	// sent; ECONFLICT "digest.claimed" when another attempt holds it, and
	// heldUntil is then the end of that attempt's lease.
	ClaimDigest(ctx context.Context, c DigestClaim, now, leaseUntil time.Time) (heldUntil time.Time, err error)
	// RenewDigest extends the lease of the attempt c to leaseUntil, before
	// a step that might outlast it (sending, after a long composition).
	// ECONFLICT "digest.lease_lost" when c no longer holds the claim:
	// another attempt took it over once the lease ran out, and sends it.
	RenewDigest(ctx context.Context, c DigestClaim, leaseUntil time.Time) error
	// DigestSent records that the attempt c sent the digest. ECONFLICT when
	// c no longer holds the claim.
	DigestSent(ctx context.Context, c DigestClaim, now time.Time, messageID string) error
	// DigestFailed gives the claim back so that the next run retries it.
	// ECONFLICT when c no longer holds the claim.
	DigestFailed(ctx context.Context, c DigestClaim, code string) error
	// Unsubscribe records that the organiser wants no digest about the event;
	// doing it again changes nothing.
	Unsubscribe(ctx context.Context, e *Event, organiser string, now time.Time) error
	// Unsubscribed returns the OrganiserIDs unsubscribed from the event.
	Unsubscribed(ctx context.Context, eventID string) (map[string]bool, error)
}
