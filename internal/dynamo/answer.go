package dynamo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// PutAnswer implements retours.AnswerStore.
func (s *Store) PutAnswer(ctx context.Context, a *retours.Answer, expires time.Time) (*retours.Answer, bool, error) {
	if !retours.ValidSubmissionID(a.SubmissionID) {
		return nil, false, retours.NewError(retours.EINVALID, "submission_id.invalid")
	}
	item := marshalAnswer(a, expires)
	old, err := s.putOnce(ctx, item)
	if err != nil {
		return nil, false, translate(err, "put answer")
	}
	if old == nil {
		return a, true, nil
	}
	stored, err := unmarshalAnswer(old)
	return stored, false, err
}

// PutNote implements retours.AnswerStore.
func (s *Store) PutNote(ctx context.Context, nt *retours.Note, expires time.Time) (*retours.Note, bool, error) {
	if !retours.ValidSubmissionID(nt.SubmissionID) {
		return nil, false, retours.NewError(retours.EINVALID, "submission_id.invalid")
	}
	item := marshalNote(nt, expires)
	old, err := s.putOnce(ctx, item)
	if err != nil {
		return nil, false, translate(err, "put note")
	}
	if old == nil {
		return nt, true, nil
	}
	stored, err := unmarshalNote(old)
	return stored, false, err
}

// putOnce writes item unless an item with its key exists, and then returns
// the existing item. The failed condition returns the old item in the same
// round trip; a consistent read covers the case where it does not.
func (s *Store) putOnce(ctx context.Context, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(s.table),
		Item:                                item,
		ConditionExpression:                 aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames:            map[string]string{"#pk": AttrPK},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if err == nil {
		return nil, nil
	}
	cf, ok := isConditionFailed(err)
	if !ok {
		return nil, err
	}
	if len(cf.Item) > 0 {
		return cf.Item, nil
	}
	pk := item[AttrPK].(*types.AttributeValueMemberS).Value
	sk := item[AttrSK].(*types.AttributeValueMemberS).Value
	return s.getItem(ctx, pk, sk)
}

// Answers implements retours.AnswerStore.
func (s *Store) Answers(ctx context.Context, eventID string, fn func(*retours.Answer) error) error {
	return queryPrefix(ctx, s, eventPK(eventID), skAnswerPrefix, unmarshalAnswer, fn)
}

// Notes implements retours.AnswerStore.
func (s *Store) Notes(ctx context.Context, eventID string, fn func(*retours.Note) error) error {
	return queryPrefix(ctx, s, eventPK(eventID), skNotePrefix, unmarshalNote, fn)
}

// Answers are encoded by hand rather than with attributevalue: they are the
// bulk of the table and of every bilan, and reflection dominated the decoding.
// Each value is N for a number, L of S for choices and S for text.
func marshalAnswer(a *retours.Answer, expires time.Time) map[string]types.AttributeValue {
	values := make(map[string]types.AttributeValue, len(a.Values))
	for id, v := range a.Values {
		switch {
		case v.Choices != nil:
			l := make([]types.AttributeValue, len(v.Choices))
			for i, c := range v.Choices {
				l[i] = s(c)
			}
			values[id] = &types.AttributeValueMemberL{Value: l}
		case v.Text != "":
			values[id] = s(v.Text)
		default:
			values[id] = n(int64(v.Number))
		}
	}
	created := a.CreatedAt.UTC().Format(time.RFC3339Nano)
	item := map[string]types.AttributeValue{
		AttrPK:       s(eventPK(a.EventID)),
		AttrSK:       s(skAnswerPrefix + a.SubmissionID),
		AttrExpires:  n(expires.Unix()),
		"type":       s("answer"),
		"id":         s(a.ID),
		"lang":       s(a.Lang),
		"created_at": s(created),
		"values":     &types.AttributeValueMemberM{Value: values},
	}
	if a.SessionID != "" {
		item["session"] = s(a.SessionID)
	}
	if len(a.Hidden) > 0 {
		item["hidden"] = &types.AttributeValueMemberSS{Value: a.Hidden}
	}
	// Web answers, the bulk, carry no channel: one is read as web.
	if ch := retours.ChannelOf(a.Channel); ch != retours.ChannelWeb {
		item["channel"] = s(ch)
	}
	if a.Sheet != "" {
		item["sheet"] = s(a.Sheet)
	}
	if a.EnteredBy != "" {
		item["entered_by"] = s(a.EnteredBy)
	}
	return item
}

