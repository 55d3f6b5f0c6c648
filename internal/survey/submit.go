package survey

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// answerRequest is the JSON body of POST /e/{event}/answers.
type answerRequest struct {
	SubmissionID string                     `json:"submission_id"`
	Session      string                     `json:"session"`
	Lang         string                     `json:"lang"`
	Answers      map[string]json.RawMessage `json:"answers"`
}

// noteRequest is the JSON body of POST /e/{event}/notes.
type noteRequest struct {
	SubmissionID string `json:"submission_id"`
	Session      string `json:"session"`
	Lang         string `json:"lang"`
	Kind         string `json:"kind"`
	Text         string `json:"text"`
}

// storedResponse is the JSON answer to a stored or repeated submission.
type storedResponse struct {
	ID           string `json:"id"`
	SubmissionID string `json:"submission_id"`
	Event        string `json:"event"`
	Session      string `json:"session,omitempty"`
	Created      bool   `json:"created"`
}

func (s *Server) postAnswer(w http.ResponseWriter, r *http.Request) error {
	e, err := s.event(r)
	if err != nil {
		return err
	}
	jsonBody := web.IsJSON(r)
	in, err := answerInput(r, jsonBody)
	if err != nil {
		return err
	}
	a, err := retours.NewAnswer(e, in, s.cfg.Rand, s.cfg.Now())
	if err == nil {
		var created bool
		if a, created, err = s.cfg.Answers.PutAnswer(r.Context(), a, e.ExpiresAt()); err == nil {
			return s.stored(w, r, jsonBody, e, storedResponse{ID: a.ID, SubmissionID: a.SubmissionID, Event: e.ID, Session: a.SessionID, Created: created}, false)
		}
		if retours.ErrorCode(err) != retours.EUNAVAILABLE {
			return err
		}
	}
	if jsonBody {
		return err
	}
	return s.refused(r, e, in.SessionID, in.SubmissionID, err, func(w http.ResponseWriter, status int, ss *retours.Session, sub string) error {
		return s.renderForm(w, r, status, e, ss, sub, in.Raw, retours.ErrorFields(err), retours.ErrorCode(err) == retours.EUNAVAILABLE)
	})
}

// answerInput reads an answer from a JSON body or a form.
func answerInput(r *http.Request, jsonBody bool) (retours.AnswerInput, error) {
	if jsonBody {
		var req answerRequest
		if err := web.DecodeJSON(r.Body, &req); err != nil {
			return retours.AnswerInput{}, err
		}
		raw, err := rawAnswers(req.Answers)
		if err != nil {
			return retours.AnswerInput{}, err
		}
		return retours.AnswerInput{SubmissionID: req.SubmissionID, SessionID: req.Session, Lang: req.Lang, Raw: raw}, nil
	}
	if err := web.ParseForm(r); err != nil {
		return retours.AnswerInput{}, err
	}
	in := retours.AnswerInput{SubmissionID: r.PostForm.Get("submission_id"), SessionID: r.PostForm.Get("session"), Lang: r.PostForm.Get("lang"), Raw: map[string][]string{}}
	for k, vs := range r.PostForm {
		if id, ok := strings.CutPrefix(k, "q_"); ok {
			in.Raw[id] = vs
		}
	}
	return in, nil
}

func (s *Server) postNote(w http.ResponseWriter, r *http.Request) error {
	e, err := s.event(r)
	if err != nil {
		return err
	}
	jsonBody := web.IsJSON(r)
	in, err := noteInput(r, jsonBody)
	if err != nil {
		return err
	}
	nt, err := retours.NewNote(e, in, s.cfg.Rand, s.cfg.Now())
	if err == nil {
		var created bool
		if nt, created, err = s.cfg.Answers.PutNote(r.Context(), nt, e.ExpiresAt()); err == nil {
			return s.stored(w, r, jsonBody, e, storedResponse{ID: nt.ID, SubmissionID: nt.SubmissionID, Event: e.ID, Session: nt.SessionID, Created: created}, true)
		}
	}
	if jsonBody {
		return err
	}
	return s.refused(r, e, in.SessionID, in.SubmissionID, err, func(w http.ResponseWriter, status int, ss *retours.Session, sub string) error {
		return s.renderThanks(w, r, status, e, ss, sub, false, in, retours.ErrorFields(err), retours.ErrorCode(err) == retours.EUNAVAILABLE)
	})
}

