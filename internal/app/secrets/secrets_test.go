package secrets_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/app/secrets"
	"github.com/retours/retours/internal/iamcheck"
	"github.com/retours/retours/internal/sigv4"
)

const (
	adminARN  = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:AdminTokenSecret-a1B2c3"
	digestARN = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:DigestSecret-d4E5f6"
	otherARN  = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:Other-g7H8i9"
	emptyARN  = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:Empty-j1K2l3"
	missARN   = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:Missing-m4N5o6"
)

// secretsManager is a stand-in for AWS Secrets Manager that speaks its
// JSON protocol for the one call the functions make, GetSecretValue, and
// takes only requests signed with the credentials client gives. It answers
// the first throttled requests with ThrottlingException.
type secretsManager struct {
	mu        sync.Mutex
	requests  int
	reads     []string
	throttled int
	srv       *httptest.Server
}

func newSecretsManager(t *testing.T) *secretsManager {
	sm := &secretsManager{}
	values := map[string]string{
		adminARN:  "Zk3p9QvLx2RmT7wYb4NcH8sJd6FgA1eUo5KiM0rVq3WnE2tX",
		digestARN: "pR4sT6uV8wX0yZ2aB4cD6eF8gH0iJ2kL4mN6oP8qR0sT2uV4\n",
		otherARN:  "not for this function",
		emptyARN:  "",
	}
	sm.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(status int, typ, msg string) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]string{"__type": typ, "Message": msg})
		}
		sm.mu.Lock()
		sm.requests++
		sm.mu.Unlock()
		body, err := io.ReadAll(r.Body)
		if err != nil {
			fail(http.StatusBadRequest, "InvalidRequestException", err.Error())
			return
		}
		if r.Method != "POST" || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" ||
			r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
			fail(http.StatusBadRequest, "InvalidRequestException", "not a GetSecretValue")
			return
		}
		if !sigv4.Signed(r, body, aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, "secretsmanager", "eu-west-3") {
			fail(http.StatusBadRequest, "com.amazonaws.secretsmanager#InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
			return
		}
		sm.mu.Lock()
		throttle := sm.throttled > 0
		sm.throttled--
		sm.mu.Unlock()
		if throttle {
			fail(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
			return
		}
		var in struct{ SecretId string }
		if err := json.Unmarshal(body, &in); err != nil {
			fail(http.StatusBadRequest, "InvalidRequestException", err.Error())
			return
		}
		sm.mu.Lock()
		sm.reads = append(sm.reads, in.SecretId)
		sm.mu.Unlock()
		v, ok := values[in.SecretId]
		if !ok {
			fail(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(map[string]any{
			"ARN": in.SecretId, "Name": "n", "SecretString": v, "VersionId": "v1",
			"VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9,
		})
	}))
	t.Cleanup(sm.srv.Close)
	return sm
}

func (sm *secretsManager) client(recs ...*iamcheck.Recorder) *secrets.Client {
	var opts []func(*secrets.Options)
	for _, rec := range recs {
		opts = append(opts, rec.SecretsManager)
	}
	return secrets.NewClient(aws.Config{
		Region:       "eu-west-3",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(sm.srv.URL),
	}, opts...)
}

// TestMain holds the functions' reads of their secrets, recorded with
// iamcheck.For, to their policies and to this package's ledger.
func TestMain(m *testing.M) { iamcheck.Main(m) }

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestSecretsAreReadOnceAtStart(t *testing.T) {
	world := iamcheck.World{Names: map[string]string{"AdminTokenSecret": adminARN, "DigestSecret": digestARN}}
	tests := []struct {
		name     string
		function string // whose policy must allow the reads
		getenv   func(string) string
		admin    bool
		digest   bool
	}{
		{"the organiser function", "OrganiserFunction", env("TABLE_NAME", "t", "ADMIN_TOKEN_SECRET_ARN", adminARN), true, false},
		{"the digest function", "DigestFunction", env("TABLE_NAME", "t", "ADMIN_TOKEN_SECRET_ARN", adminARN, "DIGEST_SECRET_ARN", digestARN, "DIGEST_FROM", "retours <digest@example.org>", "PUBLIC_BASE_URL", "https://retours.example.org"), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := newSecretsManager(t)
			rec := iamcheck.NewRecorder()
			getenv, err := secrets.Resolve(context.Background(), sm.client(rec, iamcheck.For(tt.function)), tt.getenv)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := app.FromEnv(getenv, true)
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.AdminToken; got != "Zk3p9QvLx2RmT7wYb4NcH8sJd6FgA1eUo5KiM0rVq3WnE2tX" {
				t.Errorf("AdminToken = %q, want the secret's value", got)
			}
			if tt.digest {
				if err := cfg.CheckDigest(); err != nil {
					t.Error(err)
				}
				if got := cfg.DigestSecret; got != "pR4sT6uV8wX0yZ2aB4cD6eF8gH0iJ2kL4mN6oP8qR0sT2uV4" {
					t.Errorf("DigestSecret = %q, want the secret's value without its trailing newline", got)
				}
			}
			// Reading the configuration again calls nothing.
			getenv("ADMIN_TOKEN")
			getenv("DIGEST_SECRET")
			want := 1
			if tt.digest {
				want = 2
			}
			if len(sm.reads) != want {
				t.Errorf("%d reads of Secrets Manager (%v), want %d", len(sm.reads), sm.reads, want)
			}
			iamcheck.CheckAllowed(t, tt.function, rec.Calls(), world)
		})
	}
}

