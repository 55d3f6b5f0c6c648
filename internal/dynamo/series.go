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
//	series      PK=SERIES#<series>  SK=EDITION#<000000 edition>#<event>
const (
	seriesPKPrefix  = "SERIES#"
	skEditionPrefix = "EDITION#"
)

var _ retours.SeriesStore = (*Store)(nil)

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

// PreviousEdition implements retours.SeriesStore. Editions whose event was
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
