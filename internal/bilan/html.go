package bilan

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"
)

//go:embed templates/bilan.html
var templateFS embed.FS

// HTMLStyle is the stylesheet the HTML bilan inlines: servers allow it by
// its hash in their Content-Security-Policy.
//
//go:embed templates/bilan.css
var HTMLStyle string

// htmlDoc is what the HTML template renders.
type htmlDoc struct {
	*doc
	CSS template.CSS
}

type secCtx struct {
	S     section
	Level int
}

// htmlTemplate is parsed on first use: the functions that link the bilan
// without writing it in HTML (the snapshots, the digest) never parse it.
var htmlTemplate = sync.OnceValues(func() (*template.Template, error) {
	return template.New("bilan.html").Funcs(template.FuncMap{
		"sec":      func(s section, level int) secCtx { return secCtx{s, min(level, 6)} },
		"inc":      func(n int) int { return n + 1 },
		"chartSVG": chartSVG,
	}).ParseFS(templateFS, "templates/bilan.html")
})

// WriteHTML writes b as one self-contained, printable page: inline CSS and
// SVG, no script, no external resource. Every text is escaped by
// html/template.
func WriteHTML(w io.Writer, b *Bilan) error {
	t, err := htmlTemplate()
	if err != nil {
		return err
	}
	return t.Execute(w, htmlDoc{layout(b), template.CSS(HTMLStyle)})
}

// chartSVG draws a horizontal bar chart. Labels go through
// template.HTMLEscapeString: participants never write them, but organisers
// do.
func chartSVG(c chart) template.HTML {
	const (
		width  = 640
		labelW = 200
		textW  = 90
		rowH   = 18
	)
	h := rowH*len(c.Bars) + 4
	// Screen readers read the chart as its title and every bar's figures.
	label := []string{c.Title}
	for _, b := range c.Bars {
		label = append(label, b.Label+" — "+b.Text)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" role="img" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" aria-label="%s">`,
		width, h, width, h, template.HTMLEscapeString(strings.Join(label, "; ")))
	for i, b := range c.Bars {
		y := i*rowH + 2
		bw := int(b.Share*float64(width-labelW-textW) + 0.5)
		label := []rune(b.Label)
		if len(label) > 30 {
			label = append(label[:29], '…')
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end">%s</text>`, labelW-6, y+12, template.HTMLEscapeString(string(label)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d"></rect>`, labelW, y+2, bw, rowH-5)
		fmt.Fprintf(&sb, `<text x="%d" y="%d">%s</text>`, labelW+bw+4, y+12, template.HTMLEscapeString(b.Text))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
