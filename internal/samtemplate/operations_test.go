package samtemplate_test

import (
	"fmt"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/retours/retours/internal/samtemplate"
)

// get walks m along keys, returning nil where a key is missing.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func ref(v any) string {
	s, _ := get(v, "Ref").(string)
	return s
}

// getAtt returns "Resource.Attribute" for a !GetAtt in either form.
func getAtt(v any) string {
	switch ga := get(v, "Fn::GetAtt").(type) {
	case string:
		return ga
	case []any:
		if len(ga) == 2 {
			return fmt.Sprint(ga[0], ".", ga[1])
		}
	}
	return ""
}

// TestLogsAreKeptForLogRetentionDays: every function logs to a log group of
// the stack, whose retention is the LogRetentionDays parameter, 90 days
// unless the deployment says otherwise.
func TestLogsAreKeptForLogRetentionDays(t *testing.T) {
	tmpl, _ := mustLoad(t)
	if def := get(tmpl.Raw, "Parameters", "LogRetentionDays", "Default"); def != float64(90) {
		t.Errorf("LogRetentionDays defaults to %v, want 90", def)
	}
	groups := tmpl.Resources("AWS::Logs::LogGroup")
	used := map[string]string{}
	for id, fn := range tmpl.Resources("AWS::Serverless::Function") {
		group := ref(get(fn, "Properties", "LoggingConfig", "LogGroup"))
		body, ok := groups[group]
		if !ok {
			t.Errorf("%s logs to %q, want a log group of the stack", id, group)
			continue
		}
		if other, ok := used[group]; ok {
			t.Errorf("%s and %s share the log group %s", id, other, group)
		}
		used[group] = id
		if r := ref(get(body, "Properties", "RetentionInDays")); r != "LogRetentionDays" {
			t.Errorf("%s's retention = %v, want !Ref LogRetentionDays", group, get(body, "Properties", "RetentionInDays"))
		}
	}
	for id := range groups {
		if _, ok := used[id]; !ok {
			t.Errorf("log group %s belongs to no function", id)
		}
	}
}

