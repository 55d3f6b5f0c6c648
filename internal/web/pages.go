package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
)

// layoutFS holds the layout, the summary of a form's errors and the error
// page: templates/layout.html.
//
//go:embed templates/layout.html
var layoutFS embed.FS

// layoutCSS styles every page in the layout. It is inlined (one round trip,
// nothing to cache or invalidate) and allowed by its hash in the
// Content-Security-Policy, so no inline style from anywhere else applies.
//
//go:embed templates/layout.css
var layoutCSS string

// layout is templates/layout.html, parsed once, on first use.
var layout = sync.OnceValues(func() (*template.Template, error) {
	return template.New("").ParseFS(layoutFS, "templates/layout.html")
})

// pages renders the error page.
var pages = NewPages(Messages, nil)

// Base is what the layout shows around every page: the language, the
// title, the stylesheet, the switch to the other language, the link to the
// privacy notice, and the event the page is about. Each page's view embeds
// it, and its templates read texts with .T.
type Base struct {
	Lang, Title string
	CSS         template.CSS
	// Event is the event the page is about, if any: its languages decide
	// the language switch, the privacy link names it, and the header shows
	// its title unless ShowsEvent.
	Event      *retours.Event
	ShowsEvent bool // the page names the event in its own heading
	// Errors summarise a form's problems at the top of the page, under
	// ErrorsTitle (the "errors" template).
	Errors      []ErrorView
	ErrorsTitle string
	// SwitchHref is the same page in the other language; empty when the
	// event is not offered in it.
	SwitchHref  string
	PrivacyHref string
	// Path is the address of this page for a GET, language aside: the
	// language switch of a page shown again after a post leads there, since
	// the post's own URL cannot be fetched.
	Path string
	// Refresh, when set, reloads the page after a while, or leads on: the
	// content of a meta refresh, "5" or "5;url=/…". Pages that wait for
	// work done outside the request use it, since they run no script.
	Refresh  string
	messages *i18n.Catalogue
}

// T returns the text of key in the page's language, from the catalogue of
// the function's pages.
func (b *Base) T(key string) string { return b.messages.T(b.Lang, key) }

func (b *Base) base() *Base { return b }

// A View is what a page template renders: a struct that embeds Base.
type View interface{ base() *Base }

// ErrorView is one problem in the summary of a form's errors: a link to the
// field, its label and the message.
type ErrorView struct{ Anchor, Label, Message string }

// switchParams are the query parameters pages read, which the language
// switch keeps.
var switchParams = []string{"general", "s", "note", "e"}

// Pages renders the pages of one function: its templates, parsed with the
// layout once, on first use, each rendered inside the layout, with texts
// from its catalogue.
type Pages struct {
	messages *i18n.Catalogue
	fsys     fs.FS
	patterns []string

	once sync.Once
	set  *template.Template // the layout and the function's templates
	err  error

	mu    sync.Mutex
	ready map[string]*template.Template // by page or document name
}

// NewPages returns the renderer of the templates of fsys that patterns
// name, whose texts come from messages (which extends Messages).
func NewPages(messages *i18n.Catalogue, fsys fs.FS, patterns ...string) *Pages {
	return &Pages{messages: messages, fsys: fsys, patterns: patterns, ready: map[string]*template.Template{}}
}

// template returns the template set that renders name: inside the layout
// for a page, on its own for a document.
func (p *Pages) template(name string, document bool) (*template.Template, error) {
	p.once.Do(func() {
		var base *template.Template
		if base, p.err = layout(); p.err != nil {
			return
		}
		if p.set, p.err = base.Clone(); p.err == nil && len(p.patterns) > 0 {
			p.set, p.err = p.set.ParseFS(p.fsys, p.patterns...)
		}
	})
	if p.err != nil {
		return nil, p.err
	}
	key := name
	if document {
		key = "document " + name
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.ready[key]; ok {
		return t, nil
	}
	if p.set.Lookup(name) == nil {
		return nil, fmt.Errorf("web: no template %q", name)
	}
	// Each page gets its own copy of the set, whose "content" is the page.
	t, err := p.set.Clone()
	if err == nil && !document {
		_, err = t.New("content").Parse(`{{template "` + name + `" .}}`)
	}
	if err != nil {
		return nil, err
	}
	p.ready[key] = t
	return t, nil
}

// Render writes the page name inside the layout, with status. It fills in
// what v's Base leaves empty: the language (PageLang), the stylesheet, the
// language switch and the privacy link.
func (p *Pages) Render(w http.ResponseWriter, r *http.Request, status int, name string, v View) error {
	b := v.base()
	b.messages = p.messages
	if b.Lang == "" {
		b.Lang = PageLang(r, b.Event)
	}
	b.CSS = template.CSS(layoutCSS)
	if other := b.T("lang.switch.code"); b.Event == nil || slices.Contains(b.Event.Languages, other) {
		b.SwitchHref = switchHref(r, b.Path, other)
	}
	b.PrivacyHref = "/confidentialite?lang=" + b.Lang
	if b.Event != nil {
		b.PrivacyHref += "&e=" + url.QueryEscape(b.Event.ID)
	}
	t, err := p.template(name, false)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", b.Lang)
	h.Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	return err
}

// Document returns the template name rendered on its own, not in the
// layout: an HTML document such as a poster, whose handler writes the
// headers. v's Base needs its language.
func (p *Pages) Document(name string, v View) ([]byte, error) {
	v.base().messages = p.messages
	t, err := p.template(name, true)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// switchHref returns the link to this page in lang: the request's own URL
// for a GET, else path. Only the parameters pages read are kept.
func switchHref(r *http.Request, path, lang string) string {
	u := &url.URL{Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && path != "" {
		u, _ = url.Parse(path)
	}
	in, out := u.Query(), url.Values{"lang": {lang}}
	for _, k := range switchParams {
		if v := in.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return u.Path + "?" + out.Encode()
}
