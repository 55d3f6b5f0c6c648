package stack_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/ses"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// bound says why a route's work, within its request, does not grow with the
// event beyond what API Gateway's 30 seconds allow, and whom to send it as
// in TestRoutesAreBounded.
type bound struct {
	auth string // "organiser", "admin" or "" (none)
	why  string
}

// bounded lists every route of web.Routes. A new route is added here with
// the reason its work is bounded; a route that reads every answer or note
// of an event within the request fails TestRoutesAreBounded.
var bounded = map[string]bound{
	"GET /e/{event}":                                     {"", "one read of the event (cached)"},
	"GET /e/{event}/{session}":                           {"", "one read of the event (cached)"},
	"GET /e/{event}/merci":                               {"", "one read of the event (cached)"},
	"POST /e/{event}/answers":                            {"", "one conditional write, of a body of at most FormBody"},
	"POST /e/{event}/notes":                              {"", "one conditional write, of a body of at most FormBody"},
	"GET /confidentialite":                               {"", "a static page"},
	"POST /api/events":                                   {"admin", "one write, of a body of at most EventBody"},
	"GET /api/events":                                    {"admin", "one page of the EVENTS index, of a bounded size"},
	"GET /api/events/{event}":                            {"organiser", "one read of the event"},
	"PUT /api/events/{event}":                            {"organiser", "the event and its activity (whether it has answers), then one transaction"},
	"DELETE /api/events/{event}":                         {"organiser", "marks the event and starts the erase job (202): the erase function deletes its items"},
	"GET /api/events/{event}/erasure":                    {"organiser", "one read of the erasure's record"},
	"POST /o/{event}/erase":                              {"organiser", "as DELETE /api/events/{event}"},
	"GET /api/events/{event}/bilan":                      {"organiser", "the stored snapshot when it covers every answer; else computed within the request below download.SyncLimit answers and notes, by a job (202) above"},
	"GET /api/events/{event}/export":                     {"organiser", "within the request below download.SyncLimit answers and notes, by a job (202) above"},
	"GET /api/events/{event}/downloads/{id}":             {"organiser", "whether one object is in the bucket, and a presigned link"},
	"GET /api/events/{event}/texts":                      {"organiser", "one page of texts: a bounded number of paged reads"},
	"PUT /api/events/{event}/texts/{ref}":                {"organiser", "one moderation write"},
	"GET /o/{event}":                                     {"organiser", "the event's activity (one item) for the counts, and one page of texts"},
	"POST /o/{event}/login":                              {"", "one read of the event"},
	"POST /o/{event}/logout":                             {"", "a cookie"},
	"POST /o/{event}/texts/{ref}":                        {"organiser", "one moderation write, then the same page of texts"},
	"POST /api/events/{event}/token":                     {"organiser", "one write"},
	"GET /api/events/{event}/qr.png":                     {"organiser", "one read of the event"},
	"GET /api/events/{event}/qr.svg":                     {"organiser", "one read of the event"},
	"GET /api/events/{event}/poster":                     {"organiser", "one read of the event"},
	"GET /api/events/{event}/sessions/{session}/qr.png":  {"organiser", "one read of the event"},
	"GET /api/events/{event}/sessions/{session}/qr.svg":  {"organiser", "one read of the event"},
	"GET /api/events/{event}/sessions/{session}/poster":  {"organiser", "one read of the event"},
	"GET /api/events/{event}/edits":                      {"organiser", "one page of the record of changes"},
	"GET /api/events/{event}/accesses":                   {"organiser", "the event, which holds at most retours.MaxAccesses accesses"},
	"POST /api/events/{event}/accesses":                  {"organiser", "one transaction"},
	"DELETE /api/events/{event}/accesses/{access}":       {"organiser", "one transaction"},
	"POST /api/events/{event}/editions":                  {"organiser", "the event, its series and one write"},
	"POST /api/events/{event}/programme/preview":         {"organiser", "a body of at most ProgrammeBody"},
	"POST /api/events/{event}/programme":                 {"organiser", "a body of at most ProgrammeBody, then one transaction"},
	"GET /api/programme/template.csv":                    {"", "a static file"},
	"GET /api/questions":                                 {"", "the question library, static"},
	"GET /api/events/{event}/shares":                     {"organiser", "one Query of at most retours.MaxShares shares"},
	"POST /api/events/{event}/sessions/{session}/shares": {"organiser", "one transaction"},
	"DELETE /api/events/{event}/shares/{share}":          {"organiser", "one transaction"},
	"GET /s/{event}/{token}":                             {"", "computed within the request below download.SyncLimit answers and notes, by a job (202, then ?job=) above"},
	"GET /api/openapi.json":                              {"", "a static document"},
	"GET /api/events/{event}/paper":                      {"organiser", "one read of the event; at most retours.MaxSheetCopies sheets, one QR code"},
	"GET /api/events/{event}/sessions/{session}/paper":   {"organiser", "one read of the event; at most retours.MaxSheetCopies sheets, one QR code"},
	"GET /o/{event}/saisie":                              {"organiser", "the event, its activity (one item) and the sheets of the sitting the request names, recentSheets at most, two reads each"},
	"POST /o/{event}/saisie":                             {"organiser", "one sheet: one transaction (and its first entry's two reads when it is a repeat), then the page as GET on a refusal"},
	"GET /o/{event}/saisie/{token}":                      {"", "one read of the event, then the page as GET /o/{event}/saisie"},
	"POST /o/{event}/saisie/liens":                       {"organiser", "one transaction, then the page as GET /o/{event}/saisie without a sitting"},
	"GET /o/{event}/modifier":                            {"organiser", "one read of the event"},
	"POST /o/{event}/modifier":                           {"organiser", "as PUT /api/events/{event}, of a body of at most FormBody"},
	"GET /o/{event}/sessions":                            {"organiser", "one read of the event"},
	"POST /o/{event}/sessions":                           {"organiser", "as PUT /api/events/{event}, of a body of at most FormBody"},
	"GET /o/{event}/questionnaire":                       {"organiser", "the event and its activity (whether it has answers)"},
	"POST /o/{event}/questionnaire":                      {"organiser", "as PUT /api/events/{event}, of a body of at most FormBody"},
	"GET /o/{event}/programme":                           {"organiser", "one read of the event"},
	"POST /o/{event}/programme":                          {"organiser", "as POST /api/events/{event}/programme"},
	"GET /o/{event}/edition":                             {"organiser", "one read of the event"},
	"POST /o/{event}/edition":                            {"organiser", "as POST /api/events/{event}/editions"},
	"POST /o/{event}/texts/{ref}/mur":                    {"organiser", "one read of the note and one transaction (three at most when other changes meet it), then the same page of texts"},
	"GET /o/{event}/mur":                                 {"organiser", "the activity, the stored snapshot and one Query of retours.WallNotes: four reads (TestWallReadsAreBounded)"},
	"GET /mur/{event}/{token}":                           {"", "as GET /o/{event}/mur, through the wall link"},
	"GET /o/{event}/mur/liens":                           {"organiser", "the event, which holds at most retours.MaxAccesses accesses"},
	"POST /o/{event}/mur/liens":                          {"organiser", "one transaction"},
	"POST /o/{event}/mur/liens/{access}":                 {"organiser", "one transaction"},
	"POST /api/digests/run":                              {"admin", "one write and an asynchronous invocation (202): the digest function runs outside the request"},
	"GET /api/digests/runs/{id}":                         {"admin", "one read of the run's record"},
	"GET /unsubscribe/{token}":                           {"", "a signature and the events it names"},
	"POST /unsubscribe/{token}":                          {"", "one conditional write per event the link names"},
	"GET /admin":                                         {"admin", "one page of the EVENTS index (25 events) and each one's activity item"},
	"POST /admin/login":                                  {"", "the token compared, a cookie set"},
	"POST /admin/logout":                                 {"", "a cookie deleted"},
	"GET /admin/nouveau":                                 {"admin", "a static form"},
	"POST /admin/nouveau":                                {"admin", "one write, of a form of at most FormBody"},
	"GET /admin/e/{event}":                               {"admin", "one read of the event and one of its activity"},
	"POST /admin/e/{event}/acces":                        {"admin", "one read of the event and one conditional write"},
	"GET /o/{event}/acces":                               {"organiser", "one read of the event, one Query of at most retours.MaxShares shares, one page of the record of changes"},
	"POST /o/{event}/acces":                              {"organiser", "one conditional write, then the reads of GET /o/{event}/acces"},
	"POST /o/{event}/acces/{access}/revoquer":            {"organiser", "one conditional write"},
	"POST /o/{event}/partages":                           {"organiser", "one transaction, then the reads of GET /o/{event}/acces"},
	"POST /o/{event}/partages/{share}/revoquer":          {"organiser", "one transaction"},
}

