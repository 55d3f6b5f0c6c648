package httpapi

import (
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/retours/retours/internal/retours"
)

// TestCataloguesMatch checks that every language has exactly the same keys
// and no empty text, and that each text has the same format verbs.
func TestCataloguesMatch(t *testing.T) {
	for _, lang := range retours.Languages {
		if _, ok := messages[lang]; !ok {
			t.Fatalf("no catalogue for %q", lang)
		}
	}
	if len(messages) != len(retours.Languages) {
		t.Errorf("%d catalogues for %d languages", len(messages), len(retours.Languages))
	}
	verbs := regexp.MustCompile(`%[a-z]`)
	ref := messages[retours.Languages[0]]
	for lang, cat := range messages {
		t.Run(lang, func(t *testing.T) {
			for key, text := range cat {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: empty text", key)
				}
				if _, ok := ref[key]; !ok {
					t.Errorf("%s: not in the %s catalogue", key, retours.Languages[0])
				} else if got, want := verbs.FindAllString(text, -1), verbs.FindAllString(ref[key], -1); !slices.Equal(got, want) {
					t.Errorf("%s: format verbs %v, want %v as in %s", key, got, want, retours.Languages[0])
				}
			}
			for key := range ref {
				if _, ok := cat[key]; !ok {
					t.Errorf("%s: missing", key)
				}
			}
		})
	}
}

// TestEveryKeyUsedExists checks the keys the templates and the Go code name
// literally, and the ones they build from domain values.
func TestEveryKeyUsedExists(t *testing.T) {
	var used []string
	tmpl := regexp.MustCompile(`\.T "([a-z0-9_.-]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templateFS.ReadFile(path)
		for _, m := range tmpl.FindAllStringSubmatch(string(data), -1) {
			used = append(used, m[1])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`(?:msg\([a-zA-Z.]+, |ErrorsTitle: )"([a-z0-9_.-]+)"[),]`)
	files, _ := os.ReadDir(".")
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		data, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range code.FindAllStringSubmatch(string(data), -1) {
			used = append(used, m[1])
		}
	}
	if len(used) < 40 {
		t.Fatalf("found only %d keys in use: the patterns no longer match the code", len(used))
	}
	for _, k := range retours.NoteKinds {
		used = append(used, "note."+k)
	}
	for _, state := range []string{"now", "soon", "closed"} {
		used = append(used, "event."+state)
	}
	for _, p := range []string{retours.FieldRequired, retours.FieldInvalid, retours.FieldChoice, retours.FieldRange, retours.FieldTooLong,
		retours.FieldBadText, retours.FieldUnknown, retours.FieldTooMany, retours.FieldDuplicate, retours.FieldOrder} {
		used = append(used, "field."+p)
	}
	for _, key := range used {
		for _, lang := range retours.Languages {
			if _, ok := messages[lang][key]; !ok {
				t.Errorf("key %q is used but missing in %s", key, lang)
			}
		}
	}
}