// TestAlarmsReachAlarmEmail: the alarms the issue lists exist and all go to
// the one topic, which e-mails AlarmEmail when it is set.
func TestAlarmsReachAlarmEmail(t *testing.T) {
	tmpl, _ := mustLoad(t)
	topics := tmpl.Resources("AWS::SNS::Topic")
	if len(topics) != 1 {
		t.Fatalf("%d SNS topics, want one for the alarms", len(topics))
	}
	var topic string
	for id := range topics {
		topic = id
	}
	subs := tmpl.Resources("AWS::SNS::Subscription")
	if len(subs) != 1 {
		t.Fatalf("%d subscriptions, want one", len(subs))
	}
	for id, sub := range subs {
		p := get(sub, "Properties")
		if sub["Condition"] != "HasAlarmEmail" || ref(get(p, "TopicArn")) != topic || get(p, "Protocol") != "email" || ref(get(p, "Endpoint")) != "AlarmEmail" {
			t.Errorf("subscription %s = %v, want an e-mail to AlarmEmail, only when it is set", id, sub)
		}
	}
	cond := fmt.Sprint(get(tmpl.Raw, "Conditions", "HasAlarmEmail"))
	if cond != "map[Fn::Not:[map[Fn::Equals:[map[Ref:AlarmEmail] ]]]]" {
		t.Errorf("HasAlarmEmail = %s, want AlarmEmail not empty", cond)
	}

	// watched describes each alarm by what it watches: "namespace metric
	// dimension=value…", one line per metric.
	watched := map[string]string{}
	for id, alarm := range tmpl.Resources("AWS::CloudWatch::Alarm") {
		p := get(alarm, "Properties").(map[string]any)
		for _, key := range []string{"AlarmActions", "OKActions"} {
			actions, _ := p[key].([]any)
			if len(actions) != 1 || ref(actions[0]) != topic {
				t.Errorf("%s.%s = %v, want [!Ref %s]", id, key, p[key], topic)
			}
		}
		if p["TreatMissingData"] != "notBreaching" {
			t.Errorf("%s treats missing data as %v, want notBreaching: no traffic is no failure", id, p["TreatMissingData"])
		}
		var lines []string
		describe := func(ns, metric any, dims any) {
			line := fmt.Sprint(ns, " ", metric)
			for _, d := range dims.([]any) {
				v := get(d, "Value")
				if r := ref(v); r != "" {
					v = r
				} else if ga := getAtt(v); ga != "" {
					v = ga
				}
				line += fmt.Sprint(" ", get(d, "Name"), "=", v)
			}
			lines = append(lines, line)
		}
		if metrics, ok := p["Metrics"].([]any); ok {
			for _, m := range metrics {
				if ms := get(m, "MetricStat"); ms != nil {
					describe(get(ms, "Metric", "Namespace"), get(ms, "Metric", "MetricName"), get(ms, "Metric", "Dimensions"))
				}
			}
		} else {
			describe(p["Namespace"], p["MetricName"], p["Dimensions"])
		}
		sort.Strings(lines)
		watched[strings.Join(lines, "; ")] = id
	}
	want := []string{
		"AWS/ApiGateway 5xx ApiId=Api; AWS/ApiGateway Count ApiId=Api",
		"AWS/DynamoDB ReadThrottleEvents TableName=Table; AWS/DynamoDB ReadThrottleEvents TableName=Table GlobalSecondaryIndexName=GSI1; " +
			"AWS/DynamoDB WriteThrottleEvents TableName=Table; AWS/DynamoDB WriteThrottleEvents TableName=Table GlobalSecondaryIndexName=GSI1",
		"AWS/SQS ApproximateNumberOfMessagesVisible QueueName=FailedRuns.QueueName",
		"AWS/SQS ApproximateNumberOfMessagesVisible QueueName=ActivityFailures.QueueName",
		"AWS/Lambda IteratorAge FunctionName=ActivityFunction",
	}
	for id := range tmpl.Resources("AWS::Serverless::Function") {
		want = append(want, "AWS/Lambda Errors FunctionName="+id, "AWS/Lambda Throttles FunctionName="+id)
	}
	for _, w := range want {
		if _, ok := watched[w]; !ok {
			t.Errorf("no alarm on %s", w)
		}
	}
	for w, id := range watched {
		if !slices.Contains(want, w) {
			t.Errorf("alarm %s watches %s, which this test does not know", id, w)
		}
	}
}

// TestFailedRunsAreKept: a scheduled run that fails after Lambda's retries,
// or that the scheduler could not start, lands in the FailedRuns queue
// rather than vanishing.
func TestFailedRunsAreKept(t *testing.T) {
	tmpl, _ := mustLoad(t)
	queue, ok := tmpl.Resource("FailedRuns")
	if !ok || queue["Type"] != "AWS::SQS::Queue" {
		t.Fatal("no FailedRuns queue")
	}
	if get(queue, "Properties", "SqsManagedSseEnabled") != true {
		t.Error("FailedRuns is not encrypted")
	}
	isQueue := func(v any) bool { return getAtt(v) == "FailedRuns.Arn" }
	for id, fn := range tmpl.Resources("AWS::Serverless::Function") {
		var scheduled bool
		evs, _ := get(fn, "Properties", "Events").(map[string]any)
		for name, ev := range evs {
			if get(ev, "Type") != "ScheduleV2" {
				continue
			}
			scheduled = true
			if !isQueue(get(ev, "Properties", "DeadLetterConfig", "Arn")) {
				t.Errorf("%s's schedule %s has no dead-letter queue FailedRuns", id, name)
			}
		}
		if !scheduled {
			continue
		}
		cfg := get(fn, "Properties", "EventInvokeConfig")
		if !isQueue(get(cfg, "DestinationConfig", "OnFailure", "Destination")) || get(cfg, "DestinationConfig", "OnFailure", "Type") != "SQS" {
			t.Errorf("%s's EventInvokeConfig = %v, want failures sent to FailedRuns", id, cfg)
		}
		if n, _ := get(cfg, "MaximumRetryAttempts").(float64); n < 1 {
			t.Errorf("%s retries %v times, want at least once", id, get(cfg, "MaximumRetryAttempts"))
		}
	}
}

