package samtemplate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// deploySection returns the README's "Deploy to AWS" section.
func deploySection(t *testing.T, root string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Deploy to AWS\n")
	if !ok {
		t.Fatal(`README.md has no "## Deploy to AWS" section`)
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	return section
}

// TestDeploySectionDocumentsTheTemplate: whoever runs sam deploy --guided
// finds every parameter it asks for, every output it prints and every
// environment variable the functions get explained in the README's deploy
// section. The template is read by goformation's parser (samtemplate.Load).
func TestDeploySectionDocumentsTheTemplate(t *testing.T) {
	tmpl, root := mustLoad(t)
	section := deploySection(t, root)
	documented := func(kind, name string) {
		t.Helper()
		if !strings.Contains(section, "`"+name+"`") {
			t.Errorf("%s %s is not documented in README.md's \"Deploy to AWS\" section (as `%s`)", kind, name, name)
		}
	}
	params, _ := tmpl.Raw["Parameters"].(map[string]any)
	if len(params) == 0 {
		t.Fatal("template.yaml has no parameters")
	}
	for name := range params {
		documented("parameter", name)
	}
	outputs, _ := tmpl.Raw["Outputs"].(map[string]any)
	for name := range outputs {
		documented("output", name)
	}
	fns := tmpl.Resources("AWS::Serverless::Function")
	fns["Globals"] = map[string]any{"Properties": tmpl.Raw["Globals"].(map[string]any)["Function"]}
	for _, fn := range fns {
		vars, _ := get(fn, "Properties", "Environment", "Variables").(map[string]any)
		for name := range vars {
			documented("environment variable", name)
		}
	}
}
