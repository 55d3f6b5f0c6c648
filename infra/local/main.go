// Command local runs retours on this machine: it starts DynamoDB Local,
// creates the table from template.yaml, seeds a demo event through the real
// API and serves every route on 127.0.0.1, each with the same handler its
// Lambda function serves (internal/stack).
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/retours/retours/internal/activity"
	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamolocal"
	"github.com/retours/retours/internal/dynamostream"
	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/s3blob"
	"github.com/retours/retours/internal/s3local"
	"github.com/retours/retours/internal/samtemplate"
	"github.com/retours/retours/internal/ses"
	"github.com/retours/retours/internal/stack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "retours:", err)
		os.Exit(1)
	}
}

func run() error {
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	addr := flag.String("addr", "127.0.0.1:"+port, "address to serve on (loopback only)")
	seed := flag.Bool("demo", true, "create the demo event")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	slog.SetDefault(log)

	root, err := samtemplate.Root()
	if err != nil {
		return err
	}
	tmpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	cfg, err := localConfig()
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ddb, client, err := startDatabase(ctx, root, tmpl, cfg.Table)
	if err != nil {
		return err
	}
	defer func() {
		ddb.Stop()
		fmt.Println("DynamoDB Local stopped.")
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (set PORT to use another port): %w", *addr, err)
	}
	base := "http://" + ln.Addr().String()
	if cfg.BaseURL == "" {
		cfg.BaseURL = base
	}
	downloads, err := s3local.Start(ctx, s3local.Options{Buckets: []string{downloadsBucket}})
	if err != nil {
		return err
	}
	defer downloads.Close()
	mailDir := filepath.Join(root, ".local", "mail")
	handler, err := serveAll(cfg, client, s3blob.New(s3blob.NewClient(downloads.Config()), downloadsBucket), mailDir, log)
	if err != nil {
		return err
	}
	batching, err := startBackground(ctx, tmpl, ddb, client, cfg.Table, log)
	if err != nil {
		return err
	}

	fmt.Printf("\nretours is running on %s (DynamoDB Local at %s)\n", base, ddb.Endpoint)
	fmt.Printf("Admin token: %s\n", cfg.AdminToken)
	fmt.Printf("Weekly digests are written as .eml files to %s\n", mailDir)
	fmt.Printf("Answers and notes are counted from the table's stream within %v; bilan snapshots are stored every %v\n", batching, snapshotEvery)
	if *seed {
		demo, err := createDemo(handler, cfg.AdminToken)
		if err != nil {
			return fmt.Errorf("demo event: %w", err)
		}
		printDemo(base, cfg.AdminToken, demo)
	}
	printDigest(base, cfg.AdminToken, mailDir)
	return serve(ctx, ln, handler)
}

// localConfig is the configuration from the environment, with the table
// named "retours" and, unless set, a generated admin token and digest
// secret and a local digest sender.
func localConfig() (app.Config, error) {
	adminToken := os.Getenv("ADMIN_TOKEN")
	if adminToken == "" {
		token, _, err := retours.NewToken(rand.Reader)
		if err != nil {
			return app.Config{}, err
		}
		adminToken = "adm_" + token[4:]
	}
	digestSecret := os.Getenv("DIGEST_SECRET")
	if digestSecret == "" {
		var err error
		if digestSecret, _, err = retours.NewToken(rand.Reader); err != nil {
			return app.Config{}, err
		}
	}
	return app.FromEnv(func(k string) string {
		switch k {
		case "TABLE_NAME":
			return "retours"
		case "ADMIN_TOKEN":
			return adminToken
		case "DIGEST_SECRET":
			return digestSecret
		case "DIGEST_FROM":
			if v := os.Getenv(k); v != "" {
				return v
			}
			return "retours <digest@localhost>"
		}
		return os.Getenv(k)
	}, true)
}

// downloadsBucket is the local S3's bucket of large downloads.
const downloadsBucket = "retours-downloads"