// noteInput reads a note from a JSON body or a form.
func noteInput(r *http.Request, jsonBody bool) (retours.NoteInput, error) {
	if jsonBody {
		var req noteRequest
		if err := web.DecodeJSON(r.Body, &req); err != nil {
			return retours.NoteInput{}, err
		}
		return retours.NoteInput{SubmissionID: req.SubmissionID, SessionID: req.Session, Lang: req.Lang, Kind: req.Kind, Text: req.Text}, nil
	}
	if err := web.ParseForm(r); err != nil {
		return retours.NoteInput{}, err
	}
	f := r.PostForm
	return retours.NoteInput{SubmissionID: f.Get("submission_id"), SessionID: f.Get("session"), Lang: f.Get("lang"), Kind: f.Get("kind"), Text: f.Get("text")}, nil
}

// stored answers a stored (created) or repeated submission: 201 or 200 with
// the stored id for JSON, else the thank-you page itself, 200, so that an
// answer takes two requests (the form, the post) and not a third after a
// redirect. A refresh or a retry sends the same submission id again and gets
// the same page: the form of the next note carries an id made from the
// submission's (nextSubmissionID), so that a note sent from either copy of
// the page is stored once.
func (s *Server) stored(w http.ResponseWriter, r *http.Request, jsonBody bool, e *retours.Event, resp storedResponse, note bool) error {
	if jsonBody {
		status := http.StatusCreated
		if !resp.Created {
			status = http.StatusOK
		}
		web.WriteJSON(w, status, resp)
		return nil
	}
	ss, _ := e.Session(resp.Session)
	return s.renderThanks(w, r, http.StatusOK, e, ss, nextSubmissionID(resp.SubmissionID), note, retours.NoteInput{}, nil, false)
}

// nextSubmissionID returns the submission id of the note form shown after
// the submission sub: made from sub alone (a UUID of its SHA-256), so that
// the page a retry gets is the page the first post got.
func nextSubmissionID(sub string) string {
	sum := sha256.Sum256([]byte("retours next note\x00" + sub))
	id, _ := retours.NewSubmissionID(bytes.NewReader(sum[:]))
	return id
}

// refused answers a form post that was not stored: invalid input, or a
// database too busy, shows the form again with the person's values and
// submission id, so that sending again stores one answer; answers not open
// show when they are. form renders the form with the status, session and
// submission id to show.
func (s *Server) refused(r *http.Request, e *retours.Event, sessionID, sub string, err error, form func(w http.ResponseWriter, status int, ss *retours.Session, sub string) error) error {
	switch retours.ErrorCode(err) {
	case retours.ECLOSED:
		return web.Reshow(err, func(w http.ResponseWriter, status int) error {
			return s.renderClosed(w, r, status, e, sessionID)
		})
	case retours.EINVALID, retours.EUNAVAILABLE:
	default:
		return err
	}
	ss, _ := e.Session(sessionID)
	if !retours.ValidSubmissionID(sub) {
		// A form whose hidden id was damaged gets a fresh one. Not err: the
		// fields of the original error are rendered with the form.
		var idErr error
		if sub, idErr = retours.NewSubmissionID(s.cfg.Rand); idErr != nil {
			return idErr
		}
	}
	return web.Reshow(err, func(w http.ResponseWriter, status int) error { return form(w, status, ss, sub) })
}

// rawAnswers turns JSON answer values (number, string, list of strings, or
// null) into the strings the questionnaire parses.
func rawAnswers(in map[string]json.RawMessage) (map[string][]string, error) {
	out := make(map[string][]string, len(in))
	for id, msgRaw := range in {
		var v any
		if err := json.Unmarshal(msgRaw, &v); err != nil {
			return nil, web.InvalidJSON()
		}
		switch t := v.(type) {
		case nil:
		case float64:
			// Bounded first: converting a float beyond int's range is
			// implementation-defined. No scale goes anywhere near a million.
			if t != math.Trunc(t) || math.Abs(t) > 1e6 {
				return nil, invalidValue(id)
			}
			out[id] = []string{strconv.Itoa(int(t))}
		case string:
			out[id] = []string{t}
		case []any:
			for _, x := range t {
				sx, ok := x.(string)
				if !ok {
					return nil, invalidValue(id)
				}
				out[id] = append(out[id], sx)
			}
		default:
			return nil, invalidValue(id)
		}
	}
	return out, nil
}

// invalidValue is the error of a JSON answer value of the wrong type.
func invalidValue(id string) error {
	field := "answers"
	if retours.ValidKey(id) {
		field = id
	}
	return &retours.Error{Code: retours.EINVALID, Key: "answer.value", Fields: map[string]string{field: retours.FieldInvalid}}
}
