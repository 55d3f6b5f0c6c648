package i18n_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"

	// Every package with a catalogue, so that it is registered:
	// TestEveryCatalogue fails when one is missing here.
	_ "github.com/retours/retours/internal/bilan"
	_ "github.com/retours/retours/internal/digest"
	_ "github.com/retours/retours/internal/organiser"
	"github.com/retours/retours/internal/programme"
	_ "github.com/retours/retours/internal/survey"
	_ "github.com/retours/retours/internal/web"
)

// dynamicKeys lists, for each key the code builds from a literal prefix and
// a value ("note."+kind), every value it may be built from. A prefix missing
// here fails TestEveryKeyUsedExists.
func dynamicKeys(src *source) map[string][]string {
	return map[string][]string{
		"note.":    retours.NoteKinds,                                                                                                         // survey, organiser and bilan: a note's kind
		"kind.":    retours.NoteKinds,                                                                                                         // digest: a quoted note's kind
		"event.":   {"now", "soon", "closed"},                                                                                                 // survey: sessionView.State
		"field.":   src.fieldProblems,                                                                                                         // the retours.Field* constants
		"problem.": problemCodes(),                                                                                                            // programme: a problem's code
		"status.":  {string(retours.StatusUpcoming), string(retours.StatusRunning), string(retours.StatusOpen), string(retours.StatusClosed)}, // organiser: an event's status
		"lang.":    retours.Languages,                                                                                                         // organiser: a language's name
		"edit.":    retours.Actions,                                                                                                           // organiser: an action of the record of changes
		"nav.":     {"home", "modifier", "sessions", "questionnaire", "programme", "edition", "acces", "saisie"},                              // organiser: the organisers' navigation (organiserNav)
		// organiser's editing pages: a session's kind, a question's kind,
		// what an import does to a session and what it changes, and what
		// was just done
		"session.kind.":       retours.SessionKinds,
		"questionnaire.kind.": questionKinds(),
		"programme.action.":   {programme.Create, programme.Update, programme.Unchanged},
		"programme.change.":   {"title", "kind", "starts_at", "ends_at", "room", "speakers", "uid"},
		"edit.done.":          {"saved", "cancelled", "restored", "moved", "retired", "deleted", "added", "reset", "imported"},
	}
}

func questionKinds() []string {
	var out []string
	for _, k := range retours.QuestionKinds {
		out = append(out, string(k))
	}
	return out
}

func problemCodes() []string {
	var out []string
	for _, c := range programme.Codes() {
		out = append(out, string(c))
	}
	return out
}

func TestEveryCatalogue(t *testing.T) {
	src := scan(t)
	registered := map[string]bool{}
	for _, c := range i18n.Catalogues() {
		registered[c.Name()] = true
		for _, p := range c.Problems() {
			t.Error(p)
		}
	}
	for name, pos := range src.made {
		if !registered[name] {
			t.Errorf("%s: catalogue %q is not checked: import its package in %s", pos, name, "catalogues_test.go")
		}
	}
	for name := range registered {
		if _, ok := src.made[name]; !ok {
			t.Errorf("catalogue %q is registered but no source makes it", name)
		}
	}
	if len(registered) < 3 {
		t.Errorf("only %d catalogues registered", len(registered))
	}
}

// TestEveryKeyUsedExists checks each key the code and the templates name,
// and the number of arguments each lookup passes against the verbs of the
// text, so that a missing key or a missing argument cannot ship.
func TestEveryKeyUsedExists(t *testing.T) {
	src := scan(t)
	cats := catalogues()
	dynamic := dynamicKeys(src)
	for _, u := range src.uses {
		c, ok := cats[u.cat]
		if !ok {
			t.Errorf("%s: no catalogue %q", u.pos, u.cat)
			continue
		}
		for _, key := range u.keys(t, dynamic) {
			switch {
			case u.plural:
				for _, form := range []string{".one", ".other"} {
					if !c.Has(key + form) {
						t.Errorf("%s: plural %q has no %s in %s", u.pos, key, form, u.cat)
					}
				}
			case !c.Has(key):
				t.Errorf("%s: key %q is not in %s", u.pos, key, u.cat)
			case u.args >= 0:
				text, _ := c.Text(i18n.Default, key)
				if n := len(i18n.Verbs(text)); n != u.args {
					t.Errorf("%s: %q has %d verbs, the call passes %d arguments", u.pos, key, n, u.args)
				}
			}
		}
	}
	if len(src.uses) < 200 {
		t.Errorf("found only %d keys in use: the scan no longer matches the code", len(src.uses))
	}
}

