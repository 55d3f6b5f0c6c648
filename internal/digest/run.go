package digest

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/ses"
)

// DefaultLease is how long a run holds the one digest it is sending: far
// longer than sending one digest takes once composed (the lease is renewed
// then), and shorter than the minute Lambda waits before it retries a
// failed invocation, so that the retry of a run that died holding a digest
// finds the lease over and sends it.
const DefaultLease = 45 * time.Second

// DefaultPoll is how often a run checks again a digest that another attempt
// holds, until that attempt sends it or its lease runs out.
const DefaultPoll = time.Second

// deadlineMargin is the time a run keeps before its context's deadline (the
// Lambda timeout): it starts no digest after that, and fails, so that the
// retry carries on where it stopped instead of dying in the middle.
const deadlineMargin = 30 * time.Second

// sendMargin is what a lease keeps after a send's deadline, for the mark
// that the digest was sent: a send still running when the lease ends, which
// another attempt may take over, is abandoned.
const sendMargin = 5 * time.Second

// Config is what a Runner needs. Stores, BaseURL and Secret are required;
// without a Sender, Run refuses to run and unsubscribe links still work.
type Config struct {
	Events  retours.EventStore
	Answers retours.AnswerStore
	Digests retours.DigestStore
	// Changes says which events had answers or notes in the week.
	Changes retours.ChangeFeed
	Sender  ses.Sender
	// BaseURL is the public URL of retours, without a trailing slash: the
	// links of the digest start with it.
	BaseURL string
	// Secret signs the unsubscribe links.
	Secret []byte
	// Lease is how long a run holds a digest it sends (DefaultLease); Poll
	// how often it looks again at one another attempt holds (DefaultPoll).
	Lease, Poll time.Duration
	// Now is the wall clock, for leases; what a run reports on is set by
	// the instant given to Run. Sleep waits, for d or until ctx ends
	// (a timer by default); tests move a clock instead.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Rand   io.Reader
	Logger *slog.Logger
}

// Runner composes and sends the weekly digests.
type Runner struct {
	cfg Config
	log *slog.Logger
}

// New returns a Runner; see Config for what is required.
func New(cfg Config) *Runner {
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	cfg.Rand = cmp.Or(cfg.Rand, io.Reader(rand.Reader))
	cfg.Logger = cmp.Or(cfg.Logger, slog.Default())
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	return &Runner{cfg: cfg, log: cfg.Logger}
}

// Sends reports whether the runner has a sender: without one (DIGEST_FROM
// unset), a run sends nothing.
func (r *Runner) Sends() bool { return r.cfg.Sender != nil }

// Statuses of a digest in a Report.
const (
	StatusSent    = "sent"    // sent by this run
	StatusSkipped = "skipped" // already sent this week, by this run's predecessors or by a run alongside
	StatusFailed  = "failed"  // not sent, or held by an attempt this run could not wait for; the next run retries it
)

// Report says what a run did.
type Report struct {
	Week    string    `json:"week"`
	Since   time.Time `json:"since"`
	Until   time.Time `json:"until"`
	Digests []Result  `json:"digests"`
	Sent    int       `json:"sent"`
	Failed  int       `json:"failed"`
}

// Result is what became of one organiser's digest.
type Result struct {
	Organiser string   `json:"organiser"` // OrganiserID
	To        string   `json:"to"`
	Events    []string `json:"events"` // the events with something new
	Status    string   `json:"status"`
	MessageID string   `json:"message_id,omitempty"`
	Code      string   `json:"code,omitempty"` // error code of a failure
}

// ErrFailed is returned by Run when some digests could not be sent, so that
// the Lambda runtime retries the invocation: the retry sends only those.
var ErrFailed = errors.New("digest: some digests were not sent")

