package iamcheck

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/retours/retours/internal/samtemplate"
)

// Requirement is one permission a call needs: Action on one of Resources
// (several when AWS may authorise the call against any of them, as SES
// does with an address and its domain).
type Requirement struct {
	Action    string
	Resources []string
}

// Requirements returns what IAM checks for c, in w. It fails for an
// operation it does not know, rather than guess.
func (c Call) Requirements(w World) ([]Requirement, error) {
	one := func(action string, resources ...string) []Requirement {
		return []Requirement{{Action: action, Resources: resources}}
	}
	switch c.Service {
	case "DynamoDB":
		switch c.Operation {
		case "TransactWriteItems", "TransactGetItems":
			// A transaction needs the item-level action of each item it
			// holds, on each table: there is no TransactWriteItems action.
			var reqs []Requirement
			for _, it := range c.Items {
				reqs = append(reqs, Requirement{"dynamodb:" + it.Op, []string{w.TableARN(it.Table)}})
			}
			return reqs, nil
		case "BatchWriteItem", "BatchGetItem":
			var reqs []Requirement
			seen := map[string]bool{}
			for _, it := range c.Items {
				if !seen[it.Table] {
					seen[it.Table] = true
					reqs = append(reqs, Requirement{"dynamodb:" + c.Operation, []string{w.TableARN(it.Table)}})
				}
			}
			return reqs, nil
		case "ListTables":
			return one("dynamodb:ListTables", "*"), nil
		case "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction":
			return nil, fmt.Errorf("PartiQL (%s) cannot be checked", c.Operation)
		}
		if c.Table == "" {
			return nil, fmt.Errorf("%s names no table", c.Operation)
		}
		res := w.TableARN(c.Table)
		if c.Index != "" {
			res += "/index/" + c.Index
		}
		return one("dynamodb:"+c.Operation, res), nil

	case "S3":
		object := w.BucketARN(c.Bucket) + "/" + c.Key
		switch c.Operation {
		case "PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload":
			return one("s3:PutObject", object), nil
		case "GetObject":
			return one("s3:GetObject", object), nil
		case "HeadObject":
			// Asking whether an object exists relies on S3's 404, which it
			// gives only to a caller allowed to list the bucket (403
			// otherwise).
			return []Requirement{{"s3:GetObject", []string{object}}, {"s3:ListBucket", []string{w.BucketARN(c.Bucket)}}}, nil
		case "DeleteObject":
			return one("s3:DeleteObject", object), nil
		case "AbortMultipartUpload":
			return one("s3:AbortMultipartUpload", object), nil
		case "ListObjectsV2", "ListObjects", "HeadBucket":
			return one("s3:ListBucket", w.BucketARN(c.Bucket)), nil
		case "CreateBucket", "DeleteBucket":
			return one("s3:"+c.Operation, w.BucketARN(c.Bucket)), nil
		}
		return nil, fmt.Errorf("S3 %s has no IAM mapping here: add it", c.Operation)

	case "SESv2":
		if c.Operation != "SendEmail" {
			return nil, fmt.Errorf("SES %s has no IAM mapping here: add it", c.Operation)
		}
		if c.From == "" {
			return nil, errors.New("SendEmail names no sender")
		}
		var ids []string
		if strings.HasPrefix(c.From, "arn:") {
			ids = []string{c.From}
		} else {
			// SES authorises the address's identity or its domain's
			// (a verified domain covers its subdomains).
			ids = append(ids, w.IdentityARN(c.From))
			_, domain, _ := strings.Cut(c.From, "@")
			for d := domain; strings.Contains(d, "."); _, d, _ = strings.Cut(d, ".") {
				ids = append(ids, w.IdentityARN(d))
			}
		}
		reqs := []Requirement{{"ses:SendEmail", ids}}
		if c.ConfigurationSet != "" {
			reqs = append(reqs, Requirement{"ses:SendEmail", []string{fmt.Sprintf("arn:%s:ses:%s:%s:configuration-set/%s", w.partition(), w.region(), w.account(), c.ConfigurationSet)}})
		}
		return reqs, nil

	case "Lambda":
		if c.Operation != "Invoke" {
			return nil, fmt.Errorf("Lambda %s has no IAM mapping here: add it", c.Operation)
		}
		if c.Function == "" {
			return nil, errors.New("Invoke names no function")
		}
		return one("lambda:InvokeFunction", w.FunctionARN(c.Function)), nil

	case "Secrets Manager":
		if c.Secret == "" {
			return nil, fmt.Errorf("Secrets Manager %s names no secret", c.Operation)
		}
		return one("secretsmanager:"+c.Operation, w.SecretARN(c.Secret)), nil
	}
	return nil, fmt.Errorf("service %q has no IAM mapping here: add it", c.Service)
}

// Grant is one action on one resource that an Allow statement gives.
type Grant struct {
	Action   string // as written in the template
	Resource string // the resolved ARN pattern
	Source   string // the resource as the template writes it
}

