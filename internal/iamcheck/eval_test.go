package iamcheck_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/retours/retours/internal/iamcheck"
	"github.com/retours/retours/internal/samtemplate"
)

// mustTemplate loads a template made of the given Resources (and optional
// Parameters and Conditions) YAML.
func mustTemplate(t *testing.T, yaml string) *samtemplate.Template {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	doc := "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\n" + yaml
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl, err := samtemplate.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// base holds the resources every case's policy refers to.
const base = `
Parameters:
  DigestIdentity:
    Type: String
    Default: example.org
  AlertEmail:
    Type: String
    Default: ""
Conditions:
  HasAlertEmail: !Not [!Equals [!Ref AlertEmail, ""]]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  Other:
    Type: AWS::DynamoDB::Table
  Downloads:
    Type: AWS::S3::Bucket
  AdminTokenSecret:
    Type: AWS::SecretsManager::Secret
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
`

func mustPolicy(t *testing.T, statements string, w iamcheck.World) *iamcheck.Policy {
	t.Helper()
	var indented []string
	for _, l := range strings.Split(strings.Trim(statements, "\n"), "\n") {
		indented = append(indented, "            "+l)
	}
	tmpl := mustTemplate(t, base+strings.Join(indented, "\n")+"\n")
	p, err := iamcheck.FunctionPolicy(tmpl, "Fn", w)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	query     = iamcheck.Call{Service: "DynamoDB", Operation: "Query", Table: "retours"}
	queryGSI1 = iamcheck.Call{Service: "DynamoDB", Operation: "Query", Table: "retours", Index: "GSI1"}
	world     = iamcheck.World{Names: map[string]string{"Table": "retours", "Other": "other", "Downloads": "dl-bucket"}}
)

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name       string
		statements string
		call       iamcheck.Call
		world      *iamcheck.World
		allowed    bool
	}{
		// The bilan download's CountSince reads GSI1: a grant on the table
		// alone does not cover its indexes.
		{"Query on GSI1 with Query granted on the table only", `
- Effect: Allow
  Action: [dynamodb:GetItem, dynamodb:Query]
  Resource: !GetAtt Table.Arn`, queryGSI1, nil, false},
		{"Query on GSI1 with the table's indexes granted", `
- Effect: Allow
  Action: dynamodb:Query
  Resource:
    - !GetAtt Table.Arn
    - !Sub "${Table.Arn}/index/*"`, queryGSI1, nil, true},
		{"Query on GSI1 with another index granted", `
- Effect: Allow
  Action: dynamodb:Query
  Resource: !Sub "${Table.Arn}/index/GSI2"`, queryGSI1, nil, false},
		{"Query on the table with its indexes granted only", `
- Effect: Allow
  Action: dynamodb:Query
  Resource: !Sub "${Table.Arn}/index/*"`, query, nil, false},
		{"Query on another table's index", `
- Effect: Allow
  Action: dynamodb:Query
  Resource: !Sub "${Other.Arn}/index/*"`, queryGSI1, nil, false},
		{"a wildcard action, in another case", `
- Effect: Allow
  Action: DynamoDB:Qu*
  Resource: !Join ["", [!GetAtt Table.Arn, "/index/GSI1"]]`, queryGSI1, nil, true},
		{"an explicit deny wins", `
- Effect: Allow
  Action: dynamodb:*
  Resource: "*"
- Effect: Deny
  Action: dynamodb:Query
  Resource: !Sub "${Table.Arn}/index/*"`, queryGSI1, nil, false},

		{"TransactWriteItems with its item actions granted", `
- Effect: Allow
  Action: [dynamodb:PutItem, dynamodb:ConditionCheckItem]
  Resource: !GetAtt Table.Arn`, iamcheck.Call{Service: "DynamoDB", Operation: "TransactWriteItems",
			Items: []iamcheck.Item{{Table: "retours", Op: "PutItem"}, {Table: "retours", Op: "ConditionCheckItem"}}}, nil, true},
		{"TransactWriteItems without ConditionCheckItem", `
- Effect: Allow
  Action: [dynamodb:PutItem, dynamodb:UpdateItem]
  Resource: !GetAtt Table.Arn`, iamcheck.Call{Service: "DynamoDB", Operation: "TransactWriteItems",
			Items: []iamcheck.Item{{Table: "retours", Op: "PutItem"}, {Table: "retours", Op: "ConditionCheckItem"}}}, nil, false},
		{"TransactWriteItems touching a table not granted", `
- Effect: Allow
  Action: [dynamodb:PutItem, dynamodb:DeleteItem]
  Resource: !GetAtt Table.Arn`, iamcheck.Call{Service: "DynamoDB", Operation: "TransactWriteItems",
			Items: []iamcheck.Item{{Table: "retours", Op: "PutItem"}, {Table: "other", Op: "DeleteItem"}}}, nil, false},
		{"BatchWriteItem needs its own action, not PutItem's", `
- Effect: Allow
  Action: [dynamodb:PutItem, dynamodb:DeleteItem]
  Resource: !GetAtt Table.Arn`, iamcheck.Call{Service: "DynamoDB", Operation: "BatchWriteItem",
			Items: []iamcheck.Item{{Table: "retours", Op: "DeleteItem"}}}, nil, false},
		{"BatchWriteItem granted", `
- Effect: Allow
  Action: dynamodb:BatchWriteItem
  Resource: !GetAtt Table.Arn`, iamcheck.Call{Service: "DynamoDB", Operation: "BatchWriteItem",
			Items: []iamcheck.Item{{Table: "retours", Op: "DeleteItem"}}}, nil, true},
		{"DeleteItem with PutItem granted", `
- Effect: Allow
  Action: dynamodb:PutItem
  Resource: !GetAtt Table.Arn`, iamcheck.Call{Service: "DynamoDB", Operation: "DeleteItem", Table: "retours"}, nil, false},

		{"PutObject on the bucket's objects", `
- Effect: Allow
  Action: [s3:PutObject, s3:GetObject]
  Resource: !Sub "${Downloads.Arn}/*"`, iamcheck.Call{Service: "S3", Operation: "PutObject", Bucket: "dl-bucket", Key: "exports/e/1/bilan.xlsx"}, nil, true},
		{"a presigned GetObject with PutObject granted only", `
- Effect: Allow
  Action: s3:PutObject
  Resource: !Sub "${Downloads.Arn}/*"`, iamcheck.Call{Service: "S3", Operation: "GetObject", Bucket: "dl-bucket", Key: "exports/e/1/bilan.xlsx"}, nil, false},
		{"PutObject with the bucket granted, not its objects", `
- Effect: Allow
  Action: s3:PutObject
  Resource: !GetAtt Downloads.Arn`, iamcheck.Call{Service: "S3", Operation: "PutObject", Bucket: "dl-bucket", Key: "k"}, nil, false},
		{"PutObject outside the granted prefix", `
- Effect: Allow
  Action: s3:PutObject
  Resource: !Sub "${Downloads.Arn}/exports/*"`, iamcheck.Call{Service: "S3", Operation: "PutObject", Bucket: "dl-bucket", Key: "other/k"}, nil, false},
		{"HeadObject with the objects and the bucket's listing granted", `
- Effect: Allow
  Action: s3:GetObject
  Resource: !Sub "${Downloads.Arn}/*"
- Effect: Allow
  Action: s3:ListBucket
  Resource: !GetAtt Downloads.Arn`, iamcheck.Call{Service: "S3", Operation: "HeadObject", Bucket: "dl-bucket", Key: "downloads/e/1"}, nil, true},
		{"HeadObject without the listing, where a missing object answers 403", `
- Effect: Allow
  Action: s3:GetObject
  Resource: !Sub "${Downloads.Arn}/*"`, iamcheck.Call{Service: "S3", Operation: "HeadObject", Bucket: "dl-bucket", Key: "downloads/e/1"}, nil, false},
		{"ListObjectsV2 needs ListBucket on the bucket", `
- Effect: Allow
  Action: [s3:GetObject, s3:ListBucket]
  Resource: !Sub "${Downloads.Arn}/*"`, iamcheck.Call{Service: "S3", Operation: "ListObjectsV2", Bucket: "dl-bucket"}, nil, false},

		{"SendEmail from an address of the granted domain", `
- Effect: Allow
  Action: ses:SendEmail
  Resource: !Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${DigestIdentity}"`,
			iamcheck.Call{Service: "SESv2", Operation: "SendEmail", From: "digest@example.org"}, nil, true},
		{"SendEmail from a subdomain's address", `
- Effect: Allow
  Action: ses:SendEmail
  Resource: !Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${DigestIdentity}"`,
			iamcheck.Call{Service: "SESv2", Operation: "SendEmail", From: "digest@mail.example.org"}, nil, true},
		{"SendEmail from another domain", `
- Effect: Allow
  Action: ses:SendEmail
  Resource: !Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${DigestIdentity}"`,
			iamcheck.Call{Service: "SESv2", Operation: "SendEmail", From: "digest@example.net"}, nil, false},
		{"SendEmail with the identity given as an address", `
- Effect: Allow
  Action: ses:SendEmail
  Resource: !Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${DigestIdentity}"`,
			iamcheck.Call{Service: "SESv2", Operation: "SendEmail", From: "digest@example.org"},
			&iamcheck.World{Parameters: map[string]string{"DigestIdentity": "digest@example.org"}}, true},
		{"SendEmail in another region", `
- Effect: Allow
  Action: ses:SendEmail
  Resource: !Sub "arn:${AWS::Partition}:ses:eu-west-1:${AWS::AccountId}:identity/${DigestIdentity}"`,
			iamcheck.Call{Service: "SESv2", Operation: "SendEmail", From: "digest@example.org"}, nil, false},

		{"GetSecretValue on the granted secret", `
- Effect: Allow
  Action: secretsmanager:GetSecretValue
  Resource: !Ref AdminTokenSecret`, iamcheck.Call{Service: "Secrets Manager", Operation: "GetSecretValue", Secret: "AdminTokenSecret"}, nil, true},
		{"GetSecretValue on another secret", `
- Effect: Allow
  Action: secretsmanager:GetSecretValue
  Resource: !Ref AdminTokenSecret`, iamcheck.Call{Service: "Secrets Manager", Operation: "GetSecretValue", Secret: "arn:aws:secretsmanager:eu-west-3:123456789012:secret:Other"}, nil, false},

		{"a resource behind a condition that holds", `
- Effect: Allow
  Action: dynamodb:Query
  Resource: !If [HasAlertEmail, !Sub "${Table.Arn}/index/*", !Ref AWS::NoValue]`, queryGSI1,
			&iamcheck.World{Names: world.Names, Parameters: map[string]string{"AlertEmail": "ops@example.org"}}, true},
		{"a resource behind a condition that does not hold", `
- Effect: Allow
  Action: dynamodb:Query
  Resource: [!GetAtt Table.Arn, !If [HasAlertEmail, !Sub "${Table.Arn}/index/*", !Ref AWS::NoValue]]`, queryGSI1, nil, false},
		{"an operation with no known IAM mapping", `
- Effect: Allow
  Action: "*"
  Resource: "*"`, iamcheck.Call{Service: "S3", Operation: "RestoreObject", Bucket: "dl-bucket", Key: "k"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := world
			if tt.world != nil {
				w = *tt.world
				if w.Names == nil {
					w.Names = world.Names
				}
			}
			rep := iamcheck.Evaluate(mustPolicy(t, tt.statements, w), []iamcheck.Call{tt.call}, w)
			if got := len(rep.Denied) == 0; got != tt.allowed {
				t.Errorf("allowed = %v, want %v; denied: %v", got, tt.allowed, rep.Denied)
			}
		})
	}
}

