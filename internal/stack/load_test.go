package stack_test

import (
	crand "crypto/rand"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/webtest"
)

// Load test figures: 1,000 participants, 64 requests in flight, 30 % of the
// submissions sent twice (a double tap, a retry after a lost response), a
// third of those twice at the same instant.
const (
	loadAnswers     = 1000
	loadConcurrency = 64
	loadTwice       = 300
	loadSameInstant = 100
	loadFormEvery   = 7 // every 7th submission sent once is a form post
)

// loadJob is one request of the load test; a pair of jobs with the same
// barrier is sent at the same instant.
type loadJob struct {
	n       int // submission number
	barrier *instant
}

// instant releases its two requests together.
type instant struct {
	arrived atomic.Int32
	go_     chan struct{}
}

func (i *instant) wait() {
	if i.arrived.Add(1) == 2 {
		close(i.go_)
	}
	<-i.go_
}

// loadResult is what one request got back.
type loadResult struct {
	status  int
	id      string
	created bool
	// form: sent as a form, answered with the thank-you page (thanks).
	form, thanks bool
}

// TestLoad sends 1,000 answers through the real router to DynamoDB Local, 64
// at a time, 300 of them twice: exactly 1,000 are stored, the bilan counts
// 1,000, and every duplicate is answered as a success with the original
// answer id. Run with -v for the figures.
func TestLoad(t *testing.T) {
	t.Parallel() // with the other heavy tests, after the sequential ones
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	env := newEnvWith(t, dynamotest.NewStore(t), quiet)
	ce := env.MustCreateEvent(necDay)
	env.Clock.Set(time.Date(2026, 10, 13, 16, 0, 0, 0, time.UTC)) // every session open
	sessions := []string{""}
	for _, s := range ce.Sessions {
		sessions = append(sessions, s.ID)
	}

	rng := rand.New(rand.NewPCG(6, 2026))
	subs := make([]string, loadAnswers)
	for i := range subs {
		subs[i] = webtest.UUID(t)
	}
	// Submissions 0..loadTwice-1 are sent twice: the first loadSameInstant at
	// the same instant (adjacent in the queue, released together), the others
	// once early and once at a random later place.
	var jobs []loadJob
	for n := loadTwice; n < loadAnswers; n++ {
		jobs = append(jobs, loadJob{n: n})
	}
	rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	for n := loadSameInstant; n < loadTwice; n++ {
		first := rng.IntN(len(jobs) + 1)
		jobs = insert(jobs, first, loadJob{n: n})
		jobs = insert(jobs, first+1+rng.IntN(len(jobs)-first), loadJob{n: n})
	}
	for n := 0; n < loadSameInstant; n++ {
		at := rng.IntN(len(jobs) + 1)
		b := &instant{go_: make(chan struct{})}
		jobs = insert(jobs, at, loadJob{n: n, barrier: b}, loadJob{n: n, barrier: b})
	}

	body := func(n int) (string, url.Values) {
		session := sessions[n%len(sessions)]
		sat := strconv.Itoa(n%5 + 1)
		js := `{"submission_id":"` + subs[n] + `","session":"` + session + `","answers":{"satisfaction":` + sat +
			`,"nps":` + strconv.Itoa(n%11) + `,"commentaire":"Réponse ` + strconv.Itoa(n) + `"}}`
		form := url.Values{"submission_id": {subs[n]}, "session": {session}, "q_satisfaction": {sat}, "q_nps": {strconv.Itoa(n % 11)}}
		return js, form
	}
	results := make([][]loadResult, loadAnswers)
	var mu sync.Mutex
	queue := make(chan loadJob)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < loadConcurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				js, form := body(j.n)
				if j.barrier != nil {
					j.barrier.wait()
				}
				var res loadResult
				if j.n >= loadTwice && j.n%loadFormEvery == 0 {
					rec := env.PostForm("/e/"+ce.ID+"/answers", form)
					res.status, res.form = rec.Code, true
					res.thanks = strings.Contains(rec.Body.String(), `role="status"`)
				} else {
					rec := env.PostJSON("/e/"+ce.ID+"/answers", js)
					res.status = rec.Code
					var got struct {
						ID      string `json:"id"`
						Created bool   `json:"created"`
					}
					webtest.MustJSON(t, rec.Body.Bytes(), &got)
					res.id, res.created = got.ID, got.Created
				}
				mu.Lock()
				results[j.n] = append(results[j.n], res)
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	wall := time.Since(start)

	t.Logf("%d requests (%d submissions, %d sent twice, %d of them at the same instant), %d in flight: wall time %v, %.0f requests/s, %.0f answers/s",
		len(jobs), loadAnswers, loadTwice, loadSameInstant, loadConcurrency, wall.Round(time.Millisecond),
		float64(len(jobs))/wall.Seconds(), float64(loadAnswers)/wall.Seconds())

	stored := map[string]*retours.Answer{}
	if err := env.Store.Answers(t.Context(), ce.ID, func(a *retours.Answer) error { stored[a.SubmissionID] = a; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(stored) != loadAnswers {
		t.Errorf("stored %d answers, want %d", len(stored), loadAnswers)
	}
	duplicates := 0
	for n, rs := range results {
		want := 1
		if n < loadTwice {
			want = 2
		}
		if len(rs) != want {
			t.Errorf("submission %d: %d responses, want %d", n, len(rs), want)
			continue
		}
		a := stored[subs[n]]
		if a == nil {
			t.Errorf("submission %d: not stored", n)
			continue
		}
		created := 0
		for _, r := range rs {
			switch {
			case r.form && r.status == http.StatusOK && r.thanks:
				created++ // a form post: the thank-you page
			case r.status == http.StatusCreated && r.created && r.id == a.ID:
				created++
			case r.status == http.StatusOK && !r.created && r.id == a.ID:
				duplicates++
			default:
				t.Errorf("submission %d: got %d id %q created %v; want 201 or 200 with the stored id %s", n, r.status, r.id, r.created, a.ID)
			}
		}
		if created != 1 {
			t.Errorf("submission %d: created %d times, want once", n, created)
		}
	}
	if duplicates != loadTwice {
		t.Errorf("%d duplicates answered with the original id, want %d", duplicates, loadTwice)
	}

	rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=json", nil, "Authorization", "Bearer "+ce.OrganiserToken)
	var b struct {
		Answers   int `json:"answers"`
		Questions []struct {
			ID    string  `json:"id"`
			Count int     `json:"count"`
			Mean  float64 `json:"mean"`
		} `json:"questions"`
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &b)
	if rec.Code != http.StatusOK || b.Answers != loadAnswers {
		t.Errorf("bilan = %d, %d answers; want %d", rec.Code, b.Answers, loadAnswers)
	}
	t.Logf("stored %d answers, bilan counts %d, %d duplicates answered 200 with the original id", len(stored), b.Answers, duplicates)
	// Satisfaction is n%5+1 for n in 0..999: 200 of each, mean 3.
	if len(b.Questions) == 0 || b.Questions[0].ID != "satisfaction" || b.Questions[0].Count != loadAnswers || b.Questions[0].Mean != 3 {
		t.Errorf("bilan satisfaction = %+v, want %d answers, mean 3", b.Questions, loadAnswers)
	}
}

// BenchmarkPostAnswer measures answers stored per second through the router
// on DynamoDB Local, with requests in parallel.
func BenchmarkPostAnswer(b *testing.B) {
	env := newEnvWith(b, dynamotest.NewStore(b), quiet)
	ce := env.MustCreateEvent(necDay)
	b.SetParallelism(loadConcurrency / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sub, _ := retours.NewSubmissionID(crand.Reader)
			rec := env.PostJSON("/e/"+ce.ID+"/answers", `{"submission_id":"`+sub+`","answers":{"satisfaction":4,"nps":8}}`)
			if rec.Code != http.StatusCreated {
				b.Errorf("status = %d: %s", rec.Code, rec.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "answers/s")
}

// quiet silences a test server's request log.
func quiet(c *stack.Config) { c.Logger = slog.New(slog.DiscardHandler) }

func insert(jobs []loadJob, at int, js ...loadJob) []loadJob {
	out := make([]loadJob, 0, len(jobs)+len(js))
	out = append(out, jobs[:at]...)
	out = append(out, js...)
	return append(out, jobs[at:]...)
}
