package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/retours/retours/internal/retours"
)

// The activity item counts what an event received (retours.Activity). The
// consumer of the table's stream (internal/activity) writes it once per
// event and batch of changes, and moderation in the same transaction as the
// change; nothing is written for it when an answer is stored:
//
//	activity  PK=EVENT#<event>  SK=ACTIVITY  GSI1PK=ACTIVITY  GSI1SK=<last write>#<event>
//
// Its GSI1 entry, one per event whose sort key moves with each batch, finds
// the events that changed since a given time without a day partition that
// every answer of the deployment writes to. Its attributes have short names:
// an update is billed by the size of the whole item, kept under 1 KB for an
// event with a dozen sessions (retours.ActivityDays days at most).
//
//	a, n, m   answers, notes, moderation changes (N)
//	s         answers by session (M of N; "_" is the event as a whole)
//	d         by day in Paris (M: "2026-10-15" → L of N: answers, notes, first and last creation in epoch ms)
//	q         stream sequence number of the last change counted (S)
//	w         last write, epoch ms (N)
const (
	skActivity  = "ACTIVITY"
	gsiActivity = "ACTIVITY"
	// lastWriteLayout writes the GSI1 sort key of an activity: fixed-width
	// UTC to the millisecond, so that keys sort as times do.
	lastWriteLayout = "2006-01-02T15:04:05.000Z"
	wholeEvent      = "_"
	// applyAttempts bounds the reads and conditional writes ApplyChanges
	// makes when another writer (a moderation change) moves the item
	// between its read and its write.
	applyAttempts = 5
)

var (
	_ retours.ChangeFeed    = (*Store)(nil)
	_ retours.ActivityStore = (*Store)(nil)
)

// Activity implements retours.ChangeFeed with one strongly consistent
// GetItem.
func (st *Store) Activity(ctx context.Context, eventID string) (*retours.Activity, error) {
	item, err := st.getItem(ctx, eventPK(eventID), skActivity)
	switch retours.ErrorCode(err) {
	case "":
		return unmarshalActivity(eventID, item), nil
	case retours.ENOTFOUND:
		return &retours.Activity{EventID: eventID}, nil
	}
	return nil, err
}

// ApplyChanges implements retours.ActivityStore: it reads the activity,
// counts the changes after its sequence number and writes it back on
// condition that neither its sequence number nor its moderation count moved
// meanwhile. The first activity of an event is written in a transaction
// that checks the event lives (liveEvent), so that a change whose event was
// erased, or is being erased, before it was counted creates nothing. A later
// write updates the item only where it exists (attribute_exists): an
// erasure that deleted it meanwhile makes the write read again and take the
// first write's path, which the mark refuses; one that has not deleted it
// yet deletes it after.
func (st *Store) ApplyChanges(ctx context.Context, eventID string, changes []retours.Change) (int, error) {
	if len(changes) == 0 || !retours.ValidID(eventID) {
		return 0, nil
	}
	for range applyAttempts {
		item, err := st.getItem(ctx, eventPK(eventID), skActivity)
		exists := err == nil
		if err != nil && retours.ErrorCode(err) != retours.ENOTFOUND {
			return 0, err
		}
		act := unmarshalActivity(eventID, item)
		applied := act.Apply(changes)
		if applied == 0 {
			return 0, nil
		}
		expires := num(item, AttrExpires)
		for _, c := range changes {
			expires = max(expires, int(c.Expires.Unix()))
		}
		up := activityUpdate(act, expires)
		if exists {
			up.ConditionExpression = aws.String("attribute_exists(#pk) AND " + unchanged(item, "q", ":oldq", up) + " AND " + unchanged(item, "m", ":oldm", up))
			up.ExpressionAttributeNames["#pk"] = AttrPK
			_, err = st.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String(st.table), Key: key(eventPK(eventID), skActivity),
				UpdateExpression: up.UpdateExpression, ConditionExpression: up.ConditionExpression,
				ExpressionAttributeNames: up.ExpressionAttributeNames, ExpressionAttributeValues: up.ExpressionAttributeValues,
			})
			if _, ok := isConditionFailed(err); ok {
				continue // moved meanwhile: read it again
			}
			if err != nil {
				return 0, translate(err, "apply changes")
			}
			return applied, nil
		}
		up.TableName, up.Key = aws.String(st.table), key(eventPK(eventID), skActivity)
		up.ConditionExpression = aws.String("attribute_not_exists(#pk)")
		up.ExpressionAttributeNames["#pk"] = AttrPK
		_, err = st.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			st.liveEvent(eventID),
			{Update: up},
		}})
		var tc *types.TransactionCanceledException
		if errors.As(err, &tc) && len(tc.CancellationReasons) == 2 {
			if aws.ToString(tc.CancellationReasons[0].Code) == "ConditionalCheckFailed" {
				return 0, nil // the event is gone or being erased: count nothing
			}
			if aws.ToString(tc.CancellationReasons[1].Code) == "ConditionalCheckFailed" {
				continue // created meanwhile: read it again
			}
		}
		if err != nil {
			return 0, translate(err, "apply changes")
		}
		return applied, nil
	}
	return 0, fmt.Errorf("dynamo: apply changes: the activity kept moving: %w", &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"})
}

