package e2e_test

import (
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/webtest"
)

// browserPage is one page infra/e2e/pages.mjs checks.
type browserPage struct {
	Name   string            `json:"name"`
	Path   string            `json:"path"`
	Status int               `json:"status"`
	Cookie *browserCookie    `json:"cookie,omitempty"`
	Fill   map[string]string `json:"fill,omitempty"`
	Submit string            `json:"submit,omitempty"`
	After  int               `json:"after,omitempty"`
	// SentOnly checks only the page the form's submission answers.
	SentOnly bool `json:"sentOnly,omitempty"`
}

type browserCookie struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// TestAdminPagesInChromium runs infra/e2e/pages.mjs on the administrator's
// and organisers' pages: axe-core in French and English, reflow at 320 px,
// their forms sent with the keyboard, correct and faulty, a keyboard login
// from a bookmarked admin page back to it, and the bilan opened, signed in,
// from a link on another site.
func TestAdminPagesInChromium(t *testing.T) {
	b := startBrowserTest(t, "")
	st := b.store
	ev := mustCreate(t, b.url, necDay)
	atelier := ev.Sessions[1].ID
	e, err := st.Event(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	webtest.PutAnswers(t, st, now, ev.ID, atelier, 6, "Très concret")
	webtest.PutAnswers(t, st, now, ev.ID, ev.Sessions[2].ID, 6, "")
	// A second access to confirm revoking, and a speaker's link. (The
	// organisers' page itself is checked by TestSurveyInChromium; the page
	// that shows a new access's token once is the same for the admin and
	// the organisers.)
	second, _, err := retours.NewAccess(rand.Reader, "Département", "", now, false)
	if err != nil {
		t.Fatal(err)
	}
	first := retours.Actor{Access: &e.Accesses[0]}
	if err := st.ReplaceAccesses(t.Context(), e, append(e.Accesses, second), first.Edit(retours.ActionAccessAdded, now, 0, second.ID)); err != nil {
		t.Fatal(err)
	}
	sh, shareToken, err := retours.NewShare(e, atelier, rand.Reader, e.Accesses[0].ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateShare(t.Context(), e, sh, first.Edit(retours.ActionShareCreated, now, 0, sh.ID)); err != nil {
		t.Fatal(err)
	}

	admin := &browserCookie{"retours_admin", adminToken}
	orga := &browserCookie{"retours_organiser", ev.OrganiserToken}
	pages := []browserPage{
		{Name: "admin-login", Path: "/admin", Status: 200, Fill: map[string]string{"#token": "wrong"}, Submit: "#token", After: 403},
		{Name: "admin-list", Path: "/admin", Status: 200, Cookie: admin},
		{Name: "admin-new", Path: "/admin/nouveau", Status: 200, Cookie: admin, Fill: map[string]string{"#f-date": "", "#f-emails": "orga@"}, Submit: "#f-title", After: 400},
		{Name: "admin-created", Path: "/admin/nouveau", Status: 200, Cookie: admin,
			Fill: map[string]string{"#f-title": "Atelier de Riom", "#f-date": "2026-10-20"}, Submit: "#f-title", After: 201, SentOnly: true},
		{Name: "admin-event", Path: "/admin/e/" + ev.ID, Status: 200, Cookie: admin},
		{Name: "accesses", Path: "/o/" + ev.ID + "/acces", Status: 200, Cookie: orga, Fill: map[string]string{"#f-name": "Tiers-lieu"}, Submit: "#f-name", After: 201},
		{Name: "accesses-empty", Path: "/o/" + ev.ID + "/acces", Status: 200, Cookie: orga, Submit: "#f-name", After: 400, SentOnly: true},
		{Name: "access-confirm", Path: "/o/" + ev.ID + "/acces?revoquer=" + second.ID, Status: 200, Cookie: orga},
		{Name: "share", Path: "/o/" + ev.ID + "/acces", Status: 200, Cookie: orga, Submit: `form[action*="/partages"] button`, After: 201, SentOnly: true},
		{Name: "speaker", Path: "/s/" + ev.ID + "/" + shareToken, Status: 200},
		{Name: "speaker-revoked", Path: "/s/" + ev.ID + "/rts_revoked0000000000000000", Status: 404},
	}
	list, err := json.Marshal(pages)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "pages.json")
	if err := os.WriteFile(file, list, 0o600); err != nil {
		t.Fatal(err)
	}
	b.run(t, "pages.mjs", file, "admin="+adminToken,
		"crossSite=/api/events/"+ev.ID+"/bilan?format=html&lang=fr", "organiser="+ev.OrganiserToken)
}
