package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retours/retours/internal/runtimeapi"
)

const mod = "github.com/retours/retours/"

// linking says what each function must link (what it serves) and must not:
// a participant's phone waits for the survey function's cold start, and
// every package linked is started and loaded.
var linking = map[string]struct{ must, mustNot []string }{
	"survey": {
		must: []string{mod + "internal/survey", mod + "internal/web", mod + "internal/dynamo", mod + "internal/app/gateway"},
		mustNot: []string{"github.com/xuri/excelize", "github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/skip2/go-qrcode",
			"github.com/aws/aws-sdk-go-v2/service/secretsmanager", "github.com/aws/aws-sdk-go-v2/service/s3",
			"github.com/aws/aws-sdk-go-v2/service/lambda", mod + "internal/lambdainvoke", mod + "internal/erase",
			mod + "internal/bilan", mod + "internal/digest", mod + "internal/qr", mod + "internal/organiser", mod + "internal/ses",
			mod + "internal/suppress", mod + "internal/stack",
			// Europe/Paris alone is embedded (internal/i18n), not the whole
			// zone database.
			"time/tzdata"},
	},
	"organiser": {
		must: []string{mod + "internal/organiser", mod + "internal/bilan", mod + "internal/qr", mod + "internal/app/secrets", mod + "internal/app/gateway",
			mod + "internal/lambdainvoke"},
		// Lambda's, Secrets Manager's and S3's clients: internal/lambdainvoke,
		// internal/app/secrets and internal/s3blob sign their requests. The
		// aggregate function writes the spreadsheets.
		mustNot: []string{"github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/aws/aws-sdk-go-v2/service/lambda", "github.com/xuri/excelize",
			"github.com/aws/aws-sdk-go-v2/service/secretsmanager", "github.com/aws/aws-sdk-go-v2/service/s3",
			mod + "internal/bilan/xlsx", mod + "internal/digest", mod + "internal/survey", mod + "internal/ses", mod + "internal/stack"},
	},
	"digest": {
		must: []string{mod + "internal/digest", mod + "internal/web", mod + "internal/ses", mod + "internal/app/gateway", mod + "internal/lambdainvoke"},
		mustNot: []string{"github.com/skip2/go-qrcode", "github.com/aws/aws-sdk-go-v2/service/lambda", "github.com/aws/aws-sdk-go-v2/service/secretsmanager",
			mod + "internal/qr", mod + "internal/organiser", mod + "internal/survey", mod + "internal/stack"},
	},
	"aggregate": {
		must: []string{mod + "internal/aggregate", mod + "internal/bilan/xlsx"},
		mustNot: []string{"github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/skip2/go-qrcode", "github.com/awslabs/aws-lambda-go-api-proxy",
			"github.com/aws/aws-sdk-go-v2/service/secretsmanager", "github.com/aws/aws-sdk-go-v2/service/s3",
			mod + "internal/web", mod + "internal/app/gateway", mod + "internal/survey", mod + "internal/organiser", mod + "internal/digest",
			mod + "internal/qr", mod + "internal/stack"},
	},
	"activity": {
		must: []string{mod + "internal/activity"},
		mustNot: []string{"github.com/xuri/excelize", "github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/skip2/go-qrcode",
			"github.com/awslabs/aws-lambda-go-api-proxy", "github.com/aws/aws-sdk-go-v2/service/secretsmanager",
			mod + "internal/bilan", mod + "internal/web", mod + "internal/app/gateway", mod + "internal/survey", mod + "internal/organiser",
			mod + "internal/digest", mod + "internal/qr", mod + "internal/stack"},
	},
	"erase": {
		must: []string{mod + "internal/erase", mod + "internal/dynamo"},
		mustNot: []string{"github.com/xuri/excelize", "github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/skip2/go-qrcode",
			"github.com/awslabs/aws-lambda-go-api-proxy", "github.com/aws/aws-sdk-go-v2/service/secretsmanager",
			"github.com/aws/aws-sdk-go-v2/service/lambda", mod + "internal/lambdainvoke",
			mod + "internal/bilan", mod + "internal/web", mod + "internal/app/gateway", mod + "internal/survey", mod + "internal/organiser",
			mod + "internal/digest", mod + "internal/aggregate", mod + "internal/qr", mod + "internal/stack"},
	},
}

