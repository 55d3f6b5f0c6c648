package organiser_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/bilan/xlsx"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/lambdainvoke"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/organiser"
	"github.com/retours/retours/internal/s3blob"
	"github.com/retours/retours/internal/s3local"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// downloadsEnv is the organiser function with the downloads bucket on a
// local S3 and jobs prepared in this process, where an event of more than
// syncLimit answers and notes is large. As on AWS, the organiser function
// does not write spreadsheets: the worker does, within the request.
func downloadsEnv(t *testing.T, syncLimit int) (*webtest.Env, *memstore.Store) {
	t.Helper()
	return downloadsEnvWith(t, syncLimit, nil)
}

// downloadsEnvWith is downloadsEnv with prepare, when not nil, writing
// spreadsheets within the request, given the worker.
func downloadsEnvWith(t *testing.T, syncLimit int, prepare func(*download.Worker) download.Preparer) (*webtest.Env, *memstore.Store) {
	t.Helper()
	srv, err := s3local.Start(t.Context(), s3local.Options{Buckets: []string{"downloads"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	files := s3blob.New(s3blob.NewClient(srv.Config()), "downloads")
	st, c := memstore.New(), webtest.NewClock(webtest.T0.Add(3*time.Hour))
	log := slog.New(slog.DiscardHandler)
	worker := &download.Worker{Events: st, Store: st, Files: files, XLSX: xlsx.Write, Now: c.Now, Log: log}
	var p download.Preparer = worker
	if prepare != nil {
		p = prepare(worker)
	}
	srv2 := organiser.New(organiser.Config{Events: st, Answers: st, AdminToken: webtest.AdminToken, BaseURL: webtest.BaseURL,
		Files: files, Jobs: download.InProcess(worker), Prepare: p, SyncLimit: syncLimit, Deps: web.Deps{Now: c.Now, Logger: log}})
	return webtest.NewEnv(t, st, c, srv2.Service()), st
}

// TestSpreadsheetWrittenByTheAggregateFunction: the organiser function,
// which does not link the spreadsheet library, has the aggregate function
// write the workbook — invoked through Lambda's Invoke API and waited for —
// and redirects to it in the bucket; a failed run is an error and hands
// nothing out, and without a function to write it the spreadsheet is
// unavailable.
func TestSpreadsheetWrittenByTheAggregateFunction(t *testing.T) {
	local, err := lambdainvoke.StartLocal("retours-aggregate")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	var fail bool
	env, st := downloadsEnvWith(t, 10, func(w *download.Worker) download.Preparer {
		// The aggregate function's handler (functions/aggregate).
		handler := download.Dispatch(w, func(context.Context) error { return errors.New("not a download") })
		local.Handle("retours-aggregate", func(ctx context.Context, payload []byte) error {
			if fail {
				return errors.New("download: the bucket is unreachable")
			}
			return handler(ctx, payload)
		})
		return download.InvokeAndWait(lambdainvoke.New(local.Client(), "retours-aggregate"))
	})
	ce := env.MustCreateEvent(necDay)
	env.PutAnswers(ce.ID, ce.Sessions[1].ID, 7, "=1+1")
	if err := st.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}

	rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=xlsx&lang=en", nil, auth...)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("xlsx = %d %v %s, want a redirect to the file in the bucket", rec.Code, rec.Header(), rec.Body)
	}
	if got := local.Payloads("retours-aggregate"); len(got) != 1 || !strings.Contains(string(got[0]), `"download":{"id":`) || !strings.Contains(string(got[0]), `"format":"xlsx"`) {
		t.Errorf("invocations = %q, want one with the spreadsheet's job", got)
	}
	resp, body := webtest.Get(t, rec.Header().Get("Location"))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "bilan-"+ce.ID+"-en.xlsx") {
		t.Fatalf("the file = %d %v", resp.StatusCode, resp.Header)
	}
	book, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows("Answers")
	if err != nil || len(rows) != 8 || !slices.Contains(rows[1], "=1+1") {
		t.Errorf("answers sheet: %d rows (%v), want a header and 7 answers, the text as typed", len(rows), err)
	}

	fail = true
	rec = env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=xlsx", nil, auth...)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Location") != "" {
		t.Errorf("xlsx when the function fails = %d %v, want 500 and no file", rec.Code, rec.Header())
	}

	// Every other format is still written here.
	for _, format := range []string{"json", "md", "html", "csv"} {
		if rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format="+format, nil, auth...); rec.Code != http.StatusOK {
			t.Errorf("%s = %d, want it inline", format, rec.Code)
		}
	}
	if got := len(local.Payloads("retours-aggregate")); got != 2 {
		t.Errorf("%d invocations, want 2: only spreadsheets are written elsewhere", got)
	}

	t.Run("without a function to write it", func(t *testing.T) {
		st, c := memstore.New(), webtest.NewClock(webtest.T0.Add(3*time.Hour))
		srv := organiser.New(organiser.Config{Events: st, Answers: st, AdminToken: webtest.AdminToken, BaseURL: webtest.BaseURL,
			Deps: web.Deps{Now: c.Now, Logger: slog.New(slog.DiscardHandler)}})
		env := webtest.NewEnv(t, st, c, srv.Service())
		ce := env.MustCreateEvent(necDay)
		rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=xlsx", nil, "Authorization", "Bearer "+ce.OrganiserToken)
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("= %d %s, want 503", rec.Code, rec.Body)
		}
	})
}

