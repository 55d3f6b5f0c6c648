// Package download renders the files organisers download — the bilan in
// every format, the raw answers in CSV and the export of everything stored
// about an event — and prepares those of large events outside the request.
//
// A request to API Gateway ends after 30 seconds, and a Lambda response
// holds 6 MB. Render serves what a request can: a bilan from its current
// snapshot whatever the event's size, and any file of an event small enough
// to read within the request (SyncLimit). For a larger event it returns
// ErrLarge before reading anything; the organiser function then starts a
// Job, which a Worker — the aggregate function on AWS, invoked
// asynchronously, or a goroutine locally — renders and writes to the
// downloads bucket, and hands the file out once it is there. A file too
// large for a response goes through the bucket too (internal/s3blob).
//
// The spreadsheet (XLSX) is written by the function that links the
// spreadsheet library (internal/bilan/xlsx), the aggregate function: the
// organiser function's Renderer has no XLSXWriter and returns ErrElsewhere
// for it, and has a Preparer — the aggregate function invoked and waited
// for — write it to the bucket within the request.
package download

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/retours"
)

// Formats of a Request.
const (
	JSON     = "json"
	Markdown = "md"
	HTML     = "html"
	CSV      = "csv"
	XLSX     = "xlsx"
	Export   = "export" // everything stored about the event, as one JSON document
	// Session is one session's report (bilan.SessionReport), as its
	// speaker's link shows it: Request.Session names the session.
	Session = "session"
)

