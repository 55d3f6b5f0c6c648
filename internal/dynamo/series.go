package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// The series item lets the bilan find the previous edition with one Query:
// GSI1 holds keys only, so filtering GSI1PK=EVENTS by series would mean
// reading every event of the deployment. It is written with its event
// (event.go) and erased with it (erase.go):
//
//	series      PK=SERIES#<series>  SK=EDITION#<000000 edition>#<event>  owners=<OrganiserIDs>
//
// A series name is shared by every organiser of the deployment who picks
// it; the entry carries its event's owners so that the Query's results are
// filtered to the editions of the same owners (retours.SameOwners) without
// reading the others' events.
const (
	seriesPKPrefix  = "SERIES#"
	skEditionPrefix = "EDITION#"
)

var _ retours.SeriesStore = (*Store)(nil)

func seriesItem(e *retours.Event) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		AttrPK:      s(seriesPKPrefix + e.Series),
		AttrSK:      s(editionSK(e.Edition) + e.ID),
		AttrExpires: n(e.ExpiresAt().Unix()),
		"type":      s("series"),
		"event":     s(e.ID),
	}
	if owners := e.Owners(); len(owners) > 0 {
		item[attrOwners] = &types.AttributeValueMemberSS{Value: owners}
	}
	return item
}

// attrOwners holds the OrganiserIDs of a series entry's event; an event
// without organisers has none (a string set cannot be empty).
const attrOwners = "owners"

func editionSK(edition int) string { return fmt.Sprintf("%s%06d#", skEditionPrefix, edition) }

// PreviousEdition implements retours.SeriesStore. Editions whose event was
// erased, or that belong to other owners, are skipped.
func (st *Store) PreviousEdition(ctx context.Context, e *retours.Event) (*retours.Event, error) {
	owners := e.Owners()
	none := retours.NewError(retours.ENOTFOUND, "series.no_previous")
	if e.Series == "" || e.Edition <= 1 {
		return nil, none
	}
	p := newQueryPages(st.client, &dynamodb.QueryInput{
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
			if theirs, ok := item[attrOwners].(*types.AttributeValueMemberSS); ok && !retours.SameOwners(theirs.Value, owners) {
				continue
			}
			prev, err := st.Event(ctx, str(item, "event"))
			if retours.ErrorCode(err) == retours.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			// The event says who owns it: an entry without owners is an
			// administrator's event's, or was written before entries
			// carried them.
			if prev.Edition < e.Edition && retours.SameOwners(prev.Owners(), owners) {
				return prev, nil
			}
		}
	}
	return nil, none
}
