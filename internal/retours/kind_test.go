package retours_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/retourstest"
)

// TestQuestionKinds: every kind is answered in exactly one way, so that
// callers asking IsScale, HasChoices and IsText handle every kind.
func TestQuestionKinds(t *testing.T) {
	for _, k := range retours.QuestionKinds {
		t.Run(string(k), func(t *testing.T) {
			if !k.Valid() {
				t.Errorf("%q is not Valid", k)
			}
			ways := 0
			for _, is := range []bool{k.IsScale(), k.HasChoices(), k.IsText()} {
				if is {
					ways++
				}
			}
			if ways != 1 {
				t.Errorf("%q is answered in %d ways (scale %v, choices %v, text %v), want exactly one", k, ways, k.IsScale(), k.HasChoices(), k.IsText())
			}
			if k.IsNPS() && !k.IsScale() {
				t.Errorf("%q is NPS but not a scale", k)
			}
			if k.AllowsMany() && !k.HasChoices() {
				t.Errorf("%q allows many choices but has none", k)
			}
			var got retours.Question
			if err := json.Unmarshal([]byte(`{"id":"q","kind":"`+string(k)+`"}`), &got); err != nil || got.Kind != k {
				t.Errorf("decoding kind %q: %q, %v", k, got.Kind, err)
			}
		})
	}
}

func TestUnknownQuestionKind(t *testing.T) {
	t.Run("decoding", func(t *testing.T) {
		var q retours.Questionnaire
		err := json.Unmarshal([]byte(`{"questions":[{"id":"quand","kind":"date","label":{"fr":"Quand ?"}}]}`), &q)
		if retours.ErrorCode(err) != retours.EINVALID || !strings.Contains(retours.ErrorMessage("en", err), `"date"`) {
			t.Fatalf("got %v, want EINVALID naming the kind", err)
		}
	})
	t.Run("validation", func(t *testing.T) {
		for _, kind := range []retours.QuestionKind{"date", ""} {
			q := retours.Questionnaire{Questions: []retours.Question{{ID: "quand", Kind: kind, Label: retours.Text{"fr": "Quand ?"}}}}
			if got := retours.ErrorFields(q.Validate()); got["questions.0.kind"] != retours.FieldChoice {
				t.Errorf("kind %q: fields %v, want questions.0.kind: %s", kind, got, retours.FieldChoice)
			}
		}
	})
}

// TestEveryKind: a questionnaire of every kind is valid, survives
// a JSON round trip, and its answers parse to one value each.
func TestEveryKind(t *testing.T) {
	q := retourstest.EveryKind()
	if err := q.Validate(); err != nil {
		t.Fatalf("Validate: %v %v", err, retours.ErrorFields(err))
	}
	data, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	var back retours.Questionnaire
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, q) {
		t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, back, q)
	}
	raw, want := retourstest.Answers(&q)
	got, err := q.ParseValues(raw)
	if err != nil {
		t.Fatalf("ParseValues: %v %v", err, retours.ErrorFields(err))
	}
	for _, k := range retours.QuestionKinds {
		if !reflect.DeepEqual(got[string(k)], want[string(k)]) {
			t.Errorf("%s: got %+v, want %+v", k, got[string(k)], want[string(k)])
		}
	}
}
