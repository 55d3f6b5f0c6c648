package retours

import (
	"slices"
	"strings"
)

// QuestionKind says how a question is answered. Every kind is answered in
// exactly one of the three ways a Value holds: a number on a scale
// (IsScale, Value.Number), choices (HasChoices, Value.Choices) or free text
// (IsText, Value.Text). Callers ask these questions rather than compare
// kinds, so that a new kind of an existing way is handled everywhere.
type QuestionKind string

// Question kinds.
const (
	QuestionRating QuestionKind = "rating" // a number on a scale, Min to Max
	QuestionNPS    QuestionKind = "nps"    // likelihood to recommend, 0 to 10
	QuestionSingle QuestionKind = "single" // one of Choices
	QuestionMulti  QuestionKind = "multi"  // any of Choices
	QuestionText   QuestionKind = "text"   // free text
)

// QuestionKinds lists every question kind.
var QuestionKinds = []QuestionKind{QuestionRating, QuestionNPS, QuestionSingle, QuestionMulti, QuestionText}

// Valid reports whether k is one of QuestionKinds.
func (k QuestionKind) Valid() bool { return slices.Contains(QuestionKinds, k) }

// IsScale reports whether a question of kind k is answered with a number on
// a scale (Question.Scale).
func (k QuestionKind) IsScale() bool { return k == QuestionRating || k == QuestionNPS }

// IsNPS reports whether k is the Net Promoter Score question: a scale fixed
// at 0 to 10, whose answers are summed up as promoters and detractors.
func (k QuestionKind) IsNPS() bool { return k == QuestionNPS }

// HasChoices reports whether a question of kind k is answered by picking
// among its Choices.
func (k QuestionKind) HasChoices() bool { return k == QuestionSingle || k == QuestionMulti }

// AllowsMany reports whether an answer to a question of kind k may pick
// several of its choices.
func (k QuestionKind) AllowsMany() bool { return k == QuestionMulti }

// IsText reports whether a question of kind k is answered in free text.
func (k QuestionKind) IsText() bool { return k == QuestionText }

// Fits reports whether a question of kind k may carry role: the
// satisfaction is a rating, the profile a single choice.
func (k QuestionKind) Fits(role string) bool {
	switch role {
	case RoleSatisfaction:
		return k == QuestionRating
	case RoleProfile:
		return k == QuestionSingle
	}
	return role == ""
}

// UnmarshalText refuses a kind that is not one of QuestionKinds, so that a
// questionnaire with a kind this version does not know fails to decode
// rather than losing the question's answers: an EINVALID *Error naming the
// kind.
func (k *QuestionKind) UnmarshalText(text []byte) error {
	v := QuestionKind(text)
	if !v.Valid() {
		names := make([]string, len(QuestionKinds))
		for i, q := range QuestionKinds {
			names[i] = string(q)
		}
		return NewError(EINVALID, "question.kind", string(text), strings.Join(names, ", "))
	}
	*k = v
	return nil
}
