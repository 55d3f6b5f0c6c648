package retours_test

import (
	"crypto/rand"
	"reflect"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func editedEvent(t *testing.T) *retours.Event {
	t.Helper()
	e, err := retours.NewEvent(retours.EventInput{
		Title: "NEC", StartsAt: t0, EndsAt: t0.Add(8 * time.Hour), Series: "nec", Edition: 2,
		Sessions: []retours.SessionInput{
			{Title: "Plénière", Kind: retours.KindPleniere, StartsAt: t0, EndsAt: t0.Add(time.Hour), Room: "Amphi", Speakers: []string{"Léa"}},
			{Title: "Atelier", Kind: retours.KindAtelier, StartsAt: t0.Add(2 * time.Hour)},
		},
	}, rand.Reader, t0.Add(-time.Hour), 24)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEdit: what an edit may change, before and after the event has
// answers, each refusal naming its field and problem.
func TestEdit(t *testing.T) {
	e := editedEvent(t)
	q := func(edit func(*retours.Questionnaire)) func(*retours.EventEdit) {
		return func(in *retours.EventEdit) { edit(&in.Questionnaire) }
	}
	tests := []struct {
		name     string
		answered bool
		edit     func(*retours.EventEdit)
		want     map[string]string // field problems; nil: accepted
	}{
		{"nothing", true, func(*retours.EventEdit) {}, nil},
		{"details", true, func(in *retours.EventEdit) {
			in.Title, in.Place, in.RegisteredCount, in.Edition = "NEC 2026", "Vichy", 80, 3
		}, nil},
		{"a session that ends before it starts", false, func(in *retours.EventEdit) {
			in.Sessions[0].EndsAt = in.Sessions[0].StartsAt.Add(-time.Minute)
		}, map[string]string{"sessions.0.ends_at": retours.FieldOrder}},
		{"a session of another event", false, func(in *retours.EventEdit) { in.Sessions[1].ID = "zzzzzz" },
			map[string]string{"sessions.1.id": retours.FieldUnknown}},
		{"a session twice", false, func(in *retours.EventEdit) { in.Sessions[1].ID = in.Sessions[0].ID },
			map[string]string{"sessions.1.id": retours.FieldDuplicate}},
		{"sessions moved, renamed, cancelled, added", true, func(in *retours.EventEdit) {
			in.Sessions[0].StartsAt = in.Sessions[0].StartsAt.Add(40 * time.Minute)
			in.Sessions[0].EndsAt = in.Sessions[0].EndsAt.Add(40 * time.Minute)
			in.Sessions[1].Title, in.Sessions[1].Kind, in.Sessions[1].Cancelled = "Atelier A", retours.KindTableRonde, true
			in.Sessions = append(in.Sessions, retours.SessionEdit{SessionInput: retours.SessionInput{Title: "Atelier B", Kind: retours.KindAtelier, StartsAt: t0.Add(2 * time.Hour)}})
		}, nil},
		{"a session removed before answers", false, func(in *retours.EventEdit) { in.Sessions = in.Sessions[:1] }, nil},
		{"a session removed after answers", true, func(in *retours.EventEdit) { in.Sessions = in.Sessions[:1] },
			map[string]string{"sessions": retours.FieldRemoved}},
		{"a kind changed before answers", false, q(func(qq *retours.Questionnaire) {
			qq.Questions[0].Kind, qq.Questions[0].Role, qq.Questions[0].Min, qq.Questions[0].Max = retours.QuestionText, "", 0, 0
		}), nil},
		{"a kind changed after answers", true, q(func(qq *retours.Questionnaire) {
			qq.Questions[1].Kind, qq.Questions[1].Min, qq.Questions[1].Max = retours.QuestionRating, 1, 5
		}), map[string]string{"questionnaire.questions.1.kind": retours.FieldLocked}},
		{"a scale changed after answers", true, q(func(qq *retours.Questionnaire) { qq.Questions[0].Max = 10 }),
			map[string]string{"questionnaire.questions.0.max": retours.FieldLocked}},
		{"a choice removed after answers", true, q(func(qq *retours.Questionnaire) { qq.Questions[4].Choices = qq.Questions[4].Choices[1:] }),
			map[string]string{"questionnaire.questions.4.choices": retours.FieldLocked}},
		{"an id changed after answers", true, q(func(qq *retours.Questionnaire) { qq.Questions[3].ID = "next" }),
			map[string]string{"questionnaire.questions": retours.FieldRemoved}},
		{"a question removed after answers", true, q(func(qq *retours.Questionnaire) { qq.Questions = qq.Questions[1:] }),
			map[string]string{"questionnaire.questions": retours.FieldRemoved}},
		{"labels corrected, questions reordered, retired and added after answers", true, q(func(qq *retours.Questionnaire) {
			qq.Questions[0].Label = retours.Text{"fr": "Êtes-vous satisfait·e ?", "en": "Are you satisfied?"}
			qq.Questions[0], qq.Questions[1] = qq.Questions[1], qq.Questions[0]
			qq.Questions[3].Retired = true
			qq.Questions[2].Choices = append(qq.Questions[2].Choices, retours.Choice{ID: "peut-etre", Label: retours.Text{"fr": "Peut-être"}})
			lib, _ := retours.LibraryQuestion("etonnement")
			qq.Questions = append(qq.Questions, lib)
		}), nil},
		{"every question retired", false, q(func(qq *retours.Questionnaire) {
			for i := range qq.Questions {
				qq.Questions[i].Retired = true
			}
		}), map[string]string{"questionnaire.questions": retours.FieldRequired}},
		{"retention shortened after answers", true, func(in *retours.EventEdit) { in.RetentionMonths = 12 },
			map[string]string{"retention_months": retours.FieldEarlier}},
		{"retention shortened before answers", false, func(in *retours.EventEdit) { in.RetentionMonths = 12 }, nil},
		{"retention lengthened after answers", true, func(in *retours.EventEdit) { in.RetentionMonths = 36 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := retours.EditOf(e)
			tt.edit(&in)
			got, err := e.Edit(in, tt.answered, rand.Reader)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Edit = %v %v, want accepted", err, retours.ErrorFields(err))
				}
				if got.Version != e.Version+1 || got.ID != e.ID || !got.CreatedAt.Equal(e.CreatedAt) {
					t.Errorf("edited: version %d id %s, want %d %s", got.Version, got.ID, e.Version+1, e.ID)
				}
				for _, s := range got.Sessions {
					if s.ID == "" {
						t.Error("a session without an id")
					}
				}
				return
			}
			if code := retours.ErrorCode(err); code != retours.EINVALID {
				t.Fatalf("Edit = %v, want invalid", err)
			}
			fields := retours.ErrorFields(err)
			for f, p := range tt.want {
				if fields[f] != p && !(len(tt.want) == 1 && fields[f] == "") {
					t.Errorf("field %s: %q, want %q (all: %v)", f, fields[f], p, fields)
				}
			}
			if len(fields) == 0 {
				t.Error("no field named")
			}
		})
	}
	// An edit that changes nothing gives the same event at the next version.
	same, err := e.Edit(retours.EditOf(e), true, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	same.Version = e.Version
	if !reflect.DeepEqual(same, e) {
		t.Errorf("unchanged edit = %+v,\nwant %+v", same, e)
	}
}

func TestAccesses(t *testing.T) {
	now := t0
	first, tok1, err := retours.NewAccess(rand.Reader, "", "", now, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := retours.NewAccess(rand.Reader, " ", "first", now, false); retours.ErrorFields(err)["name"] != retours.FieldRequired {
		t.Errorf("an unnamed second access: %v", err)
	}
	second, tok2, err := retours.NewAccess(rand.Reader, "Médiathèque de Vichy", first.ID, now, false)
	if err != nil {
		t.Fatal(err)
	}
	list, err := retours.WithAccess([]retours.Access{first}, second)
	if err != nil {
		t.Fatal(err)
	}
	e := &retours.Event{Accesses: list}
	if a, ok := e.AccessFor(tok2); !ok || a.ID != second.ID || a.Name != "Médiathèque de Vichy" {
		t.Errorf("AccessFor(second) = %v, %v", a, ok)
	}
	// Revoking one locks nobody else out.
	e.Accesses, err = retours.WithoutAccess(list, second.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.AccessFor(tok2); ok {
		t.Error("a revoked access still works")
	}
	if _, ok := e.AccessFor(tok1); !ok {
		t.Error("revoking one access locked the other out")
	}
	if _, err := retours.WithoutAccess(e.Accesses, first.ID, true); retours.ErrorCode(err) != retours.ECONFLICT {
		t.Errorf("organisers revoking the last access: %v, want a conflict", err)
	}
	if rest, err := retours.WithoutAccess(e.Accesses, first.ID, false); err != nil || len(rest) != 0 {
		t.Errorf("the administrator revoking the last access: %v, %v", rest, err)
	}
	if _, err := retours.WithoutAccess(e.Accesses, "nope", false); retours.ErrorCode(err) != retours.ENOTFOUND {
		t.Errorf("revoking an unknown access: %v", err)
	}
	for len(list) < retours.MaxAccesses {
		list = append(list, second)
	}
	if _, err := retours.WithAccess(list, second); retours.ErrorCode(err) != retours.ECONFLICT {
		t.Errorf("access beyond the limit: %v", err)
	}
}

func TestNextEdition(t *testing.T) {
	e := editedEvent(t)
	e.Sessions[1].Cancelled = true
	e.Questionnaire.Questions[5].Retired = true
	start := e.StartsAt.AddDate(1, 0, 2)
	next, err := e.NextEdition(retours.EditionInput{StartsAt: start}, rand.Reader, t0)
	if err != nil {
		t.Fatal(err)
	}
	if next.ID == e.ID || next.Series != e.Series || next.Edition != 3 || next.PreviousEvent != e.ID || next.Version != 1 {
		t.Errorf("next edition: id %s series %s edition %d from %s", next.ID, next.Series, next.Edition, next.PreviousEvent)
	}
	if !next.EndsAt.Equal(start.Add(8 * time.Hour)) {
		t.Errorf("ends at %v, want as long as the first", next.EndsAt)
	}
	if len(next.Sessions) != 1 || !next.Sessions[0].StartsAt.Equal(start) || !next.Sessions[0].EndsAt.Equal(start.Add(time.Hour)) ||
		next.Sessions[0].Room != "Amphi" || next.Sessions[0].ID == e.Sessions[0].ID {
		t.Errorf("sessions %+v, want the plénière alone, shifted", next.Sessions)
	}
	if len(next.Questionnaire.Questions) != len(e.Questionnaire.Questions)-1 {
		t.Errorf("%d questions, want the retired one left out", len(next.Questionnaire.Questions))
	}
	e.Series = ""
	if _, err := e.NextEdition(retours.EditionInput{StartsAt: start}, rand.Reader, t0); retours.ErrorFields(err)["series"] == "" {
		t.Errorf("next edition of an event in no series: %v", err)
	}
}

func TestStatusAndCursor(t *testing.T) {
	e := editedEvent(t)
	for _, tt := range []struct {
		at   time.Time
		want retours.Status
	}{
		{t0.Add(-time.Minute), retours.StatusUpcoming},
		{t0, retours.StatusRunning},
		{t0.Add(8 * time.Hour), retours.StatusOpen},
		{e.ClosesAt, retours.StatusClosed},
	} {
		if got := e.Status(tt.at); got != tt.want {
			t.Errorf("Status(%v) = %s, want %s", tt.at, got, tt.want)
		}
	}
	for q, want := range map[string]bool{"": true, "nec": true, "NÉC": true, "vichy": false} {
		if e.Matches(q) != want {
			t.Errorf("Matches(%q) = %v", q, !want)
		}
	}
	c := retours.CursorOf(e)
	got, err := retours.ParseEventCursor(c.Encode())
	if err != nil || got != c {
		t.Errorf("cursor read back = %+v, %v; want %+v", got, err, c)
	}
	for _, bad := range []string{"", "EVENT#x", "ZTEuMTIzLi4v", "e1.1.x"} {
		if _, err := retours.ParseEventCursor(bad); retours.ErrorCode(err) != retours.EINVALID {
			t.Errorf("ParseEventCursor(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestRoleLimitedAccesses(t *testing.T) {
	first, tok1, err := retours.NewAccess(rand.Reader, "", "", t0, true)
	if err != nil {
		t.Fatal(err)
	}
	e := &retours.Event{Accesses: []retours.Access{first}}
	for _, role := range []retours.Role{retours.RoleEntry, retours.RoleWall} {
		a, tok, err := retours.NewRoleAccess(rand.Reader, "Salle "+role.String(), first.ID, role, t0, false)
		if err != nil {
			t.Fatal(err)
		}
		if e.Accesses, err = retours.WithAccess(e.Accesses, a); err != nil {
			t.Fatal(err)
		}
		if _, ok := e.AccessFor(tok); ok {
			t.Errorf("a %s access is taken for an organiser's", role)
		}
		if got, ok := e.RoleAccessFor(tok, role); !ok || got.ID != a.ID {
			t.Errorf("RoleAccessFor(%s) = %v, %v", role, got, ok)
		}
		if _, ok := e.RoleAccessFor(tok1, role); ok {
			t.Errorf("the organiser's token is taken for a %s access", role)
		}
		if r, err := retours.ParseRole(role.String()); err != nil || r != role {
			t.Errorf("ParseRole(%q) = %q, %v", role.String(), r, err)
		}
	}
	if r, err := retours.ParseRole("organiser"); err != nil || r != retours.RoleOrganiser {
		t.Errorf("ParseRole(organiser) = %q, %v", r, err)
	}
	if _, err := retours.ParseRole("admin"); retours.ErrorFields(err)["role"] != retours.FieldChoice {
		t.Errorf("ParseRole(admin): %v", err)
	}
	// Only organiser accesses open the erasure's record, and the last one
	// cannot be revoked by organisers even when others of other roles remain.
	if h := e.AccessHashes(); len(h) != 1 || h[0] != first.Hash {
		t.Errorf("AccessHashes = %v, want the organiser's only", h)
	}
	if _, err := retours.WithoutAccess(e.Accesses, first.ID, true); retours.ErrorCode(err) != retours.ECONFLICT {
		t.Errorf("revoking the last organiser access beside role-limited ones: %v", err)
	}
	if rest, err := retours.WithoutAccess(e.Accesses, e.Accesses[1].ID, true); err != nil || len(rest) != 2 {
		t.Errorf("revoking a data-entry access: %v, %v", rest, err)
	}
}
