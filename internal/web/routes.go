package web

// Functions: which Lambda function serves a route.
const (
	FuncSurvey    = "survey"    // template.yaml's SurveyFunction
	FuncOrganiser = "organiser" // OrganiserFunction
	FuncDigest    = "digest"    // DigestFunction
)

// Limits on request bodies, in bytes: a larger body is answered 413.
const (
	FormBody  = 64 << 10  // a form, or a JSON answer, note or moderation
	EventBody = 256 << 10 // an event's definition
	// ProgrammeBody is a programme file (internal/programme reads 1 MB at
	// most) and the multipart form around it.
	ProgrammeBody = 1<<20 + 64<<10
)

// A Route is one route of retours.
type Route struct {
	Method   string
	Path     string // a net/http pattern path, which is also the API Gateway route path
	Function string // FuncSurvey, FuncOrganiser or FuncDigest
	// MaxBody is the largest request body the route reads (FormBody,
	// EventBody); 0 for a route that reads none.
	MaxBody int64
}

// Pattern returns the route's net/http pattern, "METHOD /path".
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Routes lists every route, with the function that serves it. template.yaml
// declares the same routes, with the same functions (a test compares them
// both ways), and each function's package has a handler for exactly its own
// (NewHandler checks). A new route is added here, to its package's Service,
// and to template.yaml.
var Routes = []Route{
	{"GET", "/e/{event}", FuncSurvey, 0},
	{"GET", "/e/{event}/{session}", FuncSurvey, 0},
	{"GET", "/e/{event}/merci", FuncSurvey, 0},
	{"POST", "/e/{event}/answers", FuncSurvey, FormBody},
	{"POST", "/e/{event}/notes", FuncSurvey, FormBody},
	{"GET", "/confidentialite", FuncSurvey, 0},

	{"POST", "/api/events", FuncOrganiser, EventBody},
	{"GET", "/api/events/{event}/bilan", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/downloads/{id}", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/texts", FuncOrganiser, 0},
	{"PUT", "/api/events/{event}/texts/{ref}", FuncOrganiser, FormBody},
	{"GET", "/o/{event}", FuncOrganiser, 0},
	{"POST", "/o/{event}/login", FuncOrganiser, FormBody},
	{"POST", "/o/{event}/logout", FuncOrganiser, 0},
	{"POST", "/o/{event}/texts/{ref}", FuncOrganiser, FormBody},
	{"POST", "/api/events/{event}/token", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/export", FuncOrganiser, 0},
	{"DELETE", "/api/events/{event}", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/erasure", FuncOrganiser, 0},
	{"POST", "/o/{event}/erase", FuncOrganiser, FormBody},
	{"GET", "/api/events/{event}/qr.png", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/qr.svg", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/poster", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/sessions/{session}/qr.png", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/sessions/{session}/qr.svg", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/sessions/{session}/poster", FuncOrganiser, 0},
	{"GET", "/api/events", FuncOrganiser, 0},
	{"GET", "/api/events/{event}", FuncOrganiser, 0},
	{"PUT", "/api/events/{event}", FuncOrganiser, EventBody},
	{"GET", "/api/events/{event}/edits", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/accesses", FuncOrganiser, 0},
	{"POST", "/api/events/{event}/accesses", FuncOrganiser, FormBody},
	{"DELETE", "/api/events/{event}/accesses/{access}", FuncOrganiser, 0},
	{"POST", "/api/events/{event}/editions", FuncOrganiser, EventBody},
	{"POST", "/api/events/{event}/programme/preview", FuncOrganiser, ProgrammeBody},
	{"POST", "/api/events/{event}/programme", FuncOrganiser, ProgrammeBody},
	{"GET", "/api/programme/template.csv", FuncOrganiser, 0},
	{"GET", "/api/questions", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/shares", FuncOrganiser, 0},
	{"POST", "/api/events/{event}/sessions/{session}/shares", FuncOrganiser, 0},
	{"DELETE", "/api/events/{event}/shares/{share}", FuncOrganiser, 0},
	{"GET", "/s/{event}/{token}", FuncOrganiser, 0},
	{"GET", "/api/openapi.json", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/paper", FuncOrganiser, 0},
	{"GET", "/api/events/{event}/sessions/{session}/paper", FuncOrganiser, 0},
	{"GET", "/o/{event}/saisie", FuncOrganiser, 0},
	{"POST", "/o/{event}/saisie", FuncOrganiser, FormBody},
	{"GET", "/o/{event}/saisie/{token}", FuncOrganiser, 0},
	{"POST", "/o/{event}/saisie/liens", FuncOrganiser, FormBody},
	{"GET", "/admin", FuncOrganiser, 0},
	{"POST", "/admin/login", FuncOrganiser, FormBody},
	{"POST", "/admin/logout", FuncOrganiser, 0},
	{"GET", "/admin/nouveau", FuncOrganiser, 0},
	{"POST", "/admin/nouveau", FuncOrganiser, FormBody},
	{"GET", "/admin/e/{event}", FuncOrganiser, 0},
	{"POST", "/admin/e/{event}/acces", FuncOrganiser, FormBody},
	{"GET", "/o/{event}/acces", FuncOrganiser, 0},
	{"POST", "/o/{event}/acces", FuncOrganiser, FormBody},
	{"POST", "/o/{event}/acces/{access}/revoquer", FuncOrganiser, 0},
	{"POST", "/o/{event}/partages", FuncOrganiser, FormBody},
	{"POST", "/o/{event}/partages/{share}/revoquer", FuncOrganiser, 0},
	{"GET", "/o/{event}/modifier", FuncOrganiser, 0},
	{"POST", "/o/{event}/modifier", FuncOrganiser, FormBody},
	{"GET", "/o/{event}/sessions", FuncOrganiser, 0},
	{"POST", "/o/{event}/sessions", FuncOrganiser, FormBody},
	{"GET", "/o/{event}/questionnaire", FuncOrganiser, 0},
	{"POST", "/o/{event}/questionnaire", FuncOrganiser, FormBody},
	{"GET", "/o/{event}/programme", FuncOrganiser, 0},
	{"POST", "/o/{event}/programme", FuncOrganiser, ProgrammeBody},
	{"GET", "/o/{event}/edition", FuncOrganiser, 0},
	{"POST", "/o/{event}/edition", FuncOrganiser, FormBody},
	{"POST", "/o/{event}/texts/{ref}/mur", FuncOrganiser, FormBody},
	{"GET", "/o/{event}/mur", FuncOrganiser, 0},
	{"GET", "/mur/{event}/{token}", FuncOrganiser, 0},
	{"GET", "/o/{event}/mur/liens", FuncOrganiser, 0},
	{"POST", "/o/{event}/mur/liens", FuncOrganiser, FormBody},
	{"POST", "/o/{event}/mur/liens/{access}", FuncOrganiser, 0},

	{"POST", "/api/digests/run", FuncDigest, 0},
	{"GET", "/api/digests/runs/{id}", FuncDigest, 0},
	{"GET", "/unsubscribe/{token}", FuncDigest, 0},
	{"POST", "/unsubscribe/{token}", FuncDigest, FormBody},
}
