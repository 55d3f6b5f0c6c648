package bilan_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/retours/retours/internal/bilan"
)

// TestSessionReportsPublishNothingMore: a speaker's report of each session
// of the attacker's tempting events holds the bilan's group of that session
// as it is published, notes only when the bilan attributes them, and as
// many texts as the group's count of each text question, which the bilan
// shows: whatever a speaker reads beside the bilan, the attack on the bilan
// (TestAttackerRecoversNothing) covers it.
func TestSessionReportsPublishNothingMore(t *testing.T) {
	now := t0.Add(48 * time.Hour)
	for _, ev := range temptingEvents() {
		agg := bilan.New(ev.event, "fr")
		for _, a := range ev.answers {
			agg.AddAnswer(a)
		}
		b := agg.Bilan(now)
		for _, s := range ev.event.Sessions {
			sr := bilan.NewSessionReporter(ev.event, "fr", s.ID)
			for _, a := range ev.answers {
				sr.AddAnswer(a)
			}
			r := sr.Report(now)
			for _, g := range b.Sessions {
				if g.ID == s.ID && !reflect.DeepEqual(g, r.Session) {
					t.Errorf("%s, %s: report %+v, bilan %+v", ev.name, s.ID, r.Session, g)
				}
			}
			shown := !r.Session.Suppressed && r.Session.Answers >= b.Threshold
			for _, tg := range r.Texts {
				if !shown {
					t.Errorf("%s, %s: texts of a session the bilan does not show", ev.name, s.ID)
				}
				for _, q := range r.Session.Questions {
					if q.ID == tg.Question && q.Count != len(tg.Texts) {
						t.Errorf("%s, %s: %d texts, the bilan counts %d", ev.name, s.ID, len(tg.Texts), q.Count)
					}
				}
			}
		}
	}
}
