package dynamo_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

// capacity asks DynamoDB for the capacity each PutItem consumes, index
// writes included, and keeps it.
type capacity struct {
	mu   sync.Mutex
	puts []*types.ConsumedCapacity
}

func (c *capacity) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("ConsumedCapacity", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if p, ok := in.Parameters.(*dynamodb.PutItemInput); ok {
			p.ReturnConsumedCapacity = types.ReturnConsumedCapacityIndexes
		}
		out, md, err := next.HandleInitialize(ctx, in)
		if o, ok := out.Result.(*dynamodb.PutItemOutput); ok && o.ConsumedCapacity != nil {
			c.mu.Lock()
			c.puts = append(c.puts, o.ConsumedCapacity)
			c.mu.Unlock()
		}
		return out, md, err
	}), middleware.Before)
}

// last returns the capacity of the last PutItem.
func (c *capacity) last(t *testing.T) *types.ConsumedCapacity {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.puts) == 0 {
		t.Fatal("no PutItem reported its consumed capacity")
	}
	return c.puts[len(c.puts)-1]
}

// TestOneWritePerAnswer: an answer to the default questionnaire, every
// question answered, and a note cost one write capacity unit each, as
// DynamoDB Local reports it (the table, and no index). The free texts of an
// answer may hold about 780 bytes in all (an accented letter takes two)
// before it costs two.
func TestOneWritePerAnswer(t *testing.T) {
	base := dynamotest.NewStore(t)
	c := &capacity{}
	st := dynamo.New(dynamodb.New(dynamotest.Client(t).Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, c.middleware)
	}), base.Table())
	ctx := context.Background()
	e := storetest.Event(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	check := func(what string, want float64) {
		t.Helper()
		cc := c.last(t)
		if got := aws.ToFloat64(cc.CapacityUnits); got != want {
			t.Errorf("%s: %v write units, want %v", what, got, want)
		}
		if len(cc.GlobalSecondaryIndexes) != 0 {
			t.Errorf("%s writes to an index: %v", what, cc.GlobalSecondaryIndexes)
		}
	}
	answer := func(suites, comment string) {
		t.Helper()
		a, err := retours.NewAnswer(e, retours.AnswerInput{
			SubmissionID: storetest.SubmissionID(t), SessionID: e.Sessions[1].ID, Lang: "fr",
			Raw: map[string][]string{"satisfaction": {"4"}, "nps": {"9"}, "rencontres": {"oui"}, "profil": {"association"},
				"suites": {suites}, "commentaire": {comment}},
		}, strings.NewReader(strings.Repeat("x", 64)), storetest.T0.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		a.SubmissionID = storetest.SubmissionID(t)
		if _, created, err := st.PutAnswer(ctx, a, e.ExpiresAt()); err != nil || !created {
			t.Fatalf("PutAnswer = %v, %v", created, err)
		}
	}
	answer("Monter un atelier numérique à la médiathèque", "Très bien organisé, merci à toute l'équipe !")
	check("an answer", 1)

	n := storetest.Note(t, e, retours.NoteEtonnement, "Autant d'élus que d'associations autour de la table, on n'avait jamais vu ça.", storetest.T0.Add(time.Hour))
	if _, _, err := st.PutNote(ctx, n, e.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
	check("a note", 1)

	// How much text fits in one unit: the longest comment that does.
	lo, hi := 0, 1500
	for lo+1 < hi {
		mid := (lo + hi) / 2
		answer("", strings.Repeat("a", mid))
		if aws.ToFloat64(c.last(t).CapacityUnits) == 1 {
			lo = mid
		} else {
			hi = mid
		}
	}
	t.Logf("an answer costs one write unit with up to %d bytes of free text", lo)
	if lo < 750 {
		t.Errorf("an answer costs one write unit with up to %d bytes of free text, want at least 750 (README, Data model)", lo)
	}
	answer("", strings.Repeat("a", lo+1))
	check("an answer one byte over", 2)
}