// unchanged returns the condition that attribute name still holds the value
// item has (or still does not exist), adding its value to up.
func unchanged(item map[string]types.AttributeValue, name, placeholder string, up *types.Update) string {
	up.ExpressionAttributeNames["#"+name] = name
	v, ok := item[name]
	if !ok {
		return "attribute_not_exists(#" + name + ")"
	}
	up.ExpressionAttributeValues[placeholder] = v
	return "#" + name + " = " + placeholder
}

// activityUpdate sets every attribute the stream's changes move; m, which
// moderation writes, is left alone.
func activityUpdate(a *retours.Activity, expires int) *types.Update {
	sessions := make(map[string]types.AttributeValue, len(a.Sessions))
	for id, c := range a.Sessions {
		if id == "" {
			id = wholeEvent
		}
		sessions[id] = n(int64(c))
	}
	days := make(map[string]types.AttributeValue, len(a.Days))
	for day, d := range a.Days {
		days[day] = &types.AttributeValueMemberL{Value: []types.AttributeValue{
			n(int64(d.Answers)), n(int64(d.Notes)), n(d.First.UnixMilli()), n(d.Last.UnixMilli()),
		}}
	}
	return &types.Update{
		UpdateExpression: aws.String("SET #t = :t, #a = :a, #n = :n, #s = :s, #d = :d, #q = :q, #w = :w, #gpk = :gpk, #gsk = :gsk, #exp = :exp"),
		ExpressionAttributeNames: map[string]string{
			"#t": "type", "#a": "a", "#n": "n", "#s": "s", "#d": "d", "#q": "q", "#w": "w",
			"#gpk": AttrGSI1PK, "#gsk": AttrGSI1SK, "#exp": AttrExpires,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":t": s("activity"), ":a": n(int64(a.Answers)), ":n": n(int64(a.Notes)),
			":s": &types.AttributeValueMemberM{Value: sessions}, ":d": &types.AttributeValueMemberM{Value: days},
			":q": s(a.Seq), ":w": n(a.LastWrite.UnixMilli()),
			":gpk": s(gsiActivity), ":gsk": s(activityGSI1SK(a.EventID, a.LastWrite)), ":exp": n(int64(expires)),
		},
	}
}

func activityGSI1SK(eventID string, lastWrite time.Time) string {
	return lastWrite.UTC().Format(lastWriteLayout) + "#" + eventID
}

