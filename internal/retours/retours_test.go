package retours_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

var t0 = time.Date(2026, 10, 13, 7, 0, 0, 0, time.UTC)

func validInput() retours.EventInput {
	return retours.EventInput{
		Title: "NEC Auvergne", StartsAt: t0, EndsAt: t0.Add(9 * time.Hour),
		Sessions: []retours.SessionInput{
			{Title: "Plénière", Kind: retours.KindPleniere, StartsAt: t0},
			{Title: "Atelier", Kind: retours.KindAtelier, StartsAt: t0.Add(2 * time.Hour)},
		},
	}
}

func TestNewEventDefaults(t *testing.T) {
	e, err := retours.NewEvent(validInput(), rand.Reader, t0, 24)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(9*time.Hour + 30*24*time.Hour); !e.ClosesAt.Equal(want) {
		t.Errorf("ClosesAt = %v, want %v", e.ClosesAt, want)
	}
	if want := t0.Add(9*time.Hour).AddDate(0, 24, 0); !e.ExpiresAt().Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", e.ExpiresAt(), want)
	}
	if e.AnonymityThreshold != 5 || len(e.Languages) != 2 || len(e.Questionnaire.Questions) != 6 {
		t.Errorf("defaults: threshold %d, languages %v, %d questions", e.AnonymityThreshold, e.Languages, len(e.Questionnaire.Questions))
	}
	if !retours.ValidID(e.ID) || e.Sessions[0].ID == e.Sessions[1].ID || len(e.Sessions[0].ID) != 6 {
		t.Errorf("ids: event %q, sessions %q %q", e.ID, e.Sessions[0].ID, e.Sessions[1].ID)
	}
	for _, q := range e.Questionnaire.Questions {
		for _, who := range []string{"nom", "name", "mail", "courriel"} {
			if strings.Contains(strings.ToLower(q.Label.In("fr")+q.Label.In("en")), who) {
				t.Errorf("default question %q asks for %s", q.ID, who)
			}
		}
	}
}

func TestNewEventRejects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*retours.EventInput)
		field string
	}{
		{"no title", func(in *retours.EventInput) { in.Title = "  " }, "title"},
		{"title with a line break", func(in *retours.EventInput) { in.Title = "a\nb" }, "title"},
		{"control character", func(in *retours.EventInput) { in.Place = "a\x07b" }, "place"},
		{"ends before it starts", func(in *retours.EventInput) { in.EndsAt = in.StartsAt.Add(-time.Hour) }, "ends_at"},
		{"closes before it ends", func(in *retours.EventInput) { in.ClosesAt = in.EndsAt.Add(-time.Hour) }, "closes_at"},
		{"unknown session kind", func(in *retours.EventInput) { in.Sessions[0].Kind = "keynote" }, "sessions.0.kind"},
		{"session without start", func(in *retours.EventInput) { in.Sessions[1].StartsAt = time.Time{} }, "sessions.1.starts_at"},
		{"unknown language", func(in *retours.EventInput) { in.Languages = []string{"de"} }, "languages"},
		{"bad e-mail", func(in *retours.EventInput) { in.OrganiserEmails = []string{"Orga <orga@example.org>"} }, "organiser_emails"},
		{"negative registered count", func(in *retours.EventInput) { in.RegisteredCount = -1 }, "registered_count"},
		{"retention too long", func(in *retours.EventInput) { in.RetentionMonths = 121 }, "retention_months"},
		{"empty questionnaire", func(in *retours.EventInput) { in.Questionnaire = &retours.Questionnaire{} }, "questionnaire.questions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := validInput()
			tc.edit(&in)
			_, err := retours.NewEvent(in, rand.Reader, t0, 24)
			if retours.ErrorCode(err) != retours.EINVALID {
				t.Fatalf("got %v, want invalid", err)
			}
			if _, ok := retours.ErrorFields(err)[tc.field]; !ok {
				t.Errorf("fields %v lack %q", retours.ErrorFields(err), tc.field)
			}
		})
	}
}

