package digest_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/ses"
	"github.com/retours/retours/internal/storetest"
)

// The retry timeline of the digest on AWS (template.yaml):
//
//   - EventBridge Scheduler invokes the function asynchronously, Mondays at
//     08:00, 12:00 and 17:00 in Paris. Its own retry policy (3 attempts
//     within an hour, with backoff) covers only an invocation Lambda did not
//     accept; it may also deliver an event twice.
//   - Lambda retries an invocation that failed (an error, a crash, a
//     timeout) twice: one minute after the failure, then two minutes after
//     the second one (EventInvokeConfig.MaximumRetryAttempts: 2); then the
//     event goes to the FailedRuns queue. Its asynchronous queue may also
//     deliver an event twice.
//
// These tests run that timeline on the real Runner and store, with a clock
// that moves only when the test or a waiting run moves it.

// lambdaRetries are the waits after a failed invocation before Lambda's two
// retries.
var lambdaRetries = []time.Duration{time.Minute, 2 * time.Minute}

// paris08, paris12, paris17 are the schedule's runs on the Monday of week.
var (
	paris08 = monday
	paris12 = monday.Add(4 * time.Hour)
	paris17 = monday.Add(9 * time.Hour)
)

// clock is the wall clock of a test's runs.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Sleep moves the clock: a run waiting for another attempt's lease.
func (c *clock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return nil
}

// crash is what a crashing run panics with: a process that dies runs no
// more of its code, and Run holds nothing it would release on the way out.
type crash struct{}

// crashing is the store as a run that dies sees it, when dies is set: the
// run dies after claiming org's digest (at "claimed", the claim stored), or
// right before marking it sent (at "sent", the mail gone). A run that dies
// after claiming has worked for took before it claims, and for lasts after.
type crashing struct {
	storetest.Store
	clock       *clock
	org         string
	dies        bool
	at          string
	took, lasts time.Duration
}

func (c *crashing) ClaimDigest(ctx context.Context, cl retours.DigestClaim, now, until time.Time) (time.Time, error) {
	dies := c.dies && c.at == "claimed" && cl.Organiser == c.org
	if dies && c.took > 0 {
		c.clock.Sleep(ctx, c.took)
		now, until = c.clock.Now(), c.clock.Now().Add(until.Sub(now))
	}
	held, err := c.Store.ClaimDigest(ctx, cl, now, until)
	if err == nil && dies {
		c.clock.Sleep(ctx, c.lasts)
		panic(crash{})
	}
	return held, err
}

func (c *crashing) DigestSent(ctx context.Context, cl retours.DigestClaim, now time.Time, id string) error {
	if c.dies && c.at == "sent" && cl.Organiser == c.org {
		panic(crash{})
	}
	return c.Store.DigestSent(ctx, cl, now, id)
}

// invocation runs the function once on the schedule's event at the clock's
// time, through Runner.Scheduled as the function does: the week as of its
// Monday 08:00. It returns errCrashed when the run died.
func invocation(w *week, box ses.Sender, clk *clock, digests retours.DigestStore) (rep *digest.Report, err error) {
	r := digest.New(digest.Config{
		Events: w.fn, Answers: w.fn, Digests: digests, Changes: w.fn, Sender: box,
		BaseURL: "https://retours.example.org", Secret: []byte(secret), Now: clk.Now, Sleep: clk.Sleep,
		Logger: quiet,
	})
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(crash); !ok {
				panic(v)
			}
			rep, err = nil, errCrashed
		}
	}()
	out, err := r.Scheduled(context.Background())
	rep, _ = out.(*digest.Report)
	return rep, err
}

var errCrashed = errors.New("the run died")

var quiet = slog.New(slog.DiscardHandler)

// delivery is one event the scheduler delivers: Lambda invokes the function
// at start, and again after each failure, at lambdaRetries' offsets, until
// a run succeeds or the retries run out. invoke runs the attempt-th
// invocation (0, 1, 2) at the clock's time, and says when it ended by
// moving the clock. It returns the times of the invocations and whether one
// succeeded.
func delivery(clk *clock, start time.Time, invoke func(attempt int) error) (at []string, ok bool) {
	next := start
	for attempt := 0; ; attempt++ {
		clk.Set(next)
		at = append(at, next.In(parisZone).Format("15:04:05"))
		if invoke(attempt) == nil {
			return at, true
		}
		if attempt == len(lambdaRetries) {
			return at, false // to the FailedRuns queue
		}
		next = clk.Now().Add(lambdaRetries[attempt])
	}
}

