package dynamo

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// Items that serve the bilan:
//
//	snapshot    PK=EVENT#<event>    SK=BILAN#<lang>                      one per language, replaced on each run
//	moderation  PK=EVENT#<event>    SK=MODERATION                        GSI1PK=DAY#<yyyy-mm-dd> GSI1SK=<event>#<changed_at>
//	series      PK=SERIES#<series>  SK=EDITION#<000000 edition>#<event>
//
// The moderation item counts the hide and unhide changes, so a snapshot can
// say which it covers; its GSI1 keys put the event among the day's changes
// like an answer would. The series item lets the bilan find the previous
// edition with one Query: GSI1 holds keys only, so filtering GSI1PK=EVENTS
// by series would mean reading every event of the deployment.
const (
	skBilanPrefix   = "BILAN#"
	skModeration    = "MODERATION"
	seriesPKPrefix  = "SERIES#"
	skEditionPrefix = "EDITION#"
	// maxSnapshotBytes keeps a snapshot item under DynamoDB's 400 KB limit;
	// a bilan larger than that once compressed is computed on each download.
	maxSnapshotBytes = 350 << 10
)

var _ retours.BilanStore = (*Store)(nil)

func seriesItem(e *retours.Event) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		AttrPK:      s(seriesPKPrefix + e.Series),
		AttrSK:      s(editionSK(e.Edition) + e.ID),
		AttrExpires: n(e.ExpiresAt().Unix()),
		"type":      s("series"),
		"event":     s(e.ID),
	}
}

func editionSK(edition int) string { return fmt.Sprintf("%s%06d#", skEditionPrefix, edition) }

// PutSnapshot implements retours.BilanStore.
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
	_, err := st.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.table),
		Item: map[string]types.AttributeValue{
			AttrPK:       s(eventPK(snap.EventID)),
			AttrSK:       s(skBilanPrefix + snap.Lang),
			AttrExpires:  n(snap.Expires.Unix()),
			"type":       s("bilan"),
			"answers":    n(int64(snap.Coverage.Answers)),
			"notes":      n(int64(snap.Coverage.Notes)),
			"moderation": n(int64(snap.Coverage.Moderation)),
			"since":      s(snap.Coverage.Since.UTC().Format(time.RFC3339Nano)),
			"after":      n(int64(snap.Coverage.After)),
			"created_at": s(snap.CreatedAt.UTC().Format(time.RFC3339Nano)),
			"data":       &types.AttributeValueMemberB{Value: buf.Bytes()},
		},
	})
	return translate(err, "put snapshot")
}

// Snapshot implements retours.BilanStore.
func (st *Store) Snapshot(ctx context.Context, eventID, lang string) (*retours.Snapshot, error) {
	item, err := st.getItem(ctx, eventPK(eventID), skBilanPrefix+lang)
	if err != nil {
		return nil, err
	}
	snap := &retours.Snapshot{EventID: eventID, Lang: lang}
	snap.Coverage.Answers = num(item, "answers")
	snap.Coverage.Notes = num(item, "notes")
	snap.Coverage.Moderation = num(item, "moderation")
	snap.Coverage.After = num(item, "after")
	if v := str(item, "since"); v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && !t.IsZero() {
			snap.Coverage.Since = t
		}
	}
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

// Coverage implements retours.BilanStore: it counts the answers and notes
// (a Query that returns counts, not items) and reads the moderation count.
func (st *Store) Coverage(ctx context.Context, eventID string) (retours.Coverage, error) {
	var c retours.Coverage
	var err error
	if c.Answers, err = st.count(ctx, eventPK(eventID), skAnswerPrefix); err != nil {
		return c, err
	}
	if c.Notes, err = st.count(ctx, eventPK(eventID), skNotePrefix); err != nil {
		return c, err
	}
	c.Moderation, err = st.Moderation(ctx, eventID)
	return c, err
}

// CountSince implements retours.BilanStore with one Query of GSI1 per day
// from since to until, over the event's keys from since on: it reads only
// the recent items' keys.
func (st *Store) CountSince(ctx context.Context, e *retours.Event, since, until time.Time) (int, error) {
	since, until = since.UTC(), until.UTC()
	// created_at has a variable number of decimals, so keys do not sort
	// exactly by time within a second: start at the second, then compare.
	lo := e.ID + "#" + since.Format("2006-01-02T15:04:05")
	hi := e.ID + "#~"
	n := 0
	for day := since.Truncate(24 * time.Hour); !day.After(until); day = day.Add(24 * time.Hour) {
		p := dynamodb.NewQueryPaginator(st.client, &dynamodb.QueryInput{
			TableName:                 aws.String(st.table),
			IndexName:                 aws.String(IndexGSI1),
			KeyConditionExpression:    aws.String("#pk = :pk AND #gsk BETWEEN :lo AND :hi"),
			ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI1PK, "#gsk": AttrGSI1SK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dayPK(day)), ":lo": s(lo), ":hi": s(hi)},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return 0, translate(err, "count since")
			}
			for _, item := range page.Items {
				sk := str(item, AttrSK)
				if !strings.HasPrefix(sk, skAnswerPrefix) && !strings.HasPrefix(sk, skNotePrefix) {
					continue
				}
				_, created, _ := strings.Cut(str(item, AttrGSI1SK), "#")
				if t, err := time.Parse(time.RFC3339Nano, created); err == nil && t.After(since) && !t.After(until) {
					n++
				}
			}
		}
	}
	return n, nil
}

// Moderation implements retours.BilanStore.
func (st *Store) Moderation(ctx context.Context, eventID string) (int, error) {
	item, err := st.getItem(ctx, eventPK(eventID), skModeration)
	switch retours.ErrorCode(err) {
	case "":
		return num(item, "n"), nil
	case retours.ENOTFOUND:
		return 0, nil
	}
	return 0, err
}

