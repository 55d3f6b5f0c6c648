package organiser

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes the whole HTTP API of retours, every function's
// routes, in OpenAPI 3.1. A test holds it to web.Routes both ways and sends
// its examples to the real handlers.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns the OpenAPI document of the HTTP API.
func OpenAPI() []byte { return openAPIDocument }

// openAPI answers GET /api/openapi.json.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(openAPIDocument)
	return err
}