func TestLargeEventsDownloadsArePreparedOutsideTheRequest(t *testing.T) {
	env, st := downloadsEnv(t, 10)
	ce := env.MustCreateEvent(necDay)
	env.PutAnswers(ce.ID, ce.Sessions[1].ID, 12, "Plus de pauses")
	if err := st.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}

	rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=csv", nil, auth...)
	var status struct {
		Status, URL string
		StartedAt   time.Time `json:"started_at"`
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &status)
	if rec.Code != http.StatusAccepted || status.Status != "preparing" || !strings.HasPrefix(status.URL, "/api/events/"+ce.ID+"/downloads/") ||
		rec.Header().Get("Retry-After") == "" || !status.StartedAt.Equal(env.Clock.Now().Truncate(time.Second)) {
		t.Fatalf("large CSV = %d %v %s, want 202 with where to look", rec.Code, rec.Header(), rec.Body)
	}
	var link string
	for i := 0; i < 200 && link == ""; i++ {
		rec = env.Do("GET", status.URL, nil, auth...)
		switch rec.Code {
		case http.StatusAccepted:
			time.Sleep(10 * time.Millisecond)
		case http.StatusSeeOther:
			link = rec.Header().Get("Location")
		default:
			t.Fatalf("status = %d %s", rec.Code, rec.Body)
		}
	}
	resp, body := webtest.Get(t, link)
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if resp.StatusCode != http.StatusOK || err != nil || len(rows) != 13 {
		t.Errorf("prepared CSV: %d, %d rows (%v), want a header and 12 answers", resp.StatusCode, len(rows), err)
	}

	t.Run("a browser gets a page that reloads the job's address", func(t *testing.T) {
		rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=xlsx&lang=en", nil, append(auth, "Accept", "text/html,application/xhtml+xml;q=0.9")...)
		body := rec.Body.String()
		if rec.Code != http.StatusAccepted || !strings.Contains(body, `<meta http-equiv="refresh" content="5;url=/api/events/`+ce.ID+`/downloads/`) ||
			!strings.Contains(body, "being prepared") || strings.Contains(strings.ToLower(body), "<script") {
			t.Errorf("= %d %s", rec.Code, body)
		}
	})
	t.Run("a bilan to compute is computed outside the request", func(t *testing.T) {
		for _, format := range []string{"json", "html", "md"} {
			rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format="+format, nil, auth...)
			var st struct{ Status, URL string }
			webtest.MustJSON(t, rec.Body.Bytes(), &st)
			if rec.Code != http.StatusAccepted || st.Status != "preparing" || rec.Header().Get("X-Retours-Bilan") != "" {
				t.Fatalf("%s = %d %s, want 202: no snapshot covers the answers, and computing reads them all", format, rec.Code, rec.Body)
			}
			var link string
			for i := 0; i < 200 && link == ""; i++ {
				if rec = env.Do("GET", st.URL, nil, auth...); rec.Code == http.StatusSeeOther {
					link = rec.Header().Get("Location")
				}
				time.Sleep(5 * time.Millisecond)
			}
			if resp, body := webtest.Get(t, link); resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("Plus de pauses")) {
				t.Errorf("prepared %s bilan = %d %.300s, want the computed bilan", format, resp.StatusCode, body)
			}
		}
	})
	t.Run("a speaker's link", func(t *testing.T) {
		rec := env.Do("POST", "/api/events/"+ce.ID+"/sessions/"+ce.Sessions[1].ID+"/shares", nil, auth...)
		var share struct{ URL string }
		webtest.MustJSON(t, rec.Body.Bytes(), &share)
		if rec.Code != http.StatusCreated {
			t.Fatalf("share = %d %s", rec.Code, rec.Body)
		}
		path := strings.TrimPrefix(share.URL, webtest.BaseURL)
		rec = env.Do("GET", path, nil)
		var st struct{ Status, URL string }
		webtest.MustJSON(t, rec.Body.Bytes(), &st)
		if rec.Code != http.StatusAccepted || st.Status != "preparing" || !strings.HasPrefix(st.URL, path+"?job=") || rec.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("= %d %v %s, want 202: the report reads every answer", rec.Code, rec.Header(), rec.Body)
		}
		page := env.Do("GET", path, nil, "Accept", "text/html")
		if page.Code != http.StatusAccepted || !strings.Contains(page.Body.String(), `<meta http-equiv="refresh" content="5;url=`+path+`?job=`) {
			t.Errorf("a browser = %d %s, want a page that reloads", page.Code, page.Body)
		}
		var link string
		for i := 0; i < 200 && link == ""; i++ {
			if rec = env.Do("GET", st.URL, nil); rec.Code == http.StatusSeeOther {
				link = rec.Header().Get("Location")
			} else if rec.Code != http.StatusAccepted {
				t.Fatalf("following = %d %s", rec.Code, rec.Body)
			}
			time.Sleep(5 * time.Millisecond)
		}
		resp, body := webtest.Get(t, link)
		var report struct {
			Session struct{ ID string }
			Texts   []struct{ Texts []string }
		}
		webtest.MustJSON(t, body, &report)
		if resp.StatusCode != http.StatusOK || report.Session.ID != ce.Sessions[1].ID || len(report.Texts) != 1 || len(report.Texts[0].Texts) != 12 {
			t.Errorf("prepared report = %d %s", resp.StatusCode, body)
		}
		// Another session's job, or an organisers' download, is not found
		// through the link.
		job := st.URL[strings.Index(st.URL, "?job=")+5:]
		other := env.Do("POST", "/api/events/"+ce.ID+"/sessions/"+ce.Sessions[0].ID+"/shares", nil, auth...)
		webtest.MustJSON(t, other.Body.Bytes(), &share)
		if rec := env.Do("GET", strings.TrimPrefix(share.URL, webtest.BaseURL)+"?job="+job, nil); rec.Code != http.StatusAccepted {
			t.Errorf("another session's link with this job = %d, want 202: nothing there", rec.Code)
		}
		if rec := env.Do("GET", path+"?job="+status.URL[strings.LastIndex(status.URL, "/")+1:], nil); rec.Code == http.StatusSeeOther {
			t.Errorf("the link with the CSV's job = %d, want no file", rec.Code)
		}
	})
	t.Run("a bilan with a current snapshot is served at once", func(t *testing.T) {
		runner := &aggregate.Runner{Store: st, Now: env.Clock.Now, Log: slog.New(slog.DiscardHandler)}
		if _, err := runner.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"html", "md", "json"} {
			rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format="+format, nil, auth...)
			if rec.Code != http.StatusOK || rec.Header().Get("X-Retours-Bilan") != "snapshot" {
				t.Errorf("%s = %d %s", format, rec.Code, rec.Header().Get("X-Retours-Bilan"))
			}
		}
		if rec := env.Do("GET", "/api/events/"+ce.ID+"/export", nil, auth...); rec.Code != http.StatusAccepted {
			t.Errorf("export = %d, want 202: it reads every answer", rec.Code)
		}
	})
	t.Run("statuses", func(t *testing.T) {
		other := env.MustCreateEvent(necDay)
		for _, tc := range []struct {
			name, path string
			header     []string
			want       int
		}{
			{"not a job", "/api/events/" + ce.ID + "/downloads/abc", auth, http.StatusNotFound},
			{"without the token", status.URL, nil, http.StatusUnauthorized},
			{"another event's token", status.URL, []string{"Authorization", "Bearer " + other.OrganiserToken}, http.StatusForbidden},
			{"the job under another event", strings.Replace(status.URL, ce.ID, other.ID, 1), []string{"Authorization", "Bearer " + other.OrganiserToken}, http.StatusAccepted},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if rec := env.Do("GET", tc.path, nil, tc.header...); rec.Code != tc.want {
					t.Errorf("= %d %s, want %d", rec.Code, rec.Body, tc.want)
				}
			})
		}
		env.Clock.Set(env.Clock.Now().Add(download.JobTimeout + time.Minute))
		if rec := env.Do("GET", strings.Replace(status.URL, ce.ID, other.ID, 1), nil, "Authorization", "Bearer "+other.OrganiserToken); rec.Code != http.StatusNotFound ||
			!strings.Contains(rec.Body.String(), "plus disponible") {
			t.Errorf("a job that never came, later = %d %s, want 404", rec.Code, rec.Body)
		}
	})
}

