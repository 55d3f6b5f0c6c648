package organiser

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/retours/retours/internal/bilan"
	"github.com/retours/retours/internal/download"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/s3blob"
	"github.com/retours/retours/internal/web"
)

// pollEvery is how often a page waiting for a download reloads itself, in
// seconds, and what its JSON tells clients to wait (Retry-After).
const pollEvery = "5"

// serveDownload answers a download: inline when it fits in a Lambda
// response (web.FitsLambdaResponse), else through the downloads bucket, by
// a redirect (303) to a link valid a few minutes. A file that would read
// more answers than a request can (download.SyncLimit) is prepared outside
// the request: the answer is 202 with where to look (downloadStatus).
// Without a bucket (Files), every file is answered inline; without Jobs,
// every file is read within the request.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request, e *retours.Event, req download.Request) error {
	return s.serveDownloadFrom(w, r, s.bilanStore(), e, req)
}

// serveDownloadFrom is serveDownload reading from st.
func (s *Server) serveDownloadFrom(w http.ResponseWriter, r *http.Request, st bilan.Store, e *retours.Event, req download.Request) error {
	f, err := s.renderer().Render(r.Context(), st, e, req, s.cfg.Now())
	if errors.Is(err, download.ErrLarge) {
		return s.startJob(w, r, e, req)
	}
	if errors.Is(err, download.ErrElsewhere) {
		return s.prepareHere(w, r, e, req)
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Retours-Bilan", f.Source)
	if s.cfg.Files != nil && !web.FitsLambdaResponse(f.Body) {
		return s.handOut(w, r, e, f)
	}
	h.Set("Content-Type", f.ContentType)
	if req.Format == download.HTML {
		// The page inlines the bilan's own stylesheet, allowed by its hash.
		h.Set("Content-Security-Policy", web.CSP(bilan.HTMLStyle))
	}
	if f.Attachment {
		h.Set("Content-Disposition", `attachment; filename="`+f.Name+`"`)
	}
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(f.Body)
	return err
}

// renderer renders the downloads read within the request: with the
// configured limit when files can be prepared outside the request, none
// otherwise.
func (s *Server) renderer() download.Renderer {
	r := download.Renderer{XLSX: s.cfg.XLSX}
	if s.cfg.Jobs != nil && s.cfg.Files != nil {
		r.Limit = s.cfg.SyncLimit
	}
	return r
}

// prepareHere has the file of req, which this function does not write (the
// spreadsheet), written to the downloads bucket within the request, and
// redirects to it.
func (s *Server) prepareHere(w http.ResponseWriter, r *http.Request, e *retours.Event, req download.Request) error {
	if s.cfg.Prepare == nil || s.cfg.Files == nil {
		return &retours.Error{Code: retours.EUNAVAILABLE, Key: "unavailable"}
	}
	job, err := download.NewJob(s.cfg.Rand, s.cfg.Now(), e.ID, req)
	if err != nil {
		return err
	}
	if err := s.cfg.Prepare.Prepare(r.Context(), job); err != nil {
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "download prepared by another function", slog.String("event", e.ID), slog.String("format", req.Format))
	w.Header().Set("Cache-Control", "no-store")
	return s.redirectToFile(w, r, job.Key())
}

// handOut writes f to the downloads bucket and redirects to a link to it.
func (s *Server) handOut(w http.ResponseWriter, r *http.Request, e *retours.Event, f *download.File) error {
	job, err := download.NewJob(s.cfg.Rand, s.cfg.Now(), e.ID, download.Request{})
	if err != nil {
		return err
	}
	if err := s.cfg.Files.Put(r.Context(), s3blob.File{Key: job.Key(), ContentType: f.ContentType, Filename: f.Name, Body: f.Body}); err != nil {
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "download handed out through the bucket", slog.String("event", e.ID), slog.Int("bytes", len(f.Body)))
	return s.redirectToFile(w, r, job.Key())
}

func (s *Server) redirectToFile(w http.ResponseWriter, r *http.Request, key string) error {
	link, _, err := s.cfg.Files.Link(r.Context(), key, s3blob.LinkTTL)
	if err != nil {
		return err
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
	return nil
}

// startJob has the file prepared outside the request and answers 202.
func (s *Server) startJob(w http.ResponseWriter, r *http.Request, e *retours.Event, req download.Request) error {
	job, err := download.NewJob(s.cfg.Rand, s.cfg.Now(), e.ID, req)
	if err != nil {
		return err
	}
	if err := s.cfg.Jobs.Start(r.Context(), job); err != nil {
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "download job started", slog.String("event", e.ID), slog.String("format", req.Format))
	started, _ := download.JobStarted(job.ID)
	return s.preparing(w, r, e, job.ID, started)
}

// jobStatus is the JSON of a download being prepared.
type jobStatus struct {
	Status    string    `json:"status"` // "preparing"
	URL       string    `json:"url"`    // where to look: 303 to the file once it is there
	StartedAt time.Time `json:"started_at"`
}

// downloadView is the page of a download being prepared: it reloads its
// address until the file is there, then the browser follows to it.
type downloadView struct {
	web.Base
	Link string
}

// preparing answers 202 for the job id of e: a page that reloads the job's
// address every few seconds, or JSON saying where to look.
func (s *Server) preparing(w http.ResponseWriter, r *http.Request, e *retours.Event, id string, started time.Time) error {
	return s.preparingAt(w, r, e, "/api/events/"+e.ID+"/downloads/"+id, started)
}

// preparingAt is preparing for a job followed at link (with no query, or
// one that the page's lang= is added to).
func (s *Server) preparingAt(w http.ResponseWriter, r *http.Request, e *retours.Event, link string, started time.Time) error {
	w.Header().Set("Retry-After", pollEvery)
	w.Header().Set("Cache-Control", "no-store")
	if !wantsPage(r) {
		web.WriteJSON(w, http.StatusAccepted, jobStatus{Status: "preparing", URL: link, StartedAt: started})
		return nil
	}
	lang := web.PageLang(r, e)
	sep := "?"
	if strings.Contains(link, "?") {
		sep = "&"
	}
	return pages.Render(w, r, http.StatusAccepted, "download-preparing", &downloadView{
		Base: web.Base{Lang: lang, Title: messages.T(lang, "download.title"), Event: e, Path: link, Refresh: pollEvery + ";url=" + link + sep + "lang=" + lang},
		Link: link + sep + "lang=" + lang,
	})
}

// downloadStatus answers GET /api/events/{event}/downloads/{id}: a redirect
// (303) to the file once the job has written it, else 202 as when it
// started; 404 for a job unknown, or given up after download.JobTimeout (its
// file may also be gone: the bucket keeps files a day).
func (s *Server) downloadStatus(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	return s.followJob(w, r, id, func(id string) string { return download.Key(e.ID, id) }, func(started time.Time) error {
		return s.preparing(w, r, e, id, started)
	})
}

// followJob answers a request following the download job id, whose file
// is stored under key(id): a redirect to the file once it is there, 404
// for a job unknown or out of time, else what preparing answers.
func (s *Server) followJob(w http.ResponseWriter, r *http.Request, id string, key func(string) string, preparing func(started time.Time) error) error {
	started, ok := download.JobStarted(id)
	if !ok || s.cfg.Files == nil {
		return retours.NewError(retours.ENOTFOUND, "download.not_found")
	}
	k := key(id)
	ready, err := s.cfg.Files.Exists(r.Context(), k)
	switch {
	case err != nil:
		return err
	case ready:
		w.Header().Set("Cache-Control", "no-store")
		return s.redirectToFile(w, r, k)
	case s.cfg.Now().Sub(started) > download.JobTimeout:
		return retours.NewError(retours.ENOTFOUND, "download.not_found")
	}
	return preparing(started)
}

// wantsPage reports whether the client reads HTML (a browser following a
// link) rather than JSON.
func wantsPage(r *http.Request) bool {
	return slices.ContainsFunc(r.Header.Values("Accept"), func(v string) bool { return strings.Contains(v, "text/html") })
}
