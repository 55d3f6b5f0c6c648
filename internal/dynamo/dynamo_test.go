package dynamo_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamolocal"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// The store's behaviour is the contract's; the tests below are about how
// DynamoDB holds it: large partitions, keys and TTL.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return dynamotest.NewFedStore(t) })
}

var (
	t0        = storetest.T0
	mustEvent = storetest.Event
)

// TestEventOfUnknownQuestionKind: an event stored with a question kind this
// version does not know (written by a later one) is an error when read, not
// an event whose question is silently dropped, nor the caller's invalid
// input.
func TestEventOfUnknownQuestionKind(t *testing.T) {
	c, table, st, e := storedEvent(t)
	ctx := context.Background()
	items, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: &table})
	if err != nil {
		t.Fatal(err)
	}
	replaced := 0
	for _, item := range items.Items {
		data, ok := item["data"].(*types.AttributeValueMemberS)
		if !ok || !strings.Contains(data.Value, `"kind":"text"`) {
			continue
		}
		item["data"] = &types.AttributeValueMemberS{Value: strings.Replace(data.Value, `"kind":"text"`, `"kind":"date"`, 1)}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
			t.Fatal(err)
		}
		replaced++
	}
	if replaced != 1 {
		t.Fatalf("%d stored events with a text question, want 1", replaced)
	}
	got, err := st.Event(ctx, e.ID)
	if err == nil || retours.ErrorCode(err) != retours.EINTERNAL || !strings.Contains(err.Error(), "question.kind") {
		t.Errorf("Event() = %v, %v; want an internal error saying the question kind is unknown", got, err)
	}
}

// TestAnswersReadsLargePartitions stores more answers than one Query page
// holds, with few answers in the first key range and with many: the first
// page stops in a range, and the rest is read in parallel key ranges from
// there; each answer must come back once.
func TestAnswersReadsLargePartitions(t *testing.T) {
	for _, inFirst := range []int{5, 20} {
		t.Run(fmt.Sprintf("%d in the first range", inFirst), func(t *testing.T) {
			testAnswersReadsLargePartition(t, inFirst)
		})
	}
}

func testAnswersReadsLargePartition(t *testing.T, inFirst int) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	const n = 3000 // about 1.5 MB: two pages or more
	want := mustSeedLongAnswers(t, st, e, n, inFirst)

	seen := map[string]int{}
	err := st.Answers(ctx, e.ID, func(a *retours.Answer) error {
		seen[a.ID]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Errorf("read %d distinct answers, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 || !want[id] {
			t.Errorf("answer %s read %d times", id, c)
		}
	}

	// An error from the callback stops the read and is returned.
	stop := errors.New("stop")
	calls := 0
	err = st.Answers(ctx, e.ID, func(*retours.Answer) error {
		if calls++; calls == 2000 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2000 {
		t.Errorf("Answers() = %v after %d calls, want the callback's error after 2000", err, calls)
	}

	// A read cut short by its context fails rather than returning part of
	// the answers.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	calls = 0
	err = st.Answers(cctx, e.ID, func(*retours.Answer) error {
		if calls++; calls == 100 {
			cancel()
		}
		return nil
	})
	if retours.ErrorCode(err) != retours.EUNAVAILABLE || calls >= n {
		t.Errorf("Answers() with its context cancelled = %v after %d calls, want unavailable before %d", err, calls, n)
	}
}

// TestCoverageOfALargePartition counts answers over several pages, where
// the count runs over parallel key ranges.
func TestCoverageOfALargePartition(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	const n = 2500 // about 1.3 MB: more than one page
	mustSeedLongAnswers(t, st, e, n, 20)
	if cov, err := st.Coverage(ctx, e.ID); err != nil || cov.Answers != n {
		t.Errorf("Coverage = %+v, %v; want %d answers", cov, err, n)
	}
}

// mustSeedLongAnswers writes n answers with a long text to e's partition with
// BatchWriteItem (more than one Query page from about 2,000 on), inFirst of
// them in the first of the 256 key ranges (a submission id starting with
// 00), and returns their ids.
func mustSeedLongAnswers(tb testing.TB, st *dynamo.Store, e *retours.Event, n, inFirst int) map[string]bool {
	tb.Helper()
	ctx := context.Background()
	long := strings.Repeat("Des échanges riches entre élus et associations. ", 10)
	ids := map[string]bool{}
	var items []types.WriteRequest
	flush := func() {
		for len(items) > 0 {
			out, err := dynamotest.Client(tb).BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{st.Table(): items}})
			if err != nil {
				tb.Fatal(err)
			}
			items = out.UnprocessedItems[st.Table()]
		}
	}
	for i := 0; i < n; i++ {
		sub := storetest.SubmissionID(tb)
		for strings.HasPrefix(sub, "00") {
			sub = storetest.SubmissionID(tb)
		}
		if i < inFirst {
			sub = "00" + sub[2:]
		}
		a := &retours.Answer{EventID: e.ID, ID: fmt.Sprintf("a%05d", i), SubmissionID: sub, Lang: "fr", CreatedAt: t0,
			Values: map[string]retours.Value{"satisfaction": {Number: 1 + i%5}, "commentaire": {Text: long}}}
		ids[a.ID] = true
		items = append(items, types.WriteRequest{PutRequest: &types.PutRequest{Item: dynamo.AnswerItem(a, e.ExpiresAt())}})
		if len(items) == 25 {
			flush()
		}
	}
	flush()
	return ids
}

