package dynamo

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// A bilan snapshot is stored once per event and language, and replaced on
// each run of the aggregation:
//
//	snapshot    PK=EVENT#<event>    SK=BILAN#<lang>
//
// Its data is the bilan's JSON, compressed; its coverage says which answers,
// notes and moderation changes it stands for, and which state of the event's
// activity (activity.go) it was computed after: its sequence number, seq.
const (
	attrSnapSeq   = "seq"
	skBilanPrefix = "BILAN#"
	// maxSnapshotBytes keeps a snapshot item under DynamoDB's 400 KB limit;
	// a bilan larger than that once compressed is computed on each download.
	maxSnapshotBytes = 350 << 10
)

var _ retours.SnapshotStore = (*Store)(nil)

// PutSnapshot implements retours.SnapshotStore, in a transaction with the
// check that the event lives.
func (st *Store) PutSnapshot(ctx context.Context, snap *retours.Snapshot) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(snap.Data)
	if err := zw.Close(); err != nil {
		return fmt.Errorf("dynamo: compress snapshot: %w", err)
	}
	if buf.Len() > maxSnapshotBytes {
		return retours.NewError(retours.EINVALID, "bilan.too_large")
	}
	item := map[string]types.AttributeValue{
		AttrPK:       s(eventPK(snap.EventID)),
		AttrSK:       s(skBilanPrefix + snap.Lang),
		AttrExpires:  n(snap.Expires.Unix()),
		"type":       s("bilan"),
		"answers":    n(int64(snap.Coverage.Answers)),
		"notes":      n(int64(snap.Coverage.Notes)),
		"moderation": n(int64(snap.Coverage.Moderation)),
		attrSnapSeq:  s(snap.Coverage.Seq),
		attrVersion:  n(int64(snap.Coverage.Version)),
		"created_at": s(snap.CreatedAt.UTC().Format(time.RFC3339Nano)),
		"data":       &types.AttributeValueMemberB{Value: buf.Bytes()},
	}
	// The bilan holds every note and quote: written only while the event
	// lives, so that an erasure that ran since it was computed is not undone.
	_, err := st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		st.liveEvent(snap.EventID),
		{Put: &types.Put{TableName: aws.String(st.table), Item: item}},
	}})
	if cancelledAt(err, 0) {
		return eventGone()
	}
	return translate(err, "put snapshot")
}

// Snapshot implements retours.SnapshotStore.
func (st *Store) Snapshot(ctx context.Context, eventID, lang string) (*retours.Snapshot, error) {
	item, err := st.getItem(ctx, eventPK(eventID), skBilanPrefix+lang)
	if err != nil {
		return nil, err
	}
	return unmarshalSnapshot(eventID, lang, item)
}

// unmarshalSnapshot decodes the snapshot item of eventID in lang.
// ENOTFOUND for a snapshot stored before events had an activity.
func unmarshalSnapshot(eventID, lang string, item map[string]types.AttributeValue) (*retours.Snapshot, error) {
	var err error
	snap := &retours.Snapshot{EventID: eventID, Lang: lang}
	snap.Coverage.Answers = num(item, "answers")
	snap.Coverage.Notes = num(item, "notes")
	snap.Coverage.Moderation = num(item, "moderation")
	snap.Coverage.Version = num(item, attrVersion)
	seq, ok := item[attrSnapSeq].(*types.AttributeValueMemberS)
	if !ok {
		// Stored before events had an activity: nothing tells what it
		// misses, so it is as good as none.
		return nil, retours.NewError(retours.ENOTFOUND, "not_found")
	}
	snap.Coverage.Seq = seq.Value
	if snap.CreatedAt, err = time.Parse(time.RFC3339Nano, str(item, "created_at")); err != nil {
		return nil, fmt.Errorf("dynamo: snapshot created_at: %w", err)
	}
	if v, ok := item[AttrExpires].(*types.AttributeValueMemberN); ok {
		sec, _ := strconv.ParseInt(v.Value, 10, 64)
		snap.Expires = time.Unix(sec, 0).UTC()
	}
	data, ok := item["data"].(*types.AttributeValueMemberB)
	if !ok {
		return nil, fmt.Errorf("dynamo: snapshot without data")
	}
	zr, err := gzip.NewReader(bytes.NewReader(data.Value))
	if err != nil {
		return nil, fmt.Errorf("dynamo: snapshot data: %w", err)
	}
	if snap.Data, err = io.ReadAll(zr); err != nil {
		return nil, fmt.Errorf("dynamo: snapshot data: %w", err)
	}
	return snap, nil
}

func num(item map[string]types.AttributeValue, name string) int {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.Atoi(v.Value)
		return n
	}
	return 0
}