// TestEveryKeyIsUsed finds texts nothing reads any more.
func TestEveryKeyIsUsed(t *testing.T) {
	src := scan(t)
	dynamic := dynamicKeys(src)
	cats := catalogues()
	used := map[string]map[string]bool{}
	for name := range cats {
		used[name] = map[string]bool{}
	}
	for _, u := range src.uses {
		for _, key := range u.keys(t, dynamic) {
			forms := []string{key}
			if u.plural {
				forms = []string{key + ".zero", key + ".one", key + ".other"}
			}
			for _, k := range forms {
				// A key read through a catalogue that extends another is a
				// use of the catalogue that holds it.
				if c, ok := cats[u.cat]; ok {
					if owner := c.Owner(k); owner != nil {
						used[owner.Name()][k] = true
					}
				}
			}
		}
	}
	for name, c := range cats {
		for _, key := range c.Keys() {
			if !used[name][key] {
				t.Errorf("%s: %q is used nowhere", name, key)
			}
		}
	}
}

func catalogues() map[string]*i18n.Catalogue {
	m := map[string]*i18n.Catalogue{}
	for _, c := range i18n.Catalogues() {
		m[c.Name()] = c
	}
	return m
}

// use is one key named by the code or a template.
type use struct {
	pos    string
	cat    string // the catalogue's name
	key    string // the key, or its prefix when dynamic
	prefix bool
	plural bool
	args   int // arguments passed for the text's verbs; -1 when unknown
}

// keys returns the keys u may name.
func (u use) keys(t *testing.T, dynamic map[string][]string) []string {
	if !u.prefix {
		return []string{u.key}
	}
	values, ok := dynamic[u.key]
	if !ok {
		t.Errorf("%s: key built from %q: list its values in dynamicKeys", u.pos, u.key)
		return nil
	}
	var out []string
	for _, v := range values {
		out = append(out, u.key+v)
	}
	return out
}

// source is what the scan of the module finds.
type source struct {
	made          map[string]string // catalogue name → where i18n.New makes it
	uses          []use
	fieldProblems []string
}

var scanned *source

// scan reads every non-test Go file of the module, and the templates beside
// them.
func scan(t *testing.T) *source {
	t.Helper()
	if scanned != nil {
		return scanned
	}
	root := moduleRoot(t)
	src := &source{made: map[string]string{}}
	fset := token.NewFileSet()
	dirs := map[string][]*ast.File{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dirs[filepath.Dir(path)] = append(dirs[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, files := range dirs {
		p := &pkgScan{src: src, fset: fset, root: root, isDomain: dir == filepath.Join(root, "internal", "retours"), vars: map[string]string{}}
		for _, f := range files {
			p.findCatalogues(f)
		}
		for _, f := range files {
			p.findUses(f)
		}
		if err := p.templates(dir); err != nil {
			t.Fatal(err)
		}
	}
	if len(src.fieldProblems) == 0 {
		t.Fatal("no retours.Field* constants found")
	}
	scanned = src
	return src
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// errorCatalogue is the catalogue of the domain's error messages and field
// problems.
const errorCatalogue = "retours"

type pkgScan struct {
	src      *source
	fset     *token.FileSet
	root     string
	isDomain bool
	vars     map[string]string // package variable → catalogue name
}

func (p *pkgScan) pos(n ast.Node) string {
	pos := p.fset.Position(n.Pos())
	rel, _ := filepath.Rel(p.root, pos.Filename)
	return fmt.Sprintf("%s:%d", rel, pos.Line)
}

// findCatalogues records the package variables made by i18n.New, and the
// domain's field problems.
func (p *pkgScan) findCatalogues(f *ast.File) {
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, spec := range gd.Specs {
			vs, ok := spec.(*ast.ValueSpec)
			if !ok || len(vs.Values) != len(vs.Names) {
				continue
			}
			for i, v := range vs.Values {
				name := vs.Names[i].Name
				if gd.Tok == token.CONST && p.isDomain && strings.HasPrefix(name, "Field") {
					if s, ok := stringLit(v); ok {
						p.src.fieldProblems = append(p.src.fieldProblems, s)
					}
				}
				call := newCall(v)
				if call == nil {
					continue
				}
				if s, ok := stringLit(call.Args[0]); ok {
					p.vars[name] = s
					p.src.made[s] = p.pos(call)
				}
			}
		}
	}
}

// newCall returns the call of i18n.New that makes e, through the methods
// chained on it (i18n.New(…).Extends(…)), or nil.
func newCall(e ast.Expr) *ast.CallExpr {
	for {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return nil
		}
		if isSelector(call.Fun, "i18n", "New") && len(call.Args) > 0 {
			return call
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return nil
		}
		e = sel.X
	}
}

// findUses records the keys of catalogue lookups (c.T, c.Plural) and of the
// domain's errors (retours.NewError, retours.Error{Key: …}, FieldErrors.Err).
func (p *pkgScan) findUses(f *ast.File) {
	for _, decl := range f.Decls {
		params := map[string]bool{}
		if fd, ok := decl.(*ast.FuncDecl); ok {
			for _, field := range fd.Type.Params.List {
				for _, n := range field.Names {
					params[n.Name] = true
				}
			}
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				p.call(n, params)
			case *ast.CompositeLit:
				p.errorLiteral(n, params)
			}
			return true
		})
	}
}

