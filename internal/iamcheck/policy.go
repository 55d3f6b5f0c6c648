package iamcheck

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/retours/retours/internal/samtemplate"
)

// World gives the template's symbols the values they take in a test run,
// so that a policy's resources and a recorded call's resources become ARNs
// of the same deployment.
type World struct {
	Partition string // "aws" when empty
	Region    string // "eu-west-3" when empty
	Account   string // "123456789012" when empty
	// Names maps a resource's logical id to the physical name the test run
	// uses for it ("Table" to the test's table name); a resource not listed
	// is named after its logical id.
	Names map[string]string
	// Parameters gives template parameters a value; a parameter not listed
	// takes its Default.
	Parameters map[string]string
}

func (w World) partition() string { return or(w.Partition, "aws") }
func (w World) region() string    { return or(w.Region, "eu-west-3") }
func (w World) account() string   { return or(w.Account, "123456789012") }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// name returns the physical name of the resource logicalID.
func (w World) name(logicalID string) string { return or(w.Names[logicalID], logicalID) }

// ARNs of the resources calls touch.

// TableARN returns the ARN of the DynamoDB table named name.
func (w World) TableARN(name string) string {
	return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", w.partition(), w.region(), w.account(), name)
}

// BucketARN returns the ARN of the S3 bucket named name.
func (w World) BucketARN(name string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", w.partition(), name)
}

// IdentityARN returns the ARN of the SES identity (address or domain) id.
func (w World) IdentityARN(id string) string {
	return fmt.Sprintf("arn:%s:ses:%s:%s:identity/%s", w.partition(), w.region(), w.account(), id)
}

// SecretARN returns the ARN of the Secrets Manager secret with the given
// name, or id itself when it is an ARN.
func (w World) SecretARN(id string) string {
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	return fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s", w.partition(), w.region(), w.account(), id)
}

// FunctionARN returns the ARN of the Lambda function named name, or name
// itself when it is an ARN.
func (w World) FunctionARN(name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", w.partition(), w.region(), w.account(), name)
}

// Ref returns what !Ref logicalID gives for a resource of template t.
func (w World) Ref(t *samtemplate.Template, logicalID string) (string, error) {
	body, ok := t.Resource(logicalID)
	if !ok {
		return "", fmt.Errorf("no resource %s", logicalID)
	}
	name := w.name(logicalID)
	switch body["Type"] {
	case "AWS::SecretsManager::Secret":
		return w.SecretARN(name), nil
	case "AWS::SNS::Topic":
		return fmt.Sprintf("arn:%s:sns:%s:%s:%s", w.partition(), w.region(), w.account(), name), nil
	case "AWS::SQS::Queue":
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", w.region(), w.account(), name), nil
	}
	return name, nil
}

// GetAtt returns what !GetAtt logicalID.attr gives for a resource of t.
func (w World) GetAtt(t *samtemplate.Template, logicalID, attr string) (string, error) {
	body, ok := t.Resource(logicalID)
	if !ok {
		return "", fmt.Errorf("no resource %s", logicalID)
	}
	name := w.name(logicalID)
	typ, _ := body["Type"].(string)
	switch typ + "." + attr {
	case "AWS::DynamoDB::Table.Arn":
		return w.TableARN(name), nil
	case "AWS::DynamoDB::Table.StreamArn":
		// A table has one stream at a time, whose label only AWS knows.
		return w.TableARN(name) + "/stream/*", nil
	case "AWS::S3::Bucket.Arn":
		return w.BucketARN(name), nil
	case "AWS::SQS::Queue.Arn":
		return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", w.partition(), w.region(), w.account(), name), nil
	case "AWS::SNS::Topic.TopicArn":
		return w.Ref(t, logicalID)
	case "AWS::Serverless::Function.Arn", "AWS::Lambda::Function.Arn":
		return w.FunctionARN(name), nil
	case "AWS::Logs::LogGroup.Arn":
		return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:*", w.partition(), w.region(), w.account(), name), nil
	}
	return "", fmt.Errorf("cannot resolve !GetAtt %s.%s (%s)", logicalID, attr, typ)
}

// Statement is one statement of a function's policy, its resources
// resolved to ARN patterns.
type Statement struct {
	Effect    string   // Allow or Deny
	Actions   []string // as written: "dynamodb:Query", "s3:Get*"
	Resources []string // ARN patterns, wildcards included
	// Sources are the resources as the template writes them, in the
	// order of Resources: "!Sub ${Table.Arn}/index/*".
	Sources []string
}

