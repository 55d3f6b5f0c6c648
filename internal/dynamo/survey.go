package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/retours/retours/internal/retours"
)

// SurveyStore is the part of the store the survey function uses: reading an
// event, storing answers and notes. It is a type of its own rather than the
// *Store, so that the participants' function links none of the store's other
// methods, nor the DynamoDB operations and decoding they call: a type held
// in an interface keeps every exported method in a binary that renders
// templates (see client).
type SurveyStore struct {
	client client
	table  string
}

// NewSurvey returns the part of the store on table that the survey function
// uses, holding only the operations it calls (GetItem and PutItem): the
// function links none of the others.
func NewSurvey(c *dynamodb.Client, table string) SurveyStore {
	return SurveyStore{client: client{GetItem: c.GetItem, PutItem: c.PutItem}, table: table}
}

// Survey returns the part of s the survey function uses.
func (s *Store) Survey() SurveyStore { return SurveyStore{client: s.client, table: s.table} }

func (p SurveyStore) store() *Store { return &Store{client: p.client, table: p.table} }

// Event is Store.Event.
func (p SurveyStore) Event(ctx context.Context, id string) (*retours.Event, error) {
	return p.store().Event(ctx, id)
}

// PutAnswer is Store.PutAnswer.
func (p SurveyStore) PutAnswer(ctx context.Context, a *retours.Answer, expires time.Time) (*retours.Answer, bool, error) {
	return p.store().PutAnswer(ctx, a, expires)
}

// PutNote is Store.PutNote.
func (p SurveyStore) PutNote(ctx context.Context, n *retours.Note, expires time.Time) (*retours.Note, bool, error) {
	return p.store().PutNote(ctx, n, expires)
}
