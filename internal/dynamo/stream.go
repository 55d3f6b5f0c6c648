package dynamo

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/retours/retours/internal/retours"
)

// The table's stream (StreamViewType NEW_IMAGE in template.yaml) carries
// each new answer and note, whole, to the consumer that counts it in its
// event's activity. The new image is what the consumer needs beyond the
// keys: the session, the creation time and the expiry; it never needs the
// old one, since it counts insertions only (a moderation change modifies an
// answer or a note, and an erasure or the TTL removes them: neither is a new
// answer), so NEW_AND_OLD_IMAGES would double the records for nothing.

// StreamPrefixes are the sort key prefixes of the items whose insertion the
// activity counts: the event source mapping's filter in template.yaml lets
// only their INSERT records through (a test keeps them in step).
var StreamPrefixes = []string{skAnswerPrefix, skNotePrefix}

// StreamChange reads one record of the table's stream, as Lambda delivers
// it: the answer or note it inserts, and its event. ok is false for every
// other record, which the activity does not count.
func StreamChange(r events.DynamoDBEventRecord) (eventID string, c retours.Change, ok bool) {
	if r.EventName != string(events.DynamoDBOperationTypeInsert) {
		return "", c, false
	}
	keys, img := r.Change.Keys, r.Change.NewImage
	pk, sk := streamString(keys, AttrPK), streamString(keys, AttrSK)
	eventID, found := strings.CutPrefix(pk, "EVENT#")
	if !found {
		return "", c, false
	}
	switch {
	case strings.HasPrefix(sk, skAnswerPrefix):
	case strings.HasPrefix(sk, skNotePrefix):
		c.Note = true
	default:
		return "", c, false
	}
	c.Seq = r.Change.SequenceNumber
	c.SessionID = streamString(img, "session")
	// The creation time the answer carries, which the bilan and the digest
	// read; the record's own time, to the second (to the minute on DynamoDB
	// Local), when it has none.
	c.CreatedAt = r.Change.ApproximateCreationDateTime.UTC()
	if t, err := time.Parse(time.RFC3339Nano, streamString(img, "created_at")); err == nil {
		c.CreatedAt = t.UTC()
	}
	if v, ok := img[AttrExpires]; ok && v.DataType() == events.DataTypeNumber {
		if sec, err := strconv.ParseInt(v.Number(), 10, 64); err == nil {
			c.Expires = time.Unix(sec, 0).UTC()
		}
	}
	return eventID, c, true
}

// streamString returns a string attribute of a stream image, "" when it is
// missing or of another type (the events package panics on a wrong type).
func streamString(m map[string]events.DynamoDBAttributeValue, name string) string {
	if v, ok := m[name]; ok && v.DataType() == events.DataTypeString {
		return v.String()
	}
	return ""
}
