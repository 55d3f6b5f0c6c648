// Package app reads retours' configuration from environment variables and
// wires the store and the HTTP handlers, for the Lambda mains and the local
// server alike, so that both run the same code.
package app

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/httpapi"
)

// Config is the deployment's configuration. Each field documents its
// environment variable; the README lists them and template.yaml sets them.
type Config struct {
	Table           string // TABLE_NAME, required
	AdminToken      string // ADMIN_TOKEN, required by the organiser function, at least 32 characters
	BaseURL         string // PUBLIC_BASE_URL, optional: the public URL printed in links and QR codes
	RetentionMonths int    // RETENTION_MONTHS, default 24
}

// FromEnv reads the configuration with getenv (os.Getenv in mains). When
// needAdmin is set, ADMIN_TOKEN is required.
func FromEnv(getenv func(string) string, needAdmin bool) (Config, error) {
	c := Config{
		Table:           getenv("TABLE_NAME"),
		AdminToken:      getenv("ADMIN_TOKEN"),
		BaseURL:         strings.TrimSuffix(getenv("PUBLIC_BASE_URL"), "/"),
		RetentionMonths: 24,
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

// NewServer returns the HTTP server on the table of cfg.
func NewServer(cfg Config, client *dynamodb.Client, log *slog.Logger) *httpapi.Server {
	st := dynamo.New(client, cfg.Table)
	return httpapi.New(httpapi.Config{
		Events: st, Answers: st,
		AdminToken: cfg.AdminToken, BaseURL: cfg.BaseURL, RetentionMonths: cfg.RetentionMonths,
		Logger: log,
	})
}

// Exit prints err for a person and exits: used only before serving starts.
func Exit(err error) {
	fmt.Fprintln(os.Stderr, "retours:", err)
	os.Exit(1)
}
