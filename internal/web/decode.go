package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/retours/retours/internal/retours"
)

// IsJSON reports whether the request's body is JSON.
func IsJSON(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

// WriteJSON writes v as JSON with status; nothing JSON answers is cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// DecodeJSON decodes exactly one JSON object into v, refusing invalid UTF-8
// (which encoding/json would silently turn into U+FFFD), unknown fields and
// trailing data. body is read whole: the route's limit bounds it.
func DecodeJSON(body io.Reader, v any) error {
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return retours.NewError(retours.EINVALID, "body.incomplete")
	}
	if !utf8.Valid(data) {
		return retours.NewError(retours.EINVALID, "body.utf8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			if ute.Field == "" {
				return retours.NewError(retours.EINVALID, "body.object")
			}
			return retours.NewError(retours.EINVALID, "body.field_type", ute.Field)
		}
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			return retours.NewError(retours.EINVALID, "body.unknown_field", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return InvalidJSON()
	}
	if dec.More() {
		return InvalidJSON()
	}
	if _, err := dec.Token(); err != io.EOF {
		return InvalidJSON()
	}
	return nil
}

// InvalidJSON is the error of a body that is not the JSON expected.
func InvalidJSON() error {
	return retours.NewError(retours.EINVALID, "body.json")
}

// ParseForm parses an urlencoded body, refusing other content types.
func ParseForm(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return retours.NewError(retours.EINVALID, "body.content_type")
	}
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		return retours.NewError(retours.EINVALID, "body.form")
	}
	return nil
}
