package bilan

import (
	"bytes"
	"context"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/retours/retours/internal/retours"
)

// Store is what Compute, Load and Current read: answers and notes,
// snapshots, moderation, the previous edition and the events' activity. The aggregation itself (Aggregator) does no I/O; these
// functions only feed it.
type Store interface {
	retours.AnswerStore
	retours.SnapshotStore
	retours.ModerationStore
	retours.SeriesStore
	retours.ChangeFeed
}

// Compute reads every answer and note of e and returns its bilan in lang,
// set beside the previous edition of its series when there is one, and the
// coverage it was computed from.
func Compute(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time) (*Bilan, retours.Coverage, error) {
	// The activity is read first: every answer, note and moderation change
	// it counts then is in what is read next, so the bilan is current while
	// the activity stays as it was (Current). A change counted while
	// answers are read makes the bilan look stale, never up to date.
	act, err := st.Activity(ctx, e.ID)
	if err != nil {
		return nil, retours.Coverage{}, err
	}
	return ComputeFrom(ctx, st, e, lang, now, act)
}

// ComputeFrom is Compute with the event's activity read before: the
// event's answers and notes and the previous edition's bilan are read at
// once, each a round trip or more to the database that need not wait for
// the others.
func ComputeFrom(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time, act *retours.Activity) (*Bilan, retours.Coverage, error) {
	var (
		b   *Bilan
		cov retours.Coverage
		pb  *Bilan
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		b, cov, err = computeAfter(gctx, st, e, lang, now, act)
		return err
	})
	g.Go(func() error {
		prev, err := st.PreviousEdition(gctx, e)
		switch retours.ErrorCode(err) {
		case "":
			pb, err = load(gctx, st, prev, lang, now)
			return err
		case retours.ENOTFOUND:
			return nil
		}
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, cov, err
	}
	if pb != nil {
		b.Comparison = Compare(b, pb)
	}
	return b, cov, nil
}

func compute(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time) (*Bilan, retours.Coverage, error) {
	// The activity first, as in Compute.
	act, err := st.Activity(ctx, e.ID)
	if err != nil {
		return nil, retours.Coverage{}, err
	}
	return computeAfter(ctx, st, e, lang, now, act)
}

// computeAfter aggregates e's answers and notes, read after act and at the
// same time: the notes, a few dozen, wait in a slice while the answers are
// aggregated.
func computeAfter(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time, act *retours.Activity) (*Bilan, retours.Coverage, error) {
	agg := New(e, lang)
	var notes []*retours.Note
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return st.Answers(gctx, e.ID, func(a *retours.Answer) error { agg.AddAnswer(a); return nil })
	})
	g.Go(func() error {
		return st.Notes(gctx, e.ID, func(n *retours.Note) error { notes = append(notes, n); return nil })
	})
	if err := g.Wait(); err != nil {
		return nil, retours.Coverage{}, err
	}
	for _, n := range notes {
		agg.AddNote(n)
	}
	cov := agg.Coverage()
	cov.Moderation, cov.Seq, cov.Version = act.Moderation, act.Seq, e.Version
	return agg.Bilan(now), cov, nil
}

// Load returns the bilan of e in lang: the stored snapshot when it covers
// every current answer, note and moderation change (fromSnapshot is then
// true), else a fresh Compute from the activity the snapshot was checked
// against. Both give the same bilan.
func Load(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time) (b *Bilan, fromSnapshot bool, err error) {
	b, act, err := Snapshotted(ctx, st, e, lang)
	if err != nil || b != nil {
		return b, b != nil, err
	}
	b, _, err = ComputeFrom(ctx, st, e, lang, now, act)
	return b, false, err
}

// StartReader reads an event together with what Snapshotted reads about
// it, its snapshot in lang (nil when there is none) and its activity, in
// one round trip: internal/dynamo's store reads the three items with one
// BatchGetItem. Errors are those of retours.EventStore's Event.
type StartReader interface {
	BilanStart(ctx context.Context, eventID, lang string) (*retours.Event, *retours.Snapshot, *retours.Activity, error)
}