func TestDenialSaysWhatIsMissing(t *testing.T) {
	p := mustPolicy(t, `
- Effect: Allow
  Action: dynamodb:Query
  Resource: !GetAtt Table.Arn`, world)
	rep := iamcheck.Evaluate(p, []iamcheck.Call{queryGSI1}, world)
	if len(rep.Denied) != 1 {
		t.Fatalf("denied = %v, want the Query on GSI1", rep.Denied)
	}
	got := rep.Denied[0].String()
	want := "DynamoDB Query table=retours index=GSI1 needs dynamodb:Query on arn:aws:dynamodb:eu-west-3:123456789012:table/retours/index/GSI1: not allowed by Fn's policy"
	if got != want {
		t.Errorf("denial = %q\nwant      %q", got, want)
	}
}

func TestUnusedGrants(t *testing.T) {
	p := mustPolicy(t, `
- Effect: Allow
  Action: [dynamodb:GetItem, dynamodb:Query]
  Resource:
    - !GetAtt Table.Arn
    - !Sub "${Table.Arn}/index/*"
- Effect: Allow
  Action: s3:PutObject
  Resource: !Sub "${Downloads.Arn}/*"`, world)
	calls := []iamcheck.Call{
		{Service: "DynamoDB", Operation: "GetItem", Table: "retours"},
		queryGSI1,
	}
	rep := iamcheck.Evaluate(p, calls, world)
	if len(rep.Denied) != 0 {
		t.Errorf("denied = %v, want none", rep.Denied)
	}
	var got []string
	for _, g := range rep.Unused {
		got = append(got, g.Action+" on "+g.Source)
	}
	want := []string{
		"dynamodb:GetItem on !Sub ${Table.Arn}/index/*",
		"dynamodb:Query on !GetAtt Table.Arn",
		"s3:PutObject on !Sub ${Downloads.Arn}/*",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("unused = %q\nwant     %q", got, want)
	}
	err := rep.Failures(true)
	if err == nil || !strings.Contains(err.Error(), "granted, never used: s3:PutObject on !Sub ${Downloads.Arn}/* (arn:aws:s3:::dl-bucket/*)") {
		t.Errorf("Failures(true) = %v, want the unused grants listed", err)
	}
	if err := rep.Failures(false); err != nil {
		t.Errorf("Failures(false) = %v, want nil: every call is allowed", err)
	}
}

func TestPoliciesThatCannotBeChecked(t *testing.T) {
	tests := []struct{ name, yaml string }{
		{"a SAM policy template", `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - DynamoDBCrudPolicy:
            TableName: t`},
		{"a managed policy", `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies: AmazonDynamoDBFullAccess`},
		{"a condition", `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: "*"
              Condition:
                Bool: {aws:SecureTransport: true}`},
		{"a parameter without a value", `
Parameters:
  Identity:
    Type: String
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: ses:SendEmail
              Resource: !Sub "arn:aws:ses:eu-west-3:1:identity/${Identity}"`},
		{"an attribute it cannot resolve", `
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - Statement:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt Queue.QueueName`},
		{"a role of its own", `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Role: arn:aws:iam::1:role/r`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if p, err := iamcheck.FunctionPolicy(mustTemplate(t, tt.yaml), "Fn", world); err == nil {
				t.Errorf("FunctionPolicy = %+v, want an error", p)
			}
		})
	}
}
