package digest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/retours/retours/internal/digest"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/ses"
	"github.com/retours/retours/internal/storetest"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

// monday is the morning of a weekly run: Monday 30 November 2026, 08:00 in Paris.
var monday = time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)

const secret = "digest-secret-for-tests-0123456789"

// week is a store with a week of answers across four events and three
// organisers:
//
//	nec    alice, bob   7 answers and 2 notes this week, 6 before   (French)
//	tour   bob          5 answers this week                         (English)
//	cafe   alice        answers two weeks ago only: quiet           (French)
//	old    alice        closed a month ago: not mentioned
//	calm   carol        first answer at 09:00 Paris on Monday, after the run
//
// Runs read the same week from DynamoDB Local (the end-to-end tests) or
// from memory (where the database is not the point).
type week struct {
	store                      storetest.Store
	fn                         storetest.Store // store as the digest function sees it: its calls recorded
	nec, tour, cafe, old, calm *retours.Event
}

func newWeek(t *testing.T, st storetest.Store) *week {
	t.Helper()
	w := &week{store: st, fn: dynamotest.ForFunction(t, st, "DigestFunction")}
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	w.nec = mustEvent(t, w.store, "Numérique En Commun[s] Auvergne", day(20), []string{"alice@example.org", "Bob@Example.org"}, nil)
	w.tour = mustEvent(t, w.store, "Digital inclusion tour", day(24), []string{"bob@example.org"}, []string{"en", "fr"})
	w.cafe = mustEvent(t, w.store, "Café numérique", day(10), []string{"alice@example.org"}, nil)
	w.old = mustEvent(t, w.store, "Journée 2025", time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC), []string{"alice@example.org"}, nil)
	w.calm = mustEvent(t, w.store, "Atelier calme", day(26), []string{"carol@example.org"}, nil)

	for i := 0; i < 6; i++ {
		mustAnswer(t, w.store, w.nec, w.nec.Sessions[0].ID, "4", "9", day(20).Add(time.Duration(i)*time.Hour), "Le buffet était parfait")
	}
	for i := 0; i < 7; i++ {
		mustAnswer(t, w.store, w.nec, w.nec.Sessions[1].ID, "5", "10", day(25).Add(time.Duration(i)*time.Hour), "La médiation numérique en milieu rural")
	}
	mustNote(t, w.store, w.nec, w.nec.Sessions[1].ID, "Autant d'élus que d'associations !", day(25))
	mustNote(t, w.store, w.nec, "", "<b>Le buffet</b>", day(26))
	for i := 0; i < 5; i++ {
		mustAnswer(t, w.store, w.tour, "", "3", "6", day(28).Add(time.Duration(i)*time.Minute))
	}
	mustAnswer(t, w.store, w.cafe, "", "4", "8", day(12))
	// After the run's instant: a run "as of" Monday morning ignores it.
	mustAnswer(t, w.store, w.calm, "", "4", "8", monday.Add(time.Hour))
	// The stream's consumer counts them into the events' activity.
	if err := st.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	return w
}

