package bilan

import (
	"testing"

	"github.com/retours/retours/internal/retours"
)

func TestAnswerCountsAgreeWithTheirNumber(t *testing.T) {
	for _, tc := range []struct {
		lang  string
		count int
		want  string
	}{
		{"fr", 1, "1 réponse"},
		{"fr", 2, "2 réponses"},
		{"en", 1, "1 answer"},
		{"en", 0, "0 answers"},
	} {
		s := questionSection(tc.lang, QuestionStats{Kind: retours.QuestionSingle, Label: "Q", Count: tc.count})
		if len(s.Text) == 0 || s.Text[0] != tc.want {
			t.Errorf("%s, %d answers: %q, want %q", tc.lang, tc.count, s.Text, tc.want)
		}
	}
}
