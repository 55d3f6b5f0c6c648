package programme

import (
	"slices"

	"github.com/retours/retours/internal/retours"
)

// How a line of a programme was matched to one of the event's sessions.
const (
	ByUID        = "uid"         // the line's UID (or Identifiant) is the session's UID or id
	ByTitleStart = "title_start" // same title, whatever its case and accents, and same start
	ByTitle      = "title"       // same title, the only session and the only line with it
)

// Actions a line of a programme leads to.
const (
	Create    = "create"
	Update    = "update"
	Unchanged = "unchanged"
)

// Step is what importing one line does to the event's sessions.
type Step struct {
	Line   int    `json:"line"`
	Action string `json:"action"`
	// Session is the id of the session it updates, "" for a new one.
	Session string `json:"session,omitempty"`
	// MatchedBy says how the line was matched to the session: ByUID,
	// ByTitleStart or ByTitle; "" for a new session.
	MatchedBy string `json:"matched_by,omitempty"`
	// Changes names the session's fields the line changes.
	Changes []string `json:"changes,omitempty"`
	Draft   Draft    `json:"draft"`
}

// Plan is what importing drafts into an event would do: a step per draft,
// and the event's sessions after it, to be checked and stored as an edit.
// Sessions the programme does not mention are left as they are.
type Plan struct {
	Steps    []Step
	Sessions []retours.SessionEdit
}

// PlanImport matches each draft with a session of e: by UID when the draft
// has one that a session has (as UID, or as its id, which the programme's
// Identifiant column may carry), else by title and start, else by title
// alone when one session and one draft have it (a session moved in the
// programme). A matched session takes the draft's title, kind, times, room
// and speakers; an unmatched draft is a new session. Cancelled sessions
// match too, and stay cancelled.
func PlanImport(e *retours.Event, drafts []Draft) *Plan {
	edit := retours.EditOf(e)
	p := &Plan{Sessions: edit.Sessions}
	taken := map[int]bool{}
	titles := map[string]int{}
	for _, d := range drafts {
		titles[fold(d.Title)]++
	}
	find := func(d Draft) (int, string) {
		if d.UID != "" {
			if i := slices.IndexFunc(p.Sessions, func(s retours.SessionEdit) bool { return s.UID == d.UID || s.ID == d.UID }); i >= 0 && !taken[i] {
				return i, ByUID
			}
		}
		if i := slices.IndexFunc(p.Sessions, func(s retours.SessionEdit) bool {
			return s.ID != "" && fold(s.Title) == fold(d.Title) && s.StartsAt.Equal(d.StartsAt)
		}); i >= 0 && !taken[i] {
			return i, ByTitleStart
		}
		if titles[fold(d.Title)] == 1 {
			var same []int
			for i, s := range p.Sessions {
				if s.ID != "" && fold(s.Title) == fold(d.Title) {
					same = append(same, i)
				}
			}
			if len(same) == 1 && !taken[same[0]] {
				return same[0], ByTitle
			}
		}
		return -1, ""
	}
	for _, d := range drafts {
		st := Step{Line: d.Line, Draft: d}
		i, by := find(d)
		if i < 0 {
			st.Action = Create
			p.Sessions = append(p.Sessions, retours.SessionEdit{SessionInput: retours.SessionInput{Title: d.Title, Kind: d.Kind,
				StartsAt: d.StartsAt, EndsAt: d.EndsAt, Room: d.Room, Speakers: d.Speakers, UID: d.UID}})
			taken[len(p.Sessions)-1] = true
			p.Steps = append(p.Steps, st)
			continue
		}
		taken[i] = true
		s := &p.Sessions[i]
		st.Session, st.MatchedBy = s.ID, by
		change := func(name string, differ bool) {
			if differ {
				st.Changes = append(st.Changes, name)
			}
		}
		change("title", s.Title != d.Title)
		change("kind", s.Kind != d.Kind)
		change("starts_at", !s.StartsAt.Equal(d.StartsAt))
		change("ends_at", !s.EndsAt.Equal(d.EndsAt))
		change("room", s.Room != d.Room)
		change("speakers", !slices.Equal(s.Speakers, d.Speakers))
		change("uid", d.UID != "" && s.UID != d.UID && s.ID != d.UID)
		s.Title, s.Kind, s.StartsAt, s.EndsAt, s.Room, s.Speakers = d.Title, d.Kind, d.StartsAt.UTC(), d.EndsAt.UTC(), d.Room, d.Speakers
		if d.UID != "" && d.UID != s.ID {
			s.UID = d.UID
		}
		st.Action = Update
		if len(st.Changes) == 0 {
			st.Action = Unchanged
		}
		p.Steps = append(p.Steps, st)
	}
	return p
}

// Drafts returns the sessions of e as drafts, in the form the CSV template
// writes them, their id as UID unless they have their own: a programme
// downloaded, edited in a spreadsheet and imported again updates the same
// sessions.
func Drafts(e *retours.Event) []Draft {
	var out []Draft
	for _, s := range e.Sessions {
		uid := s.UID
		if uid == "" {
			uid = s.ID
		}
		out = append(out, Draft{Title: s.Title, Kind: s.Kind, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Room: s.Room,
			Speakers: slices.Clone(s.Speakers), UID: uid})
	}
	return out
}
