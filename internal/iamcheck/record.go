package iamcheck

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go/middleware"

	"github.com/retours/retours/internal/sigv4"
)

// Call is one AWS API call a function's code made, with what IAM decides
// on: the service and operation, and the resources the call touches.
type Call struct {
	Service   string `json:",omitempty"` // the SDK's service id: "DynamoDB", "S3", "SESv2", "Secrets Manager", "Lambda"
	Operation string `json:",omitempty"` // "Query", "PutObject", "SendEmail"…

	Table string `json:",omitempty"` // DynamoDB: the table of a single-table call
	Index string `json:",omitempty"` // DynamoDB: the index a Query or Scan reads
	// Items are the tables and item operations of a batch or a transaction
	// (BatchWriteItem, BatchGetItem, TransactWriteItems, TransactGetItems).
	Items []Item `json:",omitempty"`

	Bucket string `json:",omitempty"` // S3
	Key    string `json:",omitempty"` // S3: the object's key

	// From is SendEmail's sending address, or the identity ARN it names.
	From string `json:",omitempty"`
	// ConfigurationSet is the SES configuration set a SendEmail names.
	ConfigurationSet string `json:",omitempty"`

	Secret string `json:",omitempty"` // Secrets Manager: the SecretId, a name or an ARN

	Function string `json:",omitempty"` // Lambda: the function invoked, a name or an ARN
}

// Item is one item operation of a batch or a transaction.
type Item struct {
	Table string
	// Op is the item-level operation: PutItem, UpdateItem, DeleteItem,
	// ConditionCheckItem or GetItem.
	Op string
}

// String describes c on one line, for reports.
func (c Call) String() string {
	var b strings.Builder
	b.WriteString(c.Service + " " + c.Operation)
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, " %s=%s", k, v)
		}
	}
	add("table", c.Table)
	add("index", c.Index)
	for _, it := range c.Items {
		fmt.Fprintf(&b, " %s:%s", it.Op, it.Table)
	}
	add("bucket", c.Bucket)
	add("key", c.Key)
	add("from", c.From)
	add("configuration-set", c.ConfigurationSet)
	add("secret", c.Secret)
	add("function", c.Function)
	return b.String()
}

// Recorder notes every call made through the SDK clients it is attached
// to. It is safe for concurrent use; identical calls are kept once.
type Recorder struct {
	mu    sync.Mutex
	calls map[string]Call
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	return &Recorder{calls: map[string]Call{}}
}

// Calls returns the distinct calls recorded so far, in a stable order.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys := make([]string, 0, len(r.calls))
	for k := range r.calls {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]Call, len(keys))
	for i, k := range keys {
		out[i] = r.calls[k]
	}
	return out
}

// Reset forgets the calls recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.calls)
}

// Middleware adds the recorder to an SDK client's middleware stack: append
// it to aws.Config.APIOptions, or to any client's Options.APIOptions. A call
// is recorded once, before its first attempt, whether it then succeeds or
// not: IAM is asked either way. Presigning records the call it signs.
func (r *Recorder) Middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("retours/iamcheck",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			r.add(describe(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), in.Parameters))
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

func (r *Recorder) add(c Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[c.String()] = c
}

// Config attaches the recorder to every client made from cfg.
func (r *Recorder) Config(cfg *aws.Config) { cfg.APIOptions = append(cfg.APIOptions, r.Middleware) }

// DynamoDB attaches the recorder to a DynamoDB client: pass it among the
// client's option functions (dynamodb.New(opts, rec.DynamoDB)).
func (r *Recorder) DynamoDB(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, r.Middleware) }

// S3 attaches the recorder to internal/s3blob's client, which runs each
// call through a middleware stack likewise, the signing of a link included
// (as GetObject).
func (r *Recorder) S3(o *sigv4.Options) { o.APIOptions = append(o.APIOptions, r.Middleware) }