// TestDownloadsTooLargeForAResponse: a file of an event small enough to
// read within the request, but larger than a Lambda response takes, goes
// through the bucket.
func TestDownloadsTooLargeForAResponse(t *testing.T) {
	env, _ := downloadsEnv(t, 0)
	ce := env.MustCreateEvent(necDay)
	text := strings.Repeat("Des ateliers trop courts, « vraiment » ; ", 48)[:1990]
	env.PutAnswers(ce.ID, ce.Sessions[1].ID, 3300, text)
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}

	rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=csv", nil, auth...)
	if rec.Code != http.StatusSeeOther || rec.Body.Len() > 1024 || rec.Header().Get("X-Retours-Bilan") != "raw" {
		t.Fatalf("CSV of %d answers of 2,000 characters = %d, %d bytes; want a redirect to the bucket", 3300, rec.Code, rec.Body.Len())
	}
	resp, body := webtest.Get(t, rec.Header().Get("Location"))
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if resp.StatusCode != http.StatusOK || err != nil || len(rows) != 3301 || web.FitsLambdaResponse(body) {
		t.Errorf("CSV through the bucket: %d, %d bytes, %d rows (%v)", resp.StatusCode, len(body), len(rows), err)
	}
	if got := resp.Header.Get("Content-Disposition"); !strings.Contains(got, "reponses-"+ce.ID+".csv") {
		t.Errorf("Content-Disposition = %q", got)
	}
	// The bilan of the same answers is small: inline.
	if rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=md", nil, auth...); rec.Code != http.StatusOK {
		t.Errorf("md = %d", rec.Code)
	}
}
