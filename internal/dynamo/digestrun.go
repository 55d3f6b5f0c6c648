package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/retours/retours/internal/retours"
)

// A digest run started on demand keeps its record in an item of its own,
// deleted by the table's TTL after retours.DigestRunKept:
//
//	digest run  PK=DIGESTRUN#<id>  SK=DIGESTRUN  until, state, week, started, finished, sent, skipped, failed, expires_at
const (
	digestRunPrefix = "DIGESTRUN#"
	skDigestRun     = "DIGESTRUN"
)

var _ retours.DigestRunStore = (*Store)(nil)

// PutDigestRun implements retours.DigestRunStore with one PutItem.
func (st *Store) PutDigestRun(ctx context.Context, r *retours.DigestRun) error {
	item := key(digestRunPrefix+r.ID, skDigestRun)
	item["type"] = s("digest-run")
	item["until"] = millis(r.Until)
	item["state"] = s(r.State)
	item["week"] = s(r.Week)
	item["started"] = millis(r.StartedAt)
	if !r.FinishedAt.IsZero() {
		item["finished"] = millis(r.FinishedAt)
	}
	item["sent"] = n(int64(r.Sent))
	item["skipped"] = n(int64(r.Skipped))
	item["failed"] = n(int64(r.Failed))
	item[AttrExpires] = n(r.StartedAt.Add(retours.DigestRunKept).Unix())
	_, err := st.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(st.table), Item: item})
	return translate(err, "put digest run")
}

// DigestRun implements retours.DigestRunStore with one GetItem.
func (st *Store) DigestRun(ctx context.Context, id string) (*retours.DigestRun, error) {
	if id == "" {
		return nil, retours.NewError(retours.ENOTFOUND, "digest.run_not_found")
	}
	item, err := st.getItem(ctx, digestRunPrefix+id, skDigestRun)
	if retours.ErrorCode(err) == retours.ENOTFOUND {
		return nil, retours.NewError(retours.ENOTFOUND, "digest.run_not_found")
	}
	if err != nil {
		return nil, err
	}
	r := &retours.DigestRun{
		ID: id, Until: time.UnixMilli(num64(item, "until")).UTC(), State: str(item, "state"), Week: str(item, "week"),
		StartedAt: time.UnixMilli(num64(item, "started")).UTC(),
		Sent:      num(item, "sent"), Skipped: num(item, "skipped"), Failed: num(item, "failed"),
	}
	if f := num64(item, "finished"); f > 0 {
		r.FinishedAt = time.UnixMilli(f).UTC()
	}
	return r, nil
}