func TestSecretsFailAtStart(t *testing.T) {
	long := strings.Repeat("x", 32)
	tests := []struct {
		name    string
		getenv  func(string) string
		wantErr string
	}{
		{"an unknown secret", env("ADMIN_TOKEN_SECRET_ARN", missARN), "reading ADMIN_TOKEN from " + missARN + " (ADMIN_TOKEN_SECRET_ARN): ResourceNotFoundException: Secrets Manager can't find the specified secret."},
		{"an empty secret", env("DIGEST_SECRET_ARN", emptyARN), "the secret " + emptyARN + " (DIGEST_SECRET_ARN) holds no text"},
		{"the token and its secret both set", env("ADMIN_TOKEN", long, "ADMIN_TOKEN_SECRET_ARN", adminARN), "set ADMIN_TOKEN or ADMIN_TOKEN_SECRET_ARN, not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := newSecretsManager(t)
			_, err := secrets.Resolve(context.Background(), sm.client(iamcheck.NewRecorder()), tt.getenv)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Secrets = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

// TestLocalRunKeepsItsEnvironment: without the ARNs, as in make run, the
// variables are used as they are and Secrets Manager is never called.
func TestLocalRunKeepsItsEnvironment(t *testing.T) {
	sm := newSecretsManager(t)
	long := strings.Repeat("x", 32)
	getenv, err := secrets.Resolve(context.Background(), sm.client(iamcheck.NewRecorder()), env("ADMIN_TOKEN", long, "DIGEST_SECRET", long+"y"))
	if err != nil {
		t.Fatal(err)
	}
	if getenv("ADMIN_TOKEN") != long || getenv("DIGEST_SECRET") != long+"y" {
		t.Errorf("ADMIN_TOKEN, DIGEST_SECRET = %q, %q; want the environment's", getenv("ADMIN_TOKEN"), getenv("DIGEST_SECRET"))
	}
	if len(sm.reads) != 0 {
		t.Errorf("Secrets Manager read %v, want nothing", sm.reads)
	}
}

// TestClient: a read is signed with the client's credentials, as Secrets
// Manager checks, and a throttled one is tried again, 3 times in all, as
// the SDK's standard retryer would.
func TestClient(t *testing.T) {
	ctx := context.Background()
	t.Run("signed with other credentials", func(t *testing.T) {
		sm := newSecretsManager(t)
		client := secrets.NewClient(aws.Config{Region: "eu-west-3", BaseEndpoint: aws.String(sm.srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider("local", "not-local", "")})
		_, err := client.SecretString(ctx, adminARN)
		want := "InvalidSignatureException: The request signature we calculated does not match the signature you provided."
		if err == nil || err.Error() != want {
			t.Errorf("SecretString = %v, want %q", err, want)
		}
		if sm.requests != 1 || len(sm.reads) != 0 {
			t.Errorf("%d requests, reads %v; want 1 request, no read", sm.requests, sm.reads)
		}
	})
	for _, tc := range []struct {
		name         string
		throttled    int
		wantRequests int
		wantErr      string
	}{
		{"throttled once", 1, 2, ""},
		{"throttled every time", 10, 3, "ThrottlingException: Rate exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sm := newSecretsManager(t)
			sm.throttled = tc.throttled
			got, err := sm.client().SecretString(ctx, otherARN)
			switch {
			case tc.wantErr == "" && (err != nil || got != "not for this function"):
				t.Errorf("SecretString = %q, %v; want the secret", got, err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Errorf("SecretString = %v, want %q", err, tc.wantErr)
			}
			if sm.requests != tc.wantRequests {
				t.Errorf("%d requests, want %d", sm.requests, tc.wantRequests)
			}
		})
	}
}
