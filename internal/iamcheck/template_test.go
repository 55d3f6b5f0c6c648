package iamcheck_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/iamcheck"
	"github.com/retours/retours/internal/lambdainvoke"
	"github.com/retours/retours/internal/s3blob"
	"github.com/retours/retours/internal/s3local"
	"github.com/retours/retours/internal/samtemplate"
	"github.com/retours/retours/internal/ses"
)

func TestEveryFunctionPolicyCanBeChecked(t *testing.T) {
	tmpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	fns := tmpl.Resources("AWS::Serverless::Function")
	if len(fns) == 0 {
		t.Fatal("no functions in template.yaml")
	}
	for id := range fns {
		if _, err := iamcheck.FunctionPolicy(tmpl, id, iamcheck.World{}); err != nil {
			t.Error(err)
		}
	}
}

// mappingCalls are calls that no code of retours makes, but that AWS makes
// with a function's role: the activity function's event source mapping
// reads the table's stream and sends the batches it gives up on to the
// failures queue. internal/activity's TestActivityStream runs the same
// reads with the mapping's settings (dynamostream).
var mappingCalls = map[string][]string{
	"ActivityFunction": {
		"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
		"sqs:SendMessage",
	},
}

// recordedHere runs, through the real code and clients, the calls of the
// functions whose tests elsewhere use stand-ins for these services: the
// organiser's large downloads (S3) and the runs it starts in other
// functions (Lambda), the downloads the aggregate function prepares (S3),
// the digest's e-mail (SES) and its run on demand in an invocation of
// itself (Lambda).
func recordedHere(t *testing.T) iamcheck.Ledger {
	t.Helper()
	ctx := context.Background()
	downloads := iamcheck.NewRecorder()
	srv, err := s3local.Start(ctx, s3local.Options{Buckets: []string{"retours-downloads"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	store := s3blob.New(s3blob.NewClient(srv.Config(), downloads.S3), "retours-downloads")
	if _, err := store.Publish(ctx, s3blob.File{Key: "exports/e/1/export.json", ContentType: "application/json", Filename: "export.json", Body: []byte("{}")}); err != nil {
		t.Fatal(err)
	}

	// Whether a download prepared outside the request is there yet.
	if _, err := store.Exists(ctx, "downloads/e/1"); err != nil {
		t.Fatal(err)
	}
	// The aggregate function writes the downloads it prepares.
	prepared := iamcheck.NewRecorder()
	if err := s3blob.New(s3blob.NewClient(srv.Config(), prepared.S3), "retours-downloads").Put(ctx, s3blob.File{Key: "downloads/e/1", ContentType: "text/csv", Filename: "e.csv", Body: []byte("a\n")}); err != nil {
		t.Fatal(err)
	}

	mail := iamcheck.NewRecorder()
	client := sesv2.New(sesv2.Options{Region: "eu-west-3", Credentials: creds, BaseEndpoint: aws.String(jsonService(t, `{"MessageId":"m-1"}`, false))}, mail.SESv2)
	if _, err := ses.NewSES(client, "retours <digest@example.org>", nil).Send(ctx, &ses.Message{To: "orga@example.net", Subject: "s", Text: "t", HTML: "<p>t</p>", Unsubscribe: "https://x/u"}); err != nil {
		t.Fatal(err)
	}

	// The organiser function starts an erasure's run in the erase function.
	erasures := iamcheck.NewRecorder()
	local, err := lambdainvoke.StartLocal("retours-erase", "retours-aggregate", "retours-digest")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	if err := erase.Invoke(lambdainvoke.New(local.Client(erasures.Lambda), "retours-erase")).Trigger(ctx, "k3vq2a7b"); err != nil {
		t.Fatal(err)
	}
	// It has the aggregate function prepare the downloads of large events.
	job, err := download.NewJob(rand.Reader, time.Now(), "k3vq2a7b", download.Request{Format: download.CSV})
	if err != nil {
		t.Fatal(err)
	}
	if err := download.Invoke(lambdainvoke.New(local.Client(erasures.Lambda), "retours-aggregate")).Start(ctx, job); err != nil {
		t.Fatal(err)
	}
	// And has it write the spreadsheets while the request waits.
	local.Handle("retours-aggregate", func(context.Context, []byte) error { return nil })
	if err := download.InvokeAndWait(lambdainvoke.New(local.Client(erasures.Lambda), "retours-aggregate")).Prepare(ctx, job); err != nil {
		t.Fatal(err)
	}
	// The digest function carries out a run started on demand in an
	// invocation of itself.
	digestRuns := iamcheck.NewRecorder()
	if err := digest.Invoke(lambdainvoke.New(local.Client(digestRuns.Lambda), "retours-digest")).Trigger(ctx, digest.Request{Run: "r1", Until: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return iamcheck.Ledger{
		"OrganiserFunction": slices.Concat(downloads.Calls(), erasures.Calls()),
		"DigestFunction":    slices.Concat(mail.Calls(), digestRuns.Calls()),
		"AggregateFunction": prepared.Calls(),
	}
}

// allCalls is every call the tests recorded, by function: the packages'
// ledgers, which their tests hold to what they record (iamcheck.Settle),
// and the calls recorded here.
func allCalls(t *testing.T) iamcheck.Ledger {
	t.Helper()
	all, err := iamcheck.Ledgers()
	if err != nil {
		t.Fatal(err)
	}
	for fn, calls := range recordedHere(t) {
		all[fn] = append(all[fn], calls...)
	}
	return all
}

// TestLedgersMatchPolicies holds each function's policy in template.yaml
// to the calls its code makes in the tests: every call allowed, action and
// resource (an index included), and every grant used by a call, or by the
// event source mapping (mappingCalls).
func TestLedgersMatchPolicies(t *testing.T) {
	tmpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	all := allCalls(t)
	for fn := range tmpl.Resources("AWS::Serverless::Function") {
		t.Run(fn, func(t *testing.T) {
			if len(all[fn]) == 0 {
				t.Fatalf("no test recorded a call of %s: build its clients with iamcheck.For(%q) (dynamotest.ForFunction)", fn, fn)
			}
			p, err := iamcheck.FunctionPolicy(tmpl, fn, iamcheck.LedgerWorld)
			if err != nil {
				t.Fatal(err)
			}
			rep := iamcheck.Evaluate(p, all[fn], iamcheck.LedgerWorld)
			rep.Unused = slices.DeleteFunc(rep.Unused, func(g iamcheck.Grant) bool { return slices.Contains(mappingCalls[fn], g.Action) })
			if err := rep.Failures(true); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestLedgersCatchAMissingIndexGrant proves the test above has teeth: with
// the grant of Query on the table's GSI1 index taken out of a copy of the
// organiser function's policy, the administrator's list of events, which
// the organiser function's tests really query, is denied — and the report
// names the function, the action and the index's ARN. A grant added that
// no call needs is reported too.
func TestLedgersCatchAMissingIndexGrant(t *testing.T) {
	tmpl, err := samtemplate.LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := tmpl.Resource("OrganiserFunction")
	props := body["Properties"].(map[string]any)
	pol := props["Policies"].([]any)[0].(map[string]any)
	var kept []any
	removed := false
	for _, st := range pol["Statement"].([]any) {
		if strings.Contains(fmt.Sprint(st.(map[string]any)["Resource"]), "/index/GSI1") {
			removed = true
			continue
		}
		kept = append(kept, st)
	}
	if !removed {
		t.Fatal("the organiser function's policy has no statement on ${Table.Arn}/index/GSI1")
	}
	kept = append(kept, map[string]any{"Effect": "Allow", "Action": []any{"dynamodb:Scan"}, "Resource": map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}}})
	pol["Statement"] = kept

	p, err := iamcheck.FunctionPolicy(tmpl, "OrganiserFunction", iamcheck.LedgerWorld)
	if err != nil {
		t.Fatal(err)
	}
	err = iamcheck.Evaluate(p, allCalls(t)["OrganiserFunction"], iamcheck.LedgerWorld).Failures(true)
	if err == nil {
		t.Fatal("the organiser function's policy without GSI1 passed")
	}
	for _, want := range []string{
		"OrganiserFunction's policy",
		"denied: DynamoDB Query table=retours index=GSI1 needs dynamodb:Query on arn:aws:dynamodb:eu-west-3:123456789012:table/retours/index/GSI1",
		"granted, never used: dynamodb:Scan on !GetAtt Table.Arn (arn:aws:dynamodb:eu-west-3:123456789012:table/retours)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("report lacks %q:\n%v", want, err)
		}
	}
}
