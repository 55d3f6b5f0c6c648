package bilan

import "github.com/retours/retours/internal/retours"

// Comparison sets a bilan beside the previous edition of its series.
type Comparison struct {
	Previous     EventInfo `json:"previous"`
	Answers      *Delta    `json:"answers,omitempty"`
	ResponseRate *Delta    `json:"response_rate,omitempty"`
	Satisfaction *Delta    `json:"satisfaction,omitempty"`
	NPS          *Delta    `json:"nps,omitempty"`
	// Questions compares the means of the rating and nps questions both
	// editions asked, matched by their stable ids.
	Questions []QuestionDelta `json:"questions"`
}

// Delta is a figure in the previous and current editions.
type Delta struct {
	Previous float64 `json:"previous"`
	Current  float64 `json:"current"`
	Change   float64 `json:"change"`
}

// QuestionDelta is the change of one question's mean.
type QuestionDelta struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Delta
}

func delta(prev, cur float64) Delta { return Delta{Previous: prev, Current: cur, Change: cur - prev} }

func deltaOf(prev, cur *float64) *Delta {
	if prev == nil || cur == nil {
		return nil
	}
	d := delta(*prev, *cur)
	return &d
}

// Compare returns the comparison of cur with prev, the bilan of the
// previous edition, both as published: it sets beside each other only
// event-wide figures that each bilan shows, so that it tells nothing either
// bilan hides (an edition with fewer answers than its threshold gives
// none).
func Compare(cur, prev *Bilan) *Comparison {
	c := &Comparison{
		Previous:     prev.Event,
		ResponseRate: deltaOf(prev.ResponseRate, cur.ResponseRate),
		Questions:    []QuestionDelta{},
	}
	if !cur.Suppressed && !prev.Suppressed {
		d := delta(float64(prev.Answers), float64(cur.Answers))
		c.Answers = &d
	}
	satisfaction := func(b *Bilan) *float64 {
		for _, q := range b.Questions {
			if q.Role == retours.RoleSatisfaction {
				return q.Mean
			}
		}
		return nil
	}
	nps := func(b *Bilan) *float64 {
		for _, q := range b.Questions {
			if q.NPS != nil {
				return &q.NPS.Score
			}
		}
		return nil
	}
	c.Satisfaction = deltaOf(satisfaction(prev), satisfaction(cur))
	c.NPS = deltaOf(nps(prev), nps(cur))
	for _, q := range cur.Questions {
		if q.Mean == nil {
			continue
		}
		for _, p := range prev.Questions {
			if p.ID == q.ID && p.Kind == q.Kind && p.Mean != nil {
				c.Questions = append(c.Questions, QuestionDelta{ID: q.ID, Label: q.Label, Delta: delta(*p.Mean, *q.Mean)})
			}
		}
	}
	return c
}
