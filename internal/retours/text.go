package retours

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/retours/retours/internal/i18n"
)

// Languages the participant pages are written in: the languages of every
// catalogue (internal/i18n); the first is the default.
var Languages = i18n.Languages

// Text is a piece of text in several languages, keyed by language code.
type Text map[string]string

// In returns the text in lang, falling back to French, then to any language.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	if s := t["fr"]; s != "" {
		return s
	}
	for _, l := range Languages {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}

// IsLanguage reports whether lang is one of Languages.
func IsLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Field problems: the values of FieldErrors. Transports turn each into a
// sentence in the reader's language.
const (
	FieldRequired  = "required"  // a required value is missing
	FieldInvalid   = "invalid"   // the value is not of the expected form
	FieldChoice    = "choice"    // the value is not one of the offered choices
	FieldRange     = "range"     // the number is outside the scale
	FieldTooLong   = "too_long"  // the text is longer than allowed
	FieldBadText   = "bad_text"  // the text has invalid UTF-8 or control characters
	FieldUnknown   = "unknown"   // no such question
	FieldTooMany   = "too_many"  // more values than allowed
	FieldDuplicate = "duplicate" // the same identifier appears twice
	FieldOrder     = "order"     // an end comes before its start
	FieldRetention = "retention" // answers would be accepted after the event's data is erased
	FieldLocked    = "locked"    // the event has answers, which were given against this value
	FieldRemoved   = "removed"   // the event has answers: retire a question, cancel a session
	FieldEarlier   = "earlier"   // the event has answers, kept until a date this would move earlier
	FieldFrench    = "french"    // a translation is given without the French text it translates
)

// CleanText trims s and checks it is valid UTF-8 without control characters
// other than line breaks and tabs, and at most max characters long. It returns
// the cleaned text, or a field problem.
func CleanText(s string, max int) (string, string) {
	if !utf8.ValidString(s) {
		return "", FieldBadText
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", FieldBadText
		}
		// U+FFFD stands for bytes that were not valid text somewhere upstream
		// (a JSON \ud800 escape decodes to it): refuse it as invalid UTF-8.
		if r == '\u2028' || r == '\u2029' || r == '\ufeff' || r == utf8.RuneError {
			return "", FieldBadText
		}
	}
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > max {
		return "", FieldTooLong
	}
	return s, ""
}
