// Package ratelimit limits what one client can ask of retours' costly or
// sensitive routes, across every instance of a function: logins with a
// wrong token, token rotation and new accesses, event creation, erasure,
// the digest's run, unsubscribing, and downloads of bilans and exports.
// Participants' answers and notes are never limited.
//
// A client is its network address — API Gateway's
// requestContext.http.sourceIp, which the adapter gives as the request's
// RemoteAddr; locally, the connection's. Neither the address nor anything
// else of the request is stored: a counter is named by a keyed hash of the
// address (HMAC-SHA-256 with a key derived from a secret the function
// already holds), the route's class, the event and the window, and expires
// soon after its window ends.
package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// Counter counts hits in named windows, shared by every instance of the
// functions (internal/dynamo's Store on AWS).
type Counter interface {
	// Hit adds one to the counter id unless it already holds limit, and
	// says whether it did. A new counter expires at expires.
	Hit(ctx context.Context, id string, limit int, expires time.Time) (bool, error)
	// Hits returns the counter id, 0 when there is none.
	Hits(ctx context.Context, id string) (int, error)
}

// Rule is a limit: N requests per window of Per.
type Rule struct {
	N   int
	Per time.Duration
}

// Rules are the limits of each class of web.RouteLimits, per client and,
// for the classes of one event, per event.
var Rules = map[string]Rule{
	// Wrong tokens, on the login form or the API: a person mistyping does
	// not reach it; someone trying tokens does.
	web.LimitLogin: {N: 10, Per: 15 * time.Minute},
	// New tokens and accesses of one event.
	web.LimitToken: {N: 10, Per: time.Hour},
	// Events and editions created (by the administrator).
	web.LimitCreate: {N: 30, Per: time.Hour},
	// Erasures asked for one event (one is enough; a retry is fine).
	web.LimitErase: {N: 5, Per: time.Hour},
	// Runs of the weekly digest on demand.
	web.LimitDigest: {N: 6, Per: time.Hour},
	// Unsubscribe links followed and confirmed.
	web.LimitUnsubscribe: {N: 30, Per: time.Hour},
	// Bilans, exports and the texts list of one event: each may read every
	// answer; a few a minute is plenty for a person.
	web.LimitDownload: {N: 20, Per: time.Minute},
}

// Expiry is how long after its window ends a counter is kept: DynamoDB's
// TTL then deletes it (within about two days on AWS, usually much sooner);
// an expired counter is never read again, its window being over.
const Expiry = time.Minute

// Limiter counts a client's requests against Rules.
type Limiter struct {
	counter Counter
	key     []byte
	now     func() time.Time
}

var _ web.Limiter = (*Limiter)(nil)

// New returns the limiter counting in c, naming clients with a key derived
// from secret (the administration token, which the functions that serve
// limited routes hold), on clock now (time.Now when nil).
func New(c Counter, secret string, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("retours rate limits v1"))
	return &Limiter{counter: c, key: m.Sum(nil), now: now}
}

// Client returns the hash that names r's client in counters.
func (l *Limiter) Client(r *http.Request) string {
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return l.hash("client", ip)
}

// hash returns the keyed hash of what v is, or "" for "". Events are
// hashed too, so that a counter left after an event's erasure (until it
// expires) does not name it.
func (l *Limiter) hash(what, v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(what + "\x00" + v))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// window returns the counter's id for r in class and event now, and the
// end of its window.
func (l *Limiter) window(r *http.Request, class, event string) (string, Rule, time.Time, error) {
	rule, ok := Rules[class]
	if !ok {
		return "", rule, time.Time{}, fmt.Errorf("ratelimit: no rule for class %q", class)
	}
	now := l.now()
	start := now.Truncate(rule.Per)
	id := l.Client(r) + "#" + class + "#" + l.hash("event", event) + "#" + strconv.FormatInt(start.Unix(), 10)
	return id, rule, start.Add(rule.Per), nil
}

// Limit counts r against class (for event, when not "") and returns an
// ETOOMANY error, whose retry_after field says in how many seconds the
// window ends, when its client already reached the limit.
func (l *Limiter) Limit(r *http.Request, class, event string) error {
	id, rule, end, err := l.window(r, class, event)
	if err != nil {
		return err
	}
	ok, err := l.counter.Hit(r.Context(), id, rule.N, end.Add(Expiry))
	if err != nil {
		return err
	}
	if !ok {
		return l.tooMany(end)
	}
	return nil
}

// Over returns the ETOOMANY error of Limit when r's client already reached
// the limit of class for event, without counting r.
func (l *Limiter) Over(r *http.Request, class, event string) error {
	id, rule, end, err := l.window(r, class, event)
	if err != nil {
		return err
	}
	n, err := l.counter.Hits(r.Context(), id)
	if err != nil {
		return err
	}
	if n >= rule.N {
		return l.tooMany(end)
	}
	return nil
}

func (l *Limiter) tooMany(end time.Time) error {
	wait := int(end.Sub(l.now()).Seconds() + 0.999)
	wait = max(wait, 1)
	return &retours.Error{Code: retours.ETOOMANY, Key: "request.too_many", Args: []any{wait},
		Fields: map[string]string{"retry_after": strconv.Itoa(wait)}}
}

// Memory is a Counter in memory, for the tests and the local run on an
// in-memory store: each instance counts alone, which is not enough on AWS.
type Memory struct {
	mu sync.Mutex
	n  map[string]int
}

// NewMemory returns an empty counter in memory.
func NewMemory() *Memory { return &Memory{n: map[string]int{}} }

// Hit implements Counter.
func (m *Memory) Hit(_ context.Context, id string, limit int, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n[id] >= limit {
		return false, nil
	}
	m.n[id]++
	return true, nil
}

// Hits implements Counter.
func (m *Memory) Hits(_ context.Context, id string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n[id], nil
}
