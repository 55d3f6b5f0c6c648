// Package app is what the functions' mains share at start-up: the
// configuration from environment variables, the AWS configuration Lambda
// gives, the Lambda logger and the DynamoDB client, and the report of a
// failed start to Lambda; internal/app/gateway serves routes behind API
// Gateway.
// Neither imports a function's handlers: each main wires its own, so that
// each function links only what it serves (a test checks what each links).
package app

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/retours/retours/internal/dynamo"
)

// Config is the deployment's configuration. Each field documents its
// environment variable; the README lists them and template.yaml sets them.
type Config struct {
	Table           string // TABLE_NAME, required
	AdminToken      string // ADMIN_TOKEN, required by the organiser function, at least 32 characters; on AWS read from ADMIN_TOKEN_SECRET_ARN (secrets.Resolve)
	BaseURL         string // PUBLIC_BASE_URL, optional: the public URL printed in links and QR codes
	RetentionMonths int    // RETENTION_MONTHS, default 24
	// DigestFrom is the weekly digest's sender, an address verified in SES
	// ("retours <digest@example.org>"): DIGEST_FROM. Empty turns digests off.
	DigestFrom string
	// DigestSecret signs the digest's unsubscribe links: DIGEST_SECRET, at
	// least 32 characters, required by the digest function; on AWS read
	// from DIGEST_SECRET_ARN (secrets.Resolve).
	DigestSecret string
	// DownloadsBucket is the S3 bucket large downloads are handed out
	// from: DOWNLOADS_BUCKET, set for the organiser function, and for the
	// aggregate function, which writes those it prepares. Empty keeps every
	// download in the response.
	DownloadsBucket string
	// AggregateFunction is the function that prepares the downloads of
	// events too large to read within a request, which the organiser
	// function invokes asynchronously: AGGREGATE_FUNCTION. Empty reads every
	// download within the request.
	AggregateFunction string
	// EraseFunction is the function that runs erasures, which the organiser
	// function invokes asynchronously when one starts: ERASE_FUNCTION.
	// Empty leaves the erasures it starts to the erase function's hourly
	// run (and, locally, to a goroutine).
	EraseFunction string
	// Self is the function's own name, which Lambda sets
	// (AWS_LAMBDA_FUNCTION_NAME): the digest function invokes itself
	// asynchronously to carry out a run started on demand. Empty outside
	// Lambda.
	Self string
}

// FromEnv reads the configuration with getenv (os.Getenv in mains). When
// needAdmin is set, ADMIN_TOKEN is required.
func FromEnv(getenv func(string) string, needAdmin bool) (Config, error) {
	c := Config{
		Table:             getenv("TABLE_NAME"),
		AdminToken:        getenv("ADMIN_TOKEN"),
		BaseURL:           strings.TrimSuffix(getenv("PUBLIC_BASE_URL"), "/"),
		RetentionMonths:   24,
		DigestFrom:        strings.TrimSpace(getenv("DIGEST_FROM")),
		DigestSecret:      getenv("DIGEST_SECRET"),
		DownloadsBucket:   getenv("DOWNLOADS_BUCKET"),
		EraseFunction:     getenv("ERASE_FUNCTION"),
		AggregateFunction: getenv("AGGREGATE_FUNCTION"),
		Self:              getenv("AWS_LAMBDA_FUNCTION_NAME"),
	}
	var problems []string
	if c.Table == "" {
		problems = append(problems, "TABLE_NAME is not set")
	}
	if needAdmin && len(c.AdminToken) < 32 {
		problems = append(problems, "ADMIN_TOKEN must be set to at least 32 characters")
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "https://") && !strings.HasPrefix(c.BaseURL, "http://") {
		problems = append(problems, "PUBLIC_BASE_URL must start with https://")
	}
	if v := getenv("RETENTION_MONTHS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 120 {
			problems = append(problems, "RETENTION_MONTHS must be a number of months from 1 to 120")
		}
		c.RetentionMonths = n
	}
	if len(problems) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	return c, nil
}

