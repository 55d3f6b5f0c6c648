package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
)

var _ retours.WallStore = (*Store)(nil)

// SetOnWall implements retours.WallStore.
func (s *Store) SetOnWall(ctx context.Context, e *retours.Event, submission string, on bool, now time.Time, edit *retours.Edit) error {
	notFound := retours.NewError(retours.ENOTFOUND, "text.not_found")
	if !retours.ValidSubmissionID(submission) {
		return notFound
	}
	if err := s.begin(ctx, "SetOnWall"); err != nil {
		return err
	}
	defer s.mu.Unlock()
	p := s.live(e.ID)
	if p == nil {
		p = s.partition(e.ID, false)
		if p == nil || p.notes[submission] == nil {
			return notFound
		}
		return eventGone()
	}
	n, ok := p.notes[submission]
	switch {
	case !ok:
		return notFound
	case on == n.item.OnWall:
		return nil
	case on && n.item.Hidden:
		return retours.NewError(retours.ECONFLICT, "wall.hidden")
	case on:
		by := retours.AdminActor
		if edit != nil {
			by = edit.By
		}
		if p.wall == nil {
			p.wall = map[string]*stored[retours.WallNote]{}
		}
		p.wall[submission] = &stored[retours.WallNote]{Expires: ttl(e.ExpiresAt()), item: retours.WallNote{
			EventID: e.ID, SubmissionID: submission, Kind: n.item.Kind, Text: n.item.Text, Lang: n.item.Lang,
			ApprovedAt: now.UTC().Truncate(time.Millisecond), ApprovedBy: by,
		}}
	default:
		delete(p.wall, submission)
	}
	n.item.OnWall = on
	p.record(edit, e.ExpiresAt())
	return nil
}

// withdraw takes a note off the wall, as hiding it does in internal/dynamo.
func (p *partition) withdraw(submission string) {
	if n, ok := p.notes[submission]; ok {
		n.item.OnWall = false
	}
	delete(p.wall, submission)
}

// WallNotes implements retours.WallStore, in internal/dynamo's order: newest
// approval first, then the greater submission id.
func (s *Store) WallNotes(ctx context.Context, eventID, after string, limit int) ([]retours.WallNote, string, error) {
	limit = max(1, min(limit, retours.MaxWallPage))
	var from time.Time
	var fromSub string
	if after != "" {
		var err error
		if from, fromSub, err = retours.ParseWallCursor(after); err != nil {
			return nil, "", err
		}
	}
	if err := s.begin(ctx, "WallNotes"); err != nil {
		return nil, "", err
	}
	defer s.mu.Unlock()
	var all []retours.WallNote
	if p := s.partition(eventID, false); p != nil {
		for _, w := range p.wall {
			all = append(all, w.item)
		}
	}
	newer := func(a, b retours.WallNote) int {
		return cmp.Or(b.ApprovedAt.Compare(a.ApprovedAt), strings.Compare(b.SubmissionID, a.SubmissionID))
	}
	slices.SortFunc(all, newer)
	if after != "" {
		cursor := retours.WallNote{ApprovedAt: from, SubmissionID: fromSub}
		i, _ := slices.BinarySearchFunc(all, cursor, newer)
		for i < len(all) && newer(all[i], cursor) <= 0 {
			i++
		}
		all = all[i:]
	}
	next := ""
	if len(all) > limit {
		all = all[:limit]
		next = retours.WallCursor(all[limit-1].ApprovedAt, all[limit-1].SubmissionID)
	}
	return all, next, nil
}

// wallKeys returns the submissions on the wall, for Expiries.
func (p *partition) wallKeys() []string { return slices.Sorted(maps.Keys(p.wall)) }
