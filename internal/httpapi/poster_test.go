package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"image"
	"image/png"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// decodeQR reads the QR code in a PNG with an independent decoder.
func decodeQR(t *testing.T, data []byte) (string, image.Image) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText(), img
}

func TestQRCodesLeadToTheSurvey(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	atelier := ce.Sessions[1]
	if want := "https://retours.example.org/e/" + ce.ID + "/" + atelier.ID; atelier.SurveyURL != want {
		t.Fatalf("session survey URL %q, want %q from the configured base URL", atelier.SurveyURL, want)
	}
	bearer := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	cookie := []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}
	for _, tc := range []struct {
		name, path string
		auth       []string
		want       string
		size       int
	}{
		{"session, bearer", "/api/events/" + ce.ID + "/sessions/" + atelier.ID + "/qr.png", bearer, atelier.SurveyURL, 1024},
		{"session, cookie", "/api/events/" + ce.ID + "/sessions/" + atelier.ID + "/qr.png", cookie, atelier.SurveyURL, 1024},
		{"session, small", "/api/events/" + ce.ID + "/sessions/" + atelier.ID + "/qr.png?size=200", bearer, atelier.SurveyURL, 200},
		{"event", "/api/events/" + ce.ID + "/qr.png", bearer, ce.SurveyURL, 1024},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.do("GET", tc.path, nil, tc.auth...)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
				t.Fatalf("status %d, Content-Type %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			got, img := decodeQR(t, rec.Body.Bytes())
			if got != tc.want {
				t.Errorf("QR code reads %q, want exactly %q", got, tc.want)
			}
			if w := img.Bounds().Dx(); w < tc.size || w > tc.size+100 {
				t.Errorf("PNG is %d px wide, want about %d", w, tc.size)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="retours-`+ce.ID) {
				t.Errorf("Content-Disposition %q does not name the event", cd)
			}
		})
	}

	rec := env.do("GET", "/api/events/"+ce.ID+"/sessions/"+atelier.ID+"/qr.svg", nil, bearer...)
	svg := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(svg, "<svg") ||
		!strings.Contains(svg, "<title>"+atelier.SurveyURL+"</title>") {
		t.Errorf("SVG = %d %q: %.200s", rec.Code, rec.Header().Get("Content-Type"), svg)
	}
}

func TestQRCodesNeedTheEventsToken(t *testing.T) {
	env := newEnv(t)
	a := env.mustCreateEvent(necDay)
	b := env.mustCreateEvent(necDay)
	session := "/api/events/" + a.ID + "/sessions/" + a.Sessions[0].ID
	for _, tc := range []struct {
		name, path, token string
		want              int
	}{
		{"no token", session + "/qr.png", "", http.StatusUnauthorized},
		{"no token, poster", session + "/poster", "", http.StatusUnauthorized},
		{"wrong token", "/api/events/" + a.ID + "/qr.svg", "rto_wrong", http.StatusForbidden},
		{"another event's token", session + "/qr.svg", b.OrganiserToken, http.StatusForbidden},
		{"another event's session", "/api/events/" + a.ID + "/sessions/" + b.Sessions[0].ID + "/qr.png", a.OrganiserToken, http.StatusNotFound},
		{"unknown event", "/api/events/zzzzzzzz/poster", a.OrganiserToken, http.StatusNotFound},
		{"size too small", session + "/qr.png?size=10", a.OrganiserToken, http.StatusBadRequest},
		{"size not a number", session + "/qr.png?size=big", a.OrganiserToken, http.StatusBadRequest},
		{"size too large", session + "/qr.png?size=100000", a.OrganiserToken, http.StatusBadRequest},
		{"own token", session + "/poster", a.OrganiserToken, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.token != "" {
				h = []string{"Authorization", "Bearer " + tc.token}
			}
			if rec := env.do("GET", tc.path, nil, h...); rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %.300s", rec.Code, tc.want, rec.Body)
			}
		})
	}
}

func TestPoster(t *testing.T) {
	env := newEnv(t)
	ce := env.mustCreateEvent(necDay)
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	short := "retours.example.org/e/" + ce.ID
	for _, tc := range []struct {
		name, path, lang string
		want             []string
	}{
		{"session", "/api/events/" + ce.ID + "/sessions/" + ce.Sessions[1].ID + "/poster", "fr",
			[]string{"<h1>Atelier inclusion</h1>", "Numérique En Commun[s] Auvergne", "13 octobre 2026 à 11:00", `<p class="url">` + short + "/" + ce.Sessions[1].ID + "</p>",
				"Votre avis en 2 minutes", "Also in English", `href="qr.svg"`, `href="qr.png"`}},
		{"event, in English", "/api/events/" + ce.ID + "/poster?lang=en", "en",
			[]string{"<h1>Numérique En Commun[s] Auvergne</h1>", "13 October 2026", `<p class="url">` + short + "</p>", "Your feedback in 2 minutes", "Aussi en français"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.do("GET", tc.path, nil, auth...)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, `<html lang="`+tc.lang+`">`) {
				t.Fatalf("status %d:\n%s", rec.Code, body)
			}
			for _, want := range append(tc.want, "<svg", "@page{size:A4", "@media print") {
				if !strings.Contains(body, want) {
					t.Errorf("poster lacks %q", want)
				}
			}
			style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
			if style == nil {
				t.Fatal("no <style>")
			}
			sum := sha256.Sum256([]byte(style[1]))
			if hash := base64.StdEncoding.EncodeToString(sum[:]); !strings.Contains(rec.Header().Get("Content-Security-Policy"), hash) {
				t.Errorf("poster stylesheet hash %s not in the policy", hash)
			}
			if strings.Contains(body, "<script") || strings.Contains(body, " style=") {
				t.Error("poster has a script or a style attribute")
			}
		})
	}
}