var parisZone, _ = time.LoadLocation("Europe/Paris")

// received counts the mails each address received.
func received(box *outbox) map[string]int {
	box.mu.Lock()
	defer box.mu.Unlock()
	out := map[string]int{}
	for _, m := range box.sent {
		out[m.To]++
	}
	return out
}

// TestRetryTimeline: whatever dies and whenever, every digest of the week
// is sent, once (twice only when a run dies between sending a mail and
// marking it sent).
func TestRetryTimeline(t *testing.T) {
	alice := retours.OrganiserID("alice@example.org")
	once := map[string]int{"alice@example.org": 1, "bob@example.org": 1}
	for _, tc := range []struct {
		name string
		// at, took and lasts: where the dying runs die, how long they work
		// before they claim alice's digest and after.
		at          string
		took, lasts time.Duration
		// dies says which invocations die: by delivery (0 the 08:00 one,
		// 1 a second one), then attempt.
		dies func(delivery, attempt int) bool
		// second is a second delivery of the 08:00 event (Lambda's queue or
		// the scheduler delivering twice), that many seconds after the first;
		// 0 for none.
		second time.Duration
		// catchUp runs the 12:00 and 17:00 schedules.
		catchUp bool
		want    map[string]int
		// invocations are the times the 08:00 delivery ran, in Paris.
		invocations []string
		ok          bool
	}{
		{
			name: "a run dies right after claiming: the retry a minute later sends it",
			at:   "claimed", dies: func(d, a int) bool { return a == 0 },
			want: once, invocations: []string{"08:00:00", "08:01:00"}, ok: true,
		},
		{
			// The run claims in its last 30 s before the 300-s timeout, which
			// stops it 30 s later: the retry comes at 08:06.
			name: "a run times out after claiming: the retry sends it",
			at:   "claimed", took: 4*time.Minute + 30*time.Second, lasts: 30 * time.Second, dies: func(d, a int) bool { return a == 0 },
			want: once, invocations: []string{"08:00:00", "08:06:00"}, ok: true,
		},
		{
			name: "a run and its first retry die: the second retry sends it",
			at:   "claimed", dies: func(d, a int) bool { return a < 2 },
			want: once, invocations: []string{"08:00:00", "08:01:00", "08:03:00"}, ok: true,
		},
		{
			name: "every attempt dies: the 12:00 catch-up sends it",
			at:   "claimed", dies: func(d, a int) bool { return d == 0 }, catchUp: true,
			want: once, invocations: []string{"08:00:00", "08:01:00", "08:03:00"}, ok: false,
		},
		{
			name: "a second delivery during the lease waits for it, then sends",
			at:   "claimed", dies: func(d, a int) bool { return d == 0 && a == 0 }, second: 10 * time.Second,
			want: once, invocations: []string{"08:00:00", "08:01:00"}, ok: true,
		},
		{
			name: "a run dies between sending and marking: the retry sends it again",
			at:   "sent", dies: func(d, a int) bool { return a == 0 }, catchUp: true,
			want: map[string]int{"alice@example.org": 2, "bob@example.org": 1}, invocations: []string{"08:00:00", "08:01:00"}, ok: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := memstore.New()
			w := newWeek(t, st)
			box := &outbox{}
			clk := &clock{}
			run := func(d int) func(attempt int) error {
				return func(attempt int) error {
					_, err := invocation(w, box, clk, &crashing{Store: st, clock: clk, org: alice, at: tc.at, took: tc.took, lasts: tc.lasts, dies: tc.dies(d, attempt)})
					return err
				}
			}
			var at []string
			var ok bool
			if tc.second > 0 {
				// The second delivery comes while the dead run's claim is held;
				// the dead run's retry comes a minute after its death.
				at, ok = delivery(clk, paris08, func(attempt int) error {
					err := run(0)(attempt)
					if attempt == 0 {
						died := clk.Now()
						clk.Set(paris08.Add(tc.second))
						if _, err := invocation(w, box, clk, &crashing{Store: st, clock: clk, org: alice, at: tc.at, dies: tc.dies(1, 0)}); err != nil {
							t.Errorf("second delivery: %v", err)
						}
						clk.Set(died)
					}
					return err
				})
			} else {
				at, ok = delivery(clk, paris08, run(0))
			}
			if !slices.Equal(at, tc.invocations) || ok != tc.ok {
				t.Errorf("invocations at %v, succeeded %v; want %v, %v", at, ok, tc.invocations, tc.ok)
			}
			if tc.catchUp {
				for _, at := range []time.Time{paris12, paris17} {
					clk.Set(at)
					if rep, err := invocation(w, box, clk, st); err != nil {
						t.Errorf("catch-up at %s: %v, %+v", at.In(parisZone).Format("15:04"), err, rep)
					}
				}
			}
			if got := received(box); !equalCounts(got, tc.want) {
				t.Errorf("mails received: %v, want %v", got, tc.want)
			}
			// And nothing more that week.
			clk.Set(paris17.Add(time.Hour))
			rep, err := invocation(w, box, clk, st)
			if err != nil || rep.Sent != 0 {
				t.Errorf("a run later that Monday: %v, %+v; want nothing sent", err, rep)
			}
		})
	}
}

