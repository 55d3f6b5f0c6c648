package web

import (
	"context"
	"log/slog"
	"net/http"
)

// middleware sets the security headers every response carries, keeps time
// to answer before the request's deadline, gzips text for clients that
// accept it, makes sure a status is written, and logs the request with ids
// and codes only: no query strings, bodies or tokens.
func (s *server) middleware(w http.ResponseWriter, r *http.Request, next http.HandlerFunc) {
	start := s.now()
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	if d, ok := r.Context().Deadline(); ok {
		// Keep time to answer before the invocation's deadline, so that a
		// database that does not answer yields the "try again" page rather
		// than a gateway timeout.
		ctx, cancel := context.WithDeadline(r.Context(), d.Add(-s.margin))
		defer cancel()
		r = r.WithContext(ctx)
	}
	cw := newCompressWriter(w, r)
	rec := &statusRecorder{ResponseWriter: cw}
	next(rec, r)
	if rec.status == 0 {
		// A handler that writes nothing would make API Gateway answer 504.
		rec.WriteHeader(http.StatusNoContent)
	}
	cw.Close()
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method), slog.String("route", r.Pattern),
		slog.Int("status", rec.status), slog.Duration("duration", s.now().Sub(start)))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
