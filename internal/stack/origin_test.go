package stack_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// The header sets browsers send with a write, as API Gateway hands them to
// the function (lower-case names). retours' pages are served with
// Referrer-Policy: no-referrer, under which Chromium and Firefox send
// "Origin: null" with a form's POST.
var (
	sameOriginForm   = map[string]string{"origin": "null", "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "sec-fetch-user": "?1"}
	sameOriginFetch  = map[string]string{"origin": webtest.BaseURL, "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors", "sec-fetch-dest": "empty"}
	crossSiteForm    = map[string]string{"origin": "https://attaquant.example", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}
	crossSiteNoRef   = map[string]string{"origin": "null", "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}
	sameSiteSubdom   = map[string]string{"origin": "https://blog.example.org", "sec-fetch-site": "same-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}
	oldSafariSame    = map[string]string{"origin": webtest.BaseURL} // Safari before 16.4 sends no Sec-Fetch-*
	oldSafariCross   = map[string]string{"origin": "https://attaquant.example"}
	plainHTTPOrigin  = map[string]string{"origin": "http://retours.example.org", "sec-fetch-site": "cross-site"}
	oldBrowserNoHead = map[string]string{} // neither header: a browser older than both, or a script
)

// TestCrossSiteWrites sends writes through the adapter of the HTTP API,
// with the headers browsers really send, and checks that those another
// site makes a browser send are refused before they change anything.
func TestCrossSiteWrites(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	organiser := httpadapter.NewV2(env.function(web.FuncOrganiser))
	survey := httpadapter.NewV2(env.function(web.FuncSurvey))
	cookie := "retours_organiser=" + ce.OrganiserToken
	ctx := context.Background()

	send := func(p *httpadapter.HandlerAdapterV2, method, path, ctype, body string, headers map[string]string, cookies ...string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		req := webtest.LambdaRequest(t, method, path, ctype, body)
		// Through a custom domain, API Gateway names it in the request's
		// context, which the adapter makes the request's host.
		req.RequestContext.DomainName, req.Headers["host"] = "retours.example.org", "retours.example.org"
		for k, v := range headers {
			if k == "host" {
				req.RequestContext.DomainName = v
			}
			req.Headers[k] = v
		}
		req.Cookies = cookies
		resp, err := p.ProxyWithContext(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.IsBase64Encoded {
			b, _ := base64.StdEncoding.DecodeString(resp.Body)
			resp.Body = string(b)
		}
		return resp
	}
	const form = "application/x-www-form-urlencoded"
	login := url.Values{"token": {ce.OrganiserToken}}.Encode()

	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"Chromium, form on retours' page", sameOriginForm, http.StatusSeeOther},
		{"script on retours' page", sameOriginFetch, http.StatusSeeOther},
		{"Safari before 16.4, same origin", oldSafariSame, http.StatusSeeOther},
		{"a browser sending neither header", oldBrowserNoHead, http.StatusSeeOther},
		{"form on another site", crossSiteForm, http.StatusForbidden},
		{"form on another site under no-referrer", crossSiteNoRef, http.StatusForbidden},
		{"form on a sibling subdomain", sameSiteSubdom, http.StatusForbidden},
		{"Safari before 16.4, another site", oldSafariCross, http.StatusForbidden},
		{"the same host over plain http", plainHTTPOrigin, http.StatusForbidden},
	} {
		t.Run("login: "+tc.name, func(t *testing.T) {
			resp := send(organiser, "POST", "/o/"+ce.ID+"/login", form, login, tc.headers)
			if resp.StatusCode != tc.want {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tc.want, resp.Body)
			}
			if tc.want != http.StatusForbidden {
				return
			}
			if len(resp.Cookies) > 0 || resp.Headers["Set-Cookie"] != "" {
				t.Errorf("refused login sets cookies: %v", resp.Cookies)
			}
			if ct := resp.Headers["Content-Type"]; !strings.HasPrefix(ct, "text/html") || !strings.Contains(resp.Body, "vient d&#39;un autre site") {
				t.Errorf("refusal is not the page saying why: %s %q", ct, resp.Body)
			}
		})
	}

	t.Run("erasing through the API with the cookie, from another site", func(t *testing.T) {
		resp := send(organiser, "DELETE", "/api/events/"+ce.ID+"?confirm="+ce.ID, "", "", crossSiteForm, cookie)
		var body struct{ Error, Code string }
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || resp.StatusCode != http.StatusForbidden || body.Code != "forbidden" || !strings.Contains(body.Error, "autre site") {
			t.Fatalf("= %d %q, want 403 JSON saying why", resp.StatusCode, resp.Body)
		}
		if _, err := env.Store.Event(ctx, ce.ID); err != nil {
			t.Fatalf("the refused erasure touched the event: %v", err)
		}
	})
	t.Run("erasing through the API with a bearer token, from another origin", func(t *testing.T) {
		h := map[string]string{"origin": "https://outil.example", "sec-fetch-site": "cross-site", "authorization": "Bearer " + ce.OrganiserToken}
		resp := send(organiser, "POST", "/api/events/"+ce.ID+"/token", "", "", h)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("token rotation with a bearer token = %d %q, want 200", resp.StatusCode, resp.Body)
		}
	})
	t.Run("participants answer from a page served on the public domain", func(t *testing.T) {
		// Behind API Gateway the host may be the execute-api domain while
		// the page the form came from is on the public one; answers carry
		// no credential and are never refused for their origin.
		for _, h := range []map[string]string{sameOriginForm, crossSiteForm, oldBrowserNoHead} {
			req := url.Values{"submission_id": {webtest.UUID(t)}, "session": {ce.Sessions[0].ID}, "q_satisfaction": {"5"}}.Encode()
			resp := send(survey, "POST", "/e/"+ce.ID+"/answers", form, req, h)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("answer with %v = %d, want 200", h, resp.StatusCode)
			}
		}
	})
	t.Run("no public URL configured: the request's own host", func(t *testing.T) {
		cfg := env.cfg
		cfg.BaseURL = ""
		hs, err := stack.New(cfg, web.FuncOrganiser)
		if err != nil {
			t.Fatal(err)
		}
		h := httpadapter.NewV2(hs)
		const api = "aaaaaaaaaa.execute-api.eu-west-3.amazonaws.com"
		for _, tc := range []struct {
			origin string
			want   int
		}{
			{"https://" + api, http.StatusSeeOther},
			{webtest.BaseURL, http.StatusForbidden},
			{"http://" + api, http.StatusForbidden},
		} {
			resp := send(h, "POST", "/o/"+ce.ID+"/logout", "", "", map[string]string{"host": api, "origin": tc.origin, "sec-fetch-site": "same-origin"}, cookie)
			if resp.StatusCode != tc.want {
				t.Errorf("logout from %s on %s = %d, want %d", tc.origin, api, resp.StatusCode, tc.want)
			}
		}
	})
	t.Run("origin of the configured public URL behind another host", func(t *testing.T) {
		resp := send(organiser, "POST", "/o/"+ce.ID+"/logout", "", "", map[string]string{"host": "aaaaaaaaaa.execute-api.eu-west-3.amazonaws.com", "origin": webtest.BaseURL, "sec-fetch-site": "same-origin"}, cookie)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("logout from the public URL = %d %q, want 303", resp.StatusCode, resp.Body)
		}
	})
}

// TestEveryWriteChecksItsOrigin walks web.Routes: every write a browser
// can send with the organisers' cookie — present and future routes alike —
// is refused when another site sends it.
func TestEveryWriteChecksItsOrigin(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	h, err := stack.New(env.cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := webtest.Client{TB: t, Handler: h}
	for _, r := range web.Routes {
		if r.Method == "GET" || r.Function == web.FuncSurvey {
			continue
		}
		path := wildcardPattern.ReplaceAllStringFunc(r.Path, func(w string) string {
			if w == "{event}" {
				return ce.ID
			}
			return "zzzzzz"
		})
		t.Run(r.Pattern(), func(t *testing.T) {
			rec := c.Do(r.Method, path, strings.NewReader("{}"), "Content-Type", "application/json",
				"Cookie", "retours_organiser="+ce.OrganiserToken, "Origin", "https://attaquant.example", "Sec-Fetch-Site", "cross-site")
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "autre site") {
				t.Errorf("cross-site %s = %d %q, want 403", r.Pattern(), rec.Code, rec.Body.String())
			}
		})
	}
}