// TestOverlappingRunsWait: a run that finds a digest claimed by a run
// alongside, still sending it, waits until it is sent and skips it; it does
// not succeed before.
func TestOverlappingRunsWait(t *testing.T) {
	st := memstore.New()
	w := newWeek(t, st)
	clk := &clock{now: paris08}
	sending := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	first := &outbox{}
	blocking := senderFunc(func(ctx context.Context, m *ses.Message) (string, error) {
		once.Do(func() { close(sending); <-release })
		return first.Send(ctx, m)
	})
	done := make(chan *digest.Report)
	go func() {
		rep, err := invocation(w, blocking, clk, st)
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	<-sending // the first run holds alice's digest and is sending it

	var firstRep *digest.Report
	second := &outbox{}
	var waits []time.Duration
	r := digest.New(digest.Config{
		Events: w.fn, Answers: w.fn, Digests: st, Changes: w.fn, Sender: second,
		BaseURL: "https://retours.example.org", Secret: []byte(secret), Now: clk.Now, Logger: quiet,
		Sleep: func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			if len(waits) == 1 {
				close(release)
				firstRep = <-done
			}
			return clk.Sleep(ctx, d)
		},
	})
	rep, err := r.Run(context.Background(), paris08)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(firstRep), map[string]string{"alice@example.org": "sent", "bob@example.org": "sent"}; !equalMaps(got, want) {
		t.Errorf("first run: %v, want %v", got, want)
	}
	if got, want := statuses(rep), map[string]string{"alice@example.org": "skipped", "bob@example.org": "skipped"}; !equalMaps(got, want) {
		t.Errorf("second run: %v, want %v", got, want)
	}
	if len(second.sent) != 0 || !slices.Equal(first.to(), []string{"alice@example.org", "bob@example.org"}) {
		t.Errorf("sent by the first run to %v, by the second to %d; want alice and bob once", first.to(), len(second.sent))
	}
	if len(waits) != 1 || waits[0] != digest.DefaultPoll {
		t.Errorf("the second run waited %v, want one poll", waits)
	}
}

