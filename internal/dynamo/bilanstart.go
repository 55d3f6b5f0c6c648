package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/retours/retours/internal/retours"
)

// BilanStart implements bilan.StartReader (checked in its test, so that
// the survey function, which links this package, links no bilan): the event, its snapshot in lang
// and its activity are three items of the event's partition, read with one
// BatchGetItem. A missing activity is an empty one, a missing snapshot (or
// one stored before events had an activity) is nil. ENOTFOUND
// "event.not_found" when there is no such event, "event.erasing" when it is
// being erased.
func (st *Store) BilanStart(ctx context.Context, eventID, lang string) (*retours.Event, *retours.Snapshot, *retours.Activity, error) {
	if !retours.ValidID(eventID) || !retours.IsLanguage(lang) {
		return nil, nil, nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	key := func(sk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{AttrPK: s(eventPK(eventID)), AttrSK: s(sk)}
	}
	items, err := st.batchGetItems(ctx, []map[string]types.AttributeValue{key(skMeta), key(skActivity), key(skBilanPrefix + lang)}, "bilan start")
	if err != nil {
		return nil, nil, nil, err
	}
	var (
		e    *retours.Event
		snap *retours.Snapshot
		act  = &retours.Activity{EventID: eventID}
	)
	for _, item := range items {
		switch str(item, AttrSK) {
		case skMeta:
			if _, erasing := item[attrErasing]; erasing {
				return nil, nil, nil, retours.NewError(retours.ENOTFOUND, "event.erasing")
			}
			if e, err = unmarshalEvent(item); err != nil {
				return nil, nil, nil, err
			}
		case skActivity:
			act = unmarshalActivity(eventID, item)
		default:
			snap, err = unmarshalSnapshot(eventID, lang, item)
			if retours.ErrorCode(err) == retours.ENOTFOUND {
				snap, err = nil, nil
			}
			if err != nil {
				return nil, nil, nil, err
			}
		}
	}
	if e == nil {
		return nil, nil, nil, retours.NewError(retours.ENOTFOUND, "event.not_found")
	}
	return e, snap, act, nil
}
