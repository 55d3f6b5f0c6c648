package organiser

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
)

// editionPath is the page that makes the next edition, under /o/{event}.
const editionPath = "/edition"

// editionForm is what the new edition's form holds: its dates, title and
// place, the name of its first access, its sessions once shown, and the
// key that makes sending it twice create one edition.
type editionForm struct {
	Key         string
	StartsAt    time.Time
	Title       string
	Place       string
	AccessName  string
	Sessions    []editionSession // nil until shown
	fieldErrors retours.FieldErrors
}

// editionSession is a session of the new edition as its form gives it:
// From is the session of this event it comes from.
type editionSession struct {
	From string
	Keep bool
	retours.SessionInput
}

// editionPage answers GET /o/{event}/edition: the new edition's date,
// title and place, to see its sessions shifted before creating it.
func (s *Server) editionPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.organiserEvent(r)
	if err != nil {
		return err
	}
	key, err := retours.NewID(s.cfg.Rand, 20)
	if err != nil {
		return err
	}
	f := &editionForm{Key: key, StartsAt: e.StartsAt.AddDate(1, 0, 0), Title: e.Title, Place: e.Place}
	return renderEdit(w, r, http.StatusOK, s.editionView(r, e, f))
}

// editionView is the new edition's page: its form, with the sessions once
// shown.
func (s *Server) editionView(r *http.Request, e *retours.Event, f *editionForm) *editView {
	v := newEditView(r, e, editionPath)
	v.titled(messages.T(v.Lang, "edition.page"))
	if e.Series == "" {
		v.Sections = []sectionView{{Paras: []string{messages.T(v.Lang, "edition.no_series")},
			Links: []linkView{{Label: messages.T(v.Lang, "nav.modifier"), Href: "/o/" + e.ID + detailsPath + "?lang=" + v.Lang}}}}
		return v
	}
	next := e.Edition + 1
	if e.Edition == 0 {
		next = 2
	}
	v.Sections = []sectionView{{Paras: []string{messages.T(v.Lang, "edition.intro", e.Series, next), messages.T(v.Lang, "edition.same")}}}
	form := formView{ID: "edition", Action: "/o/" + e.ID + editionPath + "?lang=" + v.Lang, Legend: messages.T(v.Lang, "edition.legend"),
		Hidden: []hiddenField{{"key", f.Key}},
		Fields: []editField{
			{ID: "e-starts_at", Name: "starts_at", Key: "starts_at", Label: messages.T(v.Lang, "edition.starts_at"), Help: messages.T(v.Lang, "edition.starts_at.help"), Type: "datetime-local", Value: localTime(f.StartsAt), Required: true},
			{ID: "e-title", Name: "title", Key: "title", Label: messages.T(v.Lang, "details.title"), Type: "text", Value: f.Title, Required: true},
			{ID: "e-place", Name: "place", Key: "place", Label: messages.T(v.Lang, "details.place"), Type: "text", Value: f.Place},
			{ID: "e-access_name", Name: "access_name", Key: "access_name", Label: messages.T(v.Lang, "edition.access_name"), Help: messages.T(v.Lang, "edition.access_name.help"), Type: "text", Value: f.AccessName},
		}}
	if f.Sessions == nil {
		form.Buttons = []buttonView{{Value: "preview", Label: messages.T(v.Lang, "edition.preview")}}
		v.Sections = append(v.Sections, sectionView{ID: "new-edition", Forms: []formView{form}})
		return v
	}
	form.Hidden = append(form.Hidden, hiddenField{"sessions", strconv.Itoa(len(f.Sessions))})
	for i, ss := range f.Sessions {
		n := strconv.Itoa(i)
		key := "sessions." + n + "."
		form.Hidden = append(form.Hidden, hiddenField{"from_" + n, ss.From})
		form.Fields = append(form.Fields,
			editField{ID: "e-s" + n + "-keep", Name: "keep_" + n, Label: messages.T(v.Lang, "edition.keep", ss.Title), Type: "checkbox", Value: "1", Checked: ss.Keep, Class: "keep"},
			editField{ID: "e-s" + n + "-title", Name: "title_" + n, Key: key + "title", Label: messages.T(v.Lang, "edition.session.title", i+1), Type: "text", Value: ss.Title},
			editField{ID: "e-s" + n + "-kind", Name: "kind_" + n, Key: key + "kind", Label: messages.T(v.Lang, "edition.session.kind", i+1), Type: "select", Options: kindOptions(v.Lang, ss.Kind)},
			editField{ID: "e-s" + n + "-starts_at", Name: "starts_at_" + n, Key: key + "starts_at", Label: messages.T(v.Lang, "edition.session.starts_at", i+1), Type: "datetime-local", Value: localTime(ss.StartsAt)},
			editField{ID: "e-s" + n + "-ends_at", Name: "ends_at_" + n, Key: key + "ends_at", Label: messages.T(v.Lang, "edition.session.ends_at", i+1), Type: "datetime-local", Value: localTime(ss.EndsAt)},
		)
	}
	form.Buttons = []buttonView{{Value: "create", Label: messages.T(v.Lang, "edition.create")}, {Value: "preview", Label: messages.T(v.Lang, "edition.reshift"), Secondary: true}}
	v.Sections = append(v.Sections, sectionView{ID: "new-edition", Paras: []string{messages.T(v.Lang, "edition.sessions")}, Forms: []formView{form}})
	return v
}