// Run sends the digests of the week ending at until, to each organiser
// address with something new in [until-7d, until) on an event it has not
// unsubscribed from.
//
// Exactly once per organiser and ISO week: each digest is claimed with a
// conditional write before it is sent, for a lease shorter than the minute
// Lambda waits before retrying a failed run, and marked sent after. A run
// ends successfully only once every digest it found due is sent, by itself
// or by another attempt: a digest another attempt holds is waited for until
// that attempt sends it or its lease runs out (and this run then takes it
// over); when the run's own deadline comes first, the digest counts as
// failed. A failed send gives the claim back. Run then returns ErrFailed
// with the report, so that Lambda's retry (and the schedule's catch-up
// runs) send what is missing, and nothing twice. A run that dies between
// sending and marking leaves a pending claim that a run after the lease
// sends again: the one case of a duplicate, traded for never losing a
// digest.
func (r *Runner) Run(ctx context.Context, until time.Time) (*Report, error) {
	if r.cfg.Sender == nil {
		return nil, retours.NewError(retours.EFORBIDDEN, "digest.off")
	}
	since := until.Add(-7 * 24 * time.Hour)
	rep := &Report{Week: Week(until), Since: since.UTC(), Until: until.UTC(), Digests: []Result{}}

	active, err := r.cfg.Changes.ActiveEvents(ctx, since, until)
	if err != nil {
		return nil, err
	}
	events, err := r.cfg.Digests.EventsClosingSince(ctx, since)
	if err != nil {
		return nil, err
	}
	isActive := map[string]bool{}
	for _, id := range active {
		isActive[id] = true
	}
	known := map[string]bool{}
	for _, e := range events {
		known[e.ID] = true
	}
	// A session's own window may close after its event: read those events too.
	for _, id := range active {
		if known[id] {
			continue
		}
		e, err := r.cfg.Events.Event(ctx, id)
		if retours.ErrorCode(err) == retours.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		events = append(events, e)
	}
	sort.SliceStable(events, func(i, j int) bool {
		if !events[i].StartsAt.Equal(events[j].StartsAt) {
			return events[i].StartsAt.Before(events[j].StartsAt)
		}
		return events[i].ID < events[j].ID
	})

	byOrganiser := map[string][]*retours.Event{}
	for _, e := range events {
		for _, addr := range e.OrganiserEmails {
			byOrganiser[addr] = append(byOrganiser[addr], e)
		}
	}
	addrs := make([]string, 0, len(byOrganiser))
	for a := range byOrganiser {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)

	unsubscribed := map[string]map[string]bool{} // event → organisers
	p := &period{week: rep.Week, since: since, until: until, summaries: map[string]*Summary{}}
	for _, addr := range addrs {
		org := retours.OrganiserID(addr)
		var news, quiet []*retours.Event
		for _, e := range byOrganiser[addr] {
			if _, ok := unsubscribed[e.ID]; !ok {
				if unsubscribed[e.ID], err = r.cfg.Digests.Unsubscribed(ctx, e.ID); err != nil {
					return nil, err
				}
			}
			switch {
			case unsubscribed[e.ID][org]:
			case isActive[e.ID]:
				news = append(news, e)
			default:
				quiet = append(quiet, e)
			}
		}
		if len(news) == 0 {
			continue // nothing new: no mail
		}
		var res Result
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < deadlineMargin {
			res = result(addr, news)
			res.Status, res.Code = StatusFailed, retours.EUNAVAILABLE
		} else {
			res = r.send(ctx, p, addr, news, quiet)
		}
		switch res.Status {
		case StatusSent:
			rep.Sent++
		case StatusFailed:
			rep.Failed++
		}
		rep.Digests = append(rep.Digests, res)
	}
	r.log.LogAttrs(ctx, slog.LevelInfo, "digests run", slog.String("week", rep.Week),
		slog.Int("digests", len(rep.Digests)), slog.Int("sent", rep.Sent), slog.Int("failed", rep.Failed))
	if rep.Failed > 0 {
		return rep, ErrFailed
	}
	return rep, nil
}

// period is the week a run reports on.
type period struct {
	week         string
	since, until time.Time
	summaries    map[string]*Summary // by event, shared by its organisers' digests
}