// serveAll returns the handler of every function's routes on the table of
// cfg, as API Gateway puts them behind one address. Large downloads go
// through files (the local S3) and are prepared in this process; the weekly
// digests go to .eml files in mailDir instead of SES.
func serveAll(cfg app.Config, client *dynamodb.Client, files download.Files, mailDir string, log *slog.Logger) (http.Handler, error) {
	if err := cfg.CheckDigest(); err != nil {
		return nil, err
	}
	sender, err := ses.NewFolder(mailDir, cfg.DigestFrom, nil)
	if err != nil {
		return nil, err
	}
	st := dynamo.New(client, cfg.Table)
	return stack.New(stack.Config{
		Store: st, AdminToken: cfg.AdminToken, BaseURL: cfg.BaseURL, RetentionMonths: cfg.RetentionMonths,
		Digests: digest.New(digest.Config{
			Events: st, Answers: st, Digests: st, Changes: st, Sender: sender,
			BaseURL: cfg.BaseURL, Secret: []byte(cfg.DigestSecret), Logger: log,
		}),
		SurveyEventTTL: app.SurveyEventTTL, SurveyTimeout: app.SurveyTimeout, Files: files, Logger: log,
		Limits: true,
	})
}

// startDatabase starts DynamoDB Local and creates the table named table
// from tmpl. The caller stops the server.
func startDatabase(ctx context.Context, root string, tmpl *samtemplate.Template, table string) (*dynamolocal.Server, *dynamodb.Client, error) {
	fmt.Println("Starting DynamoDB Local…")
	ddb, err := dynamolocal.Start(ctx, dynamolocal.Options{InfraDir: filepath.Join(root, "infra"), Log: nil})
	if err != nil {
		return nil, nil, err
	}
	client := dynamolocal.Client(ddb.Endpoint)
	tbl, err := tmpl.Table("Table", table)
	if err == nil {
		err = tbl.Create(ctx, client)
	}
	if err != nil {
		ddb.Stop()
		return nil, nil, err
	}
	return ddb, client, nil
}

// startBackground starts what Lambda runs beside the API on AWS: the
// activity function on the table's stream, with the event source mapping's
// settings, and the hourly snapshots, every minute here. It returns the
// mapping's batching window.
func startBackground(ctx context.Context, tmpl *samtemplate.Template, ddb *dynamolocal.Server, client *dynamodb.Client, table string, log *slog.Logger) (time.Duration, error) {
	mapping, err := tmpl.Mapping("ActivityStream")
	if err != nil {
		return 0, err
	}
	streamARN, err := dynamostream.StreamARN(ctx, client, table)
	if err != nil {
		return 0, err
	}
	st := dynamo.New(client, table)
	opts := mapping.PollerOptions()
	opts.Log = log
	consumer := &activity.Consumer{Store: st, Log: log}
	go dynamostream.New(dynamolocal.StreamsClient(ddb.Endpoint), streamARN, consumer.Handle, opts).Run(ctx)
	snapshots := &aggregate.Runner{Store: st, Now: time.Now, Log: log, Period: snapshotEvery}
	go every(ctx, snapshotEvery, log, "snapshots not stored", func(ctx context.Context) error {
		_, err := snapshots.Run(ctx)
		return err
	})
	// Erasures run in this process (erase.InProcess); the erase function's
	// hourly resumption of stalled ones runs as often as the snapshots.
	erasures := &erase.Job{Store: st, Grace: retours.ErasureGrace(app.SurveyEventTTL, app.SurveyTimeout), Log: log}
	erasures.Trigger = erase.InProcess(erasures)
	go every(ctx, snapshotEvery, log, "erasures not resumed", func(ctx context.Context) error {
		_, err := erasures.Resume(ctx)
		return err
	})
	return mapping.BatchingWindow, nil
}

// snapshotEvery is how often the local run stores bilan snapshots and
// resumes stalled erasures: the hourly runs of AWS, sped up so that a
// download soon finds a snapshot.
const snapshotEvery = time.Minute

// every calls run every period until ctx ends, and logs its failures as
// failed.
func every(ctx context.Context, period time.Duration, log *slog.Logger, failed string, run func(context.Context) error) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := run(ctx); err != nil && ctx.Err() == nil {
				log.LogAttrs(ctx, slog.LevelWarn, failed, slog.String("error", err.Error()))
			}
		}
	}
}

// serve serves handler on ln until ctx is done, then shuts down gracefully.
func serve(ctx context.Context, ln net.Listener, handler http.Handler) error {
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		fmt.Println("\nStopping…")
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(shutdown)
}