func (g Grant) String() string {
	if g.Source != g.Resource {
		return fmt.Sprintf("%s on %s (%s)", g.Action, g.Source, g.Resource)
	}
	return g.Action + " on " + g.Resource
}

// Denial is a call the policy does not allow.
type Denial struct {
	Call   Call
	Need   Requirement // the permission missing; empty when Reason says the call cannot be mapped
	Reason string
}

func (d Denial) String() string {
	if d.Need.Action == "" {
		return fmt.Sprintf("%s: %s", d.Call, d.Reason)
	}
	return fmt.Sprintf("%s needs %s on %s: %s", d.Call, d.Need.Action, strings.Join(d.Need.Resources, " or "), d.Reason)
}

// Report is what a function's recorded calls prove about its policy.
type Report struct {
	Function string
	Denied   []Denial // calls AWS would refuse
	Unused   []Grant  // grants no recorded call needed
}

// Evaluate checks calls against p, as IAM would: a call is allowed when
// each permission it needs is granted by an Allow statement (action and
// resource, wildcards included) and no Deny statement matches it. Grants
// that none of calls needed are reported as unused.
func Evaluate(p *Policy, calls []Call, w World) Report {
	rep := Report{Function: p.Function}
	type grantKey struct{ st, a, r int }
	used := map[grantKey]bool{}
	for _, c := range calls {
		reqs, err := c.Requirements(w)
		if err != nil {
			rep.Denied = append(rep.Denied, Denial{Call: c, Reason: err.Error()})
			continue
		}
		for _, req := range reqs {
			allowed, denied := false, false
			for si, st := range p.Statements {
				for ai, a := range st.Actions {
					if !matchAction(a, req.Action) {
						continue
					}
					for ri, res := range st.Resources {
						for _, want := range req.Resources {
							if !matchResource(res, want) {
								continue
							}
							if st.Effect == "Deny" {
								denied = true
							} else {
								allowed = true
								used[grantKey{si, ai, ri}] = true
							}
						}
					}
				}
			}
			switch {
			case denied:
				rep.Denied = append(rep.Denied, Denial{c, req, "explicitly denied"})
			case !allowed:
				rep.Denied = append(rep.Denied, Denial{c, req, "not allowed by " + p.Function + "'s policy"})
			}
		}
	}
	for si, st := range p.Statements {
		if st.Effect != "Allow" {
			continue
		}
		for ai, a := range st.Actions {
			for ri, res := range st.Resources {
				if !used[grantKey{si, ai, ri}] {
					rep.Unused = append(rep.Unused, Grant{Action: a, Resource: res, Source: st.Sources[ri]})
				}
			}
		}
	}
	return rep
}

// Failures returns nil when rep has nothing to report, else an error listing
// every denied call and, when unused is set, every unused grant.
func (rep Report) Failures(unused bool) error {
	var lines []string
	for _, d := range rep.Denied {
		lines = append(lines, "  denied: "+d.String())
	}
	if unused {
		for _, g := range rep.Unused {
			lines = append(lines, "  granted, never used: "+g.String())
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("%s's policy in template.yaml does not match its calls:\n%s", rep.Function, strings.Join(sortedUnique(lines), "\n"))
}

// Verify evaluates the calls a test run recorded for function against its
// policy in the repository's template.yaml and returns an error listing
// every call AWS would refuse and every grant none of the calls used. For
// TestMain, after m.Run.
func Verify(function string, calls []Call, w World) error {
	rep, err := evaluateDefault(function, calls, w)
	if err != nil {
		return err
	}
	return rep.Failures(true)
}

// Check fails t when a call is not allowed by function's policy in
// template.yaml, or when the policy grants something none of the calls
// used: the test of a function's complete set of calls.
func Check(t testing.TB, function string, calls []Call, w World) {
	t.Helper()
	if err := Verify(function, calls, w); err != nil {
		t.Error(err)
	}
}

// CheckAllowed fails t when a call is not allowed by function's policy in
// template.yaml; unused grants are not checked, for tests that make only
// some of a function's calls.
func CheckAllowed(t testing.TB, function string, calls []Call, w World) {
	t.Helper()
	rep, err := evaluateDefault(function, calls, w)
	if err == nil {
		err = rep.Failures(false)
	}
	if err != nil {
		t.Error(err)
	}
}

func evaluateDefault(function string, calls []Call, w World) (Report, error) {
	t, err := samtemplate.LoadDefault()
	if err != nil {
		return Report{}, err
	}
	p, err := FunctionPolicy(t, function, w)
	if err != nil {
		return Report{}, err
	}
	return Evaluate(p, calls, w), nil
}

// matchAction matches an IAM action pattern: case-insensitive, with * and ?.
func matchAction(pattern, action string) bool {
	return glob(strings.ToLower(pattern), strings.ToLower(action))
}

// matchResource matches an IAM resource pattern: case-sensitive, * and ?
// match across the ARN's separators.
func matchResource(pattern, arn string) bool { return glob(pattern, arn) }

func glob(p, s string) bool {
	// Iterative matching with backtracking to the last star.
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
