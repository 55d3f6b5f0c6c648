package dynamo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/storetest"
)

// TestItemKeys checks the table layout of the package comment: each kind of
// item's keys, its GSI1 entry (the events by closing time and by last
// activity; none for an answer or a note) and its TTL.
func TestItemKeys(t *testing.T) {
	st := dynamotest.NewFedStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	e.Series, e.Edition = "nec-auvergne", 2
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	exp := strconv.FormatInt(e.ExpiresAt().Unix(), 10)
	a := storetest.Answer(t, e, "", "4")
	answerExp := e.ExpiresAt().AddDate(0, 1, 0)
	if _, _, err := st.PutAnswer(ctx, a, answerExp); err != nil {
		t.Fatal(err)
	}
	n := storetest.Note(t, e, retours.NoteEtonnement, "Oh", t0.Add(time.Hour+500*time.Millisecond))
	if _, _, err := st.PutNote(ctx, n, e.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
	if err := st.PutSnapshot(ctx, &retours.Snapshot{EventID: e.ID, Lang: "fr", CreatedAt: t0, Expires: e.ExpiresAt(), Data: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	moderated := t0.Add(26 * time.Hour)
	if err := st.SetHidden(ctx, e, retours.TextRef{SubmissionID: n.SubmissionID}, true, moderated, nil); err != nil {
		t.Fatal(err)
	}
	org := retours.OrganiserID("alice@example.org")
	if err := st.Unsubscribe(ctx, e, org, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ClaimDigest(ctx, retours.DigestClaim{Week: "2026-W42", Organiser: org, Attempt: "a1"}, t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Drain(ctx); err != nil {
		t.Fatal(err)
	}

	type keys struct{ pk, sk, gsi1pk, gsi1sk, expires string }
	want := map[string]keys{
		"event":  {"EVENT#" + e.ID, "META", "EVENTS", e.ClosesAt.UTC().Format(time.RFC3339) + "#" + e.ID, exp},
		"series": {"SERIES#nec-auvergne", "EDITION#000002#" + e.ID, "", "", exp},
		"answer": {"EVENT#" + e.ID, "ANSWER#" + a.SubmissionID, "", "", strconv.FormatInt(answerExp.Unix(), 10)},
		"note":   {"EVENT#" + e.ID, "NOTE#" + n.SubmissionID, "", "", exp},
		"bilan":  {"EVENT#" + e.ID, "BILAN#fr", "", "", exp},
		// Its last write is the moderation change's, later than the
		// answers it counts; it lasts as long as the longest-kept of them.
		"activity":       {"EVENT#" + e.ID, "ACTIVITY", "ACTIVITY", "2026-10-16T11:00:00.000Z#" + e.ID, strconv.FormatInt(answerExp.Unix(), 10)},
		"unsubscription": {"EVENT#" + e.ID, "UNSUB#" + org, "", "", exp},
		"digest":         {"DIGEST#2026-W42", "ORGANISER#" + org, "", "", strconv.FormatInt(t0.AddDate(0, 0, 400).Unix(), 10)},
	}
	out, err := dynamotest.Client(t).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(st.Table())})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]keys{}
	for _, item := range out.Items {
		// The digest item has no type attribute.
		typ := attr(item, "type")
		if typ == "" {
			typ = "digest"
		}
		if _, dup := got[typ]; dup {
			t.Errorf("two %s items", typ)
		}
		got[typ] = keys{attr(item, dynamo.AttrPK), attr(item, dynamo.AttrSK), attr(item, dynamo.AttrGSI1PK), attr(item, dynamo.AttrGSI1SK), attr(item, dynamo.AttrExpires)}
	}
	for typ, w := range want {
		if got[typ] != w {
			t.Errorf("%s item keys = %+v,\nwant %+v", typ, got[typ], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d items, want %d: %v", len(got), len(want), got)
	}
}

// attr returns a string or number attribute of item.
func attr(item map[string]types.AttributeValue, name string) string {
	switch v := item[name].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	}
	return ""
}

// TestErasureKeys checks an erasure's items: the mark on the event's item,
// whose GSI1 entry moves from EVENTS to ERASING, and the erasure's record,
// keyed by a hash of the event id, which outlives the event by
// retours.ErasureKept and, once finished, names the event nowhere.
func TestErasureKeys(t *testing.T) {
	st := dynamotest.NewStore(t)
	ctx := context.Background()
	e := mustEvent(t)
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	started := t0.Add(40 * 24 * time.Hour)
	if _, err := st.StartErasure(ctx, e.ID, started); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(e.ID))
	recordPK := "ERASURE#" + hex.EncodeToString(sum[:16])
	items := func() map[string]map[string]types.AttributeValue {
		out, err := dynamotest.Client(t).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(st.Table())})
		if err != nil {
			t.Fatal(err)
		}
		byPK := map[string]map[string]types.AttributeValue{}
		for _, item := range out.Items {
			byPK[attr(item, dynamo.AttrPK)] = item
		}
		return byPK
	}
	all := items()
	meta, record := all["EVENT#"+e.ID], all[recordPK]
	if got, want := attr(meta, dynamo.AttrGSI1PK)+" "+attr(meta, dynamo.AttrGSI1SK), "ERASING 2026-11-24T09:00:00.000Z#"+e.ID; got != want {
		t.Errorf("the event's GSI1 entry while erasing = %q, want %q", got, want)
	}
	if got, want := attr(meta, "erasing"), strconv.FormatInt(started.UnixMilli(), 10); got != want {
		t.Errorf("erasing = %q, want %q", got, want)
	}
	if got, want := attr(record, dynamo.AttrSK)+" "+attr(record, "state")+" "+attr(record, dynamo.AttrExpires), "ERASURE erasing "+strconv.FormatInt(e.ExpiresAt().Add(retours.ErasureKept).Unix(), 10); got != want {
		t.Errorf("the record = %q, want %q", got, want)
	}
	if _, err := st.FinishErasure(ctx, e.ID, started.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	all = items()
	if len(all) != 1 || all[recordPK] == nil {
		t.Fatalf("items after the erasure: %v, want the record alone", all)
	}
	record = all[recordPK]
	if got, want := attr(record, "state")+" "+attr(record, dynamo.AttrExpires), "erased "+strconv.FormatInt(started.Add(time.Minute+retours.ErasureKept).Unix(), 10); got != want {
		t.Errorf("the record once finished = %q, want %q", got, want)
	}
	for name, v := range record {
		if s, ok := v.(*types.AttributeValueMemberS); ok && strings.Contains(s.Value, e.ID) {
			t.Errorf("the record names the event in %s", name)
		}
	}
}