// editionKey is the form of the key a new edition's form carries.
var editionKey = regexp.MustCompile(`^[a-z2-9]{16,64}$`)

// createEditionPage answers POST /o/{event}/edition: "preview" shows the
// sessions shifted to the new date, editable; "create" creates the
// edition, with its first access, whose token is shown once. The form's
// key draws the new edition's ids and token: the same form sent twice
// makes the same edition, stored once, and shows the same token.
func (s *Server) createEditionPage(w http.ResponseWriter, r *http.Request) error {
	e, actor, err := s.authoriseForm(r)
	if err != nil {
		return err
	}
	f := readEditionForm(r)
	if !editionKey.MatchString(f.Key) {
		return &retours.Error{Code: retours.EINVALID, Key: "event.invalid", Fields: map[string]string{"key": retours.FieldInvalid}}
	}
	in := retours.EditionInput{StartsAt: f.StartsAt, Title: f.Title, Place: f.Place}
	reshow := func(err error, f *editionForm) error {
		return editFailed(err, nil, func(w http.ResponseWriter, status int, fields map[string]string) error {
			v := s.editionView(r, e, f)
			v.showErrors(fields)
			return renderEdit(w, r, status, v)
		})
	}
	if len(f.fieldErrors) > 0 {
		return reshow(f.fieldErrors.Err("event.invalid"), f)
	}
	if r.PostForm.Get("action") != "create" {
		// The sessions shifted to the new date, to be checked.
		next, err := e.NextEdition(in, keyedRand(e.ID, f.Key), s.cfg.Now())
		if err != nil {
			f.Sessions = nil
			return reshow(err, f)
		}
		f.Sessions = []editionSession{}
		j := 0
		for _, ss := range e.Sessions {
			if ss.Cancelled {
				continue
			}
			n := next.Sessions[j]
			f.Sessions = append(f.Sessions, editionSession{From: ss.ID, Keep: true, SessionInput: retours.SessionInput{
				Title: n.Title, Kind: n.Kind, StartsAt: n.StartsAt, EndsAt: n.EndsAt}})
			j++
		}
		return renderEdit(w, r, http.StatusOK, s.editionView(r, e, f))
	}
	// Sent without its sessions shown, the edition takes them all, shifted.
	if f.Sessions != nil {
		in.Sessions = []retours.SessionInput{}
	}
	shift := f.StartsAt.Sub(e.StartsAt)
	for _, ss := range f.Sessions {
		if !ss.Keep {
			continue
		}
		si := ss.SessionInput
		if from, ok := e.Session(ss.From); ok {
			si.Room, si.Speakers = from.Room, from.Speakers
			if !from.OpensAt.IsZero() {
				si.OpensAt = from.OpensAt.Add(shift)
			}
			if !from.ClosesAt.IsZero() {
				si.ClosesAt = from.ClosesAt.Add(shift)
			}
		}
		in.Sessions = append(in.Sessions, si)
	}
	next, token, err := s.newEdition(r, e, actor, in, f.AccessName, keyedRand(e.ID, f.Key))
	if err != nil {
		if retours.ErrorCode(err) == retours.EINVALID {
			return reshow(editionErrors(err, f), f)
		}
		return err
	}
	setOrganiserCookies(w, next.ID, token, cookieMaxAge)
	v := newEditView(r, e, editionPath)
	v.titled(messages.T(v.Lang, "edition.page"))
	v.Notice = messages.T(v.Lang, "edition.created", next.Title, next.Edition)
	v.Sections = []sectionView{{ID: "created", Class: "created",
		Secret: &secretView{Label: messages.T(v.Lang, "edition.token"), Value: token, Help: messages.T(v.Lang, "edition.token.help")},
		Paras:  []string{messages.T(v.Lang, "edition.next")},
		Links: []linkView{
			{Label: messages.T(v.Lang, "edition.open", next.Title), Href: "/o/" + next.ID + "?lang=" + v.Lang},
			{Label: messages.T(v.Lang, "edition.open.sessions"), Href: "/o/" + next.ID + sessionsPath + "?lang=" + v.Lang},
		}}}
	return renderEdit(w, r, http.StatusCreated, v)
}

