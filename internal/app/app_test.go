package app

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	long := strings.Repeat("x", 32)
	for _, tc := range []struct {
		name      string
		getenv    func(string) string
		needAdmin bool
		wantErr   string
	}{
		{"survey needs only the table", env("TABLE_NAME", "t"), false, ""},
		{"no table", env(), false, "TABLE_NAME is not set"},
		{"organiser without admin token", env("TABLE_NAME", "t"), true, "ADMIN_TOKEN"},
		{"short admin token", env("TABLE_NAME", "t", "ADMIN_TOKEN", "short"), true, "ADMIN_TOKEN"},
		{"organiser", env("TABLE_NAME", "t", "ADMIN_TOKEN", long), true, ""},
		{"bad retention", env("TABLE_NAME", "t", "RETENTION_MONTHS", "forever"), false, "RETENTION_MONTHS"},
		{"bad base URL", env("TABLE_NAME", "t", "PUBLIC_BASE_URL", "retours.example.org"), false, "PUBLIC_BASE_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromEnv(tc.getenv, tc.needAdmin)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("FromEnv() = %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("FromEnv() = %v, want an error about %s", err, tc.wantErr)
			}
		})
	}
	c, _ := FromEnv(env("TABLE_NAME", "t", "RETENTION_MONTHS", "36", "PUBLIC_BASE_URL", "https://retours.example.org/"), false)
	if c.RetentionMonths != 36 || c.BaseURL != "https://retours.example.org" {
		t.Errorf("config = %+v", c)
	}
}
func TestCheckDigest(t *testing.T) {
	base := map[string]string{"TABLE_NAME": "t", "DIGEST_SECRET": "0123456789abcdef0123456789abcdef", "PUBLIC_BASE_URL": "https://retours.example.org"}
	for _, tc := range []struct {
		name string
		set  map[string]string
		ok   bool
	}{
		{"digests off", map[string]string{}, true},
		{"digests on", map[string]string{"DIGEST_FROM": "retours <digest@example.org>"}, true},
		{"short secret", map[string]string{"DIGEST_SECRET": "short"}, false},
		{"bad sender", map[string]string{"DIGEST_FROM": "retours"}, false},
		{"no base URL", map[string]string{"DIGEST_FROM": "digest@example.org", "PUBLIC_BASE_URL": ""}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tc.set {
				env[k] = v
			}
			cfg, err := FromEnv(func(k string) string { return env[k] }, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.CheckDigest(); (err == nil) != tc.ok {
				t.Errorf("CheckDigest() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestAWS(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	// What Lambda sets for a function's role.
	lambda := env("AWS_REGION", "eu-west-3", "AWS_ACCESS_KEY_ID", "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token")
	cfg, err := AWS(lambda)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-3" || creds.AccessKeyID != "ASIAEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" || cfg.BaseEndpoint != nil {
		t.Errorf("AWS() = region %q, credentials %+v, endpoint %v; want Lambda's", cfg.Region, creds, cfg.BaseEndpoint)
	}
	if c := DynamoDB(cfg, true).Options(); c.BaseEndpoint != nil || c.Region != "eu-west-3" {
		t.Errorf("DynamoDB client: region %q, endpoint %v", c.Region, c.BaseEndpoint)
	}

	for _, tc := range []struct {
		name    string
		getenv  func(string) string
		wantErr string
	}{
		{"no region", env("AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "s"), "AWS_REGION"},
		{"no credentials", env("AWS_REGION", "eu-west-3"), "AWS_ACCESS_KEY_ID"},
		{"no secret key", env("AWS_REGION", "eu-west-3", "AWS_ACCESS_KEY_ID", "a"), "AWS_SECRET_ACCESS_KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := AWS(tc.getenv); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("AWS() = %v, want an error about %s", err, tc.wantErr)
			}
		})
	}

	t.Run("default region", func(t *testing.T) {
		cfg, err := AWS(env("AWS_DEFAULT_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "s"))
		if err != nil || cfg.Region != "eu-west-1" {
			t.Errorf("AWS() = %q, %v; want AWS_DEFAULT_REGION's", cfg.Region, err)
		}
	})
}

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"AWS", nil, ""},
		{"every service", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, "http://127.0.0.1:9"},
		{"the service's", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000"}, "http://127.0.0.1:8000"},
		{"another service's", map[string]string{"AWS_ENDPOINT_URL_SESV2": "http://127.0.0.1:8025"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Endpoint(func(k string) string { return tc.env[k] }, "DYNAMODB")
			if (got == nil) != (tc.want == "") || (got != nil && *got != tc.want) {
				t.Errorf("Endpoint() = %v, want %q", got, tc.want)
			}
		})
	}
}

// TestReportInitError: a function that cannot start says why to Lambda's
// Runtime API, as its documentation describes the call.
func TestReportInitError(t *testing.T) {
	var got struct {
		path, errorType string
		body            struct {
			Message string `json:"errorMessage"`
			Type    string `json:"errorType"`
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.errorType = r.Method+" "+r.URL.Path, r.Header.Get("Lambda-Runtime-Function-Error-Type")
		json.NewDecoder(r.Body).Decode(&got.body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	if err := ReportInitError(strings.TrimPrefix(srv.URL, "http://"), errors.New("configuration: TABLE_NAME is not set")); err != nil {
		t.Fatal(err)
	}
	if got.path != "POST /2018-06-01/runtime/init/error" || got.errorType != "Runtime.ConfigurationError" ||
		got.body.Message != "configuration: TABLE_NAME is not set" || got.body.Type != "Runtime.ConfigurationError" {
		t.Errorf("reported %+v", got)
	}
}
