// Package samtemplate reads template.yaml, the one place where retours'
// infrastructure is defined, so that the local server and the tests create
// the DynamoDB table exactly as AWS SAM deploys it, and tests can check the
// template against the code (routes, functions, policies).
//
// It is used only by tests and local tooling, never by the Lambda functions.
package samtemplate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/awslabs/goformation/v7/intrinsics"

	"github.com/retours/retours/internal/dynamostream"
)

// Template is a parsed template.yaml, with intrinsic functions left in their
// long form ({"Ref": "Table"}, {"Fn::GetAtt": ["Table", "Arn"]}).
type Template struct {
	Raw map[string]any
}

// Load parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	js, err := intrinsics.ProcessYAML(data, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, fmt.Errorf("samtemplate: %s: %w", path, err)
	}
	t := &Template{}
	if err := json.Unmarshal(js, &t.Raw); err != nil {
		return nil, fmt.Errorf("samtemplate: %s: %w", path, err)
	}
	return t, nil
}

// Root returns the repository's root: the nearest folder, from the working
// directory up, that holds go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("samtemplate: no go.mod above the working directory")
		}
		dir = parent
	}
}

// LoadDefault loads template.yaml from the repository's root.
func LoadDefault() (*Template, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	return Load(filepath.Join(root, "template.yaml"))
}

// Resources returns the logical ids and bodies of the resources of the given
// type ("AWS::Serverless::Function").
func (t *Template) Resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	res, _ := t.Raw["Resources"].(map[string]any)
	for id, r := range res {
		body, _ := r.(map[string]any)
		if body["Type"] == typ {
			out[id] = body
		}
	}
	return out
}

// Resource returns the resource with the given logical id.
func (t *Template) Resource(id string) (map[string]any, bool) {
	res, _ := t.Raw["Resources"].(map[string]any)
	body, ok := res[id].(map[string]any)
	return body, ok
}

// Table is the part of an AWS::DynamoDB::Table that DynamoDB Local can create.
type Table struct {
	Input      *dynamodb.CreateTableInput
	TTLAttr    string
	Properties map[string]any
}

// Table returns the definition of the AWS::DynamoDB::Table with the given
// logical id, named name.
func (t *Template) Table(logicalID, name string) (*Table, error) {
	body, ok := t.Resource(logicalID)
	if !ok || body["Type"] != "AWS::DynamoDB::Table" {
		return nil, fmt.Errorf("samtemplate: no AWS::DynamoDB::Table %q", logicalID)
	}
	props, _ := body["Properties"].(map[string]any)
	// The property names of AWS::DynamoDB::Table and of the CreateTable API are
	// the same, so JSON round trips carry the key schema over unchanged.
	var def struct {
		AttributeDefinitions   []types.AttributeDefinition
		KeySchema              []types.KeySchemaElement
		GlobalSecondaryIndexes []struct {
			IndexName  string
			KeySchema  []types.KeySchemaElement
			Projection types.Projection
		}
		BillingMode             types.BillingMode
		TimeToLiveSpecification struct {
			AttributeName string
			Enabled       bool
		}
		StreamSpecification *struct {
			StreamViewType types.StreamViewType
		}
	}
	js, err := json.Marshal(props)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(js, &def); err != nil {
		return nil, fmt.Errorf("samtemplate: table %s: %w", logicalID, err)
	}
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: def.AttributeDefinitions,
		KeySchema:            def.KeySchema,
		BillingMode:          def.BillingMode,
	}
	for _, g := range def.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName), KeySchema: g.KeySchema, Projection: &g.Projection,
		})
	}
	if def.StreamSpecification != nil {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: def.StreamSpecification.StreamViewType}
	}
	tbl := &Table{Input: in, Properties: props}
	if def.TimeToLiveSpecification.Enabled {
		tbl.TTLAttr = def.TimeToLiveSpecification.AttributeName
	}
	return tbl, nil
}

// Create creates the table with client, waits until it is active and turns
// on its time to live.
func (tbl *Table) Create(ctx context.Context, client *dynamodb.Client) error {
	if _, err := client.CreateTable(ctx, tbl.Input); err != nil {
		return fmt.Errorf("samtemplate: create table: %w", err)
	}
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 50 * time.Millisecond })
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: tbl.Input.TableName}, 30*time.Second); err != nil {
		return fmt.Errorf("samtemplate: wait for table: %w", err)
	}
	if tbl.TTLAttr != "" {
		_, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               tbl.Input.TableName,
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(tbl.TTLAttr), Enabled: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("samtemplate: time to live: %w", err)
		}
	}
	return nil
}

