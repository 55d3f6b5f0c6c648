package samtemplate_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/samtemplate"
	"github.com/retours/retours/internal/web"
)

func mustLoad(t *testing.T) (*samtemplate.Template, string) {
	t.Helper()
	root, err := samtemplate.Root()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl, root
}

// logicalIDs maps each function of web.Routes to its template resource.
var logicalIDs = map[string]string{
	web.FuncSurvey:    "SurveyFunction",
	web.FuncOrganiser: "OrganiserFunction",
	web.FuncDigest:    "DigestFunction",
}

// wantActions is each function's complete list of actions: least
// privilege, checked both ways. (internal/iamcheck proves them by the calls
// the code makes.)
var wantActions = map[string][]string{
	"SurveyFunction": {"dynamodb:GetItem", "dynamodb:PutItem"},
	"OrganiserFunction": {"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem",
		"dynamodb:Query", "dynamodb:Query", "dynamodb:UpdateItem", "lambda:InvokeFunction", "s3:GetObject", "s3:ListBucket", "s3:PutObject", "secretsmanager:GetSecretValue"},
	"EraseFunction": {"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Query", "dynamodb:UpdateItem"},
	"DigestFunction": {"dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Query", "dynamodb:UpdateItem",
		"lambda:InvokeFunction", "secretsmanager:GetSecretValue", "ses:SendEmail"},
	"AggregateFunction": {"dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Query", "s3:PutObject"},
	"ActivityFunction": {"dynamodb:ConditionCheckItem", "dynamodb:DescribeStream", "dynamodb:GetItem", "dynamodb:GetRecords",
		"dynamodb:GetShardIterator", "dynamodb:ListStreams", "dynamodb:UpdateItem", "sqs:SendMessage"},
}

// streamActions are granted on the table's stream only: the event source
// mapping reads it with the function's role.
var streamActions = []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}

// wantResource says, per service, what a policy may name: the table and
// its index, the downloads bucket's objects, the stack's secrets, the
// digest's SES identity.
var wantResource = map[string]func(any) bool{
	"dynamodb:": refersToTable,
	"s3:": func(res any) bool {
		sub, _ := res.(map[string]any)["Fn::Sub"].(string)
		return sub == "${DownloadsBucket.Arn}/*" || samtemplate.GetAtt(res) == "DownloadsBucket.Arn"
	},
	"secretsmanager:": func(res any) bool {
		for _, r := range toList(res) {
			ref, _ := r.(map[string]any)["Ref"].(string)
			if ref != "AdminTokenSecret" && ref != "DigestSecret" {
				return false
			}
		}
		return true
	},
	// The activity function's on-failure destination.
	"sqs:": func(res any) bool { return samtemplate.GetAtt(res) == "ActivityFailures.Arn" },
	// The organiser function starts erasures in the erase function and
	// downloads in the aggregate function; the digest function invokes
	// itself, by the name it is given (digestSelf).
	"lambda:": func(res any) bool {
		for _, r := range toList(res) {
			sub, _ := r.(map[string]any)["Fn::Sub"].(string)
			if at := samtemplate.GetAtt(r); at != "EraseFunction.Arn" && at != "AggregateFunction.Arn" && sub != digestSelfARN {
				return false
			}
		}
		return true
	},
	"ses:": func(res any) bool {
		sub, _ := res.(map[string]any)["Fn::Sub"].(string)
		return strings.HasSuffix(sub, ":identity/${DigestIdentity}")
	},
}

// digestSelfARN is the ARN of the digest function, by the name
// template.yaml gives it (TestDigestFunctionInvokesItself).
const digestSelfARN = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-digest"

// TestDigestFunctionInvokesItself: the digest function's grant to invoke
// itself names the function's own name.
func TestDigestFunctionInvokesItself(t *testing.T) {
	tmpl, _ := mustLoad(t)
	fn := tmpl.Resources("AWS::Serverless::Function")["DigestFunction"]
	name, _ := fn["Properties"].(map[string]any)["FunctionName"].(map[string]any)["Fn::Sub"].(string)
	if want := "${AWS::StackName}-digest"; name != want || !strings.HasSuffix(digestSelfARN, ":function:"+want) {
		t.Errorf("DigestFunction's FunctionName = %q, want %q, the name its policy lets it invoke", name, want)
	}
}