// SESv2 attaches the recorder to an SES v2 client.
func (r *Recorder) SESv2(o *sesv2.Options) { o.APIOptions = append(o.APIOptions, r.Middleware) }

// Lambda attaches the recorder to internal/lambdainvoke's client, which
// runs each invocation through a middleware stack as the SDK's clients do
// (internal/sigv4).
func (r *Recorder) Lambda(o *sigv4.Options) { o.APIOptions = append(o.APIOptions, r.Middleware) }

// SecretsManager attaches the recorder to internal/app/secrets' client,
// which runs each read of a secret through a middleware stack likewise.
func (r *Recorder) SecretsManager(o *sigv4.Options) {
	o.APIOptions = append(o.APIOptions, r.Middleware)
}

// describe reads the resources out of an operation's input.
func describe(service, op string, params any) Call {
	c := Call{Service: service, Operation: op}
	switch in := params.(type) {
	case *dynamodb.BatchWriteItemInput:
		for _, table := range sortedKeys(in.RequestItems) {
			for _, w := range in.RequestItems[table] {
				if w.PutRequest != nil {
					c.Items = appendItem(c.Items, Item{table, "PutItem"})
				}
				if w.DeleteRequest != nil {
					c.Items = appendItem(c.Items, Item{table, "DeleteItem"})
				}
			}
		}
	case *dynamodb.BatchGetItemInput:
		for _, table := range sortedKeys(in.RequestItems) {
			c.Items = appendItem(c.Items, Item{table, "GetItem"})
		}
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				c.Items = appendItem(c.Items, Item{aws.ToString(it.Put.TableName), "PutItem"})
			case it.Update != nil:
				c.Items = appendItem(c.Items, Item{aws.ToString(it.Update.TableName), "UpdateItem"})
			case it.Delete != nil:
				c.Items = appendItem(c.Items, Item{aws.ToString(it.Delete.TableName), "DeleteItem"})
			case it.ConditionCheck != nil:
				c.Items = appendItem(c.Items, Item{aws.ToString(it.ConditionCheck.TableName), "ConditionCheckItem"})
			}
		}
	case *dynamodb.TransactGetItemsInput:
		for _, it := range in.TransactItems {
			if it.Get != nil {
				c.Items = appendItem(c.Items, Item{aws.ToString(it.Get.TableName), "GetItem"})
			}
		}
	case *sesv2.SendEmailInput:
		c.From = aws.ToString(in.FromEmailAddressIdentityArn)
		if c.From == "" {
			c.From = aws.ToString(in.FromEmailAddress)
		}
		if c.From == "" && in.Content != nil && in.Content.Raw != nil {
			// Without a FromEmailAddress, SES sends from the raw message's From.
			if m, err := mail.ReadMessage(bytes.NewReader(in.Content.Raw.Data)); err == nil {
				if a, err := mail.ParseAddress(m.Header.Get("From")); err == nil {
					c.From = a.Address
				}
			}
		}
		c.ConfigurationSet = aws.ToString(in.ConfigurationSetName)
	default:
		// Single-resource operations name their resource in the same field
		// across a service's operations.
		c.Table = stringField(params, "TableName")
		c.Index = stringField(params, "IndexName")
		c.Bucket = stringField(params, "Bucket")
		c.Key = stringField(params, "Key")
		c.Secret = stringField(params, "SecretId")
		c.Function = stringField(params, "FunctionName")
	}
	return c
}

func appendItem(items []Item, it Item) []Item {
	if slices.Contains(items, it) {
		return items
	}
	return append(items, it)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// stringField returns the *string or string field name of the struct v
// points to, or "".
func stringField(v any, name string) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return ""
	}
	f := rv.Elem().FieldByName(name)
	switch {
	case !f.IsValid():
		return ""
	case f.Kind() == reflect.String:
		return f.String()
	case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String:
		return f.Elem().String()
	}
	return ""
}
