package survey

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// The decoders are fuzzed without a database: a body either becomes a valid
// answer or note, or is refused with a person-readable 4xx error. Seeds live
// in testdata/fuzz/<target>; `make test` runs each target for a few seconds.

var fuzzNow = time.Date(2026, 10, 13, 12, 0, 0, 0, time.UTC)

// fuzzEvent is an open event with the default questionnaire plus a multiple
// choice question and two sessions ("session-a" is open, "session-b" not yet).
func fuzzEvent(tb testing.TB) *retours.Event {
	tb.Helper()
	q := retours.DefaultQuestionnaire()
	q.Questions = append(q.Questions, retours.Question{ID: "themes", Kind: retours.QuestionMulti,
		Label: retours.Text{"fr": "Thèmes", "en": "Themes"},
		Choices: []retours.Choice{
			{ID: "inclusion", Label: retours.Text{"fr": "Inclusion"}},
			{ID: "donnees", Label: retours.Text{"fr": "Données"}},
			{ID: "tiers-lieux", Label: retours.Text{"fr": "Tiers-lieux"}},
		}})
	start := time.Date(2026, 10, 13, 7, 0, 0, 0, time.UTC)
	e, err := retours.NewEvent(retours.EventInput{
		Title: "NEC", StartsAt: start, EndsAt: start.Add(9 * time.Hour), Questionnaire: &q,
		Sessions: []retours.SessionInput{
			{Title: "A", Kind: retours.KindAtelier, StartsAt: start},
			{Title: "B", Kind: retours.KindAtelier, StartsAt: start.Add(8 * time.Hour)},
		},
	}, rand.NewChaCha8([32]byte{}), start, 24)
	if err != nil {
		tb.Fatal(err)
	}
	e.Sessions[0].ID, e.Sessions[1].ID = "session-a", "session-b"
	return e
}

func fuzzRand() *rand.ChaCha8 { return rand.NewChaCha8([32]byte{1}) }

// checkRefusal fails unless err is one a participant can be shown: a 4xx
// status with a message in valid UTF-8.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	status := web.StatusOf(err)
	if status < 400 || status > 499 {
		t.Fatalf("error %v maps to %d, want a 4xx", err, status)
	}
	if status != http.StatusRequestEntityTooLarge {
		for _, lang := range retours.Languages {
			if m := retours.ErrorMessage(lang, err); m == "" || m == retours.ErrorMessage(lang, errors.New("x")) || !utf8.ValidString(m) {
				t.Fatalf("error %v has no readable message in %s", err, lang)
			}
		}
	}
}

// checkText fails unless s is clean text of 1 to max characters.
func checkText(t *testing.T, what, s string, max int) {
	t.Helper()
	clean, problem := retours.CleanText(s, max)
	if problem != "" || clean != s || s == "" {
		t.Fatalf("%s %q accepted: CleanText says %q, %q", what, s, clean, problem)
	}
}

func FuzzAnswerJSON(f *testing.F) {
	f.Add([]byte(`{"submission_id":"6f1c1e0a-3b7d-4c1e-9a3f-2d5b8c7e9f01","session":"session-a","lang":"fr","answers":{"satisfaction":4,"nps":9,"rencontres":"oui","profil":"elu","themes":["inclusion","donnees"],"commentaire":"Très bien"}}`))
	e := fuzzEvent(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var req answerRequest
		if err := web.DecodeJSON(bytes.NewReader(body), &req); err != nil {
			checkRefusal(t, err)
			return
		}
		raw, err := rawAnswers(req.Answers)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		a, err := retours.NewAnswer(e, retours.AnswerInput{SubmissionID: req.SubmissionID, SessionID: req.Session, Lang: req.Lang, Raw: raw}, fuzzRand(), fuzzNow)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if !retours.ValidSubmissionID(a.SubmissionID) || !retours.IsLanguage(a.Lang) || !retours.ValidID(a.ID) {
			t.Fatalf("answer with submission %q, lang %q, id %q", a.SubmissionID, a.Lang, a.ID)
		}
		if a.SessionID != "" && a.SessionID != "session-a" {
			t.Fatalf("answer to session %q, which is unknown or not open", a.SessionID)
		}
		checkValues(t, &e.Questionnaire, a.Values)
	})
}

// checkValues fails unless values is a valid set of answers to q.
func checkValues(t *testing.T, q *retours.Questionnaire, values map[string]retours.Value) {
	t.Helper()
	if len(values) == 0 {
		t.Fatal("empty answer accepted")
	}
	for id, v := range values {
		qq, ok := q.Question(id)
		if !ok {
			t.Fatalf("answer to unknown question %q", id)
		}
		switch {
		case qq.Kind.IsScale():
			if lo, hi := qq.Scale(); v.Number < lo || v.Number > hi || v.Choices != nil || v.Text != "" {
				t.Fatalf("%s = %+v, outside %d..%d", id, v, lo, hi)
			}
		case qq.Kind.HasChoices():
			if len(v.Choices) == 0 || (!qq.Kind.AllowsMany() && len(v.Choices) != 1) || v.Text != "" {
				t.Fatalf("%s = %+v", id, v)
			}
			for i, c := range v.Choices {
				if _, ok := qq.Choice(c); !ok || slices.Contains(v.Choices[:i], c) {
					t.Fatalf("%s: choice %q unknown or repeated", id, c)
				}
			}
		case qq.Kind.IsText():
			checkText(t, id, v.Text, qq.TextLimit())
		default:
			t.Fatalf("%s: answer to a question of kind %q", id, qq.Kind)
		}
	}
	for _, qq := range q.Questions {
		if _, ok := values[qq.ID]; qq.Required && !ok {
			t.Fatalf("required question %s unanswered", qq.ID)
		}
	}
}

func FuzzNoteJSON(f *testing.F) {
	f.Add([]byte(`{"submission_id":"6f1c1e0a-3b7d-4c1e-9a3f-2d5b8c7e9f01","session":"session-a","lang":"en","kind":"etonnement","text":"Autant d'élus !\nSurprenant."}`))
	e := fuzzEvent(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var req noteRequest
		if err := web.DecodeJSON(bytes.NewReader(body), &req); err != nil {
			checkRefusal(t, err)
			return
		}
		n, err := retours.NewNote(e, retours.NoteInput{SubmissionID: req.SubmissionID, SessionID: req.Session, Lang: req.Lang, Kind: req.Kind, Text: req.Text}, fuzzRand(), fuzzNow)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if !retours.ValidSubmissionID(n.SubmissionID) || !retours.ValidNoteKind(n.Kind) || !retours.IsLanguage(n.Lang) {
			t.Fatalf("note with submission %q, kind %q, lang %q", n.SubmissionID, n.Kind, n.Lang)
		}
		if n.SessionID != "" && n.SessionID != "session-a" {
			t.Fatalf("note on session %q, which is unknown or not open", n.SessionID)
		}
		checkText(t, "note", n.Text, retours.MaxNoteLength)
	})
}