func toList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func TestFunctionsBuildFromTheirFolders(t *testing.T) {
	tmpl, root := mustLoad(t)
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	fns := tmpl.Resources("AWS::Serverless::Function")
	if len(fns) == 0 {
		t.Fatal("no functions in template.yaml")
	}
	globals := tmpl.Raw["Globals"].(map[string]any)["Function"].(map[string]any)
	if globals["Runtime"] != "provided.al2023" || !slices.Equal(toStrings(globals["Architectures"]), []string{"arm64"}) || globals["Handler"] != "bootstrap" {
		t.Errorf("Globals.Function = %v, want provided.al2023 on arm64 with bootstrap", globals)
	}
	for id, fn := range fns {
		t.Run(id, func(t *testing.T) {
			if md, _ := fn["Metadata"].(map[string]any); md["BuildMethod"] != "makefile" {
				t.Errorf("Metadata.BuildMethod = %v, want makefile", md["BuildMethod"])
			}
			// build-SurveyFunction builds ./functions/survey.
			re := regexp.MustCompile(`(?m)^build-` + id + `:\n\t.*\./functions/([a-z]+)\s*$`)
			m := re.FindSubmatch(makefile)
			if m == nil {
				t.Fatalf("Makefile has no build-%s target building ./functions/<name>", id)
			}
			if _, err := os.Stat(filepath.Join(root, "functions", string(m[1]), "main.go")); err != nil {
				t.Errorf("functions/%s/main.go: %v", m[1], err)
			}
		})
	}
	// And every functions/ folder is deployed.
	dirs, _ := os.ReadDir(filepath.Join(root, "functions"))
	for _, d := range dirs {
		if !d.IsDir() {
			continue // functions/bootstrap_test.go
		}
		if !strings.Contains(string(makefile), "./functions/"+d.Name()+"\n") {
			t.Errorf("functions/%s is not built by any Makefile target for template.yaml", d.Name())
		}
	}
}

func TestRoutesMatchTheRouteTable(t *testing.T) {
	tmpl, _ := mustLoad(t)
	var inTemplate, inRouter []string
	for id, fn := range tmpl.Resources("AWS::Serverless::Function") {
		props, _ := fn["Properties"].(map[string]any)
		evs, _ := props["Events"].(map[string]any)
		for _, ev := range evs {
			ev := ev.(map[string]any)
			if ev["Type"] != "HttpApi" {
				continue
			}
			p := ev["Properties"].(map[string]any)
			inTemplate = append(inTemplate, id+" "+p["Method"].(string)+" "+p["Path"].(string))
		}
	}
	for _, r := range web.Routes {
		inRouter = append(inRouter, logicalIDs[r.Function]+" "+r.Method+" "+r.Path)
	}
	sort.Strings(inTemplate)
	sort.Strings(inRouter)
	for _, r := range inRouter {
		if !slices.Contains(inTemplate, r) {
			t.Errorf("route %q is in web.Routes, not in template.yaml", r)
		}
	}
	for _, r := range inTemplate {
		if !slices.Contains(inRouter, r) {
			t.Errorf("route %q is in template.yaml, not in web.Routes", r)
		}
	}
}

func TestPoliciesAreLeastPrivilege(t *testing.T) {
	tmpl, _ := mustLoad(t)
	fns := tmpl.Resources("AWS::Serverless::Function")
	for id, want := range wantActions {
		t.Run(id, func(t *testing.T) {
			fn, ok := fns[id]
			if !ok {
				t.Fatalf("no %s in template.yaml", id)
			}
			var got []string
			for _, pol := range fn["Properties"].(map[string]any)["Policies"].([]any) {
				stmts, ok := pol.(map[string]any)["Statement"].([]any)
				if !ok {
					t.Fatalf("policy %v is not an inline statement list (SAM policy templates grant too much)", pol)
				}
				for _, st := range stmts {
					st := st.(map[string]any)
					if st["Effect"] != "Allow" {
						continue
					}
					for _, a := range toStrings(st["Action"]) {
						got = append(got, a)
						service, _, _ := strings.Cut(a, ":")
						ok := wantResource[service+":"]
						if slices.Contains(streamActions, a) {
							ok = refersToStream
						}
						if ok == nil || !ok(st["Resource"]) {
							t.Errorf("%s is granted on %v, want only the stack's own resources of that service", a, st["Resource"])
						}
						if strings.Contains(a, "*") {
							t.Errorf("wildcard action %q", a)
						}
					}
				}
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("actions = %v, want exactly %v", got, want)
			}
		})
	}
	for id := range fns {
		if _, ok := wantActions[id]; !ok {
			t.Errorf("function %s has no expected policy in this test", id)
		}
	}
}