type demoEvent struct {
	ID             string `json:"id"`
	OrganiserToken string `json:"organiser_token"`
	SurveyURL      string `json:"survey_url"`
	OrganiserURL   string `json:"organiser_url"`
	Sessions       []struct {
		ID        string `json:"id"`
		Title     string `json:"title"`
		SurveyURL string `json:"survey_url"`
	} `json:"sessions"`
}

// createDemo creates a Numérique En Commun[s]-style day through the API,
// timed so that every session is open now.
func createDemo(h http.Handler, adminToken string) (*demoEvent, error) {
	now := time.Now().UTC().Truncate(time.Minute)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	body := fmt.Sprintf(`{
  "title": "Numérique En Commun[s] — journée régionale",
  "place": "Médiathèque de Clermont-Ferrand",
  "starts_at": %q, "ends_at": %q,
  "series": "nec-auvergne", "edition": 2, "registered_count": 165,
  "organiser_emails": ["organisation@example.org"],
  "sessions": [
    {"title": "Plénière d'ouverture", "kind": "pleniere", "starts_at": %q},
    {"title": "Atelier : accompagner les démarches en ligne", "kind": "atelier", "starts_at": %q},
    {"title": "Atelier : tiers-lieux et inclusion numérique", "kind": "atelier", "starts_at": %q},
    {"title": "Atelier : données ouvertes des collectivités", "kind": "atelier", "starts_at": %q},
    {"title": "Table ronde : le numérique dans les territoires ruraux", "kind": "table-ronde", "starts_at": %q}
  ]
}`, at(-4*time.Hour), at(4*time.Hour), at(-4*time.Hour), at(-3*time.Hour), at(-3*time.Hour), at(-3*time.Hour), at(-time.Hour))
	req := httptest.NewRequest("POST", "/api/events", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		return nil, fmt.Errorf("status %d: %s", rec.Code, rec.Body.String())
	}
	var d demoEvent
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func printDigest(base, adminToken, mailDir string) {
	fmt.Printf(`
  # send the weekly digests now (or as of an instant: ?now=2026-11-30T08:00:00%%2B01:00), then open the .eml files in %s;
  # the answer's url (GET, same header) gives the run's outcome
  curl -s -X POST -H 'Authorization: Bearer %s' '%s/api/digests/run'
`, mailDir, adminToken, base)
	fmt.Println("\nPress Ctrl-C to stop.")
}

func printDemo(base, adminToken string, d *demoEvent) {
	fmt.Printf(`
Demo event %s
  Survey (participants):  %s
`, d.ID, d.SurveyURL)
	for _, s := range d.Sessions {
		fmt.Printf("    %-52s %s\n", s.Title, s.SurveyURL)
	}
	fmt.Printf(`  Organiser token:        %s
  Organisers' page:       %s

Try it:
  # answer the first atelier's questionnaire
  curl -s -X POST %s/e/%s/answers -H 'Content-Type: application/json' \
    -d '{"submission_id":"'$(cat /proc/sys/kernel/random/uuid)'","session":"%s","answers":{"satisfaction":5,"nps":9,"profil":"association"}}'
  # leave a rapport d'étonnement note
  curl -s -X POST %s/e/%s/notes -H 'Content-Type: application/json' \
    -d '{"submission_id":"'$(cat /proc/sys/kernel/random/uuid)'","kind":"etonnement","text":"Autant d'"'"'élus que d'"'"'associations !"}'
  # download the bilan (html, md, csv, xlsx or json)
  curl -s -H 'Authorization: Bearer %s' '%s/api/events/%s/bilan?format=md'
  # create another event
  curl -s -X POST %s/api/events -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \
    -d '{"title":"Atelier itinérant","starts_at":"2026-12-01T14:00:00+01:00","ends_at":"2026-12-01T17:00:00+01:00","sessions":[{"title":"Atelier","kind":"atelier","starts_at":"2026-12-01T14:00:00+01:00"}]}'
`, d.OrganiserToken, d.OrganiserURL,
		base, d.ID, d.Sessions[1].ID,
		base, d.ID,
		d.OrganiserToken, base, d.ID,
		base, adminToken)
}
