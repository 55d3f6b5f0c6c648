package download_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/bilan/xlsx"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/s3blob"
	"github.com/retours/retours/internal/s3local"
	"github.com/retours/retours/internal/webtest"
)

var now = webtest.T0.Add(3 * time.Hour)

// event stores the tests' event with n answers and one note, counted by
// the stream's consumer.
func event(t *testing.T, n int) (*memstore.Store, *retours.Event) {
	t.Helper()
	st := memstore.New()
	e, _ := webtest.CreateEvent(t, st, webtest.NECDayInput())
	webtest.PutAnswers(t, st, now, e.ID, e.Sessions[1].ID, n, "Plus de pauses")
	webtest.PutNote(t, st, now, e.ID, "", retours.NoteEtonnement, "Autant d'élus que d'associations")
	if err := st.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	return st, e
}

func TestRender(t *testing.T) {
	st, e := event(t, 12)
	ctx := t.Context()
	for _, tc := range []struct {
		req        download.Request
		name, ct   string
		attachment bool
		want       string
	}{
		{download.Request{Format: "json", Lang: "fr"}, "bilan-" + e.ID + "-fr.json", "application/json; charset=utf-8", false, `"answers": 12`},
		{download.Request{Format: "md", Lang: "en"}, "bilan-" + e.ID + "-en.md", "text/markdown; charset=utf-8", true, "# "},
		{download.Request{Format: "html"}, "bilan-" + e.ID + "-fr.html", "text/html; charset=utf-8", false, "<!doctype html>"},
		{download.Request{Format: "csv", Semicolon: true}, "reponses-" + e.ID + ".csv", "text/csv; charset=utf-8", true, "\ufeff"},
		{download.Request{Format: "xlsx"}, "bilan-" + e.ID + "-fr.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true, "PK"},
		{download.Request{Format: "export"}, "retours-" + e.ID + ".json", "application/json; charset=utf-8", true, `"format":"retours-export/1"`},
	} {
		t.Run(tc.req.Format, func(t *testing.T) {
			f, err := download.Renderer{XLSX: xlsx.Write}.Render(ctx, st, e, tc.req, now)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name != tc.name || f.ContentType != tc.ct || f.Attachment != tc.attachment || !strings.Contains(strings.ToLower(string(f.Body)), strings.ToLower(tc.want)) {
				t.Errorf("= %q %q attachment %v, %.80q; want %q %q %v with %q", f.Name, f.ContentType, f.Attachment, f.Body, tc.name, tc.ct, tc.attachment, tc.want)
			}
		})
	}
	if _, err := (download.Renderer{XLSX: xlsx.Write}).Render(ctx, st, e, download.Request{Format: "pdf"}, now); retours.ErrorCode(err) != retours.EINVALID {
		t.Errorf("pdf: %v, want invalid", err)
	}
}

// countReads counts in n the reads of answers and notes from st.
func countReads(st *memstore.Store, n *int) {
	st.FailWith(func(op string) error {
		if op == "Answers" || op == "Notes" {
			*n++
		}
		return nil
	})
}

// TestRenderRefusesLargeEvents: above the limit, every file that reads
// every answer is refused before it reads one; a bilan with a current
// snapshot is served from it whatever the event's size.
func TestRenderRefusesLargeEvents(t *testing.T) {
	st, e := event(t, 12)
	ctx := t.Context()
	var reads int
	countReads(st, &reads)
	formats := []string{"json", "md", "html", "csv", "xlsx", "export"}
	for _, format := range formats {
		reads = 0
		_, err := download.Renderer{XLSX: xlsx.Write, Limit: 12}.Render(ctx, st, e, download.Request{Format: format}, now)
		if !errors.Is(err, download.ErrLarge) || reads != 0 {
			t.Errorf("%s over the limit: %v after %d reads, want ErrLarge before any", format, err, reads)
		}
		if _, err := (download.Renderer{XLSX: xlsx.Write, Limit: 13}).Render(ctx, st, e, download.Request{Format: format}, now); err != nil {
			t.Errorf("%s within the limit: %v", format, err)
		}
	}
	runner := &aggregate.Runner{Store: st, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	if _, err := runner.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, format := range formats {
		reads = 0
		f, err := download.Renderer{XLSX: xlsx.Write, Limit: 12}.Render(ctx, st, e, download.Request{Format: format}, now)
		switch format {
		case "json", "md", "html":
			if err != nil || f.Source != "snapshot" || reads != 0 {
				t.Errorf("%s with a snapshot: %v, from %q after %d reads; want the snapshot", format, err, f.Source, reads)
			}
		default:
			if !errors.Is(err, download.ErrLarge) {
				t.Errorf("%s with a snapshot: %v, want ErrLarge (it reads the raw answers)", format, err)
			}
		}
	}
}

// TestRenderWithoutSpreadsheetWriter: a renderer without an XLSXWriter
// (the organiser function's) refuses the spreadsheet before reading any
// answer, with ErrElsewhere; above the limit, ErrLarge comes first, so that
// a large event's spreadsheet is prepared outside the request. It renders
// every other format itself.
func TestRenderWithoutSpreadsheetWriter(t *testing.T) {
	st, e := event(t, 12)
	ctx := t.Context()
	var reads int
	countReads(st, &reads)
	if _, err := (download.Renderer{Limit: 13}).Render(ctx, st, e, download.Request{Format: "xlsx"}, now); !errors.Is(err, download.ErrElsewhere) || reads != 0 {
		t.Errorf("xlsx without a writer: %v after %d reads, want ErrElsewhere before any", err, reads)
	}
	if _, err := (download.Renderer{Limit: 12}).Render(ctx, st, e, download.Request{Format: "xlsx"}, now); !errors.Is(err, download.ErrLarge) {
		t.Errorf("xlsx without a writer, over the limit: %v, want ErrLarge", err)
	}
	for _, format := range []string{"json", "md", "html", "csv", "export"} {
		if _, err := (download.Renderer{}).Render(ctx, st, e, download.Request{Format: format}, now); err != nil {
			t.Errorf("%s without a spreadsheet writer: %v", format, err)
		}
	}
}

func TestJobIDs(t *testing.T) {
	at := time.Date(2026, 10, 13, 15, 4, 5, 0, time.UTC)
	j, err := download.NewJob(strings.NewReader(strings.Repeat("r", 16)), at, "k3vq2a", download.Request{Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	if started, ok := download.JobStarted(j.ID); !ok || !started.Equal(at) {
		t.Errorf("JobStarted(%q) = %v, %v; want %v", j.ID, started, ok, at)
	}
	if j.Key() != "downloads/k3vq2a/"+j.ID || len(j.ID) != 32 {
		t.Errorf("key %q", j.Key())
	}
	for _, bad := range []string{"", "x", strings.ToUpper(j.ID), j.ID + "a", j.ID[:31] + "1", "../" + j.ID[3:], strings.Repeat("a", 32) + "/"} {
		if _, ok := download.JobStarted(bad); ok {
			t.Errorf("JobStarted(%q) accepted", bad)
		}
	}
}

// TestWorkerPreparesTheFile runs a job through the Lambda handler the
// aggregate function serves, and reads the file back through its link.
func TestWorkerPreparesTheFile(t *testing.T) {
	st, e := event(t, 30)
	ctx := t.Context()
	srv, err := s3local.Start(ctx, s3local.Options{Buckets: []string{"downloads"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	files := s3blob.New(s3blob.NewClient(srv.Config()), "downloads")
	w := &download.Worker{Events: st, Store: st, Files: files, XLSX: xlsx.Write, Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	scheduled := 0
	handle := download.Dispatch(w, func(context.Context) error { scheduled++; return nil })

	job, err := download.NewJob(strings.NewReader(strings.Repeat("r", 16)), now, e.ID, download.Request{Format: "csv", Semicolon: true})
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(download.Invocation{Download: &job})
	if err := handle(ctx, payload); err != nil {
		t.Fatal(err)
	}
	if err := handle(ctx, json.RawMessage(`{"source":"aws.scheduler"}`)); err != nil || scheduled != 1 {
		t.Errorf("schedule: %v, %d runs", err, scheduled)
	}
	if ok, err := files.Exists(ctx, job.Key()); !ok || err != nil {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	link, _, err := files.Link(ctx, job.Key(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 31 {
		t.Errorf("CSV of %d rows (%v), want a header and 30 answers", len(rows), err)
	}
	if got := resp.Header.Get("Content-Disposition"); !strings.Contains(got, "reponses-"+e.ID+".csv") {
		t.Errorf("Content-Disposition = %q", got)
	}

	// An erased event gets no file.
	if _, err := st.StartErasure(ctx, e.ID, now); err != nil {
		t.Fatal(err)
	}
	late, _ := download.NewJob(strings.NewReader(strings.Repeat("s", 16)), now, e.ID, download.Request{Format: "xlsx"})
	if err := w.Prepare(ctx, late); err != nil {
		t.Errorf("job of an erased event: %v, want nothing to retry", err)
	}
	if ok, _ := files.Exists(ctx, late.Key()); ok {
		t.Error("a file was written for an event being erased")
	}
}

func TestXLSXAnswersSheet(t *testing.T) {
	st, e := event(t, 7)
	f, err := download.Renderer{XLSX: xlsx.Write}.Render(t.Context(), st, e, download.Request{Format: "xlsx", Lang: "en"}, now)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(f.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(x.GetSheetList()[1])
	if err != nil || len(rows) != 8 {
		t.Errorf("answers sheet: %d rows (%v), want a header and 7 answers", len(rows), err)
	}
}