// unmarshalActivity reads an activity item; a nil item is an empty activity.
func unmarshalActivity(eventID string, item map[string]types.AttributeValue) *retours.Activity {
	a := &retours.Activity{EventID: eventID, Sessions: map[string]int{}, Days: map[string]retours.DayActivity{}}
	if item == nil {
		return a
	}
	a.Answers, a.Notes, a.Moderation = num(item, "a"), num(item, "n"), num(item, "m")
	a.Seq = str(item, "q")
	if w := num64(item, "w"); w > 0 {
		a.LastWrite = time.UnixMilli(w).UTC()
	}
	if m, ok := item["s"].(*types.AttributeValueMemberM); ok {
		for id, v := range m.Value {
			if id == wholeEvent {
				id = ""
			}
			a.Sessions[id] = number(v)
		}
	}
	if m, ok := item["d"].(*types.AttributeValueMemberM); ok {
		for day, v := range m.Value {
			l, ok := v.(*types.AttributeValueMemberL)
			if !ok || len(l.Value) != 4 {
				continue
			}
			a.Days[day] = retours.DayActivity{
				Answers: number(l.Value[0]), Notes: number(l.Value[1]),
				First: time.UnixMilli(int64(number(l.Value[2]))).UTC(), Last: time.UnixMilli(int64(number(l.Value[3]))).UTC(),
			}
		}
	}
	return a
}

func number(v types.AttributeValue) int {
	if nv, ok := v.(*types.AttributeValueMemberN); ok {
		x, _ := strconv.Atoi(nv.Value)
		return x
	}
	return 0
}

func num64(item map[string]types.AttributeValue, name string) int64 {
	if v, ok := item[name].(*types.AttributeValueMemberN); ok {
		x, _ := strconv.ParseInt(v.Value, 10, 64)
		return x
	}
	return 0
}

// ChangedEvents implements retours.ChangeFeed without a Scan: the events
// whose activity's GSI1 entry moved at or after since (one entry per event,
// read from since on), and those whose answers closed in the period, from
// the GSI1 partition of events, sorted by closing time.
func (st *Store) ChangedEvents(ctx context.Context, since, until time.Time) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if err := st.activeSince(ctx, since, add); err != nil {
		return nil, err
	}
	err := st.queryGSI1(ctx, gsiEvents, since.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339)+"~", func(sk string) {
		_, id, _ := strings.Cut(sk, "#")
		add(id)
	})
	if err != nil {
		return nil, translate(err, "closed events")
	}
	return ids, nil
}

// ActiveEvents implements retours.ChangeFeed: the events whose activity moved
// since from (their GSI1 entries), then each one's activity, read
// readConcurrency at a time, for the days it counts.
func (st *Store) ActiveEvents(ctx context.Context, from, to time.Time) ([]string, error) {
	var candidates []string
	if err := st.activeSince(ctx, from, func(id string) { candidates = append(candidates, id) }); err != nil {
		return nil, err
	}
	var (
		mu  sync.Mutex
		ids []string
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(readConcurrency)
	for _, id := range candidates {
		g.Go(func() error {
			a, err := st.Activity(gctx, id)
			if err != nil {
				return err
			}
			if a.ActiveIn(from, to) {
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
			return nil
		})
	}
	return ids, g.Wait()
}

// activeSince calls fn with each event whose activity moved at or after t.
func (st *Store) activeSince(ctx context.Context, t time.Time, fn func(id string)) error {
	err := st.queryGSI1(ctx, gsiActivity, t.UTC().Truncate(time.Millisecond).Format(lastWriteLayout), "~", func(sk string) {
		_, id, _ := strings.Cut(sk, "#")
		fn(id)
	})
	return translate(err, "changed events")
}

// queryGSI1 calls fn with the sort key of each GSI1 entry of partition pk
// between lo and hi.
func (st *Store) queryGSI1(ctx context.Context, pk, lo, hi string, fn func(sk string)) error {
	p := newQueryPages(st.client, &dynamodb.QueryInput{
		TableName:                 aws.String(st.table),
		IndexName:                 aws.String(IndexGSI1),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk BETWEEN :lo AND :hi"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI1PK, "#sk": AttrGSI1SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pk), ":lo": s(lo), ":hi": s(hi)},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, item := range page.Items {
			fn(str(item, AttrGSI1SK))
		}
	}
	return nil
}
