package iamcheck_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/retours/retours/internal/app/secrets"
	"github.com/retours/retours/internal/iamcheck"
	"github.com/retours/retours/internal/s3blob"
	"github.com/retours/retours/internal/s3local"
	"github.com/retours/retours/internal/ses"
)

// jsonService answers every call of a JSON-protocol service with body,
// or with a 400 error when fail is set.
func jsonService(t *testing.T, body string, fail bool) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		if fail {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"no"}`))
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

var creds = credentials.NewStaticCredentialsProvider("local", "local", "")

func TestRecorderNotesDynamoDBCalls(t *testing.T) {
	ctx := context.Background()
	rec := iamcheck.NewRecorder()
	client := dynamodb.New(dynamodb.Options{Region: "eu-west-3", Credentials: creds, BaseEndpoint: aws.String(jsonService(t, `{}`, false))}, rec.DynamoDB)
	key := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "E#1"}, "SK": &types.AttributeValueMemberS{Value: "E#1"}}
	calls := []func() error{
		func() error {
			_, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("retours"), Key: key})
			return err
		},
		func() error {
			_, err := client.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("retours"), IndexName: aws.String("GSI1"), KeyConditionExpression: aws.String("GSI1PK = :d")})
			return err
		},
		func() error {
			_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("retours"), Item: key}},
				{ConditionCheck: &types.ConditionCheck{TableName: aws.String("retours"), Key: key, ConditionExpression: aws.String("attribute_exists(PK)")}},
				{Update: &types.Update{TableName: aws.String("other"), Key: key, UpdateExpression: aws.String("SET a = :a")}},
				{Delete: &types.Delete{TableName: aws.String("retours"), Key: key}},
			}})
			return err
		},
		func() error {
			_, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				"retours": {{DeleteRequest: &types.DeleteRequest{Key: key}}, {DeleteRequest: &types.DeleteRequest{Key: key}}},
			}})
			return err
		},
	}
	for _, call := range calls {
		call()
		call() // the same call twice is kept once
	}
	// A call that fails is recorded too: IAM was asked.
	failing := dynamodb.New(dynamodb.Options{Region: "eu-west-3", Credentials: creds, BaseEndpoint: aws.String(jsonService(t, "", true)), RetryMaxAttempts: 1}, rec.DynamoDB)
	if _, err := failing.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("retours"), Key: key}); err == nil {
		t.Fatal("DeleteItem succeeded against a failing server")
	}

	var got []string
	for _, c := range rec.Calls() {
		got = append(got, c.String())
	}
	want := []string{
		"DynamoDB BatchWriteItem DeleteItem:retours",
		"DynamoDB DeleteItem table=retours",
		"DynamoDB GetItem table=retours",
		"DynamoDB Query table=retours index=GSI1",
		"DynamoDB TransactWriteItems PutItem:retours ConditionCheckItem:retours UpdateItem:other DeleteItem:retours",
	}
	if !slices.Equal(got, want) {
		t.Errorf("calls:\n%q\nwant\n%q", got, want)
	}

	rec.Reset()
	if n := len(rec.Calls()); n != 0 {
		t.Errorf("after Reset, %d calls", n)
	}
}

func TestRecorderNotesDownloads(t *testing.T) {
	ctx := context.Background()
	srv, err := s3local.Start(ctx, s3local.Options{Buckets: []string{"dl-bucket"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := iamcheck.NewRecorder()
	store := s3blob.New(s3blob.NewClient(srv.Config(), rec.S3), "dl-bucket")
	if _, err := store.Publish(ctx, s3blob.File{Key: "exports/e/1/bilan.csv", ContentType: "text/csv", Filename: "bilan.csv", Body: []byte("a\n")}); err != nil {
		t.Fatal(err)
	}
	got := rec.Calls()
	want := []iamcheck.Call{
		{Service: "S3", Operation: "GetObject", Bucket: "dl-bucket", Key: "exports/e/1/bilan.csv"},
		{Service: "S3", Operation: "PutObject", Bucket: "dl-bucket", Key: "exports/e/1/bilan.csv"},
	}
	if !slices.EqualFunc(got, want, func(a, b iamcheck.Call) bool { return a.String() == b.String() }) {
		t.Errorf("calls = %v, want %v (the presigned GET included)", got, want)
	}
}

func TestRecorderNotesTheSendingIdentity(t *testing.T) {
	rec := iamcheck.NewRecorder()
	client := sesv2.New(sesv2.Options{Region: "eu-west-3", Credentials: creds, BaseEndpoint: aws.String(jsonService(t, `{"MessageId":"m-1"}`, false))}, rec.SESv2)
	sender := ses.NewSES(client, "retours <digest@example.org>", nil)
	if _, err := sender.Send(context.Background(), &ses.Message{To: "orga@example.net", Subject: "s", Text: "t", HTML: "<p>t</p>", Unsubscribe: "https://x/u"}); err != nil {
		t.Fatal(err)
	}
	got := rec.Calls()
	if len(got) != 1 || got[0].String() != "SESv2 SendEmail from=digest@example.org" {
		t.Errorf("calls = %v, want one SendEmail from digest@example.org", got)
	}
}

func TestRecorderNotesSecrets(t *testing.T) {
	rec := iamcheck.NewRecorder()
	client := secrets.NewClient(aws.Config{Region: "eu-west-3", Credentials: creds, BaseEndpoint: aws.String(jsonService(t, `{"SecretString":"s"}`, false))}, rec.SecretsManager)
	arn := "arn:aws:secretsmanager:eu-west-3:123456789012:secret:retours-admin-AbCdEf"
	if _, err := client.SecretString(context.Background(), arn); err != nil {
		t.Fatal(err)
	}
	got := rec.Calls()
	if len(got) != 1 || got[0].String() != "Secrets Manager GetSecretValue secret="+arn {
		t.Errorf("calls = %v, want one GetSecretValue of %s", got, arn)
	}
}