func unmarshalAnswer(item map[string]types.AttributeValue) (*retours.Answer, error) {
	a := &retours.Answer{
		EventID:      cut(str(item, AttrPK), "EVENT#"),
		SubmissionID: cut(str(item, AttrSK), skAnswerPrefix),
		ID:           str(item, "id"),
		SessionID:    str(item, "session"),
		Lang:         str(item, "lang"),
		Channel:      retours.ChannelOf(str(item, "channel")),
		Sheet:        str(item, "sheet"),
		EnteredBy:    str(item, "entered_by"),
	}
	var err error
	if a.CreatedAt, err = time.Parse(time.RFC3339Nano, str(item, "created_at")); err != nil {
		return nil, fmt.Errorf("dynamo: answer %s: created_at: %w", a.ID, err)
	}
	if hs, ok := item["hidden"].(*types.AttributeValueMemberSS); ok {
		a.Hidden = hs.Value
	}
	m, _ := item["values"].(*types.AttributeValueMemberM)
	if m == nil {
		return nil, fmt.Errorf("dynamo: answer %s without values", a.ID)
	}
	a.Values = make(map[string]retours.Value, len(m.Value))
	for id, av := range m.Value {
		switch v := av.(type) {
		case *types.AttributeValueMemberN:
			num, err := strconv.Atoi(v.Value)
			if err != nil {
				return nil, fmt.Errorf("dynamo: answer %s: %s: %w", a.ID, id, err)
			}
			a.Values[id] = retours.Value{Number: num}
		case *types.AttributeValueMemberS:
			a.Values[id] = retours.Value{Text: v.Value}
		case *types.AttributeValueMemberL:
			cs := make([]string, 0, len(v.Value))
			for _, c := range v.Value {
				if cv, ok := c.(*types.AttributeValueMemberS); ok {
					cs = append(cs, cv.Value)
				}
			}
			a.Values[id] = retours.Value{Choices: cs}
		default:
			return nil, fmt.Errorf("dynamo: answer %s: %s: unexpected type %T", a.ID, id, av)
		}
	}
	return a, nil
}

func marshalNote(nt *retours.Note, expires time.Time) map[string]types.AttributeValue {
	created := nt.CreatedAt.UTC().Format(time.RFC3339Nano)
	item := map[string]types.AttributeValue{
		AttrPK:       s(eventPK(nt.EventID)),
		AttrSK:       s(skNotePrefix + nt.SubmissionID),
		AttrExpires:  n(expires.Unix()),
		"type":       s("note"),
		"id":         s(nt.ID),
		"kind":       s(nt.Kind),
		"text":       s(nt.Text),
		"lang":       s(nt.Lang),
		"created_at": s(created),
	}
	if nt.SessionID != "" {
		item["session"] = s(nt.SessionID)
	}
	if nt.Hidden {
		item["hidden"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	if ch := retours.ChannelOf(nt.Channel); ch != retours.ChannelWeb {
		item["channel"] = s(ch)
	}
	return item
}

func unmarshalNote(item map[string]types.AttributeValue) (*retours.Note, error) {
	nt := &retours.Note{
		EventID:      cut(str(item, AttrPK), "EVENT#"),
		SubmissionID: cut(str(item, AttrSK), skNotePrefix),
		ID:           str(item, "id"),
		SessionID:    str(item, "session"),
		Kind:         str(item, "kind"),
		Text:         str(item, "text"),
		Lang:         str(item, "lang"),
		Channel:      retours.ChannelOf(str(item, "channel")),
	}
	var err error
	if nt.CreatedAt, err = time.Parse(time.RFC3339Nano, str(item, "created_at")); err != nil {
		return nil, fmt.Errorf("dynamo: note %s: created_at: %w", nt.ID, err)
	}
	if b, ok := item["hidden"].(*types.AttributeValueMemberBOOL); ok {
		nt.Hidden = b.Value
	}
	nt.OnWall = str(item, attrWallSK) != ""
	return nt, nil
}

func str(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