// PreviousEdition implements retours.BilanStore. Editions whose event was
// erased are skipped.
func (st *Store) PreviousEdition(ctx context.Context, e *retours.Event) (*retours.Event, error) {
	none := retours.NewError(retours.ENOTFOUND, "series.no_previous")
	if e.Series == "" || e.Edition <= 1 {
		return nil, none
	}
	p := dynamodb.NewQueryPaginator(st.client, &dynamodb.QueryInput{
		TableName:              aws.String(st.table),
		KeyConditionExpression: aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK, "#sk": AttrSK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(seriesPKPrefix + e.Series), ":lo": s(skEditionPrefix), ":hi": s(editionSK(e.Edition)),
		},
		ScanIndexForward: aws.Bool(false),
		Limit:            aws.Int32(10),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate(err, "previous edition")
		}
		for _, item := range page.Items {
			prev, err := st.Event(ctx, str(item, "event"))
			if retours.ErrorCode(err) == retours.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			if prev.Edition < e.Edition {
				return prev, nil
			}
		}
	}
	return nil, none
}

// SetHidden implements retours.BilanStore. The change and the moderation
// count move together in one transaction, so a snapshot never covers a
// change it does not show.
func (st *Store) SetHidden(ctx context.Context, e *retours.Event, ref retours.TextRef, hidden bool, now time.Time) error {
	notFound := retours.NewError(retours.ENOTFOUND, "text.not_found")
	if !retours.ValidSubmissionID(ref.SubmissionID) {
		return notFound
	}
	var change types.Update
	if ref.Question == "" {
		change = types.Update{
			Key:                      key(eventPK(e.ID), skNotePrefix+ref.SubmissionID),
			ConditionExpression:      aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames: map[string]string{"#pk": AttrPK, "#h": "hidden"},
		}
		if hidden {
			change.UpdateExpression = aws.String("SET #h = :t")
			change.ExpressionAttributeValues = map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}
		} else {
			change.UpdateExpression = aws.String("REMOVE #h")
		}
	} else {
		if q, ok := e.Questionnaire.Question(ref.Question); !ok || q.Kind != retours.QuestionText {
			return notFound
		}
		op := "DELETE"
		if hidden {
			op = "ADD"
		}
		change = types.Update{
			Key:                      key(eventPK(e.ID), skAnswerPrefix+ref.SubmissionID),
			UpdateExpression:         aws.String(op + " #h :q"),
			ConditionExpression:      aws.String("attribute_type(#v.#q, :S)"),
			ExpressionAttributeNames: map[string]string{"#h": "hidden", "#v": "values", "#q": ref.Question},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":q": &types.AttributeValueMemberSS{Value: []string{ref.Question}}, ":S": s("S"),
			},
		}
	}
	change.TableName = aws.String(st.table)
	_, err := st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &change},
		{Update: &types.Update{
			TableName:        aws.String(st.table),
			Key:              key(eventPK(e.ID), skModeration),
			UpdateExpression: aws.String("ADD #n :one SET #gpk = :gpk, #gsk = :gsk, #exp = :exp"),
			ExpressionAttributeNames: map[string]string{
				"#n": "n", "#gpk": AttrGSI1PK, "#gsk": AttrGSI1SK, "#exp": AttrExpires,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":one": n(1), ":gpk": s(dayPK(now)), ":gsk": s(e.ID + "#" + now.UTC().Format(time.RFC3339Nano)),
				":exp": n(e.ExpiresAt().Unix()),
			},
		}},
	}})
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) && len(tc.CancellationReasons) > 0 && aws.ToString(tc.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
		return notFound
	}
	return translate(err, "set hidden")
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: s(pk), AttrSK: s(sk)}
}

// ChangedEvents implements retours.BilanStore without a Scan: for each day
// since since, it lists the distinct events of the day's GSI1 partition,
// one Query each, jumping past each event's keys; then it adds the events
// whose answers closed in the period, from the GSI1 partition of events,
// sorted by closing time.
func (st *Store) ChangedEvents(ctx context.Context, since, until time.Time) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for day := since.UTC().Truncate(24 * time.Hour); !day.After(until); day = day.Add(24 * time.Hour) {
		from := "!" // before every event id
		for {
			out, err := st.client.Query(ctx, &dynamodb.QueryInput{
				TableName:                 aws.String(st.table),
				IndexName:                 aws.String(IndexGSI1),
				KeyConditionExpression:    aws.String("#pk = :pk AND #sk >= :from"),
				ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI1PK, "#sk": AttrGSI1SK},
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(dayPK(day)), ":from": s(from)},
				Limit:                     aws.Int32(1),
			})
			if err != nil {
				return nil, translate(err, "changed events")
			}
			if len(out.Items) == 0 {
				break
			}
			id, _, _ := strings.Cut(str(out.Items[0], AttrGSI1SK), "#")
			add(id)
			// '$' follows '#': the next key past every "<id>#…".
			from = id + "$"
		}
	}
	p := dynamodb.NewQueryPaginator(st.client, &dynamodb.QueryInput{
		TableName:              aws.String(st.table),
		IndexName:              aws.String(IndexGSI1),
		KeyConditionExpression: aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrGSI1PK, "#sk": AttrGSI1SK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(gsiEvents), ":lo": s(since.UTC().Format(time.RFC3339)), ":hi": s(until.UTC().Format(time.RFC3339) + "~"),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate(err, "closed events")
		}
		for _, item := range page.Items {
			_, id, _ := strings.Cut(str(item, AttrGSI1SK), "#")
			add(id)
		}
	}
	return ids, nil
}