// Policy is what a function's role allows, from its Policies property.
type Policy struct {
	Function   string
	Statements []Statement
}

// FunctionPolicy returns the policy of the AWS::Serverless::Function
// function of t. It fails on anything it cannot evaluate exactly — SAM
// policy templates, managed policies, conditions, NotAction, NotResource —
// so that no grant escapes the check.
func FunctionPolicy(t *samtemplate.Template, function string, w World) (*Policy, error) {
	body, ok := t.Resource(function)
	if !ok || body["Type"] != "AWS::Serverless::Function" {
		return nil, fmt.Errorf("iamcheck: no AWS::Serverless::Function %s in the template", function)
	}
	props, _ := body["Properties"].(map[string]any)
	if _, ok := props["Role"]; ok {
		return nil, fmt.Errorf("iamcheck: %s: a Role of its own cannot be checked; use Policies", function)
	}
	p := &Policy{Function: function}
	r := resolver{t: t, w: w}
	policies := props["Policies"]
	if _, ok := policies.([]any); !ok && policies != nil {
		policies = []any{policies}
	}
	for _, pol := range asList(policies) {
		doc, ok := pol.(map[string]any)
		stmts, hasStmts := doc["Statement"]
		if !ok || !hasStmts {
			return nil, fmt.Errorf("iamcheck: %s: policy %v is not an inline policy document (managed policies and SAM policy templates cannot be checked)", function, pol)
		}
		for _, st := range asList(stmts) {
			s, err := r.statement(st)
			if err != nil {
				return nil, fmt.Errorf("iamcheck: %s: %w", function, err)
			}
			p.Statements = append(p.Statements, s)
		}
	}
	return p, nil
}

func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

type resolver struct {
	t *samtemplate.Template
	w World
}

func (r resolver) statement(v any) (Statement, error) {
	st, ok := v.(map[string]any)
	if !ok {
		return Statement{}, fmt.Errorf("statement %v is not a map", v)
	}
	for _, k := range []string{"NotAction", "NotResource", "Condition", "Principal", "NotPrincipal"} {
		if _, ok := st[k]; ok {
			return Statement{}, fmt.Errorf("statement %v: %s cannot be checked", st, k)
		}
	}
	s := Statement{}
	if s.Effect, _ = st["Effect"].(string); s.Effect != "Allow" && s.Effect != "Deny" {
		return Statement{}, fmt.Errorf("statement %v: Effect must be Allow or Deny", st)
	}
	for _, a := range asList(st["Action"]) {
		vals, err := r.values(a)
		if err != nil {
			return Statement{}, err
		}
		s.Actions = append(s.Actions, vals...)
	}
	for _, res := range asList(st["Resource"]) {
		vals, err := r.values(res)
		if err != nil {
			return Statement{}, fmt.Errorf("resource %s: %w", source(res), err)
		}
		for _, v := range vals {
			s.Resources = append(s.Resources, v)
			s.Sources = append(s.Sources, source(res))
		}
	}
	if len(s.Actions) == 0 || len(s.Resources) == 0 {
		return Statement{}, fmt.Errorf("statement %v has no Action or no Resource", st)
	}
	return s, nil
}

// values resolves a template value to strings: a list gives several, and
// AWS::NoValue none.
func (r resolver) values(v any) ([]string, error) {
	if l, ok := v.([]any); ok {
		var out []string
		for _, e := range l {
			vals, err := r.values(e)
			if err != nil {
				return nil, err
			}
			out = append(out, vals...)
		}
		return out, nil
	}
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		if cond, ok := m["Fn::If"].([]any); ok && len(cond) == 3 {
			name, _ := cond[0].(string)
			yes, err := r.condition(name)
			if err != nil {
				return nil, err
			}
			if yes {
				return r.values(cond[1])
			}
			return r.values(cond[2])
		}
		if m["Ref"] == "AWS::NoValue" {
			return nil, nil
		}
	}
	s, err := r.str(v)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// str resolves a template value that must be one string.