// Mapping is an AWS::Lambda::EventSourceMapping: which function reads which
// stream, and how it batches, retries and filters the records, which the
// local stream poller (internal/dynamostream) takes from here.
type Mapping struct {
	Function, Source        string // logical ids: the function, and the resource.attribute of the stream ("Table.StreamArn")
	OnFailure               string // the on-failure destination: resource.attribute
	BatchSize               int
	BatchingWindow          time.Duration
	MaxRetryAttempts        int
	Bisect                  bool
	ReportBatchItemFailures bool
	Filters                 []string // FilterCriteria patterns
	Properties              map[string]any
}

// LiteralEnv returns the environment variables, as KEY=value, that
// template.yaml gives the function with the given logical id
// (SurveyFunction) as plain values: those of Globals, overridden by the
// function's own. Values taken from elsewhere (!Ref, !GetAtt) are left out.
// An empty logicalID returns those of Globals alone.
func (t *Template) LiteralEnv(logicalID string) ([]string, error) {
	globals, _ := t.Raw["Globals"].(map[string]any)
	fn, _ := globals["Function"].(map[string]any)
	sources := []map[string]any{fn}
	if logicalID != "" {
		res, ok := t.Resource(logicalID)
		if !ok {
			return nil, fmt.Errorf("samtemplate: no resource %s", logicalID)
		}
		props, _ := res["Properties"].(map[string]any)
		sources = append(sources, props)
	}
	vars := map[string]string{}
	for _, props := range sources {
		env, _ := props["Environment"].(map[string]any)
		vv, _ := env["Variables"].(map[string]any)
		for k, v := range vv {
			if s, ok := v.(string); ok {
				vars[k] = s
			} else {
				delete(vars, k)
			}
		}
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out, nil
}

// Mapping returns the AWS::Lambda::EventSourceMapping with the given logical
// id.
func (t *Template) Mapping(logicalID string) (*Mapping, error) {
	body, ok := t.Resource(logicalID)
	if !ok || body["Type"] != "AWS::Lambda::EventSourceMapping" {
		return nil, fmt.Errorf("samtemplate: no AWS::Lambda::EventSourceMapping %q", logicalID)
	}
	props, _ := body["Properties"].(map[string]any)
	m := &Mapping{Properties: props, Source: GetAtt(props["EventSourceArn"])}
	if ref, ok := props["FunctionName"].(map[string]any); ok {
		m.Function, _ = ref["Ref"].(string)
	}
	if dc, ok := props["DestinationConfig"].(map[string]any); ok {
		if of, ok := dc["OnFailure"].(map[string]any); ok {
			m.OnFailure = GetAtt(of["Destination"])
		}
	}
	m.BatchSize = number(props["BatchSize"])
	m.BatchingWindow = time.Duration(number(props["MaximumBatchingWindowInSeconds"])) * time.Second
	m.MaxRetryAttempts = number(props["MaximumRetryAttempts"])
	m.Bisect = props["BisectBatchOnFunctionError"] == true
	if types, ok := props["FunctionResponseTypes"].([]any); ok {
		for _, v := range types {
			m.ReportBatchItemFailures = m.ReportBatchItemFailures || v == "ReportBatchItemFailures"
		}
	}
	if fc, ok := props["FilterCriteria"].(map[string]any); ok {
		filters, _ := fc["Filters"].([]any)
		for _, f := range filters {
			if p, ok := f.(map[string]any)["Pattern"].(string); ok {
				m.Filters = append(m.Filters, p)
			}
		}
	}
	return m, nil
}

// PollerOptions returns the options with which the local stream poller
// mimics the mapping.
func (m *Mapping) PollerOptions() dynamostream.Options {
	return dynamostream.Options{BatchSize: m.BatchSize, BatchingWindow: m.BatchingWindow, MaxRetryAttempts: m.MaxRetryAttempts, Bisect: m.Bisect}
}

// GetAtt returns "Resource.Attribute" for an Fn::GetAtt in its short
// ("Table.Arn") or long (["Table", "Arn"]) form, "" for anything else.
func GetAtt(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	switch ga := m["Fn::GetAtt"].(type) {
	case string:
		return ga
	case []any:
		if len(ga) == 2 {
			r, _ := ga[0].(string)
			a, _ := ga[1].(string)
			return r + "." + a
		}
	}
	return ""
}

func number(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case int:
		return x
	}
	return 0
}