func TestQuestionnaireValidate(t *testing.T) {
	label := retours.Text{"fr": "Question"}
	for _, tc := range []struct {
		name  string
		q     retours.Question
		field string
	}{
		{"bad id", retours.Question{ID: "Bad Id", Kind: "text", Label: label}, "questions.0.id"},
		{"unknown kind", retours.Question{ID: "a", Kind: "slider", Label: label}, "questions.0.kind"},
		{"no label", retours.Question{ID: "a", Kind: "text"}, "questions.0.label"},
		{"scale upside down", retours.Question{ID: "a", Kind: "rating", Min: 5, Max: 1, Label: label}, "questions.0.max"},
		{"scale beyond 10", retours.Question{ID: "a", Kind: "rating", Min: 1, Max: 11, Label: label}, "questions.0.max"},
		{"single with one choice", retours.Question{ID: "a", Kind: "single", Label: label, Choices: []retours.Choice{{ID: "x", Label: label}}}, "questions.0.choices"},
		{"duplicate choice", retours.Question{ID: "a", Kind: "multi", Label: label, Choices: []retours.Choice{{ID: "x", Label: label}, {ID: "x", Label: label}}}, "questions.0.choices.1.id"},
		{"text too long allowed", retours.Question{ID: "a", Kind: "text", Label: label, MaxLength: 5000}, "questions.0.max_length"},
		{"profile role on text", retours.Question{ID: "a", Kind: "text", Label: label, Role: "profile"}, "questions.0.role"},
		{"help too long", retours.Question{ID: "a", Kind: "text", Label: label, Help: retours.Text{"fr": "Aide", "en": strings.Repeat("x", retours.MaxLabel+1)}}, "questions.0.help"},
		{"help in no language", retours.Question{ID: "a", Kind: "text", Label: label, Help: retours.Text{"de": "Hilfe"}}, "questions.0.help"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := retours.Questionnaire{Questions: []retours.Question{tc.q}}
			err := q.Validate()
			if _, ok := retours.ErrorFields(err)[tc.field]; !ok {
				t.Errorf("Validate() = %v, want a problem with %s", err, tc.field)
			}
		})
	}
	def := retours.DefaultQuestionnaire()
	if err := def.Validate(); err != nil {
		t.Errorf("default questionnaire: %v", err)
	}
}

