package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/retours/retours/internal/runtimeapi"
	"github.com/retours/retours/internal/samtemplate"
)

// lambdaBuild is how `make build` builds a function for Lambda.
var lambdaBuild = []string{"build", "-trimpath", "-ldflags", "-s -w", "-tags", "lambda.norpc"}

// functions measures each function's bootstrap (built for linux/arm64 as
// deployed; for this machine in a smoke run) and its start-up: from process
// start to the first answered invocation against a minimal Lambda Runtime
// API, built for this machine's architecture so it can run here. The floor
// of a size is an empty aws-lambda-go handler; the floor of a start-up is
// the floor function (infra/bench/floor), which builds the DynamoDB client
// as the functions do and answers with one GetItem. All are built the same
// way.
func (b *bench) functions(ctx context.Context, env *benchEnv) error {
	dir, err := os.MkdirTemp("", "retours-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	entries, err := os.ReadDir(filepath.Join(b.root, "functions"))
	if err != nil {
		return err
	}
	pkgs := []string{"./infra/bench/empty", "./infra/bench/floor"}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
			pkgs = append(pkgs, "./functions/"+e.Name())
		}
	}
	sort.Strings(names)
	// One go build per architecture builds every function, each into
	// dir/<arch>/<name>.
	for _, arch := range slices.Compact(slices.Clone(b.work.builds)) {
		args := append(slices.Clone(b.work.buildFlags), "-o", filepath.Join(dir, arch)+string(filepath.Separator))
		cmd := exec.CommandContext(ctx, "go", append(args, pkgs...)...)
		cmd.Dir = b.root
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch)
		if !b.smoke {
			cmd.Env = append(cmd.Env, "CGO_ENABLED=0")
		}
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build for %s: %v\n%s", arch, err, msg)
		}
	}
	sizeArch := b.work.builds[0]
	size := func(name string) float64 {
		fi, err := os.Stat(filepath.Join(dir, sizeArch, name))
		if err != nil {
			return 0
		}
		return float64(fi.Size())
	}
	runs := b.work.startups
	// A fresh event, so the organiser's first invocation (its bilan) does not
	// read the answers other measurements wrote.
	ce, err := env.createEvent(time.Now())
	if err != nil {
		return err
	}
	fresh := *env
	fresh.event = *ce
	env = &fresh
	// Every binary starts once a round, so that a busy moment of the
	// machine weighs on all of them alike.
	bins := append([]string{"empty", "floor"}, names...)
	// Each with the plain environment variables template.yaml gives it
	// (the garbage collector's settings); the floors with those of every
	// function.
	tmpl, err := samtemplate.Load(filepath.Join(b.root, "template.yaml"))
	if err != nil {
		return err
	}
	envs := map[string][]string{}
	for _, name := range bins {
		id := ""
		if name != "empty" && name != "floor" {
			id = strings.ToUpper(name[:1]) + name[1:] + "Function"
		}
		if envs[name], err = tmpl.LiteralEnv(id); err != nil {
			return err
		}
	}
	starts, failed := map[string][]time.Duration{}, map[string]error{}
	// A first round is not counted: DynamoDB Local's JVM compiles the
	// code of each kind of request the first time it serves it, which a
	// function whose first invocation is the first of its kind (the
	// organiser's BatchGetItem, its rate counter's UpdateItem) would pay
	// alone. DynamoDB itself has no such warm-up.
	for i := -1; i < runs; i++ {
		for _, name := range bins {
			if failed[name] != nil {
				continue
			}
			d, err := b.startOnce(ctx, env, filepath.Join(dir, runtime.GOARCH, name), name, i+1, envs[name])
			if err != nil {
				failed[name] = err
				continue
			}
			if i >= 0 {
				starts[name] = append(starts[name], d)
			}
		}
	}
	for _, name := range []string{"empty", "floor"} {
		if failed[name] != nil {
			return fmt.Errorf("%s: %w", name, failed[name])
		}
	}
	emptyStart, floorStart := starts["empty"], starts["floor"]
	note := ""
	if runtime.GOARCH != "arm64" {
		note = "start-up measured on a " + runtime.GOARCH + " build of the same code, on this machine"
	}
	const floorIs = "floor function: client and one GetItem"
	b.add(Row{Section: "function floor", Name: "bootstrap size (linux/" + sizeArch + ")", Value: size("floor"), Unit: "B", Floor: size("empty"), FloorIs: "empty handler"})
	b.add(Row{Section: "function floor", Name: fmt.Sprintf("start-up to first answer, median of %d", runs), Value: ms(median(floorStart)), Unit: "ms",
		Floor: ms(median(emptyStart)), FloorIs: "empty handler", Note: note})
	for _, name := range names {
		sec := "function " + name
		sz := Row{Section: sec, Name: "bootstrap size (linux/" + sizeArch + ")", Value: size(name), Unit: "B", Floor: size("empty"), FloorIs: "empty handler"}
		if t, ok := sizeTargets[name]; ok && sizeArch == "arm64" {
			sz.Target, sz.Met = "≤ "+format(t, "B"), met(sz.Value <= t)
		}
		b.add(sz)
		if err := failed[name]; err != nil {
			b.add(Row{Section: sec, Name: "start-up", Note: "could not measure: " + err.Error()})
			continue
		}
		fm, fx := median(floorStart), maxOf(floorStart)
		m, x := median(starts[name]), maxOf(starts[name])
		up := Row{Section: sec, Name: fmt.Sprintf("start-up to first answer, median of %d", runs), Value: ms(m), Unit: "ms", Floor: ms(fm), FloorIs: floorIs}
		if t, ok := startupTargets[name]; ok {
			up.Ratio = up.Value / up.Floor
			up.Target, up.Met = fmt.Sprintf("≤ %.1f×", t), met(up.Ratio <= t)
		}
		b.add(up)
		b.add(Row{Section: sec, Name: fmt.Sprintf("start-up to first answer, max of %d", runs), Value: ms(x), Unit: "ms", Floor: ms(fx), FloorIs: floorIs})
	}
	return nil
}