// contentTypes gives each format's content type and file extension.
var contentTypes = map[string][2]string{
	JSON:     {"application/json; charset=utf-8", "json"},
	Markdown: {"text/markdown; charset=utf-8", "md"},
	HTML:     {"text/html; charset=utf-8", "html"},
	CSV:      {"text/csv; charset=utf-8", "csv"},
	XLSX:     {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
	Export:   {"application/json; charset=utf-8", "json"},
	Session:  {"application/json; charset=utf-8", "json"},
}

// IsBilanFormat reports whether format is one of the bilan's: json, md,
// html, csv or xlsx.
func IsBilanFormat(format string) bool {
	_, ok := contentTypes[format]
	return ok && format != Export && format != Session
}

// SyncLimit is how many answers and notes an event may count (its activity,
// one read) for a file that reads every one of them to be rendered within
// the request; above it, the file is prepared outside the request.
//
// DynamoDB Local reads an event's answers at about 8,000 a second on the
// 2-core development machine (BenchmarkBilan100k: 100,000 in 12.5 s), so
// 20,000 take about 2.5 s of a request's 30. On Lambda, DynamoDB itself
// returns them faster, but the function's 256 MB get a seventh of a vCPU:
// decoding 20,000 answers takes about a second there, and writing them as
// an XLSX several more. The limit keeps the slowest file of the largest
// event served inline well within the 30 seconds, with a margin for a slow
// read; the benchmark's bilan figures show how far (README, "Speed, size
// and cost").
const SyncLimit = 20_000

// ErrLarge is returned by Render, before it reads any answer or note, for a
// file that would read every answer and note of an event counting more
// than the limit it was given.
var ErrLarge = errors.New("download: too many answers to read within the request")

// ErrElsewhere is returned by a Renderer without an XLSXWriter for a
// spreadsheet, before it reads any answer or note: another function writes
// it (Preparer).
var ErrElsewhere = errors.New("download: the spreadsheet is written by another function")

// XLSXWriter writes a bilan's spreadsheet: internal/bilan/xlsx.Write.
type XLSXWriter func(w io.Writer, b *bilan.Bilan, e *retours.Event, each bilan.EachAnswer) error

// Renderer renders downloads.
type Renderer struct {
	// XLSX writes spreadsheets; without it, a spreadsheet is refused with
	// ErrElsewhere.
	XLSX XLSXWriter
	// Limit, when > 0, is the most answers and notes a file may read (see
	// Render).
	Limit int
}

// Request names one file of an event.
type Request struct {
	Format    string `json:"format"`
	Lang      string `json:"lang,omitempty"`      // the bilan's language; the CSV and the export have none
	Semicolon bool   `json:"semicolon,omitempty"` // the CSV's French spreadsheet variant
	// Session is the session of a Session report.
	Session string `json:"session,omitempty"`
	// Page asks for a Session report as its speaker's page (HTML) rather
	// than JSON; OtherLang, when set, is the language the page links to.
	Page      bool   `json:"page,omitempty"`
	OtherLang string `json:"other_lang,omitempty"`
}

// Store is what rendering reads.
type Store = bilan.Store

// File is a rendered download.
type File struct {
	// Name is the file name a browser saves it under.
	Name        string
	ContentType string
	Body        []byte
	// Source says where the bilan came from: "snapshot", "computed", or
	// "raw" for the CSV and the export (the X-Retours-Bilan header).
	Source string
	// Attachment is set for the formats a browser saves rather than shows
	// (all but the HTML bilan and the bilan's JSON).
	Attachment bool
}

// Render renders req for e. With a Limit, a file that would read every
// answer and note of e — the CSV, the XLSX, the export, and the other
// formats when the bilan has no current snapshot — is refused with ErrLarge
// when e's activity counts more than Limit answers and notes.
func (r Renderer) Render(ctx context.Context, st Store, e *retours.Event, req Request, now time.Time) (*File, error) {
	limit := r.Limit
	ct, ok := contentTypes[req.Format]
	if !ok {
		return nil, &retours.Error{Code: retours.EINVALID, Key: "bilan.format", Fields: map[string]string{"format": retours.FieldChoice}}
	}
	if !retours.IsLanguage(req.Lang) {
		req.Lang = retours.Languages[0]
	}
	f := &File{Name: fileName(e, req) + "." + ct[1], ContentType: ct[0], Source: "raw", Attachment: req.Format != JSON && req.Format != HTML}
	var b *bilan.Bilan
	var buf bytes.Buffer
	each := func(fn func(*retours.Answer) error) error { return st.Answers(ctx, e.ID, fn) }
	large := func(act *retours.Activity) error {
		if limit > 0 && act.Answers+act.Notes > limit {
			return ErrLarge
		}
		return nil
	}
	if req.Format == Session {
		// It reads every answer and note: a session's figures are cut from
		// the event's whole bilan, after its one suppression pass.
		act, err := st.Activity(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		if err := large(act); err != nil {
			return nil, err
		}
		report, err := bilan.ReportSession(ctx, st, e, req.Session, req.Lang, now)
		if err != nil {
			return nil, err
		}
		f.Attachment, f.Source = false, "computed"
		if req.Page {
			f.Name, f.ContentType = fileName(e, req)+"."+contentTypes[HTML][1], contentTypes[HTML][0]
			err = bilan.WriteSessionHTML(&buf, report, req.OtherLang)
		} else {
			err = json.NewEncoder(&buf).Encode(report)
		}
		if err != nil {
			return nil, err
		}
		f.Body = buf.Bytes()
		return f, nil
	}
	if req.Format != CSV && req.Format != Export {
		snapshotted, act, err := bilan.Snapshotted(ctx, st, e, req.Lang)
		if err != nil {
			return nil, err
		}
		b, f.Source = snapshotted, "snapshot"
		if b == nil || req.Format == XLSX {
			// Its answers sheet reads every answer, as the CSV does.
			if err := large(act); err != nil {
				return nil, err
			}
		}
		if req.Format == XLSX && r.XLSX == nil {
			return nil, ErrElsewhere
		}
		if b == nil {
			// From the activity the snapshot was checked against: read
			// before the answers, as Compute reads it.
			if b, _, err = bilan.ComputeFrom(ctx, st, e, req.Lang, now, act); err != nil {
				return nil, err
			}
			f.Source = "computed"
		}
	} else {
		act, err := st.Activity(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		if err := large(act); err != nil {
			return nil, err
		}
	}
	var err error
	switch req.Format {
	case JSON:
		err = bilan.WriteJSON(&buf, b)
	case Markdown:
		err = bilan.WriteMarkdown(&buf, b)
	case HTML:
		err = bilan.WriteHTML(&buf, b)
	case XLSX:
		err = r.XLSX(&buf, b, e, each)
	case CSV:
		err = bilan.WriteCSV(&buf, e, each, bilan.CSVOptions{Semicolon: req.Semicolon})
	case Export:
		err = writeExport(ctx, &buf, st, e, now)
	}
	if err != nil {
		return nil, err
	}
	f.Body = buf.Bytes()
	return f, nil
}

// fileName is the name of req's file without its extension.
func fileName(e *retours.Event, req Request) string {
	switch req.Format {
	case CSV:
		return "reponses-" + e.ID
	case Export:
		return "retours-" + e.ID
	case Session:
		return "session-" + e.ID + "-" + req.Session + "-" + req.Lang
	}
	return "bilan-" + e.ID + "-" + req.Lang
}

// ExportVersion names the layout of the export document.
const ExportVersion = "retours-export/1"

// exportDocument is everything stored about an event, for its organisers
// (GDPR access and portability): the event, every answer and every note,
// hidden ones included, oldest first. Nothing else is stored about
// participants.
type exportDocument struct {
	Format     string            `json:"format"`
	ExportedAt time.Time         `json:"exported_at"`
	ExpiresAt  time.Time         `json:"expires_at"` // when the answers and notes are erased
	Event      *retours.Event    `json:"event"`
	Answers    []*retours.Answer `json:"answers"`
	Notes      []*retours.Note   `json:"notes"`
}

func writeExport(ctx context.Context, buf *bytes.Buffer, st Store, e *retours.Event, now time.Time) error {
	doc := exportDocument{Format: ExportVersion, ExportedAt: now.UTC(), ExpiresAt: e.ExpiresAt().UTC(), Event: e,
		Answers: []*retours.Answer{}, Notes: []*retours.Note{}}
	if err := st.Answers(ctx, e.ID, func(a *retours.Answer) error { doc.Answers = append(doc.Answers, a); return nil }); err != nil {
		return err
	}
	if err := st.Notes(ctx, e.ID, func(n *retours.Note) error { doc.Notes = append(doc.Notes, n); return nil }); err != nil {
		return err
	}
	sort.Slice(doc.Answers, func(i, j int) bool {
		return earlier(doc.Answers[i].CreatedAt, doc.Answers[i].ID, doc.Answers[j].CreatedAt, doc.Answers[j].ID)
	})
	sort.Slice(doc.Notes, func(i, j int) bool {
		return earlier(doc.Notes[i].CreatedAt, doc.Notes[i].ID, doc.Notes[j].CreatedAt, doc.Notes[j].ID)
	})
	return json.NewEncoder(buf).Encode(doc)
}

func earlier(t1 time.Time, id1 string, t2 time.Time, id2 string) bool {
	if !t1.Equal(t2) {
		return t1.Before(t2)
	}
	return id1 < id2
}