// refersToStream reports whether a policy Resource names only the table's
// stream (its current ARN, or its streams for ListStreams).
func refersToStream(res any) bool {
	if samtemplate.GetAtt(res) == "Table.StreamArn" {
		return true
	}
	m, _ := res.(map[string]any)
	return m["Fn::Sub"] == "${Table.Arn}/stream/*"
}

// refersToTable reports whether a policy Resource names only the table or
// its indexes.
func refersToTable(res any) bool {
	for _, r := range toList(res) {
		switch v := r.(type) {
		case map[string]any:
			// !GetAtt Table.Arn arrives as a string, the long form as a list.
			if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[0] == "Table" && ga[1] == "Arn" {
				continue
			}
			if v["Fn::GetAtt"] == "Table.Arn" {
				continue
			}
			if sub, ok := v["Fn::Sub"].(string); ok && strings.HasPrefix(sub, "${Table.Arn}/index/") {
				continue
			}
			return false
		default:
			return false
		}
	}
	return true
}

// TestActivityStream checks the table's stream and how it reaches the
// activity function: the view the consumer reads, batching, bounded retries
// that bisect, partial batch responses, an on-failure destination, and a
// filter that lets through the records the consumer counts, no others.
func TestActivityStream(t *testing.T) {
	tmpl, _ := mustLoad(t)
	tbl, err := tmpl.Table("Table", "x")
	if err != nil {
		t.Fatal(err)
	}
	if ss := tbl.Input.StreamSpecification; ss == nil || ss.StreamViewType != "NEW_IMAGE" {
		t.Errorf("table stream = %+v, want NEW_IMAGE", ss)
	}
	m, err := tmpl.Mapping("ActivityStream")
	if err != nil {
		t.Fatal(err)
	}
	if m.Function != "ActivityFunction" || m.Source != "Table.StreamArn" {
		t.Errorf("mapping of %q to %q, want the table's stream to ActivityFunction", m.Source, m.Function)
	}
	if m.BatchSize < 10 || m.BatchSize > 1000 || m.BatchingWindow <= 0 || m.BatchingWindow > 10*time.Second {
		t.Errorf("batches of %d records within %v, want batching, and no answer counted later than 10 s", m.BatchSize, m.BatchingWindow)
	}
	if !m.Bisect || m.MaxRetryAttempts < 1 || m.MaxRetryAttempts > 100 || !m.ReportBatchItemFailures {
		t.Errorf("retries = %d, bisect %v, partial failures %v; want bounded retries that bisect and partial batch responses", m.MaxRetryAttempts, m.Bisect, m.ReportBatchItemFailures)
	}
	if q, ok := tmpl.Resource(strings.TrimSuffix(m.OnFailure, ".Arn")); !ok || q["Type"] != "AWS::SQS::Queue" {
		t.Errorf("on-failure destination %q, want a queue of the template", m.OnFailure)
	}
	if p := m.Properties["ParallelizationFactor"]; p != nil && p != 1.0 {
		t.Errorf("ParallelizationFactor = %v, want 1: one batch per shard at a time", p)
	}
	var prefixes []string
	for _, f := range m.Filters {
		var pat struct {
			EventName []string `json:"eventName"`
			DynamoDB  struct {
				Keys struct {
					SK struct {
						S []struct {
							Prefix string `json:"prefix"`
						}
					}
				}
			} `json:"dynamodb"`
		}
		if err := json.Unmarshal([]byte(f), &pat); err != nil {
			t.Fatalf("filter %s: %v", f, err)
		}
		if !slices.Equal(pat.EventName, []string{"INSERT"}) || len(pat.DynamoDB.Keys.SK.S) != 1 {
			t.Errorf("filter %s, want the insertion of one kind of item", f)
			continue
		}
		prefixes = append(prefixes, pat.DynamoDB.Keys.SK.S[0].Prefix)
	}
	if !slices.Equal(prefixes, dynamo.StreamPrefixes) {
		t.Errorf("filters let through %v, want what the consumer counts: %v", prefixes, dynamo.StreamPrefixes)
	}
}

