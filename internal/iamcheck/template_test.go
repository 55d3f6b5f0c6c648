package iamcheck_test

import (
	"context"
	"crypto/rand"
	"slices"
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

// dynamoCalls are the DynamoDB calls each function's handlers and runs make
// in the tests of internal/stack, internal/digest and internal/aggregate
// today (read with a Recorder on their clients). Once each function's tests
// record their own calls, they replace this list. The activity and erase
// functions' tests check their calls themselves (internal/activity,
// internal/erase); the activity's stream reads are the event source
// mapping's, which no code here makes.
var dynamoCalls = map[string][]iamcheck.Call{
	"SurveyFunction": {
		{Service: "DynamoDB", Operation: "GetItem", Table: "retours"},
		{Service: "DynamoDB", Operation: "PutItem", Table: "retours"},
	},
	"OrganiserFunction": {
		{Service: "DynamoDB", Operation: "GetItem", Table: "retours"},
		{Service: "DynamoDB", Operation: "Query", Table: "retours"},
		{Service: "DynamoDB", Operation: "Query", Table: "retours", Index: "GSI1"},
		{Service: "DynamoDB", Operation: "BatchGetItem", Items: []iamcheck.Item{{Table: "retours", Op: "GetItem"}}},
		{Service: "DynamoDB", Operation: "UpdateItem", Table: "retours"},
		{Service: "DynamoDB", Operation: "TransactWriteItems", Items: []iamcheck.Item{{Table: "retours", Op: "PutItem"}}},
		// A moderation change, with its check that the event lives, and
		// the record of who made it.
		{Service: "DynamoDB", Operation: "TransactWriteItems", Items: []iamcheck.Item{{Table: "retours", Op: "ConditionCheckItem"}, {Table: "retours", Op: "UpdateItem"}, {Table: "retours", Op: "PutItem"}}},
		// A share created or revoked, with the same check and record.
		{Service: "DynamoDB", Operation: "TransactWriteItems", Items: []iamcheck.Item{{Table: "retours", Op: "ConditionCheckItem"}, {Table: "retours", Op: "PutItem"}}},
		{Service: "DynamoDB", Operation: "TransactWriteItems", Items: []iamcheck.Item{{Table: "retours", Op: "ConditionCheckItem"}, {Table: "retours", Op: "DeleteItem"}, {Table: "retours", Op: "PutItem"}}},
		// An edit of the event or of its accesses, conditional on its item.
		{Service: "DynamoDB", Operation: "TransactWriteItems", Items: []iamcheck.Item{{Table: "retours", Op: "UpdateItem"}, {Table: "retours", Op: "PutItem"}}},
		// The start of an erasure: the mark, the series entry, the record;
		// an edit that moves the series entry.
		{Service: "DynamoDB", Operation: "TransactWriteItems", Items: []iamcheck.Item{{Table: "retours", Op: "UpdateItem"}, {Table: "retours", Op: "DeleteItem"}, {Table: "retours", Op: "PutItem"}}},
		{Service: "DynamoDB", Operation: "BatchWriteItem", Items: []iamcheck.Item{{Table: "retours", Op: "DeleteItem"}}},
		{Service: "Secrets Manager", Operation: "GetSecretValue", Secret: "AdminTokenSecret"},
	},
	"DigestFunction": {
		{Service: "DynamoDB", Operation: "GetItem", Table: "retours"},
		// The record of a run started on demand.
		{Service: "DynamoDB", Operation: "PutItem", Table: "retours"},
		// An unsubscription, with its check that the event lives.
		{Service: "DynamoDB", Operation: "TransactWriteItems", Items: []iamcheck.Item{{Table: "retours", Op: "ConditionCheckItem"}, {Table: "retours", Op: "PutItem"}}},
		{Service: "DynamoDB", Operation: "Query", Table: "retours"},
		{Service: "DynamoDB", Operation: "Query", Table: "retours", Index: "GSI1"},
		{Service: "DynamoDB", Operation: "UpdateItem", Table: "retours"},
		{Service: "Secrets Manager", Operation: "GetSecretValue", Secret: "AdminTokenSecret"},
		{Service: "Secrets Manager", Operation: "GetSecretValue", Secret: "DigestSecret"},
	},
	"AggregateFunction": {
		{Service: "DynamoDB", Operation: "GetItem", Table: "retours"},
		// A snapshot, with its check that the event lives.
		{Service: "DynamoDB", Operation: "TransactWriteItems", Items: []iamcheck.Item{{Table: "retours", Op: "ConditionCheckItem"}, {Table: "retours", Op: "PutItem"}}},
		{Service: "DynamoDB", Operation: "Query", Table: "retours"},
		{Service: "DynamoDB", Operation: "Query", Table: "retours", Index: "GSI1"},
	},
}

// TestTemplatePolicies holds each function's policy in template.yaml to
// the calls its code makes: the DynamoDB calls above, and the downloads and
// the digest's e-mail recorded here through the real code.
func TestTemplatePolicies(t *testing.T) {
	ctx := context.Background()
	w := iamcheck.World{
		Names: map[string]string{"Table": "retours", "DownloadsBucket": "retours-downloads", "EraseFunction": "retours-erase",
			"AggregateFunction": "retours-aggregate", "AWS::StackName": "retours"},
		Parameters: map[string]string{"DigestIdentity": "example.org"},
	}

	downloads := iamcheck.NewRecorder()
	srv, err := s3local.Start(ctx, s3local.Options{Buckets: []string{"retours-downloads"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	store := s3blob.New(srv.Client(downloads.S3), "retours-downloads")
	if _, err := store.Publish(ctx, s3blob.File{Key: "exports/e/1/export.json", ContentType: "application/json", Filename: "export.json", Body: []byte("{}")}); err != nil {
		t.Fatal(err)
	}

	// Whether a download prepared outside the request is there yet.
	if _, err := store.Exists(ctx, "downloads/e/1"); err != nil {
		t.Fatal(err)
	}
	// The aggregate function writes the downloads it prepares.
	prepared := iamcheck.NewRecorder()
	if err := s3blob.New(srv.Client(prepared.S3), "retours-downloads").Put(ctx, s3blob.File{Key: "downloads/e/1", ContentType: "text/csv", Filename: "e.csv", Body: []byte("a\n")}); err != nil {
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
	// The digest function carries out a run started on demand in an
	// invocation of itself.
	digestRuns := iamcheck.NewRecorder()
	if err := digest.Invoke(lambdainvoke.New(local.Client(digestRuns.Lambda), "retours-digest")).Trigger(ctx, digest.Request{Run: "r1", Until: time.Now()}); err != nil {
		t.Fatal(err)
	}

	calls := map[string][]iamcheck.Call{
		"SurveyFunction":    dynamoCalls["SurveyFunction"],
		"OrganiserFunction": slices.Concat(dynamoCalls["OrganiserFunction"], downloads.Calls(), erasures.Calls()),
		"DigestFunction":    slices.Concat(dynamoCalls["DigestFunction"], mail.Calls(), digestRuns.Calls()),
		"AggregateFunction": append(dynamoCalls["AggregateFunction"], prepared.Calls()...),
	}
	for fn, c := range calls {
		t.Run(fn, func(t *testing.T) { iamcheck.Check(t, fn, c, w) })
	}
}
