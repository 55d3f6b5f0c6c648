package retours_test

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
)

func TestSheetNumbers(t *testing.T) {
	n := retours.SheetNumber(4821, 37)
	if len(n) != 10 || !strings.HasPrefix(n, "4821-037-") {
		t.Fatalf("SheetNumber(4821, 37) = %q, want 4821-037-C", n)
	}
	for _, typed := range []string{n, strings.ReplaceAll(n, "-", ""), strings.ReplaceAll(n, "-", " "), " " + n + " "} {
		got, err := retours.ParseSheet(typed)
		if err != nil || got != n {
			t.Errorf("ParseSheet(%q) = %q, %v; want %q", typed, got, err, n)
		}
	}
	// Every single wrong digit and every swap of adjacent digits, over
	// the numbers of a whole print run, is caught by the check digit.
	for rank := 1; rank <= retours.MaxSheetCopies; rank++ {
		d := []byte(strings.ReplaceAll(retours.SheetNumber(9173, rank), "-", ""))
		for i := range d {
			for c := byte('0'); c <= '9'; c++ {
				if c == d[i] {
					continue
				}
				typo := append([]byte(nil), d...)
				typo[i] = c
				if _, err := retours.ParseSheet(string(typo)); err == nil {
					t.Fatalf("ParseSheet(%s), one digit off %s, accepted", typo, d)
				}
			}
			if i+1 < len(d) && d[i] != d[i+1] {
				swap := append([]byte(nil), d...)
				swap[i], swap[i+1] = swap[i+1], swap[i]
				if _, err := retours.ParseSheet(string(swap)); err == nil {
					t.Fatalf("ParseSheet(%s), two digits of %s swapped, accepted", swap, d)
				}
			}
		}
	}
	for _, tc := range []struct{ typed, key string }{
		{"", "sheet.missing"},
		{"4821-037", "sheet.format"},
		{"4821-037-66", "sheet.format"},
		{"48a1-037-6", "sheet.format"},
	} {
		_, err := retours.ParseSheet(tc.typed)
		var e *retours.Error
		if !errors.As(err, &e) || e.Key != tc.key || e.Fields["sheet"] == "" {
			t.Errorf("ParseSheet(%q) = %v, want %s on field sheet", tc.typed, err, tc.key)
		}
	}
}

func TestSheetSeries(t *testing.T) {
	for range 200 {
		s, err := retours.NewSheetSeries(rand.Reader)
		if err != nil || s < 1000 || s > 9999 {
			t.Fatalf("NewSheetSeries = %d, %v; want 1000 to 9999", s, err)
		}
	}
}