// noJobs starts no download job and no digest run.
type noJobs struct{}

func (noJobs) Start(context.Context, download.Job) error { return nil }

// Trigger starts no digest run.
func (noJobs) Trigger(context.Context, digest.Request) error { return nil }

// fullReads are the store's operations that read every answer or note of
// an event.
var fullReads = []string{"Answers", "Notes"}

// TestRoutesAreBounded: every route of web.Routes says why its work is
// bounded (bounded), and none reads every answer or note of an event above
// the stack's SyncLimit within the request: each route is sent a request
// for such an event, and the store's operations during it are recorded.
func TestRoutesAreBounded(t *testing.T) {
	var patterns []string
	for _, r := range web.Routes {
		patterns = append(patterns, r.Pattern())
		if b, ok := bounded[r.Pattern()]; !ok || b.why == "" {
			t.Errorf("route %q is not in bounded, with why its work does not grow with the event", r.Pattern())
		}
	}
	for p := range bounded {
		if !slices.Contains(patterns, p) {
			t.Errorf("bounded lists %q, which is not a route", p)
		}
	}

	st := memstore.New()
	env := newEnvWith(t, st, func(c *stack.Config) {
		withDownloads(t)(c)
		// The jobs are not run: what they read is outside the requests.
		c.Jobs, c.SyncLimit = noJobs{}, 10
		c.DigestTrigger = noJobs{}
		folder, err := ses.NewFolder(t.TempDir(), "retours <digest@retours.example.org>", c.Now)
		if err != nil {
			t.Fatal(err)
		}
		c.Digests = digest.New(digest.Config{Events: st, Answers: st, Digests: st, Changes: st, Sender: folder,
			BaseURL: webtest.BaseURL, Secret: []byte(strings.Repeat("s", 32)), Now: c.Now})
	})
	ce := env.MustCreateEvent(necDay)
	env.putAnswers(ce.ID, ce.Sessions[0].ID, 12, "Plus de pauses")
	env.putNote(ce.ID, ce.Sessions[0].ID, "point-fort", "Bien")
	env.drain()
	rec := env.Do("POST", "/api/events/"+ce.ID+"/sessions/"+ce.Sessions[0].ID+"/shares", nil, "Authorization", "Bearer "+ce.OrganiserToken)
	var share struct{ ID, URL string }
	webtest.MustJSON(t, rec.Body.Bytes(), &share)
	if rec.Code != http.StatusCreated {
		t.Fatalf("share = %d %s", rec.Code, rec.Body)
	}
	values := map[string]string{
		"event": ce.ID, "session": ce.Sessions[0].ID, "share": share.ID,
		"token": share.URL[strings.LastIndex(share.URL, "/")+1:], "ref": "x", "id": "x", "access": "x",
	}

	var (
		mu  sync.Mutex
		ops []string
	)
	st.FailWith(func(op string) error {
		mu.Lock()
		defer mu.Unlock()
		ops = append(ops, op)
		return nil
	})
	token := ce.OrganiserToken
	wildcard := regexp.MustCompile(`\{[a-z]+\}`)
	routes := slices.Clone(web.Routes)
	// What revokes the share or changes the organisers' token, then what
	// erases the event, go last.
	rank := func(r web.Route) int {
		switch r.Pattern() {
		case "POST /api/events/{event}/token", "DELETE /api/events/{event}/shares/{share}", "POST /o/{event}/partages/{share}/revoquer",
			"POST /o/{event}/acces/{access}/revoquer":
			return 1
		case "DELETE /api/events/{event}", "POST /o/{event}/erase":
			return 2
		}
		return 0
	}
	slices.SortStableFunc(routes, func(a, b web.Route) int { return rank(a) - rank(b) })
	for _, r := range routes {
		t.Run(r.Pattern(), func(t *testing.T) {
			path := wildcard.ReplaceAllStringFunc(r.Path, func(w string) string { return values[strings.Trim(w, "{}")] })
			var header []string
			switch bounded[r.Pattern()].auth {
			case "organiser":
				header = []string{"Authorization", "Bearer " + token}
			case "admin":
				header = []string{"Authorization", "Bearer " + adminToken}
			}
			if r.Method == "DELETE" || r.Path == "/o/{event}/erase" {
				path += "?confirm=" + ce.ID
			}
			mu.Lock()
			ops = nil
			mu.Unlock()
			rec := env.Do(r.Method, path, nil, header...)
			mu.Lock()
			defer mu.Unlock()
			if rec.Code >= 500 || bounded[r.Pattern()].auth != "" && (rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden) {
				t.Errorf("= %d %s: the request did not get through", rec.Code, rec.Body)
			}
			if r.Pattern() == "POST /api/events/{event}/token" {
				var rotated struct {
					Token string `json:"organiser_token"`
				}
				webtest.MustJSON(t, rec.Body.Bytes(), &rotated)
				token = rotated.Token
			}
			for _, op := range ops {
				if slices.Contains(fullReads, op) {
					t.Errorf("= %d, and read every item of the event within the request (%s): %v", rec.Code, op, ops)
				}
			}
		})
	}
}