// editionErrors returns err with the problems of the sessions numbered
// as the form's rows: the kept ones only reached the edition.
func editionErrors(err error, f *editionForm) error {
	fields := retours.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	rows := []int{}
	for i, ss := range f.Sessions {
		if ss.Keep {
			rows = append(rows, i)
		}
	}
	out := retours.FieldErrors{}
	for k, p := range fields {
		if num, rest, ok := strings.Cut(strings.TrimPrefix(k, "sessions."), "."); ok && strings.HasPrefix(k, "sessions.") {
			if n, err := strconv.Atoi(num); err == nil && n < len(rows) {
				k = "sessions." + strconv.Itoa(rows[n]) + "." + rest
			}
		}
		out.Add(k, p)
	}
	return out.Err("event.invalid")
}

// readEditionForm reads the new edition's form, its problems of values
// that are no time kept for the page.
func readEditionForm(r *http.Request) *editionForm {
	p := r.PostForm
	f := &editionForm{Key: p.Get("key"), Title: p.Get("title"), Place: p.Get("place"), AccessName: p.Get("access_name"), fieldErrors: retours.FieldErrors{}}
	var problem string
	if f.StartsAt, problem = parseLocal(p.Get("starts_at")); problem != "" {
		f.fieldErrors.Add("starts_at", problem)
	}
	n, err := strconv.Atoi(p.Get("sessions"))
	if err != nil || n < 0 || n > retours.MaxSessions {
		return f
	}
	f.Sessions = []editionSession{}
	for i := range n {
		k := strconv.Itoa(i)
		ss := editionSession{From: p.Get("from_" + k), Keep: p.Get("keep_"+k) == "1",
			SessionInput: retours.SessionInput{Title: p.Get("title_" + k), Kind: p.Get("kind_" + k)}}
		if ss.StartsAt, problem = parseLocal(p.Get("starts_at_" + k)); problem != "" {
			f.fieldErrors.Add("sessions."+k+".starts_at", problem)
		}
		if ss.EndsAt, problem = parseLocal(p.Get("ends_at_" + k)); problem != "" {
			f.fieldErrors.Add("sessions."+k+".ends_at", problem)
		}
		f.Sessions = append(f.Sessions, ss)
	}
	return f
}

// newEdition makes and stores the next edition of e from in, with a first
// access named accessName, drawing its ids and token from rnd, and
// records it in e's record of changes. The edition stored already from
// the same draws (a form sent twice) is returned as made, token included.
func (s *Server) newEdition(r *http.Request, e *retours.Event, actor retours.Actor, in retours.EditionInput, accessName string, rnd io.Reader) (*retours.Event, string, error) {
	now := s.cfg.Now()
	next, err := e.NextEdition(in, rnd, now)
	if err != nil {
		return nil, "", err
	}
	first, token, err := retours.NewAccess(rnd, accessName, actor.ID(), now, true)
	if err != nil {
		return nil, "", err
	}
	next.Accesses = []retours.Access{first}
	if err := s.cfg.Events.CreateEvent(r.Context(), next); err != nil {
		if retours.ErrorCode(err) == retours.ECONFLICT {
			if stored, gerr := s.cfg.Events.Event(r.Context(), next.ID); gerr == nil && stored.PreviousEvent == e.ID {
				if _, same := stored.AccessFor(token); same {
					return stored, token, nil
				}
			}
		}
		return nil, "", err
	}
	// The event it comes from records it; the new edition starts its own
	// record with its creation.
	if err := s.cfg.Edits.ReplaceAccesses(r.Context(), e, e.Accesses, actor.Edit(retours.ActionEditionMade, now, 0, next.ID)); err != nil {
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "edition not recorded", slog.String("event", e.ID), slog.String("code", retours.ErrorCode(err)))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "edition created", slog.String("event", next.ID), slog.String("from", e.ID), slog.String("by", actor.ID()))
	return next, token, nil
}

// keyedRand is the stream of bytes drawn from an event's id and a form's
// key: SHA-256 of both and a counter. The key, random and known only to
// the page that holds the form, keeps what it draws unguessable.
func keyedRand(eventID, key string) io.Reader {
	return &keyed{seed: sha256.Sum256([]byte("retours edition\x00" + eventID + "\x00" + key))}
}

type keyed struct {
	seed [32]byte
	n    uint64
	buf  []byte
}

func (k *keyed) Read(p []byte) (int, error) {
	for len(k.buf) < len(p) {
		var block [40]byte
		copy(block[:], k.seed[:])
		binary.BigEndian.PutUint64(block[32:], k.n)
		k.n++
		sum := sha256.Sum256(block[:])
		k.buf = append(k.buf, sum[:]...)
	}
	n := copy(p, k.buf)
	k.buf = k.buf[n:]
	return n, nil
}