// TestRunFailsWhenItCannotWait: a run whose deadline comes before the lease
// another attempt holds ends fails, rather than succeed and leave the
// digest to a holder that may have died.
func TestRunFailsWhenItCannotWait(t *testing.T) {
	st := memstore.New()
	w := newWeek(t, st)
	alice := retours.DigestClaim{Week: digest.Week(paris08), Organiser: retours.OrganiserID("alice@example.org"), Attempt: "dead"}
	if _, err := st.ClaimDigest(t.Context(), alice, paris08, paris08.Add(digest.DefaultLease)); err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: paris08.Add(time.Second)}
	box := &outbox{}
	r := digest.New(digest.Config{
		Events: w.fn, Answers: w.fn, Digests: st, Changes: w.fn, Sender: box,
		BaseURL: "https://retours.example.org", Secret: []byte(secret), Now: clk.Now, Sleep: clk.Sleep, Logger: quiet,
		Poll: 10 * time.Second,
	})
	// 35 s before the function's timeout: time to send a digest, not to wait
	// 10 s and keep the 30 s the run keeps before its timeout.
	ctx, cancel := context.WithTimeout(t.Context(), 35*time.Second)
	defer cancel()
	rep, err := r.Run(ctx, paris08)
	if !errors.Is(err, digest.ErrFailed) {
		t.Fatalf("err = %v, want ErrFailed", err)
	}
	if got, want := statuses(rep), map[string]string{"alice@example.org": "failed", "bob@example.org": "sent"}; !equalMaps(got, want) {
		t.Errorf("run: %v, want %v", got, want)
	}
	if rep.Digests[0].Code != retours.ECONFLICT {
		t.Errorf("alice's digest failed with %q, want %q", rep.Digests[0].Code, retours.ECONFLICT)
	}
	// Lambda's retry, a minute later, finds the lease over.
	clk.Set(paris08.Add(time.Minute + time.Second))
	if rep, err := r.Run(t.Context(), paris08); err != nil || statuses(rep)["alice@example.org"] != "sent" {
		t.Errorf("retry: %v, %v; want alice's digest sent", err, statuses(rep))
	}
	if got := box.to(); !slices.Equal(got, []string{"alice@example.org", "bob@example.org"}) {
		t.Errorf("sent to %v, want each once", got)
	}
}

// TestRetryTimelineOnDynamoDB: a run dies right after claiming, and
// Lambda's retry a minute later sends the digest, on DynamoDB Local.
func TestRetryTimelineOnDynamoDB(t *testing.T) {
	st := dynamotest.NewFedStore(t)
	w := newWeek(t, st)
	box := &outbox{}
	clk := &clock{}
	alice := retours.OrganiserID("alice@example.org")
	at, ok := delivery(clk, paris08, func(attempt int) error {
		_, err := invocation(w, box, clk, &crashing{Store: st, clock: clk, org: alice, at: "claimed", dies: attempt == 0})
		return err
	})
	if !ok || !slices.Equal(at, []string{"08:00:00", "08:01:00"}) {
		t.Errorf("invocations at %v, succeeded %v; want 08:00:00 and 08:01:00, succeeded", at, ok)
	}
	if got := received(box); !equalCounts(got, map[string]int{"alice@example.org": 1, "bob@example.org": 1}) {
		t.Errorf("mails received: %v, want one each", got)
	}
}

// TestScheduledAt: every run of the Monday schedule, and its retries,
// report on the week up to Monday 08:00 in Paris.
func TestScheduledAt(t *testing.T) {
	for _, tc := range []struct{ now, want string }{
		{"2026-11-30T08:00:00+01:00", "2026-11-30T08:00:00+01:00"},
		{"2026-11-30T08:03:12+01:00", "2026-11-30T08:00:00+01:00"},
		{"2026-11-30T17:00:00+01:00", "2026-11-30T08:00:00+01:00"},
		{"2026-12-06T23:59:59+01:00", "2026-11-30T08:00:00+01:00"},
		{"2026-11-30T07:59:59+01:00", "2026-11-23T08:00:00+01:00"},
		// Summer time: 08:00 in Paris is 06:00 UTC.
		{"2026-06-01T06:00:00Z", "2026-06-01T08:00:00+02:00"},
		// The Monday after summer time ends.
		{"2026-10-26T09:00:00+01:00", "2026-10-26T08:00:00+01:00"},
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		want, _ := time.Parse(time.RFC3339, tc.want)
		if got := digest.ScheduledAt(now); !got.Equal(want) {
			t.Errorf("ScheduledAt(%s) = %s, want %s", tc.now, got.In(parisZone).Format(time.RFC3339), tc.want)
		}
	}
}

type senderFunc func(context.Context, *ses.Message) (string, error)

func (f senderFunc) Send(ctx context.Context, m *ses.Message) (string, error) { return f(ctx, m) }

func equalCounts(a, b map[string]int) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}