// TestTextProblem: the language a form shows a label's or a help's
// problem next to.
func TestTextProblem(t *testing.T) {
	long := strings.Repeat("é", retours.MaxLabel+1)
	for _, tc := range []struct {
		name          string
		text          retours.Text
		required      bool
		lang, problem string
	}{
		{"fine", retours.Text{"fr": "Aide", "en": "Help"}, true, "", ""},
		{"none, not required", nil, false, "", ""},
		{"none, required", retours.Text{}, true, "", retours.FieldRequired},
		{"English only", retours.Text{"en": "Help"}, true, "", ""},
		{"French too long", retours.Text{"fr": long, "en": long}, false, "fr", retours.FieldTooLong},
		{"English too long", retours.Text{"fr": "Aide", "en": long}, false, "en", retours.FieldTooLong},
		{"English untrimmed", retours.Text{"fr": "Aide", "en": " Help"}, false, "en", retours.FieldInvalid},
		{"a control character", retours.Text{"fr": "Ai\x00de"}, false, "fr", retours.FieldBadText},
		{"a language not offered", retours.Text{"fr": "Aide", "de": "Hilfe"}, false, "de", retours.FieldChoice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if lang, problem := tc.text.Problem(tc.required); lang != tc.lang || problem != tc.problem {
				t.Errorf("Problem(%v) = %q, %q; want %q, %q", tc.required, lang, problem, tc.lang, tc.problem)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	q := retours.DefaultQuestionnaire()
	for _, tc := range []struct {
		name    string
		raw     map[string][]string
		problem map[string]string // field → problem; nil means valid
	}{
		{"minimal", map[string][]string{"satisfaction": {"3"}}, nil},
		{"all", map[string][]string{"satisfaction": {"5"}, "nps": {"0"}, "rencontres": {"oui"}, "profil": {"elu"}, "suites": {" Agir "}, "commentaire": {"Merci"}}, nil},
		{"missing required", map[string][]string{"nps": {"7"}}, map[string]string{"satisfaction": retours.FieldRequired}},
		{"out of range", map[string][]string{"satisfaction": {"6"}}, map[string]string{"satisfaction": retours.FieldRange}},
		{"nps above 10", map[string][]string{"satisfaction": {"3"}, "nps": {"11"}}, map[string]string{"nps": retours.FieldRange}},
		{"not a number", map[string][]string{"satisfaction": {"trois"}}, map[string]string{"satisfaction": retours.FieldInvalid}},
		{"unknown choice", map[string][]string{"satisfaction": {"3"}, "profil": {"ministre"}}, map[string]string{"profil": retours.FieldChoice}},
		{"two values for single", map[string][]string{"satisfaction": {"3"}, "profil": {"elu", "agent"}}, map[string]string{"profil": retours.FieldTooMany}},
		{"unknown question", map[string][]string{"satisfaction": {"3"}, "age": {"40"}}, map[string]string{"age": retours.FieldUnknown}},
		{"too long", map[string][]string{"satisfaction": {"3"}, "suites": {strings.Repeat("é", 1001)}}, map[string]string{"suites": retours.FieldTooLong}},
		{"invalid UTF-8", map[string][]string{"satisfaction": {"3"}, "suites": {"a\xffb"}}, map[string]string{"suites": retours.FieldBadText}},
		{"control character", map[string][]string{"satisfaction": {"3"}, "suites": {"a\x00b"}}, map[string]string{"suites": retours.FieldBadText}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			values, err := q.ParseValues(tc.raw)
			if tc.problem == nil {
				if err != nil {
					t.Fatalf("ParseValues() = %v", err)
				}
				if values["satisfaction"].Number == 0 {
					t.Errorf("values = %+v", values)
				}
				return
			}
			got := retours.ErrorFields(err)
			for f, p := range tc.problem {
				if got[f] != p {
					t.Errorf("field %s: got %q, want %q (all: %v)", f, got[f], p, got)
				}
			}
		})
	}
	v, _ := q.ParseValues(map[string][]string{"satisfaction": {"4"}, "suites": {"  Monter un atelier\r\nchez nous  "}})
	if v["suites"].Text != "Monter un atelier\nchez nous" {
		t.Errorf("text = %q, want trimmed with \\n line breaks", v["suites"].Text)
	}
}

func TestWindows(t *testing.T) {
	in := validInput()
	in.Sessions[1].ClosesAt = t0.Add(5 * time.Hour)
	e, err := retours.NewEvent(in, rand.Reader, t0, 24)
	if err != nil {
		t.Fatal(err)
	}
	pl, at := e.Sessions[0].ID, e.Sessions[1].ID
	for _, tc := range []struct {
		name    string
		session string
		now     time.Time
		want    string
	}{
		{"event before start", "", t0.Add(-time.Minute), retours.ECLOSED},
		{"event at start", "", t0, ""},
		{"atelier before its start", at, t0.Add(time.Hour), retours.ECLOSED},
		{"atelier at its start", at, t0.Add(2 * time.Hour), ""},
		{"atelier after its own close", at, t0.Add(5 * time.Hour), retours.ECLOSED},
		{"plénière on day 29", pl, t0.Add(9*time.Hour + 29*24*time.Hour), ""},
		{"plénière at the close", pl, e.ClosesAt, retours.ECLOSED},
		{"unknown session", "zzzzzz", t0.Add(time.Hour), retours.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := retours.ErrorCode(e.CheckOpen(tc.session, tc.now)); got != tc.want {
				t.Errorf("CheckOpen = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	tok, hash, err := retours.NewToken(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// 20 random bytes: 160 bits, base32 with 32 characters after the prefix.
	if len(tok) != 4+32 || strings.Contains(hash, tok) {
		t.Errorf("token %q, hash %q", tok, hash)
	}
	e := &retours.Event{Accesses: []retours.Access{{ID: "a", Hash: retours.HashToken("rto_other")}, {ID: "b", Hash: hash}}}
	if a, ok := e.AccessFor(tok); !ok || a.ID != "b" {
		t.Errorf("AccessFor(the second access's token) = %v, %v", a, ok)
	}
	if _, ok := e.AccessFor(tok + "x"); ok {
		t.Error("AccessFor accepts a wrong token")
	}
	if _, ok := e.AccessFor(""); ok {
		t.Error("AccessFor accepts the empty token")
	}
	if _, ok := (&retours.Event{}).AccessFor(""); ok {
		t.Error("an event without accesses accepts the empty token")
	}
}

func TestSubmissionIDs(t *testing.T) {
	id, err := retours.NewSubmissionID(bytes.NewReader(make([]byte, 16)))
	if err != nil || id != "00000000-0000-4000-8000-000000000000" || !retours.ValidSubmissionID(id) {
		t.Errorf("NewSubmissionID(zeros) = %q, %v", id, err)
	}
	for _, bad := range []string{"", "123", "6F1C0000-0000-4000-8000-000000000000", "../../etc/passwd", "00000000-0000-4000-8000-0000000000000"} {
		if retours.ValidSubmissionID(bad) {
			t.Errorf("ValidSubmissionID(%q) = true", bad)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	wrapped := fmt.Errorf("dynamo: get: %w", retours.NewError(retours.ENOTFOUND, "event.not_found"))
	for _, tc := range []struct {
		name string
		lang string
		err  error
		want string
	}{
		{"French", "fr", wrapped, "Cet événement n'existe pas."},
		{"English", "en", wrapped, "This event does not exist."},
		{"arguments", "en", retours.NewError(retours.EINVALID, "erase.confirm", "k7m2p9qa"), "To erase the event and all its answers, confirm by adding ?confirm=k7m2p9qa to the address. Erasure is final."},
		{"field errors", "en", (retours.FieldErrors{"text": retours.FieldRequired}).Err("note.invalid"), "The note is not valid."},
		{"not a domain error", "en", errors.New("dynamodb: connection reset by 10.0.0.7"), "An internal error occurred."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := retours.ErrorMessage(tc.lang, tc.err); got != tc.want {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.want)
			}
		})
	}
	if got, want := wrapped.Error(), "dynamo: get: retours: not_found: event.not_found"; got != want {
		t.Errorf("Error() = %q, want %q: a key, never a text", got, want)
	}
	if got, want := retours.FieldMessage("en", retours.FieldTooLong), "This text is too long."; got != want {
		t.Errorf("FieldMessage = %q, want %q", got, want)
	}
}
