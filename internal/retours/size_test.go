package retours_test

import (
	"crypto/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

// bigQuestionnaire is the largest questionnaire validation accepts, its
// labels made of char: 30 questions of 20 choices, each label 300 long.
func bigQuestionnaire(char string) *retours.Questionnaire {
	q := &retours.Questionnaire{}
	label := strings.Repeat(char, retours.MaxLabel)
	for i := range retours.MaxQuestions {
		question := retours.Question{ID: "q" + strconv.Itoa(i), Kind: retours.QuestionSingle, Label: retours.Text{"fr": label}}
		for j := range retours.MaxChoices {
			question.Choices = append(question.Choices, retours.Choice{ID: "c" + strconv.Itoa(j), Label: retours.Text{"fr": label}})
		}
		q.Questions = append(q.Questions, question)
	}
	return q
}

// TestEventFitsInOneItem: an event is stored as JSON, where <, > and & take
// six bytes each; a definition that would not fit in one DynamoDB item is
// refused with a message, not left to fail in the store.
func TestEventFitsInOneItem(t *testing.T) {
	starts := time.Date(2026, 10, 13, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, char string
		ok         bool
	}{
		{"180,000 letters", "a", true},
		{"180,000 < take six bytes each", "<", false},
		{"180,000 & too", "&", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := retours.EventInput{Title: "NEC", StartsAt: starts, EndsAt: starts.Add(8 * time.Hour), Questionnaire: bigQuestionnaire(tc.char)}
			e, err := retours.NewEvent(in, rand.Reader, starts, 24)
			if tc.ok {
				if err != nil || e.EncodedSize() > retours.MaxEventBytes {
					t.Fatalf("NewEvent = %v (%d bytes)", err, e.EncodedSize())
				}
				return
			}
			if retours.ErrorCode(err) != retours.EINVALID || !strings.Contains(retours.ErrorMessage("fr", err), "trop volumineux") {
				t.Errorf("NewEvent = %v (%s), want invalid: too large", err, retours.ErrorMessage("fr", err))
			}
		})
	}
}
