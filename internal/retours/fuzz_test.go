package retours_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/retours/retours/internal/retours"
)

// Seeds live in testdata/fuzz/<target>; `make test` runs each target for a
// few seconds.

func mustJSONBytes(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// checkInvalid fails unless err is an EINVALID error naming its fields.
func checkInvalid(t *testing.T, err error) {
	t.Helper()
	if retours.ErrorCode(err) != retours.EINVALID || retours.ErrorMessage("fr", err) == "" || len(retours.ErrorFields(err)) == 0 {
		t.Fatalf("error %v: want EINVALID with a message and fields", err)
	}
}

// FuzzQuestionnaire: Validate accepts only questionnaires that respect every
// limit, and every questionnaire it accepts can be answered.
func FuzzQuestionnaire(f *testing.F) {
	f.Add(mustJSONBytes(f, retours.DefaultQuestionnaire()))
	f.Fuzz(func(t *testing.T, data []byte) {
		var q retours.Questionnaire
		if json.Unmarshal(data, &q) != nil {
			return
		}
		if err := q.Validate(); err != nil {
			checkInvalid(t, err)
			return
		}
		checkQuestionnaire(t, &q)
		// Answer everything with the first value each question offers.
		raw := map[string][]string{}
		for _, qq := range q.Questions {
			switch {
			case qq.Kind.IsScale():
				lo, _ := qq.Scale()
				raw[qq.ID] = []string{strconv.Itoa(lo)}
			case qq.Kind.HasChoices():
				raw[qq.ID] = []string{qq.Choices[0].ID}
			case qq.Kind.IsText():
				// Within the question's limit, which may be a single character.
				raw[qq.ID] = []string{"oui"[:min(3, qq.TextLimit())]}
			}
		}
		values, err := q.ParseValues(raw)
		if err != nil || len(values) != len(q.Questions) {
			t.Fatalf("a full answer to a valid questionnaire: %d values, %v", len(values), err)
		}
	})
}

// checkQuestionnaire fails unless q respects every limit Validate promises.
func checkQuestionnaire(t *testing.T, q *retours.Questionnaire) {
	t.Helper()
	if n := len(q.Questions); n == 0 || n > retours.MaxQuestions {
		t.Fatalf("%d questions accepted", n)
	}
	ids, roles := map[string]bool{}, map[string]bool{}
	for _, qq := range q.Questions {
		if !retours.ValidKey(qq.ID) || ids[qq.ID] {
			t.Fatalf("question id %q invalid or repeated", qq.ID)
		}
		ids[qq.ID] = true
		if qq.Label["fr"] == "" && qq.Label["en"] == "" {
			t.Fatalf("question %s without a label", qq.ID)
		}
		for _, text := range []retours.Text{qq.Label, qq.Help} {
			for lang, s := range text {
				if clean, problem := retours.CleanText(s, retours.MaxLabel); !retours.IsLanguage(lang) || problem != "" || clean != s {
					t.Fatalf("question %s: label %s %q accepted", qq.ID, lang, s)
				}
			}
		}
		if qq.Role != "" {
			if roles[qq.Role] {
				t.Fatalf("role %s twice", qq.Role)
			}
			roles[qq.Role] = true
		}
		switch {
		case qq.Kind.IsScale():
			if lo, hi := qq.Scale(); lo < 0 || hi > 10 || lo >= hi {
				t.Fatalf("question %s: scale %d..%d", qq.ID, lo, hi)
			}
		case qq.Kind.HasChoices():
			if n := len(qq.Choices); n < 2 || n > retours.MaxChoices {
				t.Fatalf("question %s: %d choices", qq.ID, n)
			}
			var cs []string
			for _, c := range qq.Choices {
				if !retours.ValidKey(c.ID) || slices.Contains(cs, c.ID) {
					t.Fatalf("question %s: choice id %q invalid or repeated", qq.ID, c.ID)
				}
				cs = append(cs, c.ID)
			}
		case qq.Kind.IsText():
			if l := qq.TextLimit(); l < 1 || l > retours.MaxTextLength {
				t.Fatalf("question %s: text limit %d", qq.ID, l)
			}
		default:
			t.Fatalf("question %s: kind %q accepted", qq.ID, qq.Kind)
		}
		if !qq.Kind.HasChoices() && len(qq.Choices) > 0 {
			t.Fatalf("question %s: choices on a %s question", qq.ID, qq.Kind)
		}
	}
}

// FuzzParseValues: ParseValues returns only values its questionnaire allows,
// answers every required question, and refuses the rest with EINVALID. The
// questionnaire is the fuzzed one when it is valid, the default one if not.
func FuzzParseValues(f *testing.F) {
	f.Add(mustJSONBytes(f, retours.DefaultQuestionnaire()), []byte(`{"satisfaction":["4"],"nps":["10"],"profil":["elu"],"commentaire":["Merci"]}`))
	f.Fuzz(func(t *testing.T, qdata, rawdata []byte) {
		var q retours.Questionnaire
		if json.Unmarshal(qdata, &q) != nil || q.Validate() != nil {
			q = retours.DefaultQuestionnaire()
		}
		var raw map[string][]string
		if json.Unmarshal(rawdata, &raw) != nil {
			return
		}
		values, err := q.ParseValues(raw)
		if err != nil {
			checkInvalid(t, err)
			for field := range retours.ErrorFields(err) {
				if _, ok := q.Question(field); !ok && field != "answers" && !retours.ValidKey(field) {
					t.Fatalf("error field %q is neither a question nor a valid key", field)
				}
			}
			return
		}
		for id := range raw {
			if _, ok := q.Question(id); !ok {
				t.Fatalf("answer to unknown question %q accepted", id)
			}
		}
		for id, v := range values {
			qq, _ := q.Question(id)
			switch {
			case qq.Kind.IsScale():
				if lo, hi := qq.Scale(); v.Number < lo || v.Number > hi {
					t.Fatalf("%s = %d outside %d..%d", id, v.Number, lo, hi)
				}
			case qq.Kind.HasChoices():
				if len(v.Choices) == 0 || (!qq.Kind.AllowsMany() && len(v.Choices) > 1) {
					t.Fatalf("%s = %v", id, v.Choices)
				}
				for i, c := range v.Choices {
					if _, ok := qq.Choice(c); !ok || slices.Contains(v.Choices[:i], c) {
						t.Fatalf("%s: choice %q unknown or repeated", id, c)
					}
				}
			case qq.Kind.IsText():
				if clean, problem := retours.CleanText(v.Text, qq.TextLimit()); problem != "" || clean != v.Text || v.Text == "" {
					t.Fatalf("%s = %q accepted", id, v.Text)
				}
			}
		}
		for _, qq := range q.Questions {
			if _, ok := values[qq.ID]; qq.Required && !ok {
				t.Fatalf("required question %s unanswered", qq.ID)
			}
		}
	})
}