// TestDownloadsBucket: the bucket of large downloads is private, encrypted,
// reachable over TLS only, empties itself within a day, and only the
// organiser function (which hands the files out) and the aggregate function
// (which prepares those of large events) reach it.
func TestDownloadsBucket(t *testing.T) {
	tmpl, _ := mustLoad(t)
	b, ok := tmpl.Resource("DownloadsBucket")
	if !ok || b["Type"] != "AWS::S3::Bucket" {
		t.Fatal("no DownloadsBucket")
	}
	p := get(b, "Properties")
	enc, _ := get(p, "BucketEncryption", "ServerSideEncryptionConfiguration").([]any)
	if len(enc) != 1 || get(enc[0], "ServerSideEncryptionByDefault", "SSEAlgorithm") != "AES256" {
		t.Errorf("encryption = %v, want SSE-S3 (AES256)", enc)
	}
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if get(p, "PublicAccessBlockConfiguration", k) != true {
			t.Errorf("PublicAccessBlockConfiguration.%s is not true", k)
		}
	}
	rules, _ := get(p, "LifecycleConfiguration", "Rules").([]any)
	if len(rules) != 1 || get(rules[0], "Status") != "Enabled" || get(rules[0], "ExpirationInDays") != float64(1) {
		t.Errorf("lifecycle rules = %v, want objects deleted after a day", rules)
	}
	if b["DeletionPolicy"] != "Retain" {
		t.Errorf("DeletionPolicy = %v, want Retain: deleting the stack must not fail on a bucket not yet empty", b["DeletionPolicy"])
	}

	var tlsOnly bool
	for _, pol := range tmpl.Resources("AWS::S3::BucketPolicy") {
		if ref(get(pol, "Properties", "Bucket")) != "DownloadsBucket" {
			continue
		}
		for _, st := range get(pol, "Properties", "PolicyDocument", "Statement").([]any) {
			if get(st, "Effect") == "Deny" && get(st, "Action") == "s3:*" && get(st, "Principal") == "*" &&
				get(st, "Condition", "Bool", "aws:SecureTransport") == false && len(toList(get(st, "Resource"))) == 2 {
				tlsOnly = true
			}
		}
	}
	if !tlsOnly {
		t.Error("no bucket policy denies requests without TLS on the bucket and its objects")
	}

	for id, fn := range tmpl.Resources("AWS::Serverless::Function") {
		bucket := get(fn, "Properties", "Environment", "Variables", "DOWNLOADS_BUCKET")
		if id == "OrganiserFunction" || id == "AggregateFunction" {
			if ref(bucket) != "DownloadsBucket" {
				t.Errorf("%s's DOWNLOADS_BUCKET = %v, want !Ref DownloadsBucket", id, bucket)
			}
		} else if bucket != nil || strings.Contains(fmt.Sprint(get(fn, "Properties", "Policies")), "s3:") {
			t.Errorf("%s may reach the downloads bucket; only the organiser and aggregate functions should", id)
		}
	}
}

// TestCloudFormationAcceptsTheTemplate runs cfn-lint, which expands the SAM
// transform as AWS does and checks every resource against CloudFormation's
// schemas. It needs cfn-lint (pip install cfn-lint) and says so otherwise.
func TestCloudFormationAcceptsTheTemplate(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed (pip install cfn-lint): the template's CloudFormation validity is not checked")
	}
	root, err := samtemplate.Root()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lint, "--", root+"/template.yaml").CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}
