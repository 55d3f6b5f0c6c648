package digest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"slices"
	"strings"

	"github.com/retours/retours/internal/retours"
)

// An unsubscribe token names an organiser (by OrganiserID, never by
// address) and the events the link stops the digest for, signed with
// HMAC-SHA256 so that it needs no login and cannot be forged:
//
//	<organiser>.<event>-<event>….<signature>
//
// Event ids use neither '-' nor '.', and the whole token is URL-safe.

const maxTokenEvents = 50

var organiserPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// signToken returns the token for organiser and events.
func signToken(secret []byte, organiser string, events []string) string {
	payload := organiser + "." + strings.Join(events, "-")
	return payload + "." + signature(secret, payload)
}

func signature(secret []byte, payload string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("retours unsubscribe\n" + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// parseToken checks token and returns what it names. ENOTFOUND for a token
// that is malformed or not signed with secret: the link is not one of ours.
func parseToken(secret []byte, token string) (organiser string, events []string, err error) {
	bad := retours.NewError(retours.ENOTFOUND, "unsubscribe.invalid")
	i := strings.LastIndexByte(token, '.')
	if i < 0 || len(token) > 1000 {
		return "", nil, bad
	}
	payload, sig := token[:i], token[i+1:]
	if !hmac.Equal([]byte(sig), []byte(signature(secret, payload))) {
		return "", nil, bad
	}
	organiser, list, ok := strings.Cut(payload, ".")
	if !ok || !organiserPattern.MatchString(organiser) {
		return "", nil, bad
	}
	events = strings.Split(list, "-")
	if len(events) > maxTokenEvents || slices.ContainsFunc(events, func(id string) bool { return !retours.ValidID(id) }) {
		return "", nil, bad
	}
	return organiser, events, nil
}