// notOnLambda are packages no function may link: the SDK's shared
// configuration and the credential providers it brings (SSO, STS, the
// instance metadata), which Lambda does not need since it gives the
// function's credentials and region in the environment (app.AWS).
var notOnLambda = []string{
	"github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/credentials/ssocreds",
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds", "github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds",
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds", "github.com/aws/aws-sdk-go-v2/service/sso",
	"github.com/aws/aws-sdk-go-v2/service/ssooidc", "github.com/aws/aws-sdk-go-v2/service/sts",
	"github.com/aws/aws-sdk-go-v2/service/signin", "github.com/aws/aws-sdk-go-v2/feature/ec2/imds",
}

// testOnly are packages no function may link: they serve tests, the local
// run and the benchmark.
var testOnly = []string{
	mod + "internal/memstore", mod + "internal/storetest", mod + "internal/webtest", mod + "internal/retourstest",
	mod + "internal/dynamotest", mod + "internal/dynamolocal", mod + "internal/dynamostream", mod + "internal/samtemplate",
	mod + "internal/iamcheck", mod + "internal/s3local", mod + "internal/qr/qrtest", mod + "internal/runtimeapi", "github.com/awslabs/goformation",
	"github.com/makiuchi-d/gozxing", "testing",
}

// TestEachFunctionLinksOnlyWhatItServes lists the packages each function
// links, built as for Lambda (linux/arm64, lambda.norpc), and checks them
// against linking.
func TestEachFunctionLinksOnlyWhatItServes(t *testing.T) {
	goCmd := runtimeapi.GoTool()
	root, err := exec.Command(goCmd, "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	dirs, err := os.ReadDir(filepath.Join(strings.TrimSpace(string(root)), "functions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue // functions/bootstrap_test.go
		}
		t.Run(d.Name(), func(t *testing.T) {
			rule, ok := linking[d.Name()]
			if !ok {
				t.Fatalf("functions/%s has no rule in linking: say what it must and must not link", d.Name())
			}
			cmd := exec.Command(goCmd, "list", "-deps", "-tags", "lambda.norpc", "./functions/"+d.Name())
			cmd.Dir = strings.TrimSpace(string(root))
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps: %v", err)
			}
			deps := strings.Fields(string(out))
			for _, want := range rule.must {
				if !slices.Contains(deps, want) {
					t.Errorf("does not link %s, which it serves", want)
				}
			}
			for _, not := range slices.Concat(rule.mustNot, notOnLambda, testOnly) {
				for _, dep := range deps {
					if dep == not || strings.HasPrefix(dep, not+"/") {
						t.Errorf("links %s", dep)
					}
				}
			}
			t.Logf("%d packages", len(deps))
		})
	}
}

// TestWebLinksNoFunction: internal/web, which every function's handlers
// use, imports of retours only the domain and its texts, and no module
// beyond the standard library.
func TestWebLinksNoFunction(t *testing.T) {
	out, err := exec.Command(runtimeapi.GoTool(), "list", "-deps", mod+"internal/web").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		ours, isOurs := strings.CutPrefix(dep, mod)
		switch {
		case isOurs && ours != "internal/web" && ours != "internal/retours" && ours != "internal/i18n":
			t.Errorf("internal/web links %s", dep)
		case !isOurs && strings.HasPrefix(dep, "github.com/"):
			t.Errorf("internal/web links %s, a module of its own", dep)
		}
	}
}

// TestFuzzTargetsLinkNoSDK: the fuzz targets of answers and notes live with
// their code, in internal/survey, whose tests link neither the AWS SDK nor
// the spreadsheet library, so that their instrumented build stays quick.
func TestFuzzTargetsLinkNoSDK(t *testing.T) {
	out, err := exec.Command(runtimeapi.GoTool(), "list", "-deps", "-test", mod+"internal/survey").Output()
	if err != nil {
		t.Fatalf("go list -deps -test: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/aws/aws-sdk-go-v2") || strings.HasPrefix(dep, "github.com/xuri/excelize") {
			t.Errorf("the tests of internal/survey link %s", dep)
		}
	}
}
