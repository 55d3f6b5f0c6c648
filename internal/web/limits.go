package web

import (
	"bytes"
	"net/http"
)

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
// against its client's limit: a write's handler runs only within it, a
// read's runs while it is counted and is answered only within it. A route with {event} in its path is limited per event.
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

// limited reports whether rt's requests count against a limit in l.
func limited(l Limiter, rt Route) bool {
	_, ok := RouteLimits[rt.Pattern()]
	return ok && l != nil && rt.Function != FuncSurvey
}

// heldResponse holds a response until the request is known to be within
// its client's limit: its header is the real writer's, its status and body
// wait in memory (a Lambda response is held whole anyway).
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.body.Write(b)
}

// serve runs next into h.
func (h *heldResponse) serve(next http.HandlerFunc, r *http.Request) { next(h, r) }

// sendTo writes what h holds to w, whose header h already shares.
func (h *heldResponse) sendTo(w http.ResponseWriter) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	w.WriteHeader(h.status)
	w.Write(h.body.Bytes())
}

// limit counts r against its route's limit in l, if it has one.
func limit(l Limiter, rt Route, r *http.Request) error {
	class, ok := RouteLimits[rt.Pattern()]
	if !ok || l == nil || rt.Function == FuncSurvey {
		return nil
	}
	return l.Limit(r, class, r.PathValue("event"))
}