// startupTargets are the functions' start-up targets, as ratios to the floor
// function's: participants wait for the survey function's cold start at the
// end of each plénière, organisers for theirs.
var startupTargets = map[string]float64{"survey": 1.5, "organiser": 2}

// sizeTargets are the bootstrap sizes not to pass: every byte of a bootstrap
// is read from Lambda's storage at a cold start.
var sizeTargets = map[string]float64{"survey": 10 << 20}

// invocation returns the first event each function gets: what API Gateway or
// the scheduler would send it. Each round's requests come from a client of
// their own (192.0.2.<round>), so that the organiser's downloads, rounds
// apart, do not reach one client's limit (ratelimit.Rules).
func (env *benchEnv) invocation(name string, round int) ([]byte, error) {
	var path, token string
	switch name {
	case "survey", "floor":
		path = "/e/" + env.event.ID + "/" + env.event.Sessions[1].ID
	case "organiser":
		path, token = "/api/events/"+env.event.ID+"/bilan?format=json", env.event.OrganiserToken
	case "activity":
		// A batch of the table's stream: one answer inserted.
		return json.Marshal(events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{
			answerRecord(env.event.ID, env.event.Sessions[1].ID, "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", strconv.FormatInt(time.Now().UnixNano(), 10)),
		}})
	default:
		return json.Marshal(events.EventBridgeEvent{Version: "0", ID: "bench", DetailType: "Scheduled Event", Source: "aws.scheduler",
			Time: time.Now().UTC(), Region: "eu-west-3", Detail: json.RawMessage(`{}`)})
	}
	raw, query, _ := strings.Cut(path, "?")
	req := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: raw, RawQueryString: query,
		Headers: map[string]string{"host": "retours.example.org", "accept-language": "fr", "x-forwarded-proto": "https"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "retours.example.org", Stage: "$default", RequestID: "bench",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: raw, Protocol: "HTTP/1.1", SourceIP: "192.0.2." + strconv.Itoa(1+round%250)},
		},
	}
	if token != "" {
		req.Headers["authorization"] = "Bearer " + token
	}
	return json.Marshal(req)
}

// startOnce starts a function's bootstrap against a minimal Lambda Runtime
// API, with Lambda's environment variables, fromTemplate's and the
// benchmark's, and returns the time from process start to its answer to its
// first invocation.
func (b *bench) startOnce(ctx context.Context, env *benchEnv, bootstrap, name string, round int, fromTemplate []string) (time.Duration, error) {
	payload, err := env.invocation(name, round)
	if err != nil {
		return 0, err
	}
	fn, err := runtimeapi.Start(ctx, bootstrap, append(slices.Concat(runtimeapi.Env(name, "WARN"), fromTemplate),
		"AWS_ENDPOINT_URL_DYNAMODB="+b.ddb.Endpoint,
		// Nothing is sent: any other AWS service the function calls is unreachable.
		"AWS_ENDPOINT_URL=http://127.0.0.1:9",
		"TABLE_NAME="+env.table, "ADMIN_TOKEN="+adminToken, "PUBLIC_BASE_URL=https://retours.example.org",
		"RETENTION_MONTHS=24", "DIGEST_SECRET=bench-digest-secret-0123456789abcdef"))
	if err != nil {
		return 0, err
	}
	defer fn.Stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := fn.Invoke(ctx, payload)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if res.Error != nil {
		return 0, fmt.Errorf("%s: %v", name, res.Error)
	}
	if name == "survey" || name == "organiser" || name == "floor" {
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(res.Body, &resp); err != nil || resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("%s answered %d: %.200s", name, resp.StatusCode, res.Body)
		}
	}
	return res.At.Sub(fn.Started), nil
}

func median(d []time.Duration) time.Duration { return percentile(d, 50) }

func maxOf(d []time.Duration) time.Duration {
	var m time.Duration
	for _, x := range d {
		m = max(m, x)
	}
	return m
}

// answerRecord is the stream record of an answer's insertion, as the
// table's stream hands it to the activity function.
func answerRecord(eventID, sessionID, submissionID, seq string) events.DynamoDBEventRecord {
	keys := map[string]events.DynamoDBAttributeValue{
		"PK": events.NewStringAttribute("EVENT#" + eventID), "SK": events.NewStringAttribute("ANSWER#" + submissionID),
	}
	image := map[string]events.DynamoDBAttributeValue{
		"PK": keys["PK"], "SK": keys["SK"], "session": events.NewStringAttribute(sessionID),
		"created_at": events.NewStringAttribute(time.Now().UTC().Format(time.RFC3339Nano)),
		"expires_at": events.NewNumberAttribute(strconv.FormatInt(time.Now().AddDate(2, 0, 0).Unix(), 10)),
	}
	return events.DynamoDBEventRecord{
		EventID: "bench", EventName: "INSERT", EventSource: "aws:dynamodb", EventVersion: "1.1", AWSRegion: "eu-west-3",
		Change: events.DynamoDBStreamRecord{Keys: keys, NewImage: image, SequenceNumber: seq, StreamViewType: "NEW_IMAGE"},
	}
}