func (p *pkgScan) call(call *ast.CallExpr, params map[string]bool) {
	args := func(from int) int {
		if call.Ellipsis.IsValid() {
			return -1
		}
		return len(call.Args) - from
	}
	sel, isSel := call.Fun.(*ast.SelectorExpr)
	switch {
	case isSel && (sel.Sel.Name == "T" || sel.Sel.Name == "Plural"):
		x, ok := sel.X.(*ast.Ident)
		if !ok || p.vars[x.Name] == "" || len(call.Args) < 2 {
			return
		}
		if sel.Sel.Name == "T" {
			p.key(call.Args[1], p.vars[x.Name], false, args(2), params)
		} else {
			p.key(call.Args[1], p.vars[x.Name], true, -1, params)
		}
	case isSelector(call.Fun, "retours", "NewError") || p.isDomain && isIdent(call.Fun, "NewError"):
		if len(call.Args) >= 2 {
			p.key(call.Args[1], errorCatalogue, false, args(2), params)
		}
	case isSel && sel.Sel.Name == "Err" && len(call.Args) == 1:
		// FieldErrors.Err(key); context's Err takes no argument.
		p.key(call.Args[0], errorCatalogue, false, 0, params)
	}
}

func (p *pkgScan) errorLiteral(lit *ast.CompositeLit, params map[string]bool) {
	if !isSelector(lit.Type, "retours", "Error") && !(p.isDomain && isIdent(lit.Type, "Error")) {
		return
	}
	var key ast.Expr
	nargs := 0
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		switch {
		case isIdent(kv.Key, "Key"):
			key = kv.Value
		case isIdent(kv.Key, "Args"):
			nargs = -1
			if a, ok := kv.Value.(*ast.CompositeLit); ok {
				nargs = len(a.Elts)
			}
		}
	}
	if key == nil {
		p.src.uses = append(p.src.uses, use{pos: p.pos(lit), cat: errorCatalogue, key: "(no Key)"})
		return
	}
	p.key(key, errorCatalogue, false, nargs, params)
}

// key records the key expression e: a string literal, or a literal prefix
// plus a value. A parameter of the enclosing function forwards its caller's
// key (a template's .T), and an error's Key was recorded where the error was
// made: neither is recorded again. Anything else is reported.
func (p *pkgScan) key(e ast.Expr, cat string, plural bool, args int, params map[string]bool) {
	u := use{pos: p.pos(e), cat: cat, plural: plural, args: args}
	u.key = "(not a literal)"
	if s, ok := stringLit(e); ok {
		u.key = s
	} else if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
		if s, ok := stringLit(b.X); ok {
			u.key, u.prefix = s, true
		}
	} else if id, ok := e.(*ast.Ident); ok && params[id.Name] {
		return
	} else if sel, ok := e.(*ast.SelectorExpr); ok && sel.Sel.Name == "Key" && cat == errorCatalogue {
		return
	}
	p.src.uses = append(p.src.uses, u)
}

var (
	templateKey    = regexp.MustCompile(`\.T "([^"]+)"`)
	templatePrefix = regexp.MustCompile(`\.T \(print "([^"]+)"`)
)

// templates records the keys the templates beside the package name with
// .T, in the package's one catalogue.
func (p *pkgScan) templates(dir string) error {
	entries, err := os.ReadDir(filepath.Join(dir, "templates"))
	if err != nil || len(p.vars) == 0 {
		return nil
	}
	var cat string
	for _, name := range p.vars {
		cat = name
	}
	for _, e := range entries {
		path := filepath.Join(dir, "templates", e.Name())
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(p.root, path)
		for _, m := range templateKey.FindAllStringSubmatch(string(data), -1) {
			p.src.uses = append(p.src.uses, use{pos: rel, cat: cat, key: m[1], args: 0})
		}
		for _, m := range templatePrefix.FindAllStringSubmatch(string(data), -1) {
			p.src.uses = append(p.src.uses, use{pos: rel, cat: cat, key: m[1], prefix: true, args: 0})
		}
	}
	return nil
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isSelector(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && isIdent(sel.X, pkg) && sel.Sel.Name == name
}