func TestTableMatchesTheStore(t *testing.T) {
	tmpl, _ := mustLoad(t)
	tbl, err := tmpl.Table("Table", "x")
	if err != nil {
		t.Fatal(err)
	}
	in := tbl.Input
	if len(in.KeySchema) != 2 || *in.KeySchema[0].AttributeName != dynamo.AttrPK || in.KeySchema[0].KeyType != "HASH" ||
		*in.KeySchema[1].AttributeName != dynamo.AttrSK || in.KeySchema[1].KeyType != "RANGE" {
		t.Errorf("key schema = %+v, want %s HASH, %s RANGE", in.KeySchema, dynamo.AttrPK, dynamo.AttrSK)
	}
	if len(in.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("GSIs = %d, want 1", len(in.GlobalSecondaryIndexes))
	}
	g := in.GlobalSecondaryIndexes[0]
	if *g.IndexName != dynamo.IndexGSI1 || *g.KeySchema[0].AttributeName != dynamo.AttrGSI1PK || *g.KeySchema[1].AttributeName != dynamo.AttrGSI1SK {
		t.Errorf("GSI = %+v, want %s on %s, %s", g, dynamo.IndexGSI1, dynamo.AttrGSI1PK, dynamo.AttrGSI1SK)
	}
	for _, ad := range in.AttributeDefinitions {
		if ad.AttributeType != "S" {
			t.Errorf("attribute %s is %s, want S", *ad.AttributeName, ad.AttributeType)
		}
	}
	if in.BillingMode != "PAY_PER_REQUEST" {
		t.Errorf("BillingMode = %q, want on-demand", in.BillingMode)
	}
	if tbl.TTLAttr != dynamo.AttrExpires {
		t.Errorf("TTL attribute = %q, want %q", tbl.TTLAttr, dynamo.AttrExpires)
	}
	p := tbl.Properties
	if pitr, _ := p["PointInTimeRecoverySpecification"].(map[string]any); pitr["PointInTimeRecoveryEnabled"] != true {
		t.Error("point-in-time recovery is off")
	}
	if p["DeletionProtectionEnabled"] != true {
		t.Error("deletion protection is off")
	}
	if sse, _ := p["SSESpecification"].(map[string]any); sse["SSEEnabled"] != true {
		t.Error("encryption at rest with a KMS key is off")
	}
}

// TestSecretsAreNotInTheEnvironment: the admin token and the digest's key
// are generated into Secrets Manager by the stack; the functions get their
// ARNs, never their values, and read them at start-up (secrets.Resolve).
func TestSecretsAreNotInTheEnvironment(t *testing.T) {
	tmpl, _ := mustLoad(t)
	params, _ := tmpl.Raw["Parameters"].(map[string]any)
	for name, p := range params {
		if p.(map[string]any)["NoEcho"] == true {
			t.Errorf("parameter %s is a secret: generate it in Secrets Manager instead", name)
		}
	}
	secrets := tmpl.Resources("AWS::SecretsManager::Secret")
	for _, id := range []string{"AdminTokenSecret", "DigestSecret"} {
		gen, _ := secrets[id]["Properties"].(map[string]any)["GenerateSecretString"].(map[string]any)
		if n, _ := gen["PasswordLength"].(float64); n < 32 {
			t.Errorf("%s generates %v, want at least 32 characters", id, gen)
		}
	}
	want := map[string]map[string]string{
		"OrganiserFunction": {"ADMIN_TOKEN_SECRET_ARN": "AdminTokenSecret"},
		"DigestFunction":    {"ADMIN_TOKEN_SECRET_ARN": "AdminTokenSecret", "DIGEST_SECRET_ARN": "DigestSecret"},
	}
	fns := tmpl.Resources("AWS::Serverless::Function")
	fns["Globals"] = map[string]any{"Properties": tmpl.Raw["Globals"].(map[string]any)["Function"]}
	for id, fn := range fns {
		environment, _ := fn["Properties"].(map[string]any)["Environment"].(map[string]any)
		vars, _ := environment["Variables"].(map[string]any)
		for _, k := range []string{"ADMIN_TOKEN", "DIGEST_SECRET"} {
			if _, ok := vars[k]; ok {
				t.Errorf("%s sets %s in its environment", id, k)
			}
		}
		for k, secret := range want[id] {
			if ref, _ := vars[k].(map[string]any)["Ref"].(string); ref != secret {
				t.Errorf("%s sets %s = %v, want !Ref %s", id, k, vars[k], secret)
			}
		}
	}
}

func toStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// TestThrottling: the HTTP API has default rate and burst limits, and every
// POST route outside the organiser function (the participants' and the
// digest's, which anyone can reach) has its own, as do the organiser routes
// that create events, log in, change a token or erase. Their figures are
// set from the capacity table and checked against it in infra/bench
// (TestThrottlesFollowCapacity).
func TestThrottling(t *testing.T) {
	tmpl, _ := mustLoad(t)
	api := tmpl.Resources("AWS::Serverless::HttpApi")["Api"]
	if api == nil {
		t.Fatal("no HttpApi named Api in template.yaml")
	}
	props, _ := api["Properties"].(map[string]any)
	number := func(m map[string]any, k string) float64 {
		switch v := m[k].(type) {
		case int:
			return float64(v)
		case float64:
			return v
		}
		return 0
	}
	def, _ := props["DefaultRouteSettings"].(map[string]any)
	defRate, defBurst := number(def, "ThrottlingRateLimit"), number(def, "ThrottlingBurstLimit")
	if defRate <= 0 || defBurst <= 0 {
		t.Fatalf("DefaultRouteSettings = %v, want a rate and a burst limit", def)
	}
	routes, _ := props["RouteSettings"].(map[string]any)
	var want []string
	for _, r := range web.Routes {
		if r.Method == "POST" && r.Function != web.FuncOrganiser {
			want = append(want, r.Method+" "+r.Path)
		}
	}
	want = append(want, "POST /api/events", "POST /api/events/{event}/token", "DELETE /api/events/{event}",
		"POST /api/digests/run", "POST /unsubscribe/{token}")
	for _, key := range want {
		rs, _ := routes[key].(map[string]any)
		rate, burst := number(rs, "ThrottlingRateLimit"), number(rs, "ThrottlingBurstLimit")
		if rate <= 0 || burst <= 0 {
			t.Errorf("RouteSettings[%q] = %v, want rate and burst limits of its own", key, rs)
		}
	}
}