// Read returns st with the snapshot and the activity of one event read
// already (StartReader): st's Snapshot of that event in snap's language and
// its Activity return them, without a round trip; every other read goes to
// st. A handler that read them with the event hands Read to what loads the
// bilan.
func Read(st Store, eventID, lang string, snap *retours.Snapshot, act *retours.Activity) Store {
	return readStore{Store: st, eventID: eventID, lang: lang, snap: snap, act: act}
}

type readStore struct {
	Store
	eventID, lang string
	snap          *retours.Snapshot
	act           *retours.Activity
}

func (r readStore) Snapshot(ctx context.Context, eventID, lang string) (*retours.Snapshot, error) {
	if eventID != r.eventID || lang != r.lang {
		return r.Store.Snapshot(ctx, eventID, lang)
	}
	if r.snap == nil {
		return nil, retours.NewError(retours.ENOTFOUND, "not_found")
	}
	return r.snap, nil
}

func (r readStore) Activity(ctx context.Context, eventID string) (*retours.Activity, error) {
	if eventID != r.eventID {
		return r.Store.Activity(ctx, eventID)
	}
	return r.act, nil
}

// Snapshotted returns the bilan of e in lang from its stored snapshot when
// that covers every current answer, note and moderation change, else nil;
// and the event's activity it was checked against, which says how much a
// Compute would read. It reads two items, whatever the event's size, at
// once.
func Snapshotted(ctx context.Context, st Store, e *retours.Event, lang string) (*Bilan, *retours.Activity, error) {
	var (
		snap *retours.Snapshot
		act  *retours.Activity
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		snap, err = st.Snapshot(gctx, e.ID, lang)
		if retours.ErrorCode(err) == retours.ENOTFOUND {
			snap, err = nil, nil
		}
		return err
	})
	g.Go(func() (err error) {
		act, err = st.Activity(gctx, e.ID)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return SnapshotBilan(e, snap, act), act, nil
}

// SnapshotBilan returns the bilan stored in snap, when snap (nil for none)
// covers everything act counts at e's version, else nil.
func SnapshotBilan(e *retours.Event, snap *retours.Snapshot, act *retours.Activity) *Bilan {
	if snap == nil || !covers(snap, act, e) {
		return nil
	}
	b, err := ReadJSON(snap.Data)
	if err != nil || b.Version != Version {
		return nil
	}
	b.GeneratedAt = snap.CreatedAt
	return b
}

// Current reports whether snap still covers every answer, note and
// moderation change of e, with one read of its activity: it does while the
// activity is as it was when the snapshot's computation began, and e is
// at the version it was computed with (an edit changes titles, sessions
// and labels the snapshot holds).
//
// The activity counts answers and notes from the table's stream, a second
// or so after they are written (at most the consumer's batching window,
// longer while it retries): an answer written within that delay before a
// download is not counted yet, and a snapshot without it may be served; a
// download a few seconds later computes the bilan afresh. A snapshot never
// misses an answer or a note the activity has counted, nor a moderation
// change, which is counted with the change itself.
func Current(ctx context.Context, st Store, e *retours.Event, snap *retours.Snapshot) (bool, error) {
	act, err := st.Activity(ctx, e.ID)
	if err != nil {
		return false, err
	}
	return covers(snap, act, e), nil
}

// covers reports whether snap was computed from everything act counts, at
// e's version.
func covers(snap *retours.Snapshot, act *retours.Activity, e *retours.Event) bool {
	return act.Seq == snap.Coverage.Seq && act.Moderation == snap.Coverage.Moderation && snap.Coverage.Version == e.Version
}

// load is Load without the comparison, for the previous edition.
func load(ctx context.Context, st Store, e *retours.Event, lang string, now time.Time) (*Bilan, error) {
	if snap, err := st.Snapshot(ctx, e.ID, lang); err == nil {
		if b, err := ReadJSON(snap.Data); err == nil && b.Version == Version {
			return b, nil
		}
	}
	b, _, err := compute(ctx, st, e, lang, now)
	return b, err
}

// NewSnapshot returns the snapshot that stores b, computed from cov.
func NewSnapshot(e *retours.Event, b *Bilan, cov retours.Coverage, now time.Time) (*retours.Snapshot, error) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, b); err != nil {
		return nil, err
	}
	return &retours.Snapshot{EventID: e.ID, Lang: b.Lang, Coverage: cov, CreatedAt: now.UTC(), Expires: e.ExpiresAt(), Data: buf.Bytes()}, nil
}