func mustEvent(t *testing.T, st storetest.Store, title string, starts time.Time, organisers, langs []string) *retours.Event {
	t.Helper()
	e, err := retours.NewEvent(retours.EventInput{
		Title: title, StartsAt: starts, EndsAt: starts.Add(8 * time.Hour), OrganiserEmails: organisers, Languages: langs,
		Sessions: []retours.SessionInput{
			{Title: "Plénière", Kind: retours.KindPleniere, StartsAt: starts},
			{Title: "Atelier inclusion", Kind: retours.KindAtelier, StartsAt: starts},
		},
	}, rand.Reader, starts.Add(-time.Hour), 24)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateEvent(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func mustAnswer(t *testing.T, st storetest.Store, e *retours.Event, session, satisfaction, nps string, at time.Time, comment ...string) {
	t.Helper()
	sub, _ := retours.NewSubmissionID(rand.Reader)
	a, err := retours.NewAnswer(e, retours.AnswerInput{SubmissionID: sub, SessionID: session,
		Raw: map[string][]string{"satisfaction": {satisfaction}, "nps": {nps}, "commentaire": comment}}, rand.Reader, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.PutAnswer(t.Context(), a, e.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
}

func mustNote(t *testing.T, st storetest.Store, e *retours.Event, session, text string, at time.Time) {
	t.Helper()
	sub, _ := retours.NewSubmissionID(rand.Reader)
	n, err := retours.NewNote(e, retours.NoteInput{SubmissionID: sub, SessionID: session, Kind: retours.NoteEtonnement, Text: text}, rand.Reader, at)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.PutNote(t.Context(), n, e.ExpiresAt()); err != nil {
		t.Fatal(err)
	}
}

// outbox is a Sender that keeps what it is given.
type outbox struct {
	mu    sync.Mutex
	sent  []*ses.Message
	fail  func(*ses.Message) error
	delay time.Duration
}

func (o *outbox) Send(ctx context.Context, m *ses.Message) (string, error) {
	time.Sleep(o.delay)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail != nil {
		if err := o.fail(m); err != nil {
			return "", err
		}
	}
	o.sent = append(o.sent, m)
	return fmt.Sprintf("msg-%d", len(o.sent)), nil
}

func (o *outbox) to() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, m := range o.sent {
		out = append(out, m.To)
	}
	sort.Strings(out)
	return out
}

func newRunner(w *week, sender ses.Sender, now func() time.Time) *digest.Runner {
	if now == nil {
		now = func() time.Time { return monday }
	}
	return digest.New(digest.Config{
		Events: w.fn, Answers: w.fn, Digests: w.fn, Changes: w.fn, Sender: sender,
		BaseURL: "https://retours.example.org", Secret: []byte(secret), Now: now,
		Logger: slog.New(slog.DiscardHandler),
	})
}

func statuses(rep *digest.Report) map[string]string {
	out := map[string]string{}
	for _, d := range rep.Digests {
		out[d.To] = d.Status
	}
	return out
}

// sesEndpoint answers SES v2's SendEmail on the loopback interface and keeps
// the raw messages the real client sends.
type sesEndpoint struct {
	mu  sync.Mutex
	raw [][]byte
}

func (e *sesEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Content struct{ Raw struct{ Data []byte } }
	}
	json.NewDecoder(r.Body).Decode(&body)
	e.mu.Lock()
	e.raw = append(e.raw, body.Content.Raw.Data)
	n := len(e.raw)
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"MessageId":"ses-%d"}`, n)
}

// readMail parses a raw message as a mail client would.
func readMail(t *testing.T, raw []byte) (h mail.Header, text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			text = string(b)
		} else {
			html = string(b)
		}
	}
	return m.Header, text, html
}

func TestAWeekOfAnswersThroughSES(t *testing.T) {
	w := newWeek(t, dynamotest.NewFedStore(t))
	ep := &sesEndpoint{}
	srv := httptest.NewServer(ep)
	defer srv.Close()
	client := sesv2.New(sesv2.Options{Region: "eu-west-3", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	r := newRunner(w, ses.NewSES(client, "retours <digest@retours.example.org>", func() time.Time { return monday }), nil)

	rep, err := r.Run(t.Context(), monday)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Week != "2026-W49" || rep.Sent != 2 || len(ep.raw) != 2 {
		t.Fatalf("week %s, sent %d, SES got %d; want 2026-W49, 2 and 2: %+v", rep.Week, rep.Sent, len(ep.raw), rep)
	}
	if got, want := statuses(rep), map[string]string{"alice@example.org": "sent", "bob@example.org": "sent"}; !equalMaps(got, want) {
		t.Errorf("digests = %v, want %v", got, want)
	}
	mails := map[string]struct {
		h          mail.Header
		text, html string
	}{}
	for _, raw := range ep.raw {
		h, text, html := readMail(t, raw)
		mails[h.Get("To")] = struct {
			h          mail.Header
			text, html string
		}{h, text, html}
	}

	alice := mails["<alice@example.org>"]
	for _, want := range []string{
		"== Numérique En Commun[s] Auvergne ==",
		"7 nouvelles réponses (13 en tout)",
		"  - Atelier inclusion : 7",
		"Satisfaction : 4,5 / 5 (+0,5 en une semaine)",
		"NPS : +100 (stable en une semaine)",
		"Rapport d'étonnement : 2 nouvelles notes :",
		// The atelier has 7 answers, enough to name it; the note about the
		// event as a whole names nothing.
		"« Autant d'élus que d'associations ! » (Étonnement, Atelier inclusion)",
		"« <b>Le buffet</b> » (Étonnement)",
		"Page des organisateurs : https://retours.example.org/o/" + w.nec.ID,
		"Sans nouveauté cette semaine : Café numérique.",
		// Themes of this week's free text; the buffet was already one.
		"Thèmes apparus : médiation numérique, milieu rural\n",
	} {
		if !strings.Contains(alice.text, want) {
			t.Errorf("alice's text lacks %q:\n%s", want, alice.text)
		}
	}
	if strings.Contains(alice.text, "Journée 2025") || strings.Contains(alice.text, "Digital inclusion tour") {
		t.Errorf("alice's digest mentions an event it should not:\n%s", alice.text)
	}
	if !strings.Contains(alice.html, "&lt;b&gt;Le buffet&lt;/b&gt;") {
		t.Error("alice's HTML does not escape a note")
	}
	if u := alice.h.Get("List-Unsubscribe"); !strings.HasPrefix(u, "<https://retours.example.org/unsubscribe/"+retours.OrganiserID("alice@example.org")+".") {
		t.Errorf("List-Unsubscribe = %q", u)
	}

	// Bob follows a French and an English event: French wins.
	bob := mails["<bob@example.org>"]
	for _, want := range []string{"== Numérique En Commun[s] Auvergne ==", "== Digital inclusion tour ==", "5 nouvelles réponses (5 en tout)", "Satisfaction : 3,0 / 5 (première semaine)", "NPS : −100 (première semaine)"} {
		if !strings.Contains(bob.text, want) {
			t.Errorf("bob's text lacks %q:\n%s", want, bob.text)
		}
	}
	dec := new(mime.WordDecoder)
	if s, _ := dec.DecodeHeader(bob.h.Get("Subject")); s != "Cette semaine sur vos 2 événements : 12 nouvelles réponses et 2 nouvelles notes" {
		t.Errorf("bob's subject = %q", s)
	}

	t.Run("a rerun sends nothing new", func(t *testing.T) {
		rep, err := r.Run(t.Context(), monday.Add(30*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Sent != 0 || len(ep.raw) != 2 {
			t.Errorf("rerun sent %d (SES got %d in all), want none", rep.Sent, len(ep.raw))
		}
		if got, want := statuses(rep), map[string]string{"alice@example.org": "skipped", "bob@example.org": "skipped"}; !equalMaps(got, want) {
			t.Errorf("digests = %v, want %v", got, want)
		}
	})
	t.Run("a later run in the week sends only to whoever has news now", func(t *testing.T) {
		// Carol's first answer came at 09:00 Paris.
		rep, err := r.Run(t.Context(), monday.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := statuses(rep), map[string]string{"alice@example.org": "skipped", "bob@example.org": "skipped", "carol@example.org": "sent"}; !equalMaps(got, want) {
			t.Errorf("digests = %v, want %v", got, want)
		}
	})
}

func TestUnsubscribedOrganisersGetNothing(t *testing.T) {
	w := newWeek(t, dynamotest.NewFedStore(t)) // the unsubscriptions' conditional writes, recorded
	box := &outbox{}
	r := newRunner(w, box, nil)
	// Last week's digest (as of Sunday evening, ISO week 48) had the same
	// events, and the links to stop it.
	if _, err := r.Run(t.Context(), time.Date(2026, 11, 29, 21, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	aliceAll := ""
	for _, m := range box.sent {
		if m.To == "alice@example.org" {
			aliceAll = m.Unsubscribe
		}
	}
	bobNEC := link(t, box, "bob@example.org", "Numérique En Commun[s] Auvergne")

	// Alice stops everything in her mail, Bob one of his two events.
	for _, l := range []string{aliceAll, bobNEC, bobNEC} {
		token := strings.TrimPrefix(l, "https://retours.example.org/unsubscribe/")
		if _, err := r.Unsubscribe(t.Context(), token); err != nil {
			t.Fatalf("unsubscribe %q: %v", l, err)
		}
	}
	if _, err := r.Unsubscribe(t.Context(), "nope.nope.nope"); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("forged link: %v, want not found", err)
	}

	box.sent = nil
	if _, err := r.Run(t.Context(), monday); err != nil {
		t.Fatal(err)
	}
	if got := box.to(); !slices.Equal(got, []string{"bob@example.org"}) {
		t.Fatalf("sent to %v, want bob only", got)
	}
	m := box.sent[0]
	if strings.Contains(m.Text, "Numérique En Commun[s]") || !strings.Contains(m.Text, "== Digital inclusion tour ==") {
		t.Errorf("bob's digest after unsubscribing from NEC:\n%s", m.Text)
	}
	if m.Lang != "en" || !strings.Contains(m.Text, "5 new answers (5 in all)") {
		t.Errorf("bob's digest about an English event only is not in English:\n%s", m.Text)
	}
}

// link returns the per-event unsubscribe link of the digest sent to addr.
func link(t *testing.T, box *outbox, addr, title string) string {
	t.Helper()
	for _, m := range box.sent {
		if m.To != addr {
			continue
		}
		_, after, _ := strings.Cut(m.Text, "== "+title+" ==")
		_, l, ok := strings.Cut(after, ": https://retours.example.org/unsubscribe/")
		if ok {
			l, _, _ = strings.Cut(l, "\n")
			return "https://retours.example.org/unsubscribe/" + l
		}
	}
	t.Fatalf("no unsubscribe link for %q in %s's digest", title, addr)
	return ""
}

// TestOverlappingRunsSendEachOnce relies on DynamoDB's conditional writes.
func TestOverlappingRunsSendEachOnce(t *testing.T) {
	w := newWeek(t, dynamotest.NewFedStore(t))
	box := &outbox{delay: 50 * time.Millisecond}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := newRunner(w, box, nil).Run(context.Background(), monday); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := box.to(); !slices.Equal(got, []string{"alice@example.org", "bob@example.org"}) {
		t.Errorf("sent to %v, want alice and bob once each", got)
	}
}

func TestFailedSendIsRetriedNextRun(t *testing.T) {
	w := newWeek(t, memstore.New())
	box := &outbox{fail: func(m *ses.Message) error {
		if m.To == "alice@example.org" {
			return retours.NewError(retours.EUNAVAILABLE, "email.throttled")
		}
		return nil
	}}
	r := newRunner(w, box, nil)
	rep, err := r.Run(t.Context(), monday)
	if !errors.Is(err, digest.ErrFailed) {
		t.Fatalf("err = %v, want ErrFailed", err)
	}
	if got, want := statuses(rep), map[string]string{"alice@example.org": "failed", "bob@example.org": "sent"}; !equalMaps(got, want) {
		t.Errorf("first run: %v, want %v", got, want)
	}
	if rep.Digests[0].Code != retours.EUNAVAILABLE {
		t.Errorf("failure code = %q", rep.Digests[0].Code)
	}

	box.fail = nil
	rep, err = r.Run(t.Context(), monday.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(rep), map[string]string{"alice@example.org": "sent", "bob@example.org": "skipped"}; !equalMaps(got, want) {
		t.Errorf("retry: %v, want %v", got, want)
	}
	if got := box.to(); !slices.Equal(got, []string{"alice@example.org", "bob@example.org"}) {
		t.Errorf("sent to %v, want each once", got)
	}
}

// A run near its Lambda timeout starts no digest and fails, so that the
// retry sends them.
func TestRunStopsBeforeItsDeadline(t *testing.T) {
	w := newWeek(t, memstore.New())
	box := &outbox{}
	r := newRunner(w, box, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	rep, err := r.Run(ctx, monday)
	if !errors.Is(err, digest.ErrFailed) || rep.Failed != 2 || len(box.sent) != 0 {
		t.Fatalf("near the deadline: %v, %+v, %d sent; want both deferred", err, rep, len(box.sent))
	}
	if _, err := r.Run(t.Context(), monday); err != nil {
		t.Fatal(err)
	}
	if got := box.to(); !slices.Equal(got, []string{"alice@example.org", "bob@example.org"}) {
		t.Errorf("the retry sent to %v, want alice and bob", got)
	}
}

// An overloaded database while a digest is composed fails it and gives its
// claim back: the next run sends it.
func TestOverloadedStoreIsRetriedNextRun(t *testing.T) {
	st := memstore.New()
	w := newWeek(t, st)
	box := &outbox{}
	r := newRunner(w, box, nil)
	st.FailWith(memstore.FailOn("Answers"))
	rep, err := r.Run(t.Context(), monday)
	if !errors.Is(err, digest.ErrFailed) || len(box.sent) != 0 {
		t.Fatalf("with answers unreadable: %v, %d sent; want ErrFailed and nothing sent", err, len(box.sent))
	}
	if got, want := statuses(rep), map[string]string{"alice@example.org": "failed", "bob@example.org": "failed"}; !equalMaps(got, want) {
		t.Errorf("first run: %v, want %v", got, want)
	}
	for _, d := range rep.Digests {
		if d.Code != retours.EUNAVAILABLE {
			t.Errorf("%s failed with %q, want %q", d.To, d.Code, retours.EUNAVAILABLE)
		}
	}
	st.FailWith(nil)
	if _, err := r.Run(t.Context(), monday.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := box.to(); !slices.Equal(got, []string{"alice@example.org", "bob@example.org"}) {
		t.Errorf("the next run sent to %v, want alice and bob", got)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