// CheckDigest validates the digest's configuration, which only the digest
// function (and the local server) needs.
func (c Config) CheckDigest() error {
	var problems []string
	if len(c.DigestSecret) < 32 {
		problems = append(problems, "DIGEST_SECRET must be set to at least 32 characters")
	}
	if c.DigestFrom != "" {
		if _, err := mail.ParseAddress(c.DigestFrom); err != nil {
			problems = append(problems, "DIGEST_FROM must be an e-mail address, such as: retours <digest@example.org>")
		}
		if c.BaseURL == "" {
			problems = append(problems, "PUBLIC_BASE_URL must be set when DIGEST_FROM is: the digest's links start with it")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}

// SurveyTimeout is the survey function's timeout in template.yaml (a test
// keeps them equal).
const SurveyTimeout = 10 * time.Second

// SurveyEventTTL is how long the survey function keeps an event it read
// (survey.Config.EventTTL). The organiser function, which never caches,
// sweeps an erased event's items once more after SurveyEventTTL and
// SurveyTimeout, so that no answer accepted from a copy read before the
// erasure outlives it.
const SurveyEventTTL = 5 * time.Second

// Options say what a function needs at start-up.
type Options struct {
	// NeedAdmin requires ADMIN_TOKEN (see FromEnv).
	NeedAdmin bool
	// AnswersPeople cuts each DynamoDB attempt short (see DynamoDB).
	AnswersPeople bool
	// Secrets, when set, returns the environment with the secrets the
	// function reads resolved (secrets.FromAWS).
	Secrets func(context.Context, aws.Config) (func(string) string, error)
}

// Start is what a function starts with.
type Start struct {
	Config Config
	AWS    aws.Config   // the configuration of the function's role and region
	Log    *slog.Logger // Lambda's, and the default
	// DynamoDB is the table's client; Store and Survey open the store on
	// it.
	DynamoDB *dynamodb.Client
}

// Store returns the table's store.
func (s *Start) Store() *dynamo.Store { return dynamo.New(s.DynamoDB, s.Config.Table) }

// Survey returns the part of the table's store the survey function uses,
// made of the DynamoDB operations it calls alone: the survey function, which
// never calls Store, links none of the others.
func (s *Start) Survey() dynamo.SurveyStore { return dynamo.NewSurvey(s.DynamoDB, s.Config.Table) }

// Begin reads the AWS configuration and the function's configuration from
// the environment, makes Lambda's logger the default and makes the table's
// client; when one of them fails, it reports what is wrong and exits (Exit).
func Begin(opts Options) *Start {
	ctx := context.Background()
	s := &Start{AWS: Must(AWS(os.Getenv))}
	getenv := os.Getenv
	if opts.Secrets != nil {
		getenv = Must(opts.Secrets(ctx, s.AWS))
	}
	s.Config = Must(FromEnv(getenv, opts.NeedAdmin))
	s.Log = Logger()
	s.DynamoDB = DynamoDB(s.AWS, opts.AnswersPeople)
	return s
}

// AWS returns the configuration of the function's role and region from the
// variables Lambda sets (getenv is os.Getenv in mains): the region in
// AWS_REGION, the role's temporary credentials in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, which last as long as the
// execution environment. That is all the SDK's config.LoadDefaultConfig
// finds on Lambda too, after looking for shared files and profiles, and it
// would link and start the SSO, STS and instance metadata clients besides:
// a cold start pays for each. AWS_ENDPOINT_URL, when set, sends every
// client elsewhere (see Endpoint).
func AWS(getenv func(string) string) (aws.Config, error) {
	cfg := aws.Config{Region: cmp.Or(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")), BaseEndpoint: Endpoint(getenv, "")}
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	var problems []string
	if cfg.Region == "" {
		problems = append(problems, "AWS_REGION is not set")
	}
	if id == "" || secret == "" {
		problems = append(problems, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them from the function's role)")
	}
	if len(problems) > 0 {
		return cfg, fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN"),
		Source: "EnvConfigCredentials", AccountID: getenv("AWS_ACCOUNT_ID")}
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
	return cfg, nil
}

// Endpoint returns the endpoint a service's client is sent to instead of
// AWS's, as the SDK reads it: AWS_ENDPOINT_URL_<SERVICE> (service as in
// DYNAMODB, SECRETS_MANAGER), else AWS_ENDPOINT_URL; nil when neither is set,
// as on AWS. The benchmark and the tests point the functions at DynamoDB
// Local with them.
func Endpoint(getenv func(string) string, service string) *string {
	if service != "" {
		if v := getenv("AWS_ENDPOINT_URL_" + service); v != "" {
			return aws.String(v)
		}
	}
	if v := getenv("AWS_ENDPOINT_URL"); v != "" {
		return aws.String(v)
	}
	return nil
}

// Logger returns the logger of Lambda's context, JSON with the request id
// on every line at the level of the function's LoggingConfig, and makes it
// the default.
func Logger() *slog.Logger {
	log := lambdacontext.NewLogger()
	slog.SetDefault(log)
	return log
}

// DynamoDB returns the table's client with the store's retry policy. For a
// function that answers people, each attempt is also cut after
// dynamo.AttemptTimeout, so that a database too slow leaves time to ask
// them to try again.
func DynamoDB(awsCfg aws.Config, answersPeople bool) *dynamodb.Client {
	return dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		o.Retryer = dynamo.NewRetryer()
		if answersPeople {
			o.HTTPClient = dynamo.NewHTTPClient()
		}
		if e := Endpoint(os.Getenv, "DYNAMODB"); e != nil {
			o.BaseEndpoint = e
		}
	})
}

// Must returns v, or exits saying what err is: used only before serving
// starts.
func Must[T any](v T, err error) T {
	if err != nil {
		Exit(err)
	}
	return v
}

// Exit prints err for a person and exits: used only before serving starts.
// In Lambda it first reports err to the Runtime API as the function's
// initialisation error, so that the invocation fails with it
// (Runtime.ConfigurationError and the message) rather than as an unexplained
// crash, and Lambda starts the function afresh for the next one.
func Exit(err error) {
	fmt.Fprintln(os.Stderr, "retours:", err)
	if api := os.Getenv("AWS_LAMBDA_RUNTIME_API"); api != "" {
		if rerr := ReportInitError(api, err); rerr != nil {
			fmt.Fprintln(os.Stderr, "retours: reporting the error to Lambda:", rerr)
		}
	}
	os.Exit(1)
}

// ReportInitError posts err to the Lambda Runtime API at api (host:port,
// from AWS_LAMBDA_RUNTIME_API) as the initialisation error, as
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html describes.
func ReportInitError(api string, err error) error {
	body, _ := json.Marshal(struct {
		Message    string   `json:"errorMessage"`
		Type       string   `json:"errorType"`
		StackTrace []string `json:"stackTrace"`
	}{err.Error(), "Runtime.ConfigurationError", []string{}})
	req, rerr := http.NewRequest(http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if rerr != nil {
		return rerr
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigurationError")
	client := &http.Client{Timeout: 5 * time.Second}
	resp, rerr := client.Do(req)
	if rerr != nil {
		return rerr
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return errors.New("the Runtime API answered " + resp.Status)
	}
	return nil
}
