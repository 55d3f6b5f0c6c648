package stack_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/retourstest"
	"github.com/retours/retours/internal/webtest"
)

// TestEveryKind creates an event with a question of each of
// retours.QuestionKinds, renders its form, answers it through the form and
// reads it back from the organisers' page and every bilan format: adding a
// kind that one of them drops fails here.
func TestEveryKind(t *testing.T) {
	env := newMemEnv(t)
	q := retourstest.EveryKind()
	questionnaire, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	ce := env.MustCreateEvent(`{"title": "Toutes les questions", "starts_at": "2026-10-13T09:00:00+02:00", "ends_at": "2026-10-13T17:30:00+02:00",
		"anonymity_threshold": 1, "questionnaire": ` + string(questionnaire) + `}`)

	rec := env.Do("GET", "/e/"+ce.ID, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("form = %d %s", rec.Code, rec.Body)
	}
	form := rec.Body.String()
	for _, qq := range q.Questions {
		// The controls a question offers: one radio button or checkbox per
		// value, or a text area.
		control, n := "radio", len(qq.Choices)
		switch {
		case qq.Kind.IsScale():
			lo, hi := qq.Scale()
			n = hi - lo + 1
		case qq.Kind.AllowsMany():
			control = "checkbox"
		case qq.Kind.IsText():
			control, n = "textarea", 1
		}
		got := strings.Count(form, `type="`+control+`" name="q_`+qq.ID+`"`)
		if control == "textarea" {
			got = strings.Count(form, `<textarea id="q-`+qq.ID+`" name="q_`+qq.ID+`"`)
		}
		if got != n || !strings.Contains(form, qq.Label.In("fr")) {
			t.Errorf("%s: %d %s controls, want %d, and its label", qq.Kind, got, control, n)
		}
	}

	raw, _ := retourstest.Answers(&q)
	answer := url.Values{"submission_id": {webtest.UUID(t)}}
	for id, vs := range raw {
		answer["q_"+id] = vs
	}
	if rec := env.PostForm("/e/"+ce.ID+"/answers", answer); rec.Code != http.StatusOK {
		t.Fatalf("answer = %d %s", rec.Code, rec.Body)
	}

	// The organisers moderate the text answers, and only those.
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	var list struct {
		Texts []struct{ Of, Text string } `json:"texts"`
	}
	webtest.MustJSON(t, env.Do("GET", "/api/events/"+ce.ID+"/texts", nil, auth...).Body.Bytes(), &list)
	for _, qq := range q.Questions {
		listed := slices.ContainsFunc(list.Texts, func(tx struct{ Of, Text string }) bool { return tx.Of == qq.ID && tx.Text == raw[qq.ID][0] })
		if listed != qq.Kind.IsText() {
			t.Errorf("%s: answer listed for moderation: %v", qq.Kind, listed)
		}
		want := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[qq.Kind.IsText()]
		if rec := env.Do("PUT", "/api/events/"+ce.ID+"/texts/a."+answer.Get("submission_id")+"."+qq.ID, strings.NewReader(`{"hidden":false}`),
			append(auth, "Content-Type", "application/json")...); rec.Code != want {
			t.Errorf("%s: moderating the answer = %d %s, want %d", qq.Kind, rec.Code, rec.Body, want)
		}
	}

	for _, format := range []string{"json", "md", "html", "csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format="+format, nil, auth...)
			if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
				t.Fatalf("= %d %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			for _, qq := range q.Questions {
				// Each format's own test checks its content; here, that the
				// answers of every kind reach it.
				var want string
				switch format {
				case "json":
					want = fmt.Sprintf(`"id": %q,
      "kind": %q,`, qq.ID, qq.Kind)
				case "md", "html":
					want = qq.Label.In("fr")
				case "csv":
					want = strings.Join(raw[qq.ID], "|")
				case "xlsx":
					continue // compressed: internal/bilan reads it back
				}
				if !strings.Contains(body, want) {
					t.Errorf("%s: %q not in the %s bilan", qq.Kind, want, format)
				}
			}
			if format != "json" {
				return
			}
			var b struct {
				Questions []struct {
					Kind  retours.QuestionKind `json:"kind"`
					Count int                  `json:"count"`
				} `json:"questions"`
			}
			webtest.MustJSON(t, rec.Body.Bytes(), &b)
			for i, qs := range b.Questions {
				if qs.Kind != retours.QuestionKinds[i] || qs.Count != 1 {
					t.Errorf("question %d: kind %q counted %d times, want %q once", i, qs.Kind, qs.Count, retours.QuestionKinds[i])
				}
			}
		})
	}
}
