package stack_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/retours/retours/internal/organiser"
	"github.com/retours/retours/internal/web"
)

// openAPIDoc is the part of the OpenAPI document the test reads.
type openAPIDoc struct {
	Paths map[string]map[string]openAPIOp `json:"paths"`
}

type openAPIOp struct {
	Security   []map[string][]string `json:"security"`
	Parameters []struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Example any `json:"example"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses  map[string]json.RawMessage `json:"responses"`
	TestStatus int                        `json:"x-test-status"`
}

func loadOpenAPI(t *testing.T) (*openAPIDoc, *jsonschema.Compiler) {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(organiser.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(organiser.OpenAPI()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("https://retours.example.org/openapi.json", raw); err != nil {
		t.Fatal(err)
	}
	return &doc, c
}

// TestOpenAPIDescribesEveryRoute: the document describes exactly the routes
// of web.Routes, and the organiser function serves it.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, _ := loadOpenAPI(t)
	var inDoc, inRoutes []string
	for path, ops := range doc.Paths {
		for method := range ops {
			inDoc = append(inDoc, strings.ToUpper(method)+" "+path)
		}
	}
	for _, r := range web.Routes {
		inRoutes = append(inRoutes, r.Pattern())
	}
	sort.Strings(inDoc)
	for _, r := range inRoutes {
		if !slices.Contains(inDoc, r) {
			t.Errorf("route %q is in web.Routes, not in the OpenAPI document", r)
		}
	}
	for _, r := range inDoc {
		if !slices.Contains(inRoutes, r) {
			t.Errorf("route %q is in the OpenAPI document, not in web.Routes", r)
		}
	}
	env := newMemEnv(t)
	rec := env.Do("GET", "/api/openapi.json", nil)
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), organiser.OpenAPI()) {
		t.Errorf("GET /api/openapi.json = %d, %d bytes; want the document", rec.Code, rec.Body.Len())
	}
}

// TestOpenAPIExamples sends a request built from each operation's documented
// example to the real handlers, in the order of an event's life, and checks
// that the status is the one documented and that a JSON response matches
// its documented schema.
func TestOpenAPIExamples(t *testing.T) {
	doc, compiler := loadOpenAPI(t)
	env := newEnv(t) // on DynamoDB Local: it records the organiser function's calls (dynamotest.ForFunction)
	type call struct {
		method, path string
		op           openAPIOp
	}
	var calls []call
	for path, ops := range doc.Paths {
		for method, op := range ops {
			calls = append(calls, call{strings.ToUpper(method), path, op})
		}
	}
	// An event's life: created, edited, shared and given a new access,
	// answered, read, then what it shared revoked, and erased last.
	rank := func(c call) int {
		switch key := c.method + " " + c.path; {
		case key == "POST /api/events":
			return 0
		case key == "PUT /api/events/{event}":
			return 1
		case key == "POST /api/events/{event}/accesses", key == "POST /api/events/{event}/sessions/{session}/shares":
			return 2
		case key == "DELETE /api/events/{event}":
			return 6
		case key == "POST /api/events/{event}/token":
			return 5
		case c.method == "DELETE", strings.HasSuffix(c.path, "/revoquer"):
			return 4
		}
		return 3
	}
	sort.Slice(calls, func(i, j int) bool {
		if ri, rj := rank(calls[i]), rank(calls[j]); ri != rj {
			return ri < rj
		}
		return calls[i].method+calls[i].path < calls[j].method+calls[j].path
	})
	ids := map[string]string{"ref": "n.00000000-0000-4000-8000-000000000000"}
	var token string
	wildcard := regexp.MustCompile(`\{[a-z]+\}`)
	fill := func(s string, c call) string {
		return wildcard.ReplaceAllStringFunc(s, func(w string) string {
			name := strings.Trim(w, "{}")
			switch {
			case name == "session":
				ev, err := env.Store.Event(t.Context(), ids["event"])
				if err != nil || len(ev.Sessions) == 0 {
					t.Fatalf("%s %s: no session to name", c.method, c.path)
				}
				return ev.Sessions[0].ID
			case name == "token" && strings.HasPrefix(c.path, "/s/"):
				return ids["share_token"]
			case ids[name] != "":
				return ids[name]
			}
			return "zzzzzz"
		})
	}
	for _, c := range calls {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			target := fill(c.path, c)
			query := url.Values{}
			var header []string
			for _, p := range c.op.Parameters {
				switch {
				case p.In == "query" && p.Required:
					query.Set(p.Name, ids["event"])
				case p.In == "header" && p.Name == "If-Match":
					ev, err := env.Store.Event(t.Context(), ids["event"])
					if err != nil {
						t.Fatal(err)
					}
					header = append(header, "If-Match", fmt.Sprintf(`"%d"`, ev.Version))
				}
			}
			if len(query) > 0 {
				target += "?" + query.Encode()
			}
			if len(c.op.Security) > 0 {
				if _, admin := c.op.Security[0]["admin"]; admin {
					header = append(header, "Authorization", "Bearer "+adminToken)
				} else {
					header = append(header, "Authorization", "Bearer "+token)
				}
			}
			var body []byte
			if rb := c.op.RequestBody; rb != nil {
				types := make([]string, 0, len(rb.Content))
				for ct := range rb.Content {
					types = append(types, ct)
				}
				sort.Strings(types)
				ct := types[len(types)-1] // text/csv before multipart; JSON alone
				for _, want := range []string{"application/json", "text/csv"} {
					if slices.Contains(types, want) {
						ct = want
					}
				}
				switch ex := rb.Content[ct].Example.(type) {
				case string:
					body = []byte(fill(ex, c))
				case nil:
					body = []byte("token=rto_wrong&hidden=1")
				default:
					b, _ := json.Marshal(ex)
					body = []byte(fill(string(b), c))
				}
				header = append(header, "Content-Type", ct)
			}
			rec := env.Do(c.method, target, bytes.NewReader(body), header...)
			want := c.op.TestStatus
			if want == 0 {
				var codes []string
				for code := range c.op.Responses {
					codes = append(codes, code)
				}
				sort.Strings(codes)
				want = atoi(codes[0])
			}
			if rec.Code != want {
				t.Fatalf("status %d, want %d: %s", rec.Code, want, rec.Body)
			}
			mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
			var resp struct {
				Content map[string]json.RawMessage `json:"content"`
			}
			json.Unmarshal(c.op.Responses[fmt.Sprint(want)], &resp)
			if len(resp.Content) > 0 {
				if _, ok := resp.Content[mt]; !ok {
					t.Errorf("content type %q is not one documented for %d", mt, want)
				}
			}
			if mt == "application/json" && c.path != "/api/openapi.json" {
				pointer := "#/paths/" + strings.ReplaceAll(strings.ReplaceAll(c.path, "~", "~0"), "/", "~1") +
					"/" + strings.ToLower(c.method) + "/responses/" + fmt.Sprint(want) + "/content/application~1json/schema"
				sch, err := compiler.Compile("https://retours.example.org/openapi.json" + pointer)
				if err != nil {
					t.Fatalf("schema %s: %v", pointer, err)
				}
				inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body.Bytes()))
				if err != nil {
					t.Fatalf("response is not JSON: %v", err)
				}
				if err := sch.Validate(inst); err != nil {
					t.Errorf("response does not match its schema: %v\n%s", err, rec.Body)
				}
			}
			// What later calls name.
			var got map[string]any
			json.Unmarshal(rec.Body.Bytes(), &got)
			switch c.method + " " + c.path {
			case "POST /api/events":
				ids["event"], token = got["id"].(string), got["organiser_token"].(string)
			case "POST /api/events/{event}/token":
				token = got["organiser_token"].(string)
			case "POST /api/events/{event}/accesses":
				ids["access"] = got["id"].(string)
			case "POST /api/events/{event}/sessions/{session}/shares":
				ids["share"] = got["id"].(string)
				u := got["url"].(string)
				ids["share_token"] = u[strings.LastIndex(u, "/")+1:]
			}
		})
	}
	if len(calls) != len(web.Routes) {
		t.Errorf("%d operations tried, %d routes", len(calls), len(web.Routes))
	}
}

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}