// storedEvent returns a store on a table of its own, its client and the
// table's name, and an event stored there.
func storedEvent(t *testing.T) (*dynamodb.Client, string, *dynamo.Store, *retours.Event) {
	t.Helper()
	c := dynamotest.Client(t)
	table := dynamotest.NewTable(t, c)
	st := dynamo.New(c, table)
	e := mustEvent(t)
	if err := st.CreateEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return c, table, st, e
}

// storeWithOneToken stores e again as events were stored before they had
// versions and several accesses: its one token's hash in token_hash, no
// accesses, no version. It returns the token.
func storeWithOneToken(t *testing.T, c *dynamodb.Client, table string, e *retours.Event) string {
	t.Helper()
	ctx := context.Background()
	token, hash, _ := retours.NewToken(rand.Reader)
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "EVENT#" + e.ID}, "SK": &types.AttributeValueMemberS{Value: "META"}}})
	if err != nil {
		t.Fatal(err)
	}
	item := out.Item
	delete(item, "accesses")
	delete(item, "ver")
	item["token_hash"] = &types.AttributeValueMemberS{Value: hash}
	data := item["data"].(*types.AttributeValueMemberS).Value
	item["data"] = &types.AttributeValueMemberS{Value: strings.Replace(data, `"version":1,`, "", 1)}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
		t.Fatal(err)
	}
	return token
}

// TestEventStoredWithOneToken: an event stored before events had versions
// and several accesses (its token's hash in token_hash, no accesses, no
// version) is read with its token as its first access at version 1, and
// takes an edit and a new access.
func TestEventStoredWithOneToken(t *testing.T) {
	c, table, st, e := storedEvent(t)
	ctx := context.Background()
	token := storeWithOneToken(t, c, table, e)
	old, err := st.Event(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := old.AccessFor(token); !ok || a.ID != retours.FirstAccessID || old.Version != 1 || len(old.Accesses) != 1 {
		t.Fatalf("old event: accesses %+v, version %d; want its token as the first access at version 1", old.Accesses, old.Version)
	}
	in := retours.EditOf(old)
	in.Title = "Renamed"
	edited, err := old.Edit(in, false, strings.NewReader(strings.Repeat("s", 64)))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateEvent(ctx, edited, nil); err != nil {
		t.Fatalf("edit of the old event: %v", err)
	}
	second, _, _ := retours.NewAccess(strings.NewReader(strings.Repeat("a", 64)), "Tiers-lieu", retours.FirstAccessID, t0, false)
	both, _ := retours.WithAccess(old.Accesses, second)
	if err := st.ReplaceAccesses(ctx, old, both, nil); err != nil {
		t.Fatalf("new access of the old event: %v", err)
	}
	got, err := st.Event(ctx, e.ID)
	if err != nil || got.Title != "Renamed" || got.Version != 2 || len(got.Accesses) != 2 {
		t.Fatalf("event = %+v, %v", got, err)
	}
	if _, ok := got.AccessFor(token); !ok {
		t.Error("the old token no longer works")
	}
}

// TestErasureOfAnEventStoredWithOneToken: the erasure of an event stored
// with its token's hash alone keeps that hash, so that its organiser
// follows the erasure with the token.
func TestErasureOfAnEventStoredWithOneToken(t *testing.T) {
	c, table, st, e := storedEvent(t)
	ctx := context.Background()
	token := storeWithOneToken(t, c, table, e)
	if _, err := st.StartErasure(ctx, e.ID, t0); err != nil {
		t.Fatal(err)
	}
	er, err := st.Erasure(ctx, e.ID)
	if err != nil || !er.CheckToken(token) || len(er.AccessHashes) != 1 {
		t.Errorf("Erasure = %+v, %v; want the event's one token", er, err)
	}
}

// TestErasureStartsOverAccessesChanged: an access revoked between the
// start's read of the event and its transaction does not follow the
// erasure, and one granted then does: the mark is written on condition
// that the accesses are those read, and the start reads them again.
func TestErasureStartsOverAccessesChanged(t *testing.T) {
	c := dynamotest.Client(t)
	table := dynamotest.NewTable(t, c)
	st := dynamo.New(c, table)
	ctx := context.Background()
	e := mustEvent(t)
	revoked, revokedToken, _ := retours.NewAccess(rand.Reader, "Conseil départemental", e.Accesses[0].ID, t0, false)
	granted, grantedToken, _ := retours.NewAccess(rand.Reader, "Tiers-lieu", e.Accesses[0].ID, t0, false)
	e.Accesses = append(e.Accesses, revoked)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	// Another organiser revokes one access and grants another just as the
	// erasure's transaction is sent.
	change := func() {
		next, _ := retours.WithoutAccess(e.Accesses, revoked.ID, true)
		next, _ = retours.WithAccess(next, granted)
		if err := st.ReplaceAccesses(ctx, e, next, nil); err != nil {
			t.Error(err)
		}
	}
	racing := dynamo.New(dynamolocal.Client(dynamotest.Endpoint(t), beforeFirst("TransactWriteItems", change)), table)
	er, err := racing.StartErasure(ctx, e.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.Erasure(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, er := range map[string]*retours.Erasure{"StartErasure": er, "Erasure": stored} {
		if er.CheckToken(revokedToken) || !er.CheckToken(grantedToken) || len(er.AccessHashes) != 2 {
			t.Errorf("%s = %+v; want the accesses as they were when the event was marked", name, er)
		}
	}
}

// beforeFirst makes a client call hook before its first call of op.
func beforeFirst(op string, hook func()) func(*dynamodb.Options) {
	var once sync.Once
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("retours/before",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if awsmiddleware.GetOperationName(ctx) == op {
						once.Do(hook)
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	}
}