func TestNewSheet(t *testing.T) {
	e, err := retours.NewEvent(validInput(), rand.Reader, t0, 24)
	if err != nil {
		t.Fatal(err)
	}
	e.Sessions[1].Cancelled = true
	sheet := retours.SheetNumber(4821, 1)
	during := t0.Add(3 * time.Hour)
	a, n, err := retours.NewSheet(e, retours.SheetInput{Sheet: strings.ReplaceAll(sheet, "-", ""), Lang: "fr",
		Raw: map[string][]string{"satisfaction": {"4"}, "rencontres": {"oui"}}, Note: " Le café  "}, "abc123", rand.Reader, during)
	if err != nil {
		t.Fatal(err)
	}
	if a.Channel != retours.ChannelPaper || a.Sheet != sheet || a.EnteredBy != "abc123" || a.SubmissionID != retours.SheetSubmissionID(e.ID, sheet) ||
		a.Values["satisfaction"].Number != 4 || !retours.ValidSubmissionID(a.SubmissionID) {
		t.Errorf("answer = %+v", a)
	}
	if n == nil || n.Kind != retours.NoteEtonnement || n.Text != "Le café" || n.SubmissionID != a.SubmissionID || n.Channel != retours.ChannelPaper {
		t.Errorf("note = %+v", n)
	}
	if other := retours.SheetSubmissionID(e.ID, retours.SheetNumber(4821, 2)); other == a.SubmissionID {
		t.Error("two sheets share a submission id")
	}
	// Only the box: an answer without values, and the note.
	a, n, err = retours.NewSheet(e, retours.SheetInput{Sheet: sheet, Note: "Surpris"}, "", rand.Reader, during)
	if err != nil || len(a.Values) != 0 || n == nil {
		t.Errorf("box only = %+v, %+v, %v", a, n, err)
	}
	for _, tc := range []struct {
		name        string
		in          retours.SheetInput
		at          time.Time
		code, field string
	}{
		{"a rating off the scale", retours.SheetInput{Sheet: sheet, Raw: map[string][]string{"satisfaction": {"7"}}}, during, retours.EINVALID, "satisfaction"},
		{"a mistyped sheet number", retours.SheetInput{Sheet: "4821-001-0", Raw: map[string][]string{"satisfaction": {"4"}}}, during, retours.EINVALID, "sheet"},
		{"a blank sheet", retours.SheetInput{Sheet: sheet}, during, retours.EINVALID, "answers"},
		{"a cancelled session", retours.SheetInput{Sheet: sheet, SessionID: e.Sessions[1].ID, Raw: map[string][]string{"satisfaction": {"4"}}}, during, retours.ECLOSED, ""},
		{"after the closing date", retours.SheetInput{Sheet: sheet, Raw: map[string][]string{"satisfaction": {"4"}}}, e.ClosesAt, retours.ECLOSED, ""},
		{"a box too long", retours.SheetInput{Sheet: sheet, Note: strings.Repeat("a", retours.MaxNoteLength+1)}, during, retours.EINVALID, "note"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := retours.NewSheet(e, tc.in, "", rand.Reader, tc.at)
			if retours.ErrorCode(err) != tc.code {
				t.Fatalf("NewSheet = %v, want %s", err, tc.code)
			}
			if tc.field != "" && retours.ErrorFields(err)[tc.field] == "" {
				t.Errorf("fields = %v, want one on %s", retours.ErrorFields(err), tc.field)
			}
		})
	}
}

func TestEntryAccessIsNoOrganiser(t *testing.T) {
	e, err := retours.NewEvent(validInput(), rand.Reader, t0, 24)
	if err != nil {
		t.Fatal(err)
	}
	orga, orgaToken, _ := retours.NewAccess(rand.Reader, "", "", t0, true)
	entry, entryToken, err := retours.NewRoleAccess(rand.Reader, "Bénévoles", orga.ID, retours.RoleEntry, t0, false)
	if err != nil {
		t.Fatal(err)
	}
	e.Accesses = []retours.Access{orga, entry}
	if _, ok := e.AccessFor(entryToken); ok {
		t.Error("a data-entry token is taken for an organiser's")
	}
	if a, ok := e.RoleAccessFor(entryToken, retours.RoleEntry); !ok || a.ID != entry.ID {
		t.Error("the data-entry token is not found as one")
	}
	if _, ok := e.RoleAccessFor(orgaToken, retours.RoleEntry); ok {
		t.Error("an organiser token is taken for a data-entry link")
	}
	// The data-entry link does not count as the organisers' last access.
	if _, err := retours.WithoutAccess(e.Accesses, orga.ID, true); retours.ErrorCode(err) != retours.ECONFLICT {
		t.Errorf("revoking the last organiser access = %v, want a conflict", err)
	}
	if got, err := retours.WithoutAccess(e.Accesses, entry.ID, true); err != nil || len(got) != 1 {
		t.Errorf("revoking the data-entry link = %v, %v", got, err)
	}
	if _, err := retours.ParseRole("wall-of-fame"); retours.ErrorCode(err) != retours.EINVALID {
		t.Errorf("ParseRole of an unknown role = %v", err)
	}
}
