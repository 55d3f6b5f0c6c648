package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/retours/retours/internal/web"
)

// TestLambdaBodySize checks the size a body takes in a Lambda response
// against what the runtime really writes: encoding/json without HTML
// escaping for text, base64 for the rest, and gzip then base64 for text a
// client accepts compressed.
func TestLambdaBodySize(t *testing.T) {
	noise := make([]byte, 300_000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"empty", nil},
		{"ascii", []byte("satisfaction,nps\n5,9\n")},
		{"quotes and backslashes", []byte(strings.Repeat(`"a\b"`, 1000))},
		{"control characters", []byte("a\x01b\x1f\b\f\t\r\n")},
		{"html stays as it is", []byte("<b>&amp;</b>")},
		{"accents and line separators", []byte("Numérique – “En Commun[s]” \u2028\u2029 🎉")},
		{"binary", noise},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want int
			var js bytes.Buffer
			enc := json.NewEncoder(&js)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(string(tc.body)); err != nil {
				t.Fatal(err)
			}
			text := js.Len() - 1 // Encode adds a newline
			b64 := base64.StdEncoding.EncodedLen(len(tc.body))
			var gz bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
			zw.Write(tc.body)
			zw.Close()
			gzipped := base64.StdEncoding.EncodedLen(gz.Len())
			if strings.ToValidUTF8(string(tc.body), "") == string(tc.body) {
				want = text
			} else {
				want = b64
			}
			got := web.LambdaBodySize(tc.body)
			if got < want || got < gzipped {
				t.Errorf("LambdaBodySize = %d, under what the response takes: %d as sent, %d gzipped", got, want, gzipped)
			}
			if got > max(want, gzipped)+64 {
				t.Errorf("LambdaBodySize = %d, far over what the response takes: %d as sent, %d gzipped", got, want, gzipped)
			}
		})
	}
}

func TestFitsLambdaResponse(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		want bool
	}{
		{"a bilan page", bytes.Repeat([]byte("<p>Atelier</p>\n"), 20_000), true},
		{"4.5 MB of plain text", bytes.Repeat([]byte("abcdefghi\n"), 450_000), true},
		{"4.5 MB of quoted CSV, which JSON doubles", bytes.Repeat([]byte(`"a","b"`+"\n"), 500_000), false},
		{"4.6 MB of a spreadsheet, base64-encoded to 6.2 MB", bytes.Repeat([]byte{0xff, 0x00, 0x8b}, 1_550_000), true},
		{"4.7 MB of a spreadsheet, base64-encoded to 6.3 MB", bytes.Repeat([]byte{0xff, 0x00, 0x8b}, 1_570_000), false},
	} {
		if got := web.FitsLambdaResponse(tc.body); got != tc.want {
			t.Errorf("%s (%d bytes, %d in the response): FitsLambdaResponse = %v, want %v", tc.name, len(tc.body), web.LambdaBodySize(tc.body), got, tc.want)
		}
	}
}
