package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/retours/retours/internal/app"
	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamolocal"
	"github.com/retours/retours/internal/samtemplate"
	"github.com/retours/retours/internal/stack"
)

const adminToken = "bench-admin-token-0123456789abcdefghij"

// benchEnv is a table on DynamoDB Local with the real handler in front of it
// and one event, open now, with five sessions.
type benchEnv struct {
	table   string
	client  *dynamodb.Client
	store   *dynamo.Store
	handler http.Handler
	event   createdEvent
}

type createdEvent struct {
	ID             string `json:"id"`
	OrganiserToken string `json:"organiser_token"`
	Sessions       []struct {
		ID string `json:"id"`
	} `json:"sessions"`
}

func (b *bench) newEnv(ctx context.Context, table string) (*benchEnv, error) {
	client := dynamolocal.Client(b.ddb.Endpoint)
	tmpl, err := samtemplate.Load(b.root + "/template.yaml")
	if err != nil {
		return nil, err
	}
	tbl, err := tmpl.Table("Table", table)
	if err != nil {
		return nil, err
	}
	if err := tbl.Create(ctx, client); err != nil {
		return nil, err
	}
	st := dynamo.New(client, table)
	handler, err := stack.New(stack.Config{Store: st, AdminToken: adminToken, BaseURL: "https://retours.example.org", RetentionMonths: 24,
		SurveyEventTTL: app.SurveyEventTTL, SurveyTimeout: app.SurveyTimeout, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	env := &benchEnv{table: table, client: client, store: st, handler: handler}
	ev, err := env.createEvent(time.Now())
	if err != nil {
		return nil, err
	}
	env.event = *ev
	return env, nil
}

// createEvent creates a Numérique En Commun[s] day, every session open at now.
func (env *benchEnv) createEvent(now time.Time) (*createdEvent, error) {
	at := func(d time.Duration) string { return now.UTC().Add(d).Format(time.RFC3339) }
	body := fmt.Sprintf(`{"title":"Numérique En Commun[s] — journée régionale","place":"Clermont-Ferrand",
  "starts_at":%q,"ends_at":%q,"registered_count":165,"series":"nec","edition":1,
  "sessions":[{"title":"Plénière d'ouverture","kind":"pleniere","starts_at":%q},
   {"title":"Atelier : accompagner les démarches en ligne","kind":"atelier","starts_at":%q},
   {"title":"Atelier : tiers-lieux et inclusion numérique","kind":"atelier","starts_at":%q},
   {"title":"Atelier : données ouvertes des collectivités","kind":"atelier","starts_at":%q},
   {"title":"Table ronde : le numérique dans les territoires ruraux","kind":"table-ronde","starts_at":%q}]}`,
		at(-4*time.Hour), at(4*time.Hour), at(-4*time.Hour), at(-3*time.Hour), at(-3*time.Hour), at(-3*time.Hour), at(-time.Hour))
	rec := env.serve("POST", "/api/events", body, "Authorization", "Bearer "+adminToken, "Content-Type", "application/json")
	if rec.Code != http.StatusCreated {
		return nil, fmt.Errorf("create event: %d %s", rec.Code, rec.Body)
	}
	var ce createdEvent
	if err := json.Unmarshal(rec.Body.Bytes(), &ce); err != nil {
		return nil, err
	}
	return &ce, nil
}

func (env *benchEnv) serve(method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, bytes.NewBufferString(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req)
	return rec
}

func numCPU() int { return runtime.NumCPU() }