// send claims, composes and sends one organiser's digest.
func (r *Runner) send(ctx context.Context, p *period, addr string, news, quiet []*retours.Event) Result {
	res := result(addr, news)
	org := res.Organiser
	attempt, err := retours.NewID(r.cfg.Rand, 10)
	if err != nil {
		res.Status, res.Code = StatusFailed, retours.EINTERNAL
		return res
	}
	claim := retours.DigestClaim{Week: p.week, Organiser: org, Attempt: attempt}
	if status, err := r.claim(ctx, claim); status != "" || err != nil {
		if err != nil {
			return r.failed(ctx, res, err, nil)
		}
		res.Status = status
		if status == StatusFailed {
			res.Code = retours.ECONFLICT
			r.log.LogAttrs(ctx, slog.LevelWarn, "digest held by another attempt past this run's time", slog.String("week", p.week),
				slog.String("organiser", org))
		}
		return res
	}

	d := &Digest{To: addr, Lang: Lang(news), Since: p.since, Until: p.until, Quiet: quiet, BaseURL: r.cfg.BaseURL,
		Unsubscribe: map[string]string{}}
	var all []string
	for _, e := range append(append([]*retours.Event(nil), news...), quiet...) {
		all = append(all, e.ID)
		d.Unsubscribe[e.ID] = r.unsubscribeURL(org, []string{e.ID}, d.Lang)
	}
	d.UnsubscribeAll = r.unsubscribeURL(org, all, d.Lang)
	for _, e := range news {
		s, ok := p.summaries[e.ID]
		if !ok {
			if s, err = Summarise(ctx, r.cfg.Answers, e, p.since, p.until); err != nil {
				return r.failed(ctx, res, err, &claim)
			}
			p.summaries[e.ID] = s
		}
		d.Events = append(d.Events, s)
	}
	m, err := Compose(d)
	if err != nil {
		return r.failed(ctx, res, err, &claim)
	}
	// Composing may have taken longer than the lease: renew it, or learn
	// that another attempt took the digest over and sends it.
	leaseUntil := r.cfg.Now().Add(r.cfg.Lease)
	if err := r.cfg.Digests.RenewDigest(ctx, claim, leaseUntil); err != nil {
		if retours.ErrorCode(err) == retours.ECONFLICT {
			res.Status = StatusSkipped
			return res
		}
		return r.failed(ctx, res, err, &claim)
	}
	// Never send after the lease: another attempt may then send it too.
	sendCtx, cancel := context.WithTimeout(ctx, leaseUntil.Add(-sendMargin).Sub(r.cfg.Now()))
	id, err := r.cfg.Sender.Send(sendCtx, m)
	cancel()
	if err != nil {
		return r.failed(ctx, res, err, &claim)
	}
	res.Status, res.MessageID = StatusSent, id
	if err := r.cfg.Digests.DigestSent(ctx, claim, r.cfg.Now(), id); err != nil {
		// Sent all the same: say so, and leave the claim to its lease.
		r.log.LogAttrs(ctx, slog.LevelError, "digest sent but not recorded", slog.String("week", p.week),
			slog.String("organiser", org), slog.String("code", retours.ErrorCode(err)), slog.String("error", err.Error()))
	}
	return res
}

// claim takes claim for this run and returns "". It returns StatusSkipped
// when the digest was sent, by an earlier run or by an attempt this run
// waited for, and StatusFailed when another attempt still holds it and this
// run cannot wait any longer: its deadline is near, or the holder kept
// renewing its lease. A holder that died leaves its lease to run out, and
// this run then takes the digest over.
func (r *Runner) claim(ctx context.Context, claim retours.DigestClaim) (string, error) {
	var waited time.Duration
	for {
		now := r.cfg.Now()
		held, err := r.cfg.Digests.ClaimDigest(ctx, claim, now, now.Add(r.cfg.Lease))
		switch {
		case err == nil:
			return "", nil
		case errorKey(err) == "digest.sent":
			return StatusSkipped, nil
		case errorKey(err) != "digest.claimed":
			return "", err
		}
		wait := min(r.cfg.Poll, held.Sub(now)+time.Millisecond)
		if wait <= 0 {
			wait = time.Millisecond
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < deadlineMargin+wait || waited+wait > 3*r.cfg.Lease {
			return StatusFailed, nil
		}
		if err := r.cfg.Sleep(ctx, wait); err != nil {
			return "", err
		}
		waited += wait
	}
}

// errorKey returns the message key of err when it is a domain error.
func errorKey(err error) string {
	var e *retours.Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return retours.NewError(retours.EUNAVAILABLE, "unavailable")
	}
}