func (r resolver) str(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64, bool, int:
		return fmt.Sprint(x), nil
	case map[string]any:
		if len(x) != 1 {
			break
		}
		for fn, arg := range x {
			switch fn {
			case "Ref":
				name, _ := arg.(string)
				return r.ref(name)
			case "Fn::GetAtt":
				id, attr, err := getAttArgs(arg)
				if err != nil {
					return "", err
				}
				return r.w.GetAtt(r.t, id, attr)
			case "Fn::Sub":
				return r.sub(arg)
			case "Fn::Join":
				args, _ := arg.([]any)
				if len(args) != 2 {
					break
				}
				delim, _ := args[0].(string)
				parts, err := r.values(args[1])
				if err != nil {
					return "", err
				}
				return strings.Join(parts, delim), nil
			case "Fn::If":
				vals, err := r.values(x)
				if err != nil {
					return "", err
				}
				if len(vals) != 1 {
					return "", fmt.Errorf("%s is not one value", source(v))
				}
				return vals[0], nil
			}
		}
	}
	return "", fmt.Errorf("cannot resolve %s", source(v))
}

func getAttArgs(arg any) (id, attr string, err error) {
	switch a := arg.(type) {
	case string:
		if id, attr, ok := strings.Cut(a, "."); ok {
			return id, attr, nil
		}
	case []any:
		if len(a) == 2 {
			id, _ := a[0].(string)
			attr, _ := a[1].(string)
			if id != "" && attr != "" {
				return id, attr, nil
			}
		}
	}
	return "", "", fmt.Errorf("malformed Fn::GetAtt %v", arg)
}

func (r resolver) ref(name string) (string, error) {
	switch name {
	case "AWS::Partition":
		return r.w.partition(), nil
	case "AWS::Region":
		return r.w.region(), nil
	case "AWS::AccountId":
		return r.w.account(), nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return r.w.name("AWS::StackName"), nil
	}
	params, _ := r.t.Raw["Parameters"].(map[string]any)
	if p, ok := params[name].(map[string]any); ok {
		if v, ok := r.w.Parameters[name]; ok {
			return v, nil
		}
		if def, ok := p["Default"]; ok {
			return fmt.Sprint(def), nil
		}
		return "", fmt.Errorf("parameter %s has no default: give it a value in World.Parameters", name)
	}
	return r.w.Ref(r.t, name)
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r resolver) sub(arg any) (string, error) {
	var tmpl string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) == 2 {
			tmpl, _ = a[0].(string)
			vars, _ = a[1].(map[string]any)
		}
	}
	if tmpl == "" {
		return "", fmt.Errorf("malformed Fn::Sub %v", arg)
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		var s string
		var err error
		if v, ok := vars[name]; ok {
			s, err = r.str(v)
		} else if id, attr, ok := strings.Cut(name, "."); ok && !strings.Contains(name, "::") {
			s, err = r.w.GetAtt(r.t, id, attr)
		} else {
			s, err = r.ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return s
	})
	return out, firstErr
}

// condition evaluates one of the template's Conditions.
func (r resolver) condition(name string) (bool, error) {
	conds, _ := r.t.Raw["Conditions"].(map[string]any)
	c, ok := conds[name]
	if !ok {
		return false, fmt.Errorf("no condition %s", name)
	}
	return r.cond(c)
}

func (r resolver) cond(v any) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("malformed condition %v", v)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Condition":
			name, _ := arg.(string)
			return r.condition(name)
		case "Fn::Equals":
			if len(args) != 2 {
				break
			}
			a, err := r.str(args[0])
			if err != nil {
				return false, err
			}
			b, err := r.str(args[1])
			return a == b, err
		case "Fn::Not":
			if len(args) != 1 {
				break
			}
			b, err := r.cond(args[0])
			return !b, err
		case "Fn::And", "Fn::Or":
			all := fn == "Fn::And"
			for _, a := range args {
				b, err := r.cond(a)
				if err != nil {
					return false, err
				}
				if b != all {
					return b, nil
				}
			}
			return all, nil
		}
	}
	return false, fmt.Errorf("cannot evaluate condition %v", v)
}

// source writes a template value back as the template's short form, for
// reports.
func source(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				switch fn {
				case "Ref":
					return "!Ref " + fmt.Sprint(arg)
				case "Fn::GetAtt":
					if id, attr, err := getAttArgs(arg); err == nil {
						return "!GetAtt " + id + "." + attr
					}
				case "Fn::Sub":
					if s, ok := arg.(string); ok {
						return "!Sub " + s
					}
				}
			}
		}
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = source(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// sortedUnique sorts and deduplicates s.
func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
