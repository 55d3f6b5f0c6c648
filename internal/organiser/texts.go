package organiser

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// Texts are listed a page at a time, so that a request reads a bounded
// number of items whatever the event's size: the notes first, then the
// free-text answers, each in the order of their submission ids. Those are
// drawn at random by participants' phones, so the order stays put as
// answers come in (a text keeps its page), but it is not by date: listing
// the newest first would mean reading every answer.
const (
	// pageTexts is how many texts the organisers' page lists at a time;
	// apiTexts the API's default, and maxAPITexts its most.
	pageTexts   = 50
	apiTexts    = 100
	maxAPITexts = 500
	// maxPageBytes bounds a page's texts, so that its JSON stays far within
	// a Lambda response whatever the texts (up to 4,000 characters each).
	maxPageBytes = 512 << 10
	// maxPageReads bounds the answers a page reads looking for texts: an
	// event where few answers have one gives shorter pages, never a long
	// request.
	maxPageReads = 2000
	// answersRead is the fewest answers each read of a page asks for; it
	// asks for twice the texts still wanted when that is more (about one
	// answer in three has a text).
	answersRead = 100
)

// textView is a note or a free-text answer as listed for moderation.
type textView struct {
	Ref     string `json:"ref"`
	Kind    string `json:"kind"` // "note" or "answer"
	Of      string `json:"of"`   // the note's kind, or the answer's question id
	Session string `json:"session,omitempty"`
	Text    string `json:"text"`
	Hidden  bool   `json:"hidden"`
	// OnWall: a note approved for the closing wall.
	OnWall bool      `json:"on_wall,omitempty"`
	At     time.Time `json:"created_at"`
	What   string    `json:"-"` // the note kind or question, in words
	When   string    `json:"-"`
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

// textCursor is where a page of texts starts: among the notes or the
// answers, after a submission id ("" for the first). Its string form is
// opaque to clients; "" is the first page.
type textCursor struct {
	answers bool
	after   string
}

func (c textCursor) String() string {
	if !c.answers && c.after == "" {
		return ""
	}
	phase := "n"
	if c.answers {
		phase = "a"
	}
	return base64.RawURLEncoding.EncodeToString([]byte(phase + c.after))
}

// parseTextCursor reads a cursor that String wrote; false for any other.
func parseTextCursor(s string) (textCursor, bool) {
	if s == "" {
		return textCursor{}, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 || (b[0] != 'n' && b[0] != 'a') {
		return textCursor{}, false
	}
	c := textCursor{answers: b[0] == 'a', after: string(b[1:])}
	if c.after != "" && !retours.ValidSubmissionID(c.after) {
		return textCursor{}, false
	}
	return c, true
}

// readTexts reads the page of up to limit texts of e that starts at cur,
// and returns them with the cursor of the next page ("" after the last).
func (s *Server) readTexts(ctx context.Context, e *retours.Event, cur textCursor, limit int) ([]textView, string, error) {
	titles := sessionTitles(e)
	texts := []textView{}
	size := 0
	full := func() bool { return len(texts) >= limit || size >= maxPageBytes }
	for !cur.answers && !full() {
		want := limit - len(texts)
		notes, err := s.cfg.Pages.NotesAfter(ctx, e.ID, cur.after, want)
		if err != nil {
			return nil, "", err
		}
		for _, n := range notes {
			texts = append(texts, textView{Ref: textRef("note", n.SubmissionID, ""), Kind: "note", Of: n.Kind,
				Session: titles[n.SessionID], Text: n.Text, Hidden: n.Hidden, OnWall: n.OnWall, At: n.CreatedAt.UTC()})
			size += len(n.Text)
			cur.after = n.SubmissionID
		}
		if len(notes) < want {
			cur = textCursor{answers: true}
		}
	}
	for read := 0; !full() && read < maxPageReads; {
		want := min(max(answersRead, 2*(limit-len(texts))), maxPageReads-read)
		answers, err := s.cfg.Pages.AnswersAfter(ctx, e.ID, cur.after, want)
		if err != nil {
			return nil, "", err
		}
		read += len(answers)
		for _, a := range answers {
			for _, q := range e.Questionnaire.Questions {
				if v, ok := a.Values[q.ID]; ok && q.Kind.IsText() && v.Text != "" {
					texts = append(texts, textView{Ref: textRef("answer", a.SubmissionID, q.ID), Kind: "answer", Of: q.ID,
						Session: titles[a.SessionID], Text: v.Text, Hidden: slices.Contains(a.Hidden, q.ID), At: a.CreatedAt.UTC()})
					size += len(v.Text)
				}
			}
			cur.after = a.SubmissionID
			if full() {
				return texts, cur.String(), nil
			}
		}
		if len(answers) < want {
			return texts, "", nil
		}
	}
	return texts, cur.String(), nil
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

// textsPage is the answer of GET /api/events/{event}/texts.
type textsPage struct {
	Texts []textView `json:"texts"`
	// Next is the cursor of the next page, absent after the last.
	Next string `json:"next,omitempty"`
}

// listTexts answers GET /api/events/{event}/texts[?cursor=…&limit=…]: a
// page of the notes and free-text answers, hidden or not, with the ref to
// moderate each, and the cursor of the next page.
func (s *Server) listTexts(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	cur, ok := parseTextCursor(q.Get("cursor"))
	if !ok {
		return &retours.Error{Code: retours.EINVALID, Key: "texts.cursor", Fields: map[string]string{"cursor": retours.FieldInvalid}}
	}
	limit := apiTexts
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAPITexts {
			return &retours.Error{Code: retours.EINVALID, Key: "texts.limit", Args: []any{maxAPITexts}, Fields: map[string]string{"limit": retours.FieldInvalid}}
		}
		limit = n
	}
	texts, next, err := s.readTexts(r.Context(), e, cur, limit)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, textsPage{Texts: texts, Next: next})
	return nil
}

// putText answers PUT /api/events/{event}/texts/{ref} with {"hidden": true}
// or false: the text leaves (or returns to) the bilan; and, for a note,
// {"on_wall": true} or false: the note is approved for the closing wall, or
// withdrawn from it. Hiding comes first: a note hidden and approved at once
// is refused.
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
		OnWall *bool `json:"on_wall"`
	}
	if err := web.DecodeJSON(r.Body, &req); err != nil {
		return err
	}
	if req.Hidden == nil && req.OnWall == nil {
		return &retours.Error{Code: retours.EINVALID, Key: "text.hidden_missing", Fields: map[string]string{"hidden": retours.FieldRequired}}
	}
	ref := r.PathValue("ref")
	if req.Hidden != nil {
		if err := s.setHidden(r, e, ref, *req.Hidden); err != nil {
			return err
		}
	}
	if req.OnWall != nil {
		if err := s.setOnWall(r, e, ref, *req.OnWall); err != nil {
			return err
		}
	}
	web.WriteJSON(w, http.StatusOK, struct {
		Ref    string `json:"ref"`
		Hidden *bool  `json:"hidden,omitempty"`
		OnWall *bool  `json:"on_wall,omitempty"`
	}{ref, req.Hidden, req.OnWall})
	return nil
}

// setOnWall approves a note for the closing wall, or withdraws it.
func (s *Server) setOnWall(r *http.Request, e *retours.Event, ref string, on bool) error {
	tr, ok := parseTextRef(ref)
	if !ok {
		return retours.NewError(retours.ENOTFOUND, "text.not_found")
	}
	if tr.Question != "" {
		return &retours.Error{Code: retours.EINVALID, Key: "wall.note_only", Fields: map[string]string{"on_wall": retours.FieldInvalid}}
	}
	now := s.cfg.Now()
	action := retours.ActionWallWithdrawn
	if on {
		action = retours.ActionWallShown
	}
	a, _ := e.AccessFor(organiserToken(r))
	if err := s.cfg.Wall.SetOnWall(r.Context(), e, tr.SubmissionID, on, now, retours.Actor{Access: a}.Edit(action, now, 0, ref)); err != nil {
		return err
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "note moderated for the wall", slog.String("event", e.ID), slog.Bool("on_wall", on))
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
