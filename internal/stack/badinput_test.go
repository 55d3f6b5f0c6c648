package stack_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// badRequest is one request that must be refused with a 4xx and a message a
// person understands, and must store nothing.
type badRequest struct {
	name   string
	method string
	path   string
	ctype  string // Content-Type; "" sends none
	body   string
	header []string
	now    time.Time // zero: during the event, every session open
	want   int
	msg    string // part of the message the person reads
	notMsg string // what the message must not say (the other language's words)
}

const (
	ctJSON = "application/json"
	ctForm = "application/x-www-form-urlencoded"
)

// Messages people read, in French (the default language).
const (
	msgTooLarge    = "trop volumineuse"
	msgBadJSON     = "n'est pas du JSON valide"
	msgContentType = "Type de contenu non pris en charge"
	msgInvalid     = "Certaines réponses ne sont pas valides"
	msgFormErrors  = "Votre questionnaire n'a pas été envoyé"
	msgNoteErrors  = "Corrigez ce qui suit"
	msgBadNote     = "La note n'est pas valide"
	msgBadText     = "caractères non autorisés"
	msgTooLong     = "Ce texte est trop long"
	msgRange       = "échelle proposée"
	msgChoice      = "options proposées"
	msgUnknownQ    = "Cette question n'existe pas"
	msgRequired    = "obligatoire"
	msgNoEvent     = "n'existe pas"
	msgNoSession   = "Cette session n'existe pas"
	msgPageMissing = "Cette page n'existe pas"
	msgClosed      = "Les réponses sont closes"
	msgClosedPage  = "étaient ouvertes jusqu'au"
	msgNotYet      = "pas encore ouvertes"
	msgNotYetPage  = "seront ouvertes à partir du"
	msgUUID        = "doit être un UUID"
	msgFormResend  = "envoyez-le à nouveau"
	msgBadUTF8     = "UTF-8"
	msgUnknownFld  = "Champ inconnu"
	msgWrongType   = "n'a pas le bon type"
	msgNotObject   = "objet JSON"
	msgBadAnswer   = "Réponse non valide"
	msgNoToken     = "manquant"
	msgBadToken    = "ne donne pas accès"
	msgBadAdmin    = "Jeton d'administration invalide"
	msgBadEvent    = "L'événement n'est pas valide"
	msgConfirm     = "?confirm="
	msgFormat      = "Format inconnu"
)

