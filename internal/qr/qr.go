// Package qr draws the QR codes printed on posters: PNG for slides and
// documents, SVG for print and for inlining in the poster page.
//
// Encoding is github.com/skip2/go-qrcode's; this package only chooses the
// recovery level, keeps modules whole in PNGs and writes the SVG.
package qr

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"
)

// Code is the QR code of one text.
type Code struct {
	text   string
	q      *qrcode.QRCode
	bitmap [][]bool // includes the four-module quiet zone
}

// MaxPNGSize is the largest PNG New's codes draw, in pixels.
const MaxPNGSize = 4096

// New encodes text. The recovery level is High (30 %): a printed poster gets
// creased, taped over or photographed at an angle, and the URLs are short
// enough that the larger symbol costs nothing.
func New(text string) (*Code, error) {
	q, err := qrcode.New(text, qrcode.High)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return &Code{text: text, q: q, bitmap: q.Bitmap()}, nil
}

// Text returns the encoded text.
func (c *Code) Text() string { return c.text }

// Modules returns the width of the symbol in modules, quiet zone included.
func (c *Code) Modules() int { return len(c.bitmap) }

// PNG returns a black-on-white PNG at least minSize pixels wide (and at most
// MaxPNGSize). Every module is the same whole number of pixels: stretching
// modules by fractions, as a fixed pixel size would, blurs their edges and
// makes cheap phone cameras struggle.
func (c *Code) PNG(minSize int) ([]byte, error) {
	n := c.Modules()
	scale := (minSize + n - 1) / n
	if scale < 1 {
		scale = 1
	}
	if scale*n > MaxPNGSize {
		scale = MaxPNGSize / n
	}
	return c.q.PNG(-scale)
}

// WriteSVG writes the code as a standalone SVG document that may also be
// inlined in HTML. Dark modules are one path of row runs, which keeps the
// file small (a few kilobytes for a URL), and the text is the image's title.
func (c *Code) WriteSVG(w io.Writer) error {
	n := strconv.Itoa(c.Modules())
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + n + ` ` + n + `" width="` + n + `0" height="` + n + `0" shape-rendering="crispEdges" role="img">`)
	b.WriteString(`<title>` + html.EscapeString(c.text) + `</title>`)
	b.WriteString(`<path fill="#fff" d="M0 0h` + n + `v` + n + `H0z"/><path fill="#000" d="`)
	for y, row := range c.bitmap {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			run := strconv.Itoa(x - start)
			b.WriteString("M" + strconv.Itoa(start) + " " + strconv.Itoa(y) + "h" + run + "v1h-" + run + "z")
		}
	}
	b.WriteString(`"/></svg>`)
	_, err := w.Write(b.Bytes())
	return err
}

// SVG returns the code as an SVG document (see WriteSVG).
func (c *Code) SVG() []byte {
	var b bytes.Buffer
	c.WriteSVG(&b)
	return b.Bytes()
}
