package organiser

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// textView is a note or a free-text answer as listed for moderation.
type textView struct {
	Ref     string    `json:"ref"`
	Kind    string    `json:"kind"` // "note" or "answer"
	Of      string    `json:"of"`   // the note's kind, or the answer's question id
	Session string    `json:"session,omitempty"`
	Text    string    `json:"text"`
	Hidden  bool      `json:"hidden"`
	At      time.Time `json:"created_at"`
	What    string    `json:"-"` // the note kind or question, in words
	When    string    `json:"-"`
}

// textRef is the opaque reference of a text in URLs: "n.<submission>" for a
// note, "a.<submission>.<question>" for a text answer.
func textRef(kind, submission, question string) string {
	if kind == "note" {
		return "n." + submission
	}
	return "a." + submission + "." + question
}

func parseTextRef(ref string) (retours.TextRef, bool) {
	parts := strings.Split(ref, ".")
	switch {
	case len(parts) == 2 && parts[0] == "n" && retours.ValidSubmissionID(parts[1]):
		return retours.TextRef{SubmissionID: parts[1]}, true
	case len(parts) == 3 && parts[0] == "a" && retours.ValidSubmissionID(parts[1]) && retours.ValidKey(parts[2]):
		return retours.TextRef{SubmissionID: parts[1], Question: parts[2]}, true
	}
	return retours.TextRef{}, false
}

// sortTexts puts the newest first.
func sortTexts(texts []textView) {
	slices.SortStableFunc(texts, func(a, b textView) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(a.Ref, b.Ref)
	})
}

// setHidden hides a text from the bilan, or puts it back.
func (s *Server) setHidden(r *http.Request, e *retours.Event, ref string, hidden bool) error {
	tr, ok := parseTextRef(ref)
	if !ok {
		return retours.NewError(retours.ENOTFOUND, "text.not_found")
	}
	now := s.cfg.Now()
	action := retours.ActionShown
	if hidden {
		action = retours.ActionHidden
	}
	a, _ := e.AccessFor(organiserToken(r))
	edit := retours.Actor{Access: a}.Edit(action, now, 0, ref)
	if err := s.cfg.Moderation.SetHidden(r.Context(), e, tr, hidden, now, edit); err != nil {
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "text moderated", slog.String("event", e.ID), slog.Bool("hidden", hidden))
	return nil
}

// listTexts answers GET /api/events/{event}/texts: every note and free-text
// answer, hidden or not, newest first, with the ref to moderate it.
func (s *Server) listTexts(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	texts := []textView{}
	titles := sessionTitles(e)
	err = s.cfg.Answers.Answers(ctx, e.ID, func(a *retours.Answer) error {
		for _, q := range e.Questionnaire.Questions {
			if v, ok := a.Values[q.ID]; ok && q.Kind.IsText() && v.Text != "" {
				texts = append(texts, textView{Ref: textRef("answer", a.SubmissionID, q.ID), Kind: "answer", Of: q.ID,
					Session: titles[a.SessionID], Text: v.Text, Hidden: slices.Contains(a.Hidden, q.ID), At: a.CreatedAt.UTC()})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = s.cfg.Answers.Notes(ctx, e.ID, func(n *retours.Note) error {
		texts = append(texts, textView{Ref: textRef("note", n.SubmissionID, ""), Kind: "note", Of: n.Kind,
			Session: titles[n.SessionID], Text: n.Text, Hidden: n.Hidden, At: n.CreatedAt.UTC()})
		return nil
	})
	if err != nil {
		return err
	}
	sortTexts(texts)
	web.WriteJSON(w, http.StatusOK, struct {
		Texts []textView `json:"texts"`
	}{texts})
	return nil
}

// putText answers PUT /api/events/{event}/texts/{ref} with {"hidden": true}
// or false: the text leaves (or returns to) the bilan.
func (s *Server) putText(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	if !web.IsJSON(r) {
		return retours.NewError(retours.EINVALID, "text.hidden_json")
	}
	var req struct {
		Hidden *bool `json:"hidden"`
	}
	if err := web.DecodeJSON(r.Body, &req); err != nil {
		return err
	}
	if req.Hidden == nil {
		return &retours.Error{Code: retours.EINVALID, Key: "text.hidden_missing", Fields: map[string]string{"hidden": retours.FieldRequired}}
	}
	ref := r.PathValue("ref")
	if err := s.setHidden(r, e, ref, *req.Hidden); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, struct {
		Ref    string `json:"ref"`
		Hidden bool   `json:"hidden"`
	}{ref, *req.Hidden})
	return nil
}

// sessionTitles maps the event's session ids to their titles.
func sessionTitles(e *retours.Event) map[string]string {
	titles := map[string]string{}
	for _, ss := range e.Sessions {
		titles[ss.ID] = ss.Title
	}
	return titles
}