// TestDigestSchedule checks the digest function runs every Monday at 08:00
// in Paris (and catches up at 12:00 and 17:00), may send mail through its one SES identity only, and has the
// configuration it reads.
func TestDigestSchedule(t *testing.T) {
	tmpl, _ := mustLoad(t)
	fn, ok := tmpl.Resource("DigestFunction")
	if !ok {
		t.Fatal("no DigestFunction in template.yaml")
	}
	props := fn["Properties"].(map[string]any)
	var schedules []map[string]any
	for _, ev := range props["Events"].(map[string]any) {
		if ev := ev.(map[string]any); ev["Type"] == "ScheduleV2" {
			schedules = append(schedules, ev["Properties"].(map[string]any))
		}
	}
	if len(schedules) != 1 {
		t.Fatalf("%d ScheduleV2 events, want 1", len(schedules))
	}
	// 08:00, and the catch-up runs of the same week (digest.ScheduledAt).
	if s := schedules[0]; s["ScheduleExpression"] != "cron(0 8,12,17 ? * MON *)" || s["ScheduleExpressionTimezone"] != "Europe/Paris" {
		t.Errorf("schedule = %v, want cron(0 8,12,17 ? * MON *) in Europe/Paris", s)
	}

	var ses []string
	for _, pol := range props["Policies"].([]any) {
		for _, st := range pol.(map[string]any)["Statement"].([]any) {
			st := st.(map[string]any)
			for _, a := range toStrings(st["Action"]) {
				if !strings.HasPrefix(a, "ses:") {
					continue
				}
				ses = append(ses, a)
				sub, _ := st["Resource"].(map[string]any)["Fn::Sub"].(string)
				if !strings.HasSuffix(sub, ":identity/${DigestIdentity}") {
					t.Errorf("%s is granted on %v, want the digest's SES identity only", a, st["Resource"])
				}
			}
		}
	}
	if !slices.Equal(ses, []string{"ses:SendEmail"}) {
		t.Errorf("SES actions = %v, want [ses:SendEmail]", ses)
	}

	vars := props["Environment"].(map[string]any)["Variables"].(map[string]any)
	for _, k := range []string{"ADMIN_TOKEN_SECRET_ARN", "DIGEST_FROM", "DIGEST_SECRET_ARN"} {
		if _, ok := vars[k]; !ok {
			t.Errorf("DigestFunction does not set %s", k)
		}
	}
	for id, fn := range tmpl.Resources("AWS::Serverless::Function") {
		if id == "DigestFunction" {
			continue
		}
		if strings.Contains(fmt.Sprint(fn), "ses:") {
			t.Errorf("%s may send e-mail; only the digest function should", id)
		}
	}
}

// TestTimeoutsAllowErasure: erasing an event waits for the participants'
// cached copies and requests (SurveyEventTTL + the survey function's
// timeout), so the organiser function must outlast that wait.
func TestTimeoutsAllowErasure(t *testing.T) {
	tmpl, _ := mustLoad(t)
	timeout := func(id string) time.Duration {
		fn, ok := tmpl.Resource(id)
		if !ok {
			t.Fatalf("no %s", id)
		}
		v, ok := fn["Properties"].(map[string]any)["Timeout"]
		if !ok {
			v = tmpl.Raw["Globals"].(map[string]any)["Function"].(map[string]any)["Timeout"]
		}
		return time.Duration(v.(float64)) * time.Second
	}
	if got := timeout("SurveyFunction"); got != app.SurveyTimeout {
		t.Errorf("SurveyFunction timeout = %v, want app.SurveyTimeout = %v", got, app.SurveyTimeout)
	}
	wait := app.SurveyEventTTL + app.SurveyTimeout
	if got := timeout("OrganiserFunction"); got < wait+10*time.Second {
		t.Errorf("OrganiserFunction timeout = %v, want at least the erasure's wait %v plus 10 s to sweep", got, wait)
	}
}

// TestGarbageCollectorFollowsMemory: every function's garbage collector
// waits for five times its live heap (GOGC), so that no collection runs
// while a function starts, and for 80 % of the function's memory at the
// latest (GOMEMLIMIT), so that a large bilan or export still fits in it.
func TestGarbageCollectorFollowsMemory(t *testing.T) {
	tmpl, _ := mustLoad(t)
	globals := tmpl.Raw["Globals"].(map[string]any)["Function"].(map[string]any)
	for id, fn := range tmpl.Resources("AWS::Serverless::Function") {
		t.Run(id, func(t *testing.T) {
			env, err := tmpl.LiteralEnv(id)
			if err != nil {
				t.Fatal(err)
			}
			mb, ok := fn["Properties"].(map[string]any)["MemorySize"].(float64)
			if !ok {
				mb = globals["MemorySize"].(float64)
			}
			// 80 %, rounded down to 50 MiB: 200MiB of 256 MB.
			limit := fmt.Sprintf("GOMEMLIMIT=%dMiB", int(mb*0.8)/50*50)
			for _, want := range []string{"GOGC=400", limit} {
				if !slices.Contains(env, want) {
					t.Errorf("environment %v, want %s (MemorySize %.0f)", env, want, mb)
				}
			}
		})
	}
}
