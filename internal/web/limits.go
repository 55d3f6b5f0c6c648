package web

import "net/http"

// Limiter refuses a client's requests over the limits of their class
// (internal/ratelimit counts them across instances).
type Limiter interface {
	// Limit counts r against class, for event when it is not "", and
	// returns an ETOOMANY error when r's client already reached the limit.
	Limit(r *http.Request, class, event string) error
	// Over returns that error without counting r.
	Over(r *http.Request, class, event string) error
}

// Classes of limited requests.
const (
	LimitLogin       = "login"       // wrong organiser tokens, per event
	LimitToken       = "token"       // new tokens and accesses, per event
	LimitCreate      = "create"      // events and editions created
	LimitErase       = "erase"       // erasures asked, per event
	LimitDigest      = "digest"      // digest runs on demand
	LimitUnsubscribe = "unsubscribe" // unsubscribe links
	LimitDownload    = "download"    // bilans, exports and texts, per event
)

// RouteLimits gives the class of the routes whose every request counts
// against its client's limit, before any other work: the handler runs
// only within it. A route with {event} in its path is limited per event.
// Participants' routes are never limited. (Wrong tokens are counted by the
// handlers that check them, LimitLogin.)
var RouteLimits = map[string]string{
	"POST /api/events/{event}/token":    LimitToken,
	"POST /api/events/{event}/accesses": LimitToken,
	"POST /api/events":                  LimitCreate,
	"POST /api/events/{event}/editions": LimitCreate,
	"DELETE /api/events/{event}":        LimitErase,
	"POST /o/{event}/erase":             LimitErase,
	"POST /api/digests/run":             LimitDigest,
	"GET /unsubscribe/{token}":          LimitUnsubscribe,
	"POST /unsubscribe/{token}":         LimitUnsubscribe,
	"GET /api/events/{event}/bilan":     LimitDownload,
	"GET /api/events/{event}/export":    LimitDownload,
	"GET /api/events/{event}/texts":     LimitDownload,
}

// limit counts r against its route's limit in l, if it has one.
func limit(l Limiter, rt Route, r *http.Request) error {
	class, ok := RouteLimits[rt.Pattern()]
	if !ok || l == nil || rt.Function == FuncSurvey {
		return nil
	}
	return l.Limit(r, class, r.PathValue("event"))
}
