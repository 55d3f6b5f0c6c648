// Package retourstest holds fixtures for the tests of the packages built on
// the domain.
package retourstest

import (
	"fmt"

	"github.com/retours/retours/internal/retours"
)

// EveryKind returns a valid questionnaire with one question of each of
// retours.QuestionKinds, in that order, each with its kind as id. A test that
// runs it through a consumer of questionnaires fails when that consumer
// drops a kind.
func EveryKind() retours.Questionnaire {
	var q retours.Questionnaire
	for _, k := range retours.QuestionKinds {
		qq := retours.Question{ID: string(k), Kind: k,
			Label: retours.Text{"fr": "Question de type " + string(k), "en": "Question of kind " + string(k)}}
		switch {
		case k.IsScale(), k.IsText():
		case k.HasChoices():
			qq.Choices = []retours.Choice{
				{ID: "oui", Label: retours.Text{"fr": "Oui", "en": "Yes"}},
				{ID: "non", Label: retours.Text{"fr": "Non", "en": "No"}},
				{ID: "peut-etre", Label: retours.Text{"fr": "Peut-être", "en": "Maybe"}},
			}
		default:
			panic(fmt.Sprintf("retourstest: kind %q is neither a scale, nor choices, nor text", k))
		}
		q.Questions = append(q.Questions, qq)
	}
	return q
}

// Answer returns an answer to q as a form posts it, and the value the
// questionnaire parses it to: the highest value of a scale, two choices
// (one for a question that allows one), or a short text.
func Answer(q *retours.Question) ([]string, retours.Value) {
	switch {
	case q.Kind.IsScale():
		_, hi := q.Scale()
		return []string{fmt.Sprint(hi)}, retours.Value{Number: hi}
	case q.Kind.HasChoices() && q.Kind.AllowsMany():
		ids := []string{q.Choices[0].ID, q.Choices[len(q.Choices)-1].ID}
		return ids, retours.Value{Choices: ids}
	case q.Kind.HasChoices():
		ids := []string{q.Choices[len(q.Choices)-1].ID}
		return ids, retours.Value{Choices: ids}
	case q.Kind.IsText():
		text := "Réponse libre à " + q.ID
		return []string{text}, retours.Value{Text: text}
	}
	panic(fmt.Sprintf("retourstest: kind %q is neither a scale, nor choices, nor text", q.Kind))
}

// Answers returns Answer for every question of q, by question id.
func Answers(q *retours.Questionnaire) (map[string][]string, map[string]retours.Value) {
	raw, values := map[string][]string{}, map[string]retours.Value{}
	for i := range q.Questions {
		raw[q.Questions[i].ID], values[q.Questions[i].ID] = Answer(&q.Questions[i])
	}
	return raw, values
}
