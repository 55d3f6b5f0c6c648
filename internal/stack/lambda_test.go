package stack_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/retours/retours/internal/qr/qrtest"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// TestLambdaAdapter sends AWS's sample events through the adapter the Lambda
// functions use, to catch handlers that write no status (API Gateway would
// answer 504) and bodies that do not survive the trip.
func TestLambdaAdapter(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	survey := httpadapter.NewV2(env.function(web.FuncSurvey))
	organiser := httpadapter.NewV2(env.function(web.FuncOrganiser))
	ctx := context.Background()

	resp, err := survey.ProxyWithContext(ctx, webtest.LambdaRequest(t, "GET", "/e/"+ce.ID+"/"+ce.Sessions[0].ID, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	body := resp.Body
	if resp.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(body)
		body = string(b)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="submission_id"`) {
		t.Errorf("form through the adapter = %d %q", resp.StatusCode, body)
	}
	if got := resp.Headers["Content-Security-Policy"]; got == "" {
		t.Errorf("no Content-Security-Policy header through the adapter: %v", resp.Headers)
	}

	form := url.Values{"submission_id": {webtest.UUID(t)}, "session": {ce.Sessions[0].ID}, "q_satisfaction": {"5"}}.Encode()
	resp, err = survey.ProxyWithContext(ctx, webtest.LambdaRequest(t, "POST", "/e/"+ce.ID+"/answers", "application/x-www-form-urlencoded", form))
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Votre réponse est bien enregistrée") {
		t.Errorf("form post through the adapter = %d, %v, want the thank-you page: %.300s", resp.StatusCode, err, resp.Body)
	}

	resp, err = organiser.ProxyWithContext(ctx, webtest.LambdaRequest(t, "GET", "/api/events/"+ce.ID+"/bilan?format=json", "", ""))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bilan without token through the adapter = %d, %v", resp.StatusCode, err)
	}
	// The survey function does not serve organiser routes.
	resp, err = survey.ProxyWithContext(ctx, webtest.LambdaRequest(t, "GET", "/api/events/"+ce.ID+"/bilan", "", ""))
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("organiser route on the survey function = %d, %v", resp.StatusCode, err)
	}
}

// TestLambdaAdapterBinaryBodies checks that gzipped pages and PNGs survive
// the adapter. It base64-encodes any body that is not valid UTF-8
// (core.ProxyResponseWriterV2.GetProxyResponse) and API Gateway decodes it
// back: gzip streams (1f 8b…) and PNGs (89 50…) never are valid UTF-8, so
// they always travel as base64; SVG and plain HTML travel as text.
func TestLambdaAdapterBinaryBodies(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	survey := httpadapter.NewV2(env.function(web.FuncSurvey))
	organiser := httpadapter.NewV2(env.function(web.FuncOrganiser))
	ctx := context.Background()
	session := ce.Sessions[1]

	get := func(h *httpadapter.HandlerAdapterV2, path string, header map[string]string) (events.APIGatewayV2HTTPResponse, []byte) {
		t.Helper()
		req := webtest.LambdaRequest(t, "GET", path, "", "")
		for k, v := range header {
			req.Headers[k] = v
		}
		resp, err := h.ProxyWithContext(ctx, req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s through the adapter = %d, %v: %.300s", path, resp.StatusCode, err, resp.Body)
		}
		body := []byte(resp.Body)
		if resp.IsBase64Encoded {
			if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
				t.Fatalf("GET %s: body flagged base64 is not: %v", path, err)
			}
		}
		return resp, body
	}

	t.Run("gzipped page", func(t *testing.T) {
		resp, body := get(survey, "/e/"+ce.ID+"/"+session.ID, map[string]string{"accept-encoding": "gzip, deflate, br"})
		if resp.Headers["Content-Encoding"] != "gzip" || !resp.IsBase64Encoded {
			t.Fatalf("Content-Encoding %q, base64 %v: want a gzipped, base64-encoded body", resp.Headers["Content-Encoding"], resp.IsBase64Encoded)
		}
		if page := string(webtest.Gunzip(t, body)); !strings.Contains(page, `name="submission_id"`) || !strings.HasSuffix(page, "</html>\n") {
			t.Errorf("gunzipped page is not the whole form: %.200s", page)
		}
		if !strings.Contains(resp.Headers["Vary"], "Accept-Encoding") {
			t.Errorf("Vary = %q, want Accept-Encoding", resp.Headers["Vary"])
		}
	})
	t.Run("plain page", func(t *testing.T) {
		resp, body := get(survey, "/e/"+ce.ID+"/"+session.ID, nil)
		if resp.IsBase64Encoded || resp.Headers["Content-Encoding"] != "" || !strings.Contains(string(body), `name="submission_id"`) {
			t.Errorf("base64 %v, Content-Encoding %q: want plain text", resp.IsBase64Encoded, resp.Headers["Content-Encoding"])
		}
	})
	auth := map[string]string{"authorization": "Bearer " + ce.OrganiserToken, "accept-encoding": "gzip"}
	t.Run("PNG", func(t *testing.T) {
		resp, body := get(organiser, "/api/events/"+ce.ID+"/sessions/"+session.ID+"/qr.png", auth)
		if !resp.IsBase64Encoded || resp.Headers["Content-Type"] != "image/png" || resp.Headers["Content-Encoding"] != "" {
			t.Fatalf("base64 %v, headers %v: want a base64 PNG, not gzipped", resp.IsBase64Encoded, resp.Headers)
		}
		// The Host of AWS's sample event is ignored: the configured base URL wins.
		if got, _ := qrtest.Decode(t, body); got != session.SurveyURL {
			t.Errorf("QR code through the adapter reads %q, want %q", got, session.SurveyURL)
		}
	})
	t.Run("gzipped SVG", func(t *testing.T) {
		resp, body := get(organiser, "/api/events/"+ce.ID+"/qr.svg", auth)
		if resp.Headers["Content-Encoding"] != "gzip" || !strings.HasPrefix(string(webtest.Gunzip(t, body)), "<svg") {
			t.Errorf("headers %v: want a gzipped SVG", resp.Headers)
		}
	})
	t.Run("poster", func(t *testing.T) {
		resp, body := get(organiser, "/api/events/"+ce.ID+"/sessions/"+session.ID+"/poster", map[string]string{"authorization": "Bearer " + ce.OrganiserToken})
		if resp.Headers["Content-Type"] != "text/html; charset=utf-8" || !strings.Contains(string(body), "<svg") {
			t.Errorf("poster through the adapter: %v %.200s", resp.Headers, body)
		}
	})
}

// TestHeadersThroughTheAdapter sends the headers browsers and tools really
// send the way API Gateway hands them to the function (lower-case names,
// a list's values joined with commas), which the adapter splits at the
// commas: the reader's language and gzip must come from the whole list, as
// they do from a server's request.
func TestHeadersThroughTheAdapter(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	survey := httpadapter.NewV2(env.function(web.FuncSurvey))
	form := "/e/" + ce.ID + "/" + ce.Sessions[1].ID
	for _, tc := range []struct {
		client                 string
		acceptLanguage, accept string // "" for a header not sent
		wantLang               string
		wantGzip               bool
	}{
		{"Chrome, German reader of English", "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "gzip, deflate, br, zstd", "en", true},
		{"Chrome on Android, French", "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7", "gzip, deflate, br, zstd", "fr", true},
		{"Firefox, German reader of English", "de,en-US;q=0.7,en;q=0.3", "gzip, deflate, br, zstd", "en", true},
		{"Safari on macOS", "fr-FR,fr;q=0.9", "gzip, deflate, br", "fr", true},
		{"Safari on iOS, English", "en-GB,en;q=0.9", "gzip, deflate, br", "en", true},
		{"a mail app's web view on iOS", "en-US,en;q=0.9", "gzip, deflate, br", "en", true},
		{"Italian reader of English, then French", "it-IT,it;q=0.9,en;q=0.8,fr;q=0.7", "gzip, deflate, br", "en", true},
		{"Spanish only", "es-ES,es;q=0.9", "gzip, deflate, br", "fr", true},
		{"an old Android browser", "fr-FR, en-US", "gzip,deflate", "fr", true},
		{"curl --compressed", "", "deflate, gzip, br, zstd", "fr", true},
		{"curl", "", "", "fr", false},
		{"Wget", "", "identity", "fr", false},
		{"gzip refused", "en", "gzip;q=0, deflate", "en", false},
	} {
		t.Run(tc.client, func(t *testing.T) {
			req := webtest.LambdaRequest(t, "GET", form, "", "")
			if tc.acceptLanguage != "" {
				req.Headers["accept-language"] = tc.acceptLanguage
			}
			if tc.accept != "" {
				req.Headers["accept-encoding"] = tc.accept
			}
			resp, err := survey.ProxyWithContext(context.Background(), req)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("form = %d, %v", resp.StatusCode, err)
			}
			body := []byte(resp.Body)
			if resp.IsBase64Encoded {
				body, _ = base64.StdEncoding.DecodeString(resp.Body)
			}
			gzipped := resp.Headers["Content-Encoding"] == "gzip"
			if gzipped != tc.wantGzip {
				t.Errorf("gzipped = %v, want %v (Accept-Encoding %q)", gzipped, tc.wantGzip, tc.accept)
			}
			if gzipped {
				body = webtest.Gunzip(t, body)
			}
			if got := resp.Headers["Content-Language"]; got != tc.wantLang || !strings.Contains(string(body), `<html lang="`+tc.wantLang+`"`) {
				t.Errorf("language %q, want %s (Accept-Language %q)", got, tc.wantLang, tc.acceptLanguage)
			}
		})
	}
}
