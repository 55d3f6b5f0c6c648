// Package stack mounts every HTTP function of retours — survey, organiser
// and digest — on one handler over one store, as API Gateway puts them
// behind one address: the local server, the browser test, the benchmark and
// the tests that cross functions use it. On AWS each function serves only
// its own routes (functions/*/main.go).
package stack

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/retours/retours/internal/bilan/xlsx"
	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/erase"
	"github.com/retours/retours/internal/organiser"
	"github.com/retours/retours/internal/ratelimit"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/survey"
	"github.com/retours/retours/internal/web"
)

// Store is what the functions read and write.
type Store interface {
	retours.EventStore
	retours.AnswerStore
	retours.SnapshotStore
	retours.ModerationStore
	retours.SeriesStore
	retours.ChangeFeed
	retours.AnswerPager
	retours.ErasureStore
	retours.DigestRunStore
	retours.WallStore
}

// Config is what the functions share. Store is required.
type Config struct {
	Store Store
	// StoreOf, when set, gives the store each function (its logical id in
	// template.yaml, FunctionID) uses instead of Store: the tests give each
	// its own client, which records its calls.
	StoreOf    func(functionID string) Store
	AdminToken string
	// BaseURL is the public URL printed in links and QR codes; empty
	// derives it from each request's Host.
	BaseURL         string
	RetentionMonths int
	// Digests runs the weekly digest behind the digest's routes; nil turns
	// them off.
	Digests *digest.Runner
	// DigestTrigger carries out the digest runs started on demand; nil
	// runs them in this process (digest.InProcess).
	DigestTrigger digest.Trigger
	// SurveyEventTTL and SurveyTimeout: see survey.Config.EventTTL and
	// organiser.Config.
	SurveyEventTTL, SurveyTimeout time.Duration
	// Files is the downloads bucket (internal/s3local locally); nil answers
	// every download inline. With Files, the downloads of large events are
	// prepared in this process (download.InProcess) unless Jobs says
	// otherwise, and the spreadsheets are written outside the organiser's
	// handler, as the aggregate function writes them on AWS, while the
	// request waits; SyncLimit is organiser.Config's.
	Files     download.Files
	Jobs      download.Starter
	SyncLimit int
	// Erasure runs erasures; nil runs them in this process
	// (erase.InProcess), waiting EraseGrace before the last sweep
	// (retours.ErasureGrace of SurveyEventTTL and SurveyTimeout when 0).
	Erasure    *erase.Job
	EraseGrace time.Duration
	// Limits counts each client's requests against ratelimit.Rules, as the
	// functions do on AWS: in each function's store when it is a
	// ratelimit.Counter (DynamoDB), else in one counter in memory.
	Limits bool
	// WallRefresh is organiser.Config's.
	WallRefresh time.Duration
	Now         func() time.Time
	Rand        io.Reader
	Logger      *slog.Logger
	ReplyMargin time.Duration // see web.Options
}

// New returns the handler of the routes of the named functions
// (web.FuncSurvey…), as each serves them on AWS, or of every route of
// web.Routes when none is named.
func New(cfg Config, functions ...string) (http.Handler, error) {
	deps := web.Deps{Now: cfg.Now, Rand: cfg.Rand, Logger: cfg.Logger}.WithDefaults()
	storeOf := func(fn string) Store {
		if cfg.StoreOf != nil {
			return cfg.StoreOf(FunctionID(fn))
		}
		return cfg.Store
	}
	memory := ratelimit.NewMemory()
	// depsOf returns the deps of a function whose store is st.
	depsOf := func(st Store) web.Deps {
		d := deps
		if cfg.Limits {
			c, ok := st.(ratelimit.Counter)
			if !ok {
				c = memory
			}
			d.Limiter = ratelimit.New(c, cfg.AdminToken, deps.Now)
		}
		return d
	}
	// The aggregate function prepares large downloads on AWS, and writes
	// the spreadsheets, which the organiser function does not link: it
	// waits for them. Without a bucket, the organiser writes them itself.
	var (
		prepare   download.Preparer
		writeXLSX download.XLSXWriter = xlsx.Write
	)
	if cfg.Files != nil {
		ws := storeOf("aggregate")
		worker := &download.Worker{Events: ws, Store: ws, Files: cfg.Files, XLSX: xlsx.Write, Now: deps.Now, Log: deps.Logger}
		if cfg.Jobs == nil {
			cfg.Jobs = download.InProcess(worker)
		}
		prepare, writeXLSX = worker, nil
	}
	if cfg.Erasure == nil {
		grace := cfg.EraseGrace
		if grace == 0 {
			grace = retours.ErasureGrace(cfg.SurveyEventTTL, cfg.SurveyTimeout)
		}
		// The organiser function starts an erasure, the erase function
		// runs it. The job keeps real time, whatever the handlers' clock:
		// it waits.
		worker := &erase.Job{Store: storeOf("erase"), Grace: grace, Log: deps.Logger}
		worker.Trigger = erase.InProcess(worker)
		cfg.Erasure = &erase.Job{Store: storeOf(web.FuncOrganiser), Grace: grace, Log: deps.Logger, Trigger: worker.Trigger}
	}
	all := map[string]func() web.Service{
		web.FuncSurvey: func() web.Service {
			st := storeOf(web.FuncSurvey)
			return survey.New(survey.Config{
				Events: st, Answers: st, RetentionMonths: cfg.RetentionMonths, EventTTL: cfg.SurveyEventTTL,
				Deps: deps,
			}).Service()
		},
		web.FuncOrganiser: func() web.Service {
			st := storeOf(web.FuncOrganiser)
			return organiser.New(organiser.Config{
				Events: st, Answers: st, Snapshots: st, Moderation: st, Series: st, Changes: st, Pages: st, Wall: st, WallRefresh: cfg.WallRefresh,
				AdminToken: cfg.AdminToken, BaseURL: cfg.BaseURL, RetentionMonths: cfg.RetentionMonths,
				SurveyEventTTL: cfg.SurveyEventTTL, SurveyTimeout: cfg.SurveyTimeout,
				Files: cfg.Files, Jobs: cfg.Jobs, Prepare: prepare, XLSX: writeXLSX, SyncLimit: cfg.SyncLimit, Erasure: cfg.Erasure, Deps: depsOf(st),
			}).Service()
		},
		web.FuncDigest: func() web.Service {
			st := storeOf(web.FuncDigest)
			// Runs started on demand are carried out in a goroutine.
			return (&digest.Server{Runner: cfg.Digests, AdminToken: cfg.AdminToken, Runs: st, Trigger: cfg.DigestTrigger, Now: deps.Now, Logger: deps.Logger,
				Limiter: depsOf(st).Limiter}).Service()
		},
	}
	if len(functions) == 0 {
		functions = []string{web.FuncSurvey, web.FuncOrganiser, web.FuncDigest}
	}
	var services []web.Service
	for _, fn := range functions {
		svc, ok := all[fn]
		if !ok {
			return nil, fmt.Errorf("stack: no function %q", fn)
		}
		services = append(services, svc())
	}
	return web.NewHandler(web.Options{Logger: deps.Logger, Now: deps.Now, ReplyMargin: cfg.ReplyMargin, BaseURL: cfg.BaseURL}, services...)
}

// FunctionID returns the logical id in template.yaml of the function fn
// (web.FuncSurvey…): "SurveyFunction".
func FunctionID(fn string) string {
	if fn == "" {
		return ""
	}
	return strings.ToUpper(fn[:1]) + fn[1:] + "Function"
}
