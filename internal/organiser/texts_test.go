package organiser_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/retours/retours/internal/memstore"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/webtest"
)

type textsPage struct {
	Texts []struct {
		Ref  string `json:"ref"`
		Kind string `json:"kind"`
	} `json:"texts"`
	Next string `json:"next"`
}

// TestTextsAPageAtATime follows the pages of texts to the end: the notes,
// then the free-text answers, each once.
func TestTextsAPageAtATime(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	for range 7 {
		env.PutNote(ce.ID, "", retours.NoteEtonnement, "Étonnant")
	}
	env.PutAnswers(ce.ID, ce.Sessions[1].ID, 130, "Plus de pauses")
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	// The pages read a page of items each, never every answer or note.
	env.Store.(*memstore.Store).FailWith(memstore.FailOn("Answers", "Notes"))

	seen := map[string]bool{}
	var sizes []int
	cursor := ""
	for range 10 {
		rec := env.Do("GET", "/api/events/"+ce.ID+"/texts?limit=50&cursor="+url.QueryEscape(cursor), nil, auth...)
		if rec.Code != http.StatusOK {
			t.Fatalf("= %d %s", rec.Code, rec.Body)
		}
		var p textsPage
		webtest.MustJSON(t, rec.Body.Bytes(), &p)
		for i, tx := range p.Texts {
			if seen[tx.Ref] {
				t.Errorf("%s listed twice", tx.Ref)
			}
			seen[tx.Ref] = true
			if len(seen) <= 7 && tx.Kind != "note" || len(seen) > 7 && tx.Kind != "answer" {
				t.Errorf("text %d of the page is a %s: want the notes first", i, tx.Kind)
			}
		}
		sizes = append(sizes, len(p.Texts))
		if p.Next == "" {
			break
		}
		if strings.Contains(p.Next, "-") || strings.Contains(p.Next, "#") {
			t.Errorf("cursor %q shows a key", p.Next)
		}
		cursor = p.Next
	}
	if len(seen) != 137 || len(sizes) != 3 || sizes[0] != 50 || sizes[1] != 50 || sizes[2] != 37 {
		t.Errorf("pages of %v texts, %d in all; want 50, 50 and 37", sizes, len(seen))
	}

	for _, tc := range []struct{ name, query, want string }{
		{"a mangled cursor", "?cursor=bm90LWFuLWlk", "curseur"},
		{"a key for a cursor", "?cursor=ANSWER%230000", "curseur"},
		{"no texts", "?limit=0", "1 à 500"},
		{"too many texts", "?limit=501", "1 à 500"},
		{"not a number", "?limit=dix", "1 à 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do("GET", "/api/events/"+ce.ID+"/texts"+tc.query, nil, auth...)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("= %d %s, want 400 saying %q", rec.Code, rec.Body, tc.want)
			}
		})
	}
}

// TestTextsPagesReadABoundedNumber: an event whose answers have no text
// gives short pages, each reading a bounded number of answers.
func TestTextsPagesReadABoundedNumber(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	env.PutAnswers(ce.ID, ce.Sessions[1].ID, 2500, "")
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	rec := env.Do("GET", "/api/events/"+ce.ID+"/texts", nil, auth...)
	var p textsPage
	webtest.MustJSON(t, rec.Body.Bytes(), &p)
	if len(p.Texts) != 0 || p.Next == "" {
		t.Fatalf("first page: %d texts, next %q; want none and a next page after 2,000 answers read", len(p.Texts), p.Next)
	}
	rec = env.Do("GET", "/api/events/"+ce.ID+"/texts?cursor="+p.Next, nil, auth...)
	p = textsPage{}
	webtest.MustJSON(t, rec.Body.Bytes(), &p)
	if len(p.Texts) != 0 || p.Next != "" {
		t.Errorf("second page: %d texts, next %q; want the end", len(p.Texts), p.Next)
	}
}

// TestOrganisersPageTexts: the page lists 50 texts at a time, and hiding or
// showing one comes back to its page.
func TestOrganisersPageTexts(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	env.PutAnswers(ce.ID, ce.Sessions[1].ID, 120, "Plus de pauses")
	st := env.Store.(*memstore.Store)
	if err := st.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	st.FailWith(memstore.FailOn("Answers", "Notes"))
	cookie := []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}
	page := "/o/" + ce.ID

	rec := env.Do("GET", page, nil, cookie...)
	body := rec.Body.String()
	next := regexp.MustCompile(`href="(/o/[^"]*texts=[^"#]*)#texts">Textes suivants`).FindStringSubmatch(body)
	if rec.Code != http.StatusOK || strings.Count(body, `name="hidden"`) != 50 || next == nil || strings.Contains(body, "premiers textes") ||
		!strings.Contains(body, "<b>120</b>") {
		t.Fatalf("first page = %d, %d texts, next %v: %.2000s", rec.Code, strings.Count(body, `name="hidden"`), next, body)
	}
	second := strings.ReplaceAll(next[1], "&amp;", "&") // the link's fragment left out, as browsers send it
	rec = env.Do("GET", second, nil, cookie...)
	body = rec.Body.String()
	cursor := regexp.MustCompile(`name="texts" value="([^"]+)"`).FindStringSubmatch(body)
	ref := regexp.MustCompile(`action="/o/` + ce.ID + `/texts/([^"?]+)`).FindStringSubmatch(body)
	if rec.Code != http.StatusOK || strings.Count(body, `name="hidden"`) != 50 || cursor == nil || ref == nil || !strings.Contains(body, "premiers textes") {
		t.Fatalf("second page = %d, %d texts: %.2000s", rec.Code, strings.Count(body, `name="hidden"`), body)
	}
	rec = env.PostForm(page+"/texts/"+ref[1], url.Values{"hidden": {"1"}, "texts": {cursor[1]}}, cookie...)
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || loc.Query().Get("texts") != cursor[1] || loc.Fragment != "texts" {
		t.Errorf("hiding from the second page = %d, to %q; want back to that page", rec.Code, rec.Header().Get("Location"))
	}
	loc.Fragment = ""
	rec = env.Do("GET", loc.String(), nil, cookie...)
	if !strings.Contains(rec.Body.String(), `class="hidden"`) {
		t.Errorf("the hidden text is not shown hidden on its page: %d %s", rec.Code, rec.Body)
	}
	// A page that was not one of ours is the first.
	if rec := env.Do("GET", page+"?texts=zzz", nil, cookie...); rec.Code != http.StatusOK || strings.Count(rec.Body.String(), `name="hidden"`) != 50 {
		t.Errorf("a mangled page = %d", rec.Code)
	}
}