// result starts the report of one organiser's digest about news.
func result(addr string, news []*retours.Event) Result {
	res := Result{Organiser: retours.OrganiserID(addr), To: addr}
	for _, e := range news {
		res.Events = append(res.Events, e.ID)
	}
	return res
}

// failed records a failure in the log and, when the digest was claimed,
// gives the claim back for the next run.
func (r *Runner) failed(ctx context.Context, res Result, err error, claim *retours.DigestClaim) Result {
	res.Status, res.Code = StatusFailed, retours.ErrorCode(err)
	r.log.LogAttrs(ctx, slog.LevelError, "digest not sent", slog.String("organiser", res.Organiser),
		slog.String("code", res.Code), slog.String("error", err.Error()))
	if claim != nil {
		if err := r.cfg.Digests.DigestFailed(ctx, *claim, res.Code); err != nil {
			r.log.LogAttrs(ctx, slog.LevelError, "digest claim not released", slog.String("organiser", res.Organiser),
				slog.String("code", retours.ErrorCode(err)))
		}
	}
	return res
}

func (r *Runner) unsubscribeURL(org string, events []string, lang string) string {
	u := r.cfg.BaseURL + "/unsubscribe/" + signToken(r.cfg.Secret, org, events)
	if lang != "fr" {
		u += "?lang=" + lang
	}
	return u
}

// Unsubscription is what an unsubscribe link names.
type Unsubscription struct {
	Organiser string
	Events    []*retours.Event
}

// Unsubscription checks token and returns the events it names that still
// exist. ENOTFOUND for a link that is not valid.
func (r *Runner) Unsubscription(ctx context.Context, token string) (*Unsubscription, error) {
	org, ids, err := parseToken(r.cfg.Secret, token)
	if err != nil {
		return nil, err
	}
	u := &Unsubscription{Organiser: org}
	for _, id := range ids {
		e, err := r.cfg.Events.Event(ctx, id)
		if retours.ErrorCode(err) == retours.ENOTFOUND {
			continue // erased since the mail was sent
		}
		if err != nil {
			return nil, err
		}
		u.Events = append(u.Events, e)
	}
	if len(u.Events) == 0 {
		return nil, retours.NewError(retours.ENOTFOUND, "unsubscribe.gone")
	}
	return u, nil
}

// Unsubscribe records the unsubscription that token names.
func (r *Runner) Unsubscribe(ctx context.Context, token string) (*Unsubscription, error) {
	u, err := r.Unsubscription(ctx, token)
	if err != nil {
		return nil, err
	}
	for _, e := range u.Events {
		err := r.cfg.Digests.Unsubscribe(ctx, e, u.Organiser, r.cfg.Now())
		if err != nil && retours.ErrorCode(err) != retours.ENOTFOUND { // erased since it was read
			return nil, err
		}
	}
	r.log.LogAttrs(ctx, slog.LevelInfo, "digest unsubscribed", slog.String("organiser", u.Organiser), slog.Int("events", len(u.Events)))
	return u, nil
}

// Scheduled runs the digests for the Monday schedule: those of the week as
// of its Monday 08:00 in Paris (ScheduledAt), whichever of the schedule's
// runs that Monday it is. Without a sender (DIGEST_FROM unset) it says
// digests are off and succeeds. A run that could not send every digest
// fails, so that Lambda retries the invocation; the retry, and the
// schedule's catch-up runs later that Monday, send only what is missing.
func (r *Runner) Scheduled(ctx context.Context) (any, error) {
	rep, err := r.Run(ctx, ScheduledAt(r.cfg.Now()))
	if retours.ErrorCode(err) == retours.EFORBIDDEN {
		r.log.LogAttrs(ctx, slog.LevelInfo, "digests are off: DIGEST_FROM is not set")
		return nil, nil
	}
	return rep, err
}