// TestBadInput lists every kind of bad input retours must refuse. Each case
// checks the status, that the answer says what is wrong in words, and that
// the table holds exactly what it held before.
func TestBadInput(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	other := env.MustCreateEvent(necDay)
	ev := ce.ID
	plen, atelier, tableRonde := ce.Sessions[0].ID, ce.Sessions[1].ID, ce.Sessions[4].ID
	answers, notes := "/e/"+ev+"/answers", "/e/"+ev+"/notes"
	sub := webtest.UUID(t)
	orga := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	admin := []string{"Authorization", "Bearer " + adminToken}
	// A valid answer and note, and ways to spoil them.
	answer := func(answersJSON string) string {
		return `{"submission_id":"` + sub + `","session":"` + atelier + `","answers":` + answersJSON + `}`
	}
	withSub := func(s string) string { return `{"submission_id":` + s + `,"answers":{"satisfaction":4}}` }
	note := func(kind, text string) string {
		return `{"submission_id":"` + sub + `","kind":"` + kind + `","text":` + text + `}`
	}
	form := func(kv ...string) string {
		v := url.Values{"submission_id": {sub}, "session": {atelier}, "q_satisfaction": {"4"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v.Encode()
	}
	noteForm := func(kv ...string) string {
		v := url.Values{"submission_id": {sub}, "kind": {"etonnement"}, "text": {"Oh"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	event := func(change string) string { return strings.Replace(necDay, `"place": "Clermont-Ferrand",`, change, 1) }
	long := func(n int) string { return strings.Repeat("é", n) }
	jsonStr := func(s string) string { b, _ := json.Marshal(s); return string(b) }

	beforeStart := time.Date(2026, 10, 13, 6, 0, 0, 0, time.UTC)
	afterClose := time.Date(2026, 11, 12, 15, 30, 0, 0, time.UTC)
	midday := time.Date(2026, 10, 13, 10, 0, 0, 0, time.UTC) // the table ronde starts at 14:00 UTC

	cases := []badRequest{
		// Oversize bodies.
		{name: "oversize JSON answer", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"commentaire":"` + strings.Repeat("a", 70<<10) + `"}`), want: 413, msg: msgTooLarge},
		{name: "oversize form answer", method: "POST", path: answers, ctype: ctForm, body: form("q_commentaire", strings.Repeat("a", 70<<10)), want: 413, msg: msgTooLarge},
		{name: "oversize JSON note", method: "POST", path: notes, ctype: ctJSON, body: note("etonnement", `"`+strings.Repeat("a", 70<<10)+`"`), want: 413, msg: msgTooLarge},
		{name: "oversize form note", method: "POST", path: notes, ctype: ctForm, body: noteForm("text", strings.Repeat("a", 70<<10)), want: 413, msg: msgTooLarge},
		{name: "oversize event", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: event(`"place": "` + strings.Repeat("a", 300<<10) + `",`), want: 413, msg: msgTooLarge},

		// Truncated and malformed JSON.
		{name: "truncated JSON answer", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4}`)[:60], want: 400, msg: msgBadJSON},
		{name: "truncated JSON note", method: "POST", path: notes, ctype: ctJSON, body: `{"submission_id":"` + sub + `","kind":"eton`, want: 400, msg: msgBadJSON},
		{name: "truncated JSON event", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: necDay[:200], want: 400, msg: msgBadJSON},
		{name: "empty JSON body", method: "POST", path: answers, ctype: ctJSON, body: "", want: 400, msg: msgBadJSON},
		{name: "unquoted keys", method: "POST", path: answers, ctype: ctJSON, body: `{submission_id: "x"}`, want: 400, msg: msgBadJSON},
		{name: "trailing data", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4}`) + `{"x":1}`, want: 400, msg: msgBadJSON},
		{name: "two answers in one body", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4}`) + answer(`{"satisfaction":5}`), want: 400, msg: msgBadJSON},
		{name: "array instead of object", method: "POST", path: answers, ctype: ctJSON, body: `[` + answer(`{"satisfaction":4}`) + `]`, want: 400, msg: msgNotObject},
		{name: "string instead of object", method: "POST", path: notes, ctype: ctJSON, body: `"hello"`, want: 400, msg: msgNotObject},
		{name: "wrong field type", method: "POST", path: answers, ctype: ctJSON, body: `{"submission_id":42,"answers":{}}`, want: 400, msg: msgWrongType},
		{name: "answers not an object", method: "POST", path: answers, ctype: ctJSON, body: `{"submission_id":"` + sub + `","answers":["satisfaction",4]}`, want: 400, msg: msgWrongType},
		{name: "unknown field", method: "POST", path: answers, ctype: ctJSON, body: `{"submission_id":"` + sub + `","ip":"203.0.113.9","answers":{"satisfaction":4}}`, want: 400, msg: msgUnknownFld},
		{name: "unknown note field", method: "POST", path: notes, ctype: ctJSON, body: `{"submission_id":"` + sub + `","kind":"etonnement","text":"Oh","email":"a@b.fr"}`, want: 400, msg: msgUnknownFld},
		{name: "unknown event field", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: event(`"colour": "red",`), want: 400, msg: msgUnknownFld},
		{name: "answer value an object", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":{"n":4}}`), want: 400, msg: msgBadAnswer},
		{name: "answer value a boolean", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":true}`), want: 400, msg: msgBadAnswer},
		{name: "answer list of numbers", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"profil":[1,2]}`), want: 400, msg: msgBadAnswer},
		{name: "fractional rating", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4.5}`), want: 400, msg: msgBadAnswer},
		{name: "huge number", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":1e300}`), want: 400, msg: msgBadAnswer},
		{name: "number beyond int64", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":9223372036854775808}`), want: 400, msg: msgBadAnswer},

		// Wrong content type.
		{name: "answer as text/plain", method: "POST", path: answers, ctype: "text/plain", body: form(), want: 400, msg: msgContentType},
		{name: "answer without content type", method: "POST", path: answers, body: form(), want: 400, msg: msgContentType},
		{name: "answer as multipart", method: "POST", path: answers, ctype: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"q_satisfaction\"\r\n\r\n4\r\n--x--\r\n", want: 400, msg: msgContentType},
		{name: "answer as XML", method: "POST", path: answers, ctype: "application/xml", body: "<answer/>", want: 400, msg: msgContentType},
		{name: "note as text/plain", method: "POST", path: notes, ctype: "text/plain", body: noteForm(), want: 400, msg: msgContentType},
		{name: "event as form", method: "POST", path: "/api/events", ctype: ctForm, header: admin, body: "title=x", want: 400, msg: "JSON"},

		// Invalid UTF-8 and control characters.
		{name: "invalid UTF-8 in JSON text", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"commentaire":"caf` + "\xe9" + `"}`), want: 400, msg: msgBadUTF8},
		{name: "invalid UTF-8 in JSON note", method: "POST", path: notes, ctype: ctJSON, body: note("etonnement", `"`+"\xff\xfe"+`"`), want: 400, msg: msgBadUTF8},
		{name: "invalid UTF-8 in JSON key", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"` + "\xc3" + `":"x"}`), want: 400, msg: msgBadUTF8},
		{name: "invalid UTF-8 in event title", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: strings.Replace(necDay, "Auvergne", "Auv\xe8rgne", 1), want: 400, msg: msgBadUTF8},
		{name: "lone surrogate escape", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"commentaire":"a\ud800b"}`), want: 400, msg: msgInvalid},
		{name: "invalid UTF-8 in form text", method: "POST", path: answers, ctype: ctForm, body: form("q_commentaire", "caf\xe9"), want: 400, msg: msgBadText},
		{name: "invalid UTF-8 in form note", method: "POST", path: notes, ctype: ctForm, body: noteForm("text", "\xff"), want: 400, msg: msgBadText},
		{name: "NUL in JSON text", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"commentaire":"a\u0000b"}`), want: 400, msg: msgInvalid},
		{name: "escape sequence in JSON text", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"suites":"\u001b[31mrouge"}`), want: 400, msg: msgInvalid},
		{name: "line separator in JSON note", method: "POST", path: notes, ctype: ctJSON, body: note("etonnement", `"a\u2028b"`), want: 400, msg: msgBadNote},
		{name: "bell in JSON note", method: "POST", path: notes, ctype: ctJSON, body: note("etonnement", `"ding\u0007"`), want: 400, msg: msgBadNote},
		{name: "NUL in form text", method: "POST", path: answers, ctype: ctForm, body: form("q_commentaire", "a\x00b"), want: 400, msg: msgBadText},
		{name: "carriage return alone in form note", method: "POST", path: notes, ctype: ctForm, body: noteForm("text", "a\rb"), want: 400, msg: msgBadText},
		{name: "control character in event title", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: strings.Replace(necDay, "Auvergne", `Auvergne\u0000`, 1), want: 400, msg: msgBadEvent},

		// Values outside a question's range or choices.
		{name: "rating below the scale", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":0}`), want: 400, msg: msgInvalid},
		{name: "rating above the scale", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":6}`), want: 400, msg: msgInvalid},
		{name: "negative rating", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":-1}`), want: 400, msg: msgInvalid},
		{name: "NPS above 10", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"nps":11}`), want: 400, msg: msgInvalid},
		{name: "rating as words", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":"four"}`), want: 400, msg: msgInvalid},
		{name: "form rating above the scale", method: "POST", path: answers, ctype: ctForm, body: form("q_satisfaction", "9"), want: 400, msg: msgRange},
		{name: "form rating not a number", method: "POST", path: answers, ctype: ctForm, body: form("q_nps", "1e1"), want: 400, msg: msgFormErrors},
		{name: "unknown choice", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"rencontres":"peut-etre"}`), want: 400, msg: msgInvalid},
		{name: "two choices for a single question", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"profil":["elu","agent"]}`), want: 400, msg: msgInvalid},
		{name: "form unknown choice", method: "POST", path: answers, ctype: ctForm, body: form("q_profil", "roi"), want: 400, msg: msgChoice},
		{name: "unknown note kind", method: "POST", path: notes, ctype: ctJSON, body: note("reproche", `"Oh"`), want: 400, msg: msgBadNote},
		{name: "form unknown note kind", method: "POST", path: notes, ctype: ctForm, body: noteForm("kind", "reproche"), want: 400, msg: msgChoice},

		// Unknown question ids.
		{name: "unknown question", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"age":"42"}`), want: 400, msg: msgInvalid},
		{name: "question id with a path", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"../../etc":"x"}`), want: 400, msg: msgInvalid},
		{name: "form unknown question", method: "POST", path: answers, ctype: ctForm, body: form("q_age", "42"), want: 400, msg: msgUnknownQ},
		{name: "form question id with a path", method: "POST", path: answers, ctype: ctForm, body: form("q_../x", "1"), want: 400, msg: msgUnknownQ},

		// Missing required answers.
		{name: "required answer missing", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"nps":5}`), want: 400, msg: msgInvalid},
		{name: "required answer null", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":null,"nps":5}`), want: 400, msg: msgInvalid},
		{name: "no answers at all", method: "POST", path: answers, ctype: ctJSON, body: answer(`{}`), want: 400, msg: msgInvalid},
		{name: "answers field missing", method: "POST", path: answers, ctype: ctJSON, body: `{"submission_id":"` + sub + `"}`, want: 400, msg: msgInvalid},
		{name: "form required answer missing", method: "POST", path: answers, ctype: ctForm, body: form("q_satisfaction", "", "q_nps", "5"), want: 400, msg: msgRequired},
		{name: "empty note", method: "POST", path: notes, ctype: ctJSON, body: note("etonnement", `"   "`), want: 400, msg: msgBadNote},
		{name: "form empty note", method: "POST", path: notes, ctype: ctForm, body: noteForm("text", " \n "), want: 400, msg: msgRequired},

		// Over-long free text, per field.
		{name: "comment over 2000 characters", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"commentaire":"` + long(2001) + `"}`), want: 400, msg: msgInvalid},
		{name: "what next over 1000 characters", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4,"suites":"` + long(1001) + `"}`), want: 400, msg: msgInvalid},
		{name: "form comment over 2000 characters", method: "POST", path: answers, ctype: ctForm, body: form("q_commentaire", long(2001)), want: 400, msg: msgTooLong},
		{name: "note over 2000 characters", method: "POST", path: notes, ctype: ctJSON, body: note("etonnement", jsonStr(long(2001))), want: 400, msg: msgBadNote},
		{name: "form note over 2000 characters", method: "POST", path: notes, ctype: ctForm, body: noteForm("text", long(2001)), want: 400, msg: msgTooLong},
		{name: "event title over 200 characters", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: strings.Replace(necDay, "Auvergne", long(200), 1), want: 400, msg: msgBadEvent},

		// Unknown event or session.
		{name: "answer to an unknown event", method: "POST", path: "/e/zzzzzzzz/answers", ctype: ctJSON, body: answer(`{"satisfaction":4}`), want: 404, msg: msgNoEvent},
		{name: "form to an unknown event", method: "POST", path: "/e/zzzzzzzz/answers", ctype: ctForm, body: form(), want: 404, msg: msgPageMissing},
		{name: "note to an unknown event", method: "POST", path: "/e/zzzzzzzz/notes", ctype: ctJSON, body: note("etonnement", `"Oh"`), want: 404, msg: msgNoEvent},
		{name: "page of an unknown event", method: "GET", path: "/e/zzzzzzzz", want: 404, msg: msgPageMissing},
		{name: "answer to an unknown session", method: "POST", path: answers, ctype: ctJSON, body: `{"submission_id":"` + sub + `","session":"zzzzzz","answers":{"satisfaction":4}}`, want: 404, msg: msgNoSession},
		{name: "form to an unknown session", method: "POST", path: answers, ctype: ctForm, body: form("session", "zzzzzz"), want: 404, msg: msgPageMissing},
		{name: "note to an unknown session", method: "POST", path: notes, ctype: ctJSON, body: `{"submission_id":"` + sub + `","session":"zzzzzz","kind":"etonnement","text":"Oh"}`, want: 404, msg: msgNoSession},
		{name: "page of an unknown session", method: "GET", path: "/e/" + ev + "/zzzzzz", want: 404, msg: msgPageMissing},
		{name: "session of another event", method: "POST", path: "/e/" + other.ID + "/answers", ctype: ctJSON, body: `{"submission_id":"` + sub + `","session":"` + plen + `","answers":{"satisfaction":4}}`, want: 404, msg: msgNoSession},

		// Closed and not-yet-open answers.
		{name: "answer after closing", method: "POST", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4}`), now: afterClose, want: 409, msg: msgClosed},
		{name: "form after closing", method: "POST", path: answers, ctype: ctForm, body: form(), now: afterClose, want: 409, msg: msgClosedPage},
		{name: "note after closing", method: "POST", path: notes, ctype: ctJSON, body: note("etonnement", `"Oh"`), now: afterClose, want: 409, msg: msgClosed},
		{name: "form note after closing", method: "POST", path: notes, ctype: ctForm, body: noteForm(), now: afterClose, want: 409, msg: msgClosedPage},
		{name: "answer before the event", method: "POST", path: answers, ctype: ctJSON, body: withSub(`"` + sub + `"`), now: beforeStart, want: 409, msg: msgNotYet},
		{name: "form before the event", method: "POST", path: answers, ctype: ctForm, body: form("session", ""), now: beforeStart, want: 409, msg: msgNotYetPage},
		{name: "answer before its session", method: "POST", path: answers, ctype: ctJSON, body: `{"submission_id":"` + sub + `","session":"` + tableRonde + `","answers":{"satisfaction":4}}`, now: midday, want: 409, msg: msgNotYet},

		// Submission ids that are not UUIDs.
		{name: "submission id not a UUID", method: "POST", path: answers, ctype: ctJSON, body: withSub(`"123"`), want: 400, msg: msgUUID},
		{name: "submission id in capitals", method: "POST", path: answers, ctype: ctJSON, body: withSub(`"` + strings.ToUpper(sub) + `"`), want: 400, msg: msgUUID},
		{name: "submission id in braces", method: "POST", path: answers, ctype: ctJSON, body: withSub(`"{` + sub + `}"`), want: 400, msg: msgUUID},
		{name: "submission id with a newline", method: "POST", path: answers, ctype: ctJSON, body: withSub(`"` + sub + `\n"`), want: 400, msg: msgUUID},
		{name: "submission id with a path", method: "POST", path: answers, ctype: ctJSON, body: withSub(`"../../` + sub[6:] + `"`), want: 400, msg: msgUUID},
		{name: "submission id missing", method: "POST", path: answers, ctype: ctJSON, body: `{"answers":{"satisfaction":4}}`, want: 400, msg: msgUUID},
		{name: "note submission id not a UUID", method: "POST", path: notes, ctype: ctJSON, body: `{"submission_id":"x","kind":"etonnement","text":"Oh"}`, want: 400, msg: msgUUID},
		{name: "form submission id not a UUID", method: "POST", path: answers, ctype: ctForm, body: form("submission_id", "abc"), want: 400, msg: msgFormResend},
		{name: "form note submission id not a UUID", method: "POST", path: notes, ctype: ctForm, body: noteForm("submission_id", "abc"), want: 400, msg: msgFormResend},

		// Path traversal and odd characters in ids.
		{name: "traversal in the event id", method: "GET", path: "/e/..%2F..%2Fetc%2Fpasswd", want: 404, msg: msgPageMissing},
		{name: "dot segments", method: "POST", path: "/e/../../etc/passwd", ctype: ctForm, body: form(), want: 404, msg: msgPageMissing},
		{name: "encoded dot segments", method: "POST", path: "/e/%2e%2e/answers", ctype: ctJSON, body: answer(`{"satisfaction":4}`), want: 404, msg: "introuvable"},
		{name: "double slash", method: "GET", path: "/e//" + ev, want: 404, msg: msgPageMissing},
		{name: "NUL in the event id", method: "GET", path: "/e/" + ev + "%00", want: 404, msg: msgPageMissing},
		{name: "capitals in the event id", method: "GET", path: "/e/" + strings.ToUpper(ev), want: 404, msg: msgPageMissing},
		{name: "accent in the event id", method: "POST", path: "/e/%C3%A9v%C3%A9/answers", ctype: ctJSON, body: answer(`{"satisfaction":4}`), want: 404, msg: msgNoEvent},
		{name: "markup in the event id", method: "GET", path: "/e/%3Cscript%3Ealert(1)%3C%2Fscript%3E", want: 404, msg: msgPageMissing},
		{name: "very long event id", method: "GET", path: "/e/" + strings.Repeat("a", 2000), want: 404, msg: msgPageMissing},
		{name: "traversal in the session id", method: "GET", path: "/e/" + ev + "/..%2F..%2Fx", want: 404, msg: msgPageMissing},
		{name: "traversal in the session field", method: "POST", path: answers, ctype: ctJSON, body: `{"submission_id":"` + sub + `","session":"../` + plen + `","answers":{"satisfaction":4}}`, want: 404, msg: msgNoSession},
		{name: "wildcard in the session field", method: "POST", path: notes, ctype: ctJSON, body: `{"submission_id":"` + sub + `","session":"*","kind":"etonnement","text":"Oh"}`, want: 404, msg: msgNoSession},
		{name: "traversal in an organiser route", method: "GET", path: "/api/events/..%2F" + ev + "/bilan", header: orga, want: 404, msg: msgNoEvent},
		{name: "wrong method", method: "PUT", path: answers, ctype: ctJSON, body: answer(`{"satisfaction":4}`), want: 404, msg: "introuvable"},
		{name: "wrong method on a page", method: "DELETE", path: "/e/" + ev, want: 404, msg: msgPageMissing},

		// Organiser inputs.
		{name: "moderation: truncated JSON", method: "PUT", path: "/api/events/" + ev + "/texts/zzzzzz", ctype: ctJSON, header: orga, body: `{"hidden":`, want: 400, msg: msgBadJSON},
		{name: "moderation: hidden as a word", method: "PUT", path: "/api/events/" + ev + "/texts/zzzzzz", ctype: ctJSON, header: orga, body: `{"hidden":"yes"}`, want: 400, msg: msgWrongType},
		{name: "moderation: hidden missing", method: "PUT", path: "/api/events/" + ev + "/texts/zzzzzz", ctype: ctJSON, header: orga, body: `{}`, want: 400, msg: "manque"},
		{name: "moderation: unknown text", method: "PUT", path: "/api/events/" + ev + "/texts/zzzzzz", ctype: ctJSON, header: orga, body: `{"hidden":true}`, want: 404, msg: "Ce texte n'existe pas"},
		{name: "moderation: traversal in the text reference", method: "PUT", path: "/api/events/" + ev + "/texts/..%2F..%2Fx", ctype: ctJSON, header: orga, body: `{"hidden":true}`, want: 404, msg: "introuvable"},
		{name: "moderation: form instead of JSON", method: "PUT", path: "/api/events/" + ev + "/texts/zzzzzz", ctype: ctForm, header: orga, body: "hidden=1", want: 400, msg: "JSON"},
		{name: "malformed form on the organisers' login", method: "POST", path: "/o/" + ev + "/login", ctype: ctForm, body: "token=%zz", want: 400, msg: "Le formulaire est illisible"},
		{name: "organisers' login as text/plain", method: "POST", path: "/o/" + ev + "/login", ctype: "text/plain", body: "token=" + ce.OrganiserToken, want: 400, msg: msgContentType},
		{name: "oversize organisers' login", method: "POST", path: "/o/" + ev + "/login", ctype: ctForm, body: "token=" + strings.Repeat("a", 70<<10), want: 413, msg: msgTooLarge},
		{name: "malformed moderation form", method: "POST", path: "/o/" + ev + "/texts/zzzzzz", ctype: ctForm, header: orga, body: "hidden=%zz", want: 400, msg: "Le formulaire est illisible"},
		{name: "unknown bilan format", method: "GET", path: "/api/events/" + ev + "/bilan?format=pdf", header: orga, want: 400, msg: msgFormat},
		{name: "erasure without confirmation", method: "DELETE", path: "/api/events/" + ev, header: orga, want: 400, msg: msgConfirm},
		{name: "erasure confirming another event", method: "DELETE", path: "/api/events/" + ev + "?confirm=" + other.ID, header: orga, want: 400, msg: msgConfirm},
		{name: "event ends before it starts", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: strings.Replace(necDay, `"ends_at": "2026-10-13T17:30:00+02:00"`, `"ends_at": "2026-10-12T17:30:00+02:00"`, 1), want: 400, msg: msgBadEvent},
		{name: "event retention over 10 years", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: event(`"retention_months": 121,`), want: 400, msg: msgBadEvent},
		{name: "event with a bad organiser e-mail", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: strings.Replace(necDay, "orga@example.org", "orga at example", 1), want: 400, msg: msgBadEvent},
		{name: "event with a bad question kind", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: event(`"questionnaire": {"questions": [{"id": "q", "kind": "slider", "label": {"fr": "?"}}]},`), want: 400, msg: msgBadEvent},
		{name: "event definition of < over the item limit once encoded", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: event(`"questionnaire": ` + questionnaireOf("<") + `,`), want: 400, msg: "trop volumineux"},
		{name: "session closing after the event's answers are erased", method: "POST", path: "/api/events", ctype: ctJSON, header: admin,
			body: strings.Replace(necDay, `"starts_at": "2026-10-13T16:00:00+02:00"}`, `"starts_at": "2026-10-13T16:00:00+02:00", "closes_at": "2029-01-01T00:00:00+01:00"}`, 1), want: 400, msg: "seraient effacées"},
	}
	cases = append(cases, tokenCases(t, ev, ce.OrganiserToken, other.OrganiserToken)...)
	cases = append(cases, editCases(t, env, ce, other)...)

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { env.checkRefused(t, tc) })
	}
	if a, n := env.countItems(ev); a != 0 || n != 0 {
		t.Errorf("stored %d answers and %d notes, want none", a, n)
	}
}

// TestBadInputInEnglish checks that a reader who asks for English gets
// each kind of refusal in English, whichever layer refuses: the domain, the
// store, the decoding of the request, or the field problems, through the
// API and on the pages.
func TestBadInputInEnglish(t *testing.T) {
	env := newMemEnv(t)
	ce := env.MustCreateEvent(necDay)
	ev := ce.ID
	atelier := ce.Sessions[1].ID
	answers, notes := "/e/"+ev+"/answers", "/e/"+ev+"/notes"
	sub := webtest.UUID(t)
	en := []string{"Accept-Language", "en-GB,en;q=0.9"}
	orga := append([]string{"Authorization", "Bearer " + ce.OrganiserToken}, en...)
	admin := append([]string{"Authorization", "Bearer " + adminToken}, en...)
	answer := func(answersJSON string) string {
		return `{"submission_id":"` + sub + `","session":"` + atelier + `","answers":` + answersJSON + `}`
	}
	form := func(k, v string) string {
		f := url.Values{"submission_id": {sub}, "session": {atelier}, "lang": {"en"}, "q_satisfaction": {"4"}}
		f.Set(k, v)
		return f.Encode()
	}
	afterClose := time.Date(2026, 11, 12, 15, 30, 0, 0, time.UTC)
	beforeStart := time.Date(2026, 10, 13, 6, 0, 0, 0, time.UTC)
	texts := "/api/events/" + ev + "/texts/zzzzzz"

	cases := []badRequest{
		{name: "malformed JSON", method: "POST", path: answers, ctype: ctJSON, header: en, body: answer(`{"satisfaction":4}`)[:60], want: 400, msg: "The request body is not valid JSON.", notMsg: msgBadJSON},
		{name: "not an object", method: "POST", path: notes, ctype: ctJSON, header: en, body: `"hello"`, want: 400, msg: "must be a JSON object", notMsg: msgNotObject},
		{name: "wrong field type", method: "POST", path: answers, ctype: ctJSON, header: en, body: `{"submission_id":42,"answers":{}}`, want: 400, msg: `The field "submission_id" has the wrong type.`, notMsg: msgWrongType},
		{name: "unknown field", method: "POST", path: answers, ctype: ctJSON, header: en, body: `{"submission_id":"` + sub + `","ip":"x","answers":{}}`, want: 400, msg: `Unknown field: "ip".`, notMsg: msgUnknownFld},
		{name: "invalid UTF-8", method: "POST", path: answers, ctype: ctJSON, header: en, body: answer(`{"commentaire":"caf` + "\xe9" + `"}`), want: 400, msg: "not valid UTF-8", notMsg: "n'est pas"},
		{name: "answer value an object", method: "POST", path: answers, ctype: ctJSON, header: en, body: answer(`{"satisfaction":{"n":4}}`), want: 400, msg: "This answer is not valid. This value is not valid.", notMsg: msgBadAnswer},
		{name: "rating above the scale", method: "POST", path: answers, ctype: ctJSON, header: en, body: answer(`{"satisfaction":6}`), want: 400, msg: "Some answers are not valid. Choose a value on the scale offered.", notMsg: msgInvalid},
		{name: "empty note", method: "POST", path: notes, ctype: ctJSON, header: en, body: `{"submission_id":"` + sub + `","kind":"etonnement","text":" "}`, want: 400, msg: "The note is not valid. This answer is required.", notMsg: msgBadNote},
		{name: "submission id not a UUID", method: "POST", path: answers, ctype: ctJSON, header: en, body: `{"submission_id":"123","answers":{"satisfaction":4}}`, want: 400, msg: "The submission id must be a UUID.", notMsg: msgUUID},
		{name: "unknown session", method: "POST", path: answers, ctype: ctJSON, header: en, body: `{"submission_id":"` + sub + `","session":"zzzzzz","answers":{"satisfaction":4}}`, want: 404, msg: "This session does not exist.", notMsg: msgNoSession},
		{name: "unknown event", method: "POST", path: "/e/zzzzzzzz/answers", ctype: ctJSON, header: en, body: answer(`{"satisfaction":4}`), want: 404, msg: "This event does not exist.", notMsg: msgNoEvent},
		{name: "answers closed", method: "POST", path: answers, ctype: ctJSON, header: en, body: answer(`{"satisfaction":4}`), now: afterClose, want: 409, msg: "Answers are closed.", notMsg: msgClosed},
		{name: "answers not open yet", method: "POST", path: answers, ctype: ctJSON, header: en, body: `{"submission_id":"` + sub + `","answers":{"satisfaction":4}}`, now: beforeStart, want: 409, msg: "Answers are not open yet.", notMsg: msgNotYet},
		{name: "form: rating above the scale", method: "POST", path: answers, ctype: ctForm, body: form("q_satisfaction", "9"), want: 400, msg: "Choose a value on the scale offered.", notMsg: msgRange},
		{name: "form: unknown question", method: "POST", path: answers, ctype: ctForm, body: form("q_age", "42"), want: 400, msg: "There is no such question.", notMsg: msgUnknownQ},
		{name: "form: damaged submission id", method: "POST", path: answers, ctype: ctForm, body: form("submission_id", "abc"), want: 400, msg: "send it again", notMsg: msgFormResend},
		{name: "page: unsupported content type", method: "POST", path: answers + "?lang=en", ctype: "text/plain", body: form("lang", "en"), want: 400, msg: "Unsupported content type: send a form or JSON.", notMsg: msgContentType},
		{name: "page: unreadable login form", method: "POST", path: "/o/" + ev + "/login?lang=en", ctype: ctForm, body: "token=%zz", want: 400, msg: "The form cannot be read.", notMsg: "illisible"},
		{name: "no organiser token", method: "GET", path: "/api/events/" + ev + "/bilan", header: en, want: 401, msg: "Missing organiser token", notMsg: msgNoToken},
		{name: "wrong organiser token", method: "GET", path: "/api/events/" + ev + "/bilan", header: append([]string{"Authorization", "Bearer rto_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, en...), want: 403, msg: "This token does not give access to this event.", notMsg: msgBadToken},
		{name: "no admin token", method: "POST", path: "/api/events", ctype: ctJSON, header: en, body: necDay, want: 401, msg: "Missing administration token", notMsg: msgNoToken},
		{name: "wrong admin token", method: "POST", path: "/api/events", ctype: ctJSON, header: append([]string{"Authorization", "Bearer x"}, en...), body: necDay, want: 403, msg: "Invalid administration token.", notMsg: msgBadAdmin},
		{name: "invalid event", method: "POST", path: "/api/events", ctype: ctJSON, header: admin, body: strings.Replace(necDay, `"ends_at": "2026-10-13T17:30:00+02:00"`, `"ends_at": "2026-10-12T17:30:00+02:00"`, 1), want: 400, msg: "The event is not valid. The end must come after the start.", notMsg: msgBadEvent},
		{name: "unknown bilan format", method: "GET", path: "/api/events/" + ev + "/bilan?format=pdf", header: orga, want: 400, msg: "Unknown format: html, md, csv, xlsx or json.", notMsg: msgFormat},
		{name: "erasure without confirmation", method: "DELETE", path: "/api/events/" + ev, header: orga, want: 400, msg: "To erase the event and all its answers, confirm by adding ?confirm=" + ev + " to the address.", notMsg: "confirmez"},
		{name: "QR code size", method: "GET", path: "/api/events/" + ev + "/qr.png?size=5", header: orga, want: 400, msg: "The size must be a number of pixels between 64 and", notMsg: "La taille"},
		{name: "moderation: hidden missing", method: "PUT", path: texts, ctype: ctJSON, header: orga, body: `{}`, want: 400, msg: "The hidden field (true or false) is missing.", notMsg: "manque"},
		{name: "moderation: unknown text", method: "PUT", path: texts, ctype: ctJSON, header: orga, body: `{"hidden":true}`, want: 404, msg: "This text does not exist.", notMsg: "n'existe pas"},
		{name: "moderation: form instead of JSON", method: "PUT", path: texts, ctype: ctForm, header: orga, body: "hidden=1", want: 400, msg: `Send {"hidden": true} or false as JSON`, notMsg: "Envoyez"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { env.checkRefused(t, tc) })
	}
}

// checkRefused sends tc's request and checks its status, its message, and
// that the table holds exactly what it held before.
func (env *testEnv) checkRefused(t *testing.T, tc badRequest) {
	t.Helper()
	before := env.items()
	if !tc.now.IsZero() {
		env.Clock.Set(tc.now)
		defer env.Clock.Set(time.Date(2026, 10, 13, 15, 0, 0, 0, time.UTC))
	} else {
		env.Clock.Set(time.Date(2026, 10, 13, 15, 0, 0, 0, time.UTC))
	}
	header := append([]string(nil), tc.header...)
	if tc.ctype != "" {
		header = append(header, "Content-Type", tc.ctype)
	}
	rec := env.Do(tc.method, tc.path, strings.NewReader(tc.body), header...)
	if rec.Code != tc.want {
		t.Errorf("status = %d, want %d", rec.Code, tc.want)
	}
	got := readableMessage(rec.Header().Get("Content-Type"), rec.Body.String())
	if !strings.Contains(got, tc.msg) {
		t.Errorf("message %q does not say %q", got, tc.msg)
	}
	if tc.notMsg != "" && strings.Contains(got, tc.notMsg) {
		t.Errorf("message %q says %q", got, tc.notMsg)
	}
	if after := env.items(); after != before {
		t.Errorf("%d items in the table, want %d: the request stored something", after, before)
	}
}

var tagPattern = regexp.MustCompile(`(?s)<style>.*?</style>|<[^>]*>`)

// readableMessage returns what a person reads in a response: the error and
// field messages of a JSON body, the text of a page.
func readableMessage(contentType, body string) string {
	if strings.HasPrefix(contentType, "application/json") {
		var e struct {
			Error  string            `json:"error"`
			Fields map[string]string `json:"fields"`
		}
		if json.Unmarshal([]byte(body), &e) != nil {
			return ""
		}
		out := e.Error
		for _, v := range e.Fields {
			out += " " + v
		}
		return out
	}
	if strings.HasPrefix(contentType, "text/html") {
		main := body
		if i := strings.Index(main, "<main"); i >= 0 {
			main = main[i:]
		}
		return strings.Join(strings.Fields(html.UnescapeString(tagPattern.ReplaceAllString(main, " "))), " ")
	}
	return ""
}

// tokenCases returns, for every organiser and admin route of web.Routes
// (including those added later), requests with a missing, malformed, wrong
// or misplaced token: 401 when there is none, 403 when it is not the right
// one.
func tokenCases(t *testing.T, event, token, otherToken string) []badRequest {
	t.Helper()
	// shapes gives a route a minimal valid request, so that only the token is
	// wrong; routes not listed get no body (GET, DELETE) or an empty JSON
	// object.
	shapes := map[string]struct{ query, ctype, body string }{
		"GET /api/events/{event}/bilan": {query: "?format=json"},
		"DELETE /api/events/{event}":    {query: "?confirm=" + event},
		"POST /api/events":              {ctype: ctJSON, body: necDay},
	}
	var cases []badRequest
	n := 0
	for _, r := range web.Routes {
		if r.Function == web.FuncSurvey || strings.Contains(r.Path, "{token}") || organisersEntry[r.Method+" "+r.Path] || public[r.Method+" "+r.Path] {
			// Participants' routes take no token; the digest's unsubscribe
			// links carry their own signature instead (forged ones:
			// TestDigestRunAndUnsubscribe); the organisers' page shows its
			// login form to anyone and takes the token in that form
			// (TestOrganisersPage), and so does the admin space
			// (TestAdminLogin, internal/organiser).
			continue
		}
		n++
		key := r.Method + " " + r.Path
		shape, ok := shapes[key]
		if !ok && r.Method != "GET" && r.Method != "DELETE" {
			shape.ctype, shape.body = ctJSON, "{}"
		}
		path := wildcardPattern.ReplaceAllStringFunc(r.Path, func(w string) string {
			switch w {
			case "{event}":
				return event
			}
			return "zzzzzz"
		}) + shape.query
		isAdmin := !strings.Contains(r.Path, "{event}") || strings.HasPrefix(r.Path, "/admin/")
		bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
		add := func(name string, header []string, want int, msg string) {
			cases = append(cases, badRequest{name: key + ": " + name, method: r.Method, path: path, ctype: shape.ctype, body: shape.body, header: header, want: want, msg: msg})
		}
		add("no token", nil, http.StatusUnauthorized, msgNoToken)
		add("empty bearer", []string{"Authorization", "Bearer "}, http.StatusUnauthorized, msgNoToken)
		add("basic credentials", []string{"Authorization", "Basic b3JnYTpzZWNyZXQ="}, http.StatusUnauthorized, msgNoToken)
		add("token in the query string", nil, http.StatusUnauthorized, msgNoToken)
		cases[len(cases)-1].path += sep(path) + "token=" + url.QueryEscape(token)
		add("wrong token", bearer("rto_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), http.StatusForbidden, "")
		add("token with a control character", bearer(token+"\x01"), http.StatusForbidden, "")
		if isAdmin {
			cases[len(cases)-2].msg, cases[len(cases)-1].msg = msgBadAdmin, msgBadAdmin
			add("organiser token", bearer(token), http.StatusForbidden, msgBadAdmin)
			add("admin token with a suffix", bearer(adminToken+"x"), http.StatusForbidden, msgBadAdmin)
			continue
		}
		cases[len(cases)-2].msg, cases[len(cases)-1].msg = msgBadToken, msgBadToken
		add("another event's token", bearer(otherToken), http.StatusForbidden, msgBadToken)
		add("another event's token in the cookie", []string{"Cookie", "retours_organiser=" + otherToken}, http.StatusForbidden, msgBadToken)
		if !adminToo[key] {
			add("admin token", bearer(adminToken), http.StatusForbidden, msgBadToken)
		}
		add("admin token in the cookie", []string{"Cookie", "retours_organiser=" + adminToken}, http.StatusForbidden, msgBadToken)
		add("token hash instead of token", bearer(retours.HashToken(token)), http.StatusForbidden, msgBadToken)
	}
	if n == 0 {
		t.Fatal("no organiser or admin routes")
	}
	return cases
}

// public lists the routes that serve what is no one's: the API's
// description, the programme template, the question library.
var public = map[string]bool{"GET /api/openapi.json": true, "GET /api/programme/template.csv": true, "GET /api/questions": true}

// adminToo lists the organisers' routes the administrator may call too.
var adminToo = map[string]bool{}

func init() {
	for _, p := range []string{"GET /api/events/{event}", "PUT /api/events/{event}", "GET /api/events/{event}/edits",
		"GET /api/events/{event}/accesses", "POST /api/events/{event}/accesses", "DELETE /api/events/{event}/accesses/{access}",
		"POST /api/events/{event}/editions", "POST /api/events/{event}/programme/preview", "POST /api/events/{event}/programme",
		"GET /api/events/{event}/shares", "POST /api/events/{event}/sessions/{session}/shares", "DELETE /api/events/{event}/shares/{share}"} {
		adminToo[p] = true
	}
}

// organisersEntry lists the organisers' page routes that anyone may call.
var organisersEntry = map[string]bool{"GET /o/{event}": true, "POST /o/{event}/login": true, "POST /o/{event}/logout": true,
	"GET /admin": true, "POST /admin/login": true, "POST /admin/logout": true}

var wildcardPattern = regexp.MustCompile(`\{[^}]+\}`)

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// questionnaireOf is the largest questionnaire validation accepts, as JSON,
// every label made of char: 30 single-choice questions of 20 choices, each
// label 300 characters long.
func questionnaireOf(char string) string {
	label := strings.Repeat(char, 300)
	var qs []string
	for i := range 30 {
		var choices []string
		for j := range 20 {
			choices = append(choices, fmt.Sprintf(`{"id":"c%d","label":{"fr":%q}}`, j, label))
		}
		qs = append(qs, fmt.Sprintf(`{"id":"q%d","kind":"single","label":{"fr":%q},"choices":[%s]}`, i, label, strings.Join(choices, ",")))
	}
	return `{"questions":[` + strings.Join(qs, ",") + `]}`
}

// editCases are the bad edits of an event: a programme file with a broken
// line, an agenda event without DTSTART, a 5 MB upload, a question whose
// kind changes after answers, a session that ends before it starts, an
// edit without a version or from a stale one.
func editCases(t *testing.T, env *testEnv, ce, answered *webtest.Created) []badRequest {
	t.Helper()
	env.putAnswers(answered.ID, "", 1, "Bien")
	orga := func(c *webtest.Created, version string) []string {
		h := []string{"Authorization", "Bearer " + c.OrganiserToken}
		if version != "" {
			h = append(h, "If-Match", version)
		}
		return h
	}
	definition := func(c *webtest.Created, change func(map[string]any)) string {
		rec := env.Do("GET", "/api/events/"+c.ID, nil, orga(c, "")...)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET the event = %d %s", rec.Code, rec.Body)
		}
		var def map[string]any
		webtest.MustJSON(t, rec.Body.Bytes(), &def)
		change(def)
		b, _ := json.Marshal(def)
		return string(b)
	}
	question := func(def map[string]any, i int) map[string]any {
		return def["questionnaire"].(map[string]any)["questions"].([]any)[i].(map[string]any)
	}
	kindChanged := definition(answered, func(def map[string]any) { question(def, 1)["kind"] = "text" })
	endsBeforeStart := definition(ce, func(def map[string]any) {
		s := def["sessions"].([]any)[0].(map[string]any)
		s["ends_at"] = "2026-10-13T09:00:00+02:00"
	})
	fine := definition(ce, func(def map[string]any) { def["title"] = "Autre titre" })
	path, programme, preview := "/api/events/"+ce.ID, "/api/events/"+ce.ID+"/programme", "/api/events/"+ce.ID+"/programme/preview"
	brokenCSV := "Titre;Date;Début\nPlénière;13/10/2026;09:30\nAtelier;32/13/2026;25h\n"
	noStart := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Atelier\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	huge := "Titre;Date\n" + strings.Repeat("Atelier;13/10/2026\n", 5<<20/19)
	return []badRequest{
		{name: "edit: a question's kind after answers", method: "PUT", path: "/api/events/" + answered.ID, ctype: ctJSON, header: orga(answered, `"1"`), body: kindChanged, want: 400, msg: "l'événement a reçu des réponses"},
		{name: "edit: a session that ends before it starts", method: "PUT", path: path, ctype: ctJSON, header: orga(ce, `"1"`), body: endsBeforeStart, want: 400, msg: "La fin doit venir après le début"},
		{name: "edit: no version", method: "PUT", path: path, ctype: ctJSON, header: orga(ce, ""), body: fine, want: 428, msg: "If-Match"},
		{name: "edit: a stale version", method: "PUT", path: path, ctype: ctJSON, header: orga(ce, `"7"`), body: fine, want: 412, msg: "Quelqu'un d'autre a modifié l'événement"},
		{name: "edit: a version that is no ETag", method: "PUT", path: path, ctype: ctJSON, header: orga(ce, "hier"), body: fine, want: 400, msg: "If-Match"},
		{name: "programme: a CSV with a broken line", method: "POST", path: programme, ctype: "text/csv", header: orga(ce, `"1"`), body: brokenCSV, want: 400, msg: "Date illisible"},
		{name: "programme: an agenda event without DTSTART", method: "POST", path: programme + "?name=agenda.ics", ctype: "text/calendar", header: orga(ce, `"1"`), body: noStart, want: 400, msg: "DTSTART"},
		{name: "programme: a 5 MB upload", method: "POST", path: programme, ctype: "text/csv", header: orga(ce, `"1"`), body: huge, want: 413, msg: "Le fichier dépasse 1 Mo"},
		{name: "programme preview: a 5 MB upload", method: "POST", path: preview, ctype: "text/csv", header: orga(ce, ""), body: huge, want: 413, msg: "Le fichier dépasse 1 Mo"},
		{name: "programme: no version", method: "POST", path: programme, ctype: "text/csv", header: orga(ce, ""), body: brokenCSV, want: 428, msg: "If-Match"},
		{name: "programme: nothing sent", method: "POST", path: programme, ctype: "text/csv", header: orga(ce, `"1"`), body: "", want: 400, msg: "Joignez le fichier"},
		{name: "access: no name", method: "POST", path: path + "/accesses", ctype: ctJSON, header: orga(ce, ""), body: `{"name":" "}`, want: 400, msg: "obligatoire"},
		{name: "access: the last one, by its organisers", method: "DELETE", path: path + "/accesses/first", header: orga(ce, ""), want: 404, msg: "Cet accès n'existe pas"},
		{name: "share: an unknown session", method: "POST", path: path + "/sessions/zzzzzz/shares", header: orga(ce, ""), want: 404, msg: msgNoSession},
		{name: "share: a forged link", method: "GET", path: "/s/" + ce.ID + "/rts_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", want: 404, msg: "Ce lien de partage n'existe pas"},
		{name: "list: a forged cursor", method: "GET", path: "/api/events?cursor=RVZFTlQjeA", header: []string{"Authorization", "Bearer " + adminToken}, want: 400, msg: "curseur"},
	}
}
