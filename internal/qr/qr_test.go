package qr_test

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/retours/retours/internal/qr"
	"github.com/retours/retours/internal/qr/qrtest"
)

var texts = []struct{ name, text string }{
	{"session URL", "https://retours.example.org/e/k3vq2abc/x7mp4d"},
	{"event URL", "https://retours.example.org/e/k3vq2abc"},
	{"long custom domain", "https://avis.numerique-en-communs.auvergne-rhone-alpes.example.fr/e/k3vq2abc/x7mp4d"},
	{"local server", "http://127.0.0.1:3000/e/k3vq2abc/x7mp4d"},
}

func mustNew(t *testing.T, text string) *qr.Code {
	t.Helper()
	c, err := qr.New(text)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPNGDecodesToTheText(t *testing.T) {
	for _, tc := range texts {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, tc.text)
			data, err := c.PNG(512)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if got := qrtest.DecodeImage(t, img); got != tc.text {
				t.Errorf("decoded %q, want %q", got, tc.text)
			}
			w := img.Bounds().Dx()
			if w < 512 || w%c.Modules() != 0 || w != img.Bounds().Dy() {
				t.Errorf("PNG is %dx%d for %d modules, want a square of at least 512 px with whole modules", w, img.Bounds().Dy(), c.Modules())
			}
		})
	}
}

func TestPNGSizeLimits(t *testing.T) {
	c := mustNew(t, texts[0].text)
	for _, tc := range []struct {
		name     string
		min      int
		from, to int
	}{
		{"zero gives one pixel per module", 0, c.Modules(), c.Modules()},
		{"huge is capped", 1 << 20, qr.MaxPNGSize - c.Modules(), qr.MaxPNGSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := c.PNG(tc.min)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Width < tc.from || cfg.Width > tc.to {
				t.Errorf("width = %d, want %d to %d", cfg.Width, tc.from, tc.to)
			}
		})
	}
}

var run = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

// rasterize draws the SVG's dark path at scale pixels per module.
func rasterize(t *testing.T, svg []byte, modules, scale int) image.Image {
	t.Helper()
	var doc struct {
		ViewBox string `xml:"viewBox,attr"`
		Title   string `xml:"title"`
		Paths   []struct {
			Fill string `xml:"fill,attr"`
			D    string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v", err)
	}
	if want := "0 0 " + strconv.Itoa(modules) + " " + strconv.Itoa(modules); doc.ViewBox != want {
		t.Errorf("viewBox = %q, want %q", doc.ViewBox, want)
	}
	if len(doc.Paths) != 2 || doc.Paths[1].Fill != "#000" {
		t.Fatalf("paths = %+v, want a white background and one black path", doc.Paths)
	}
	d := doc.Paths[1].D
	if rest := run.ReplaceAllString(d, ""); rest != "" {
		t.Fatalf("path has commands other than row runs: %q", rest)
	}
	img := image.NewGray(image.Rect(0, 0, modules*scale, modules*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for _, m := range run.FindAllStringSubmatch(d, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		n, _ := strconv.Atoi(m[3])
		if m[3] != m[4] {
			t.Fatalf("run %q does not close on itself", m[0])
		}
		for px := x * scale; px < (x+n)*scale; px++ {
			for py := y * scale; py < (y+1)*scale; py++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img
}

func TestSVGDecodesToTheText(t *testing.T) {
	for _, tc := range texts {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, tc.text)
			svg := c.SVG()
			if got := qrtest.DecodeImage(t, rasterize(t, svg, c.Modules(), 8)); got != tc.text {
				t.Errorf("decoded %q, want %q", got, tc.text)
			}
			if len(svg) > 8<<10 {
				t.Errorf("SVG is %d bytes, want a compact path under 8 KB", len(svg))
			}
		})
	}
}

func TestSVGEscapesTheTitle(t *testing.T) {
	svg := string(mustNew(t, `https://x.example/?a=1&b=<2>`).SVG())
	if !strings.Contains(svg, "<title>https://x.example/?a=1&amp;b=&lt;2&gt;</title>") {
		t.Errorf("title not escaped: %s", svg[:200])
	}
}
