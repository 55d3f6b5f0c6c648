package organiser_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
	"github.com/retours/retours/internal/webtest"
)

// paperEvent stores the NEC day with a multiple-choice question, a retired
// one and its table ronde cancelled, and returns it with its organiser
// token.
func paperEvent(t *testing.T, env *webtest.Env) (*retours.Event, string) {
	t.Helper()
	in := webtest.NECDayInput()
	q := retours.DefaultQuestionnaire()
	q.Questions = append(q.Questions,
		retours.Question{ID: "formats", Kind: retours.QuestionMulti, Label: retours.Text{"fr": "Quels formats préférez-vous\u00a0?", "en": "Which formats do you prefer?"},
			Choices: []retours.Choice{{ID: "atelier", Label: retours.Text{"fr": "Atelier", "en": "Workshop"}}, {ID: "table", Label: retours.Text{"fr": "Table ronde", "en": "Round table"}}, {ID: "visite", Label: retours.Text{"fr": "Visite", "en": "Visit"}}}},
		retours.Question{ID: "ancienne", Kind: retours.QuestionText, Retired: true, Label: retours.Text{"fr": "Question retirée", "en": "Retired question"}})
	in.Questionnaire = &q
	e, err := retours.NewEvent(in, rand.Reader, webtest.T0, retours.DefaultRetentionMonths)
	if err != nil {
		t.Fatal(err)
	}
	e.Sessions[4].Cancelled = true
	first, token, err := retours.NewAccess(rand.Reader, "", "", webtest.T0, true)
	if err != nil {
		t.Fatal(err)
	}
	e.Accesses = []retours.Access{first}
	if err := env.Store.CreateEvent(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	return e, token
}

var sheetNumber = regexp.MustCompile(`Feuille n° <b>(\d{4}-\d{3}-\d)</b>|Sheet no\. <b>(\d{4}-\d{3}-\d)</b>`)

func TestPaperQuestionnaire(t *testing.T) {
	env := newEnv(t)
	e, token := paperEvent(t, env)
	auth := []string{"Authorization", "Bearer " + token}
	api := "/api/events/" + e.ID

	for _, tc := range []struct {
		name, path, lang string
		want             []string
	}{
		{"event, in French", api + "/paper?copies=3", "fr", []string{"<h2>Numérique En Commun[s] Auvergne</h2>", "Dans l&#39;ensemble, êtes-vous satisfait·e", "Quels formats préférez-vous",
			"Plusieurs cases possibles.", "Ce qui m&#39;a étonné·e aujourd&#39;hui", "Élu·e", "retours.example.org/e/" + e.ID + "<", `<use href="#qr"/>`}},
		{"session, in English", api + "/sessions/" + e.Sessions[1].ID + "/paper?lang=en&copies=2", "en", []string{"<h2>Atelier inclusion</h2>", "Overall, how satisfied are you?",
			"Which formats do you prefer?", "What surprised me today", "Elected official", "retours.example.org/e/" + e.ID + "/" + e.Sessions[1].ID + "<"}},
		{"large print", api + "/paper?copies=1&large=1", "fr", []string{`<body class="large">`, "body.large{font-size:16pt"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do("GET", tc.path, nil, auth...)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, `<html lang="`+tc.lang+`">`) {
				t.Fatalf("= %d\n%s", rec.Code, body)
			}
			for _, want := range append(tc.want, "@page{size:A4", "break-inside:avoid") {
				if !strings.Contains(body, want) {
					t.Errorf("paper questionnaire lacks %q", want)
				}
			}
			if strings.Contains(body, "Question retirée") || strings.Contains(body, "Retired question") {
				t.Error("a retired question is printed")
			}
			u, _ := url.Parse(tc.path)
			copies := u.Query().Get("copies")
			numbers := map[string]bool{}
			for _, m := range sheetNumber.FindAllStringSubmatch(body, -1) {
				n := m[1] + m[2]
				if _, err := retours.ParseSheet(n); err != nil {
					t.Errorf("sheet number %s does not check: %v", n, err)
				}
				numbers[n] = true
			}
			if want := map[string]int{"1": 1, "2": 2, "3": 3}[copies]; len(numbers) != want || strings.Count(body, `<article class="sheet"`) != want {
				t.Errorf("%d distinct sheet numbers on %d sheets, want %s", len(numbers), strings.Count(body, `<article class="sheet"`), copies)
			}
			style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
			sum := sha256.Sum256([]byte(style[1]))
			if hash := base64.StdEncoding.EncodeToString(sum[:]); !strings.Contains(rec.Header().Get("Content-Security-Policy"), hash) {
				t.Errorf("stylesheet hash %s not in the policy", hash)
			}
			if strings.Contains(body, "<script") || strings.Contains(body, " style=") {
				t.Error("the paper questionnaire has a script or a style attribute")
			}
		})
	}

	t.Run("the same series prints the same numbers", func(t *testing.T) {
		a := env.Do("GET", api+"/paper?copies=2&series=4821", nil, auth...).Body.String()
		b := env.Do("GET", api+"/paper?copies=2&series=4821", nil, auth...).Body.String()
		if got := sheetNumber.FindAllString(a, -1); len(got) != 2 || !strings.Contains(got[0], retours.SheetNumber(4821, 1)) || strings.Join(got, "") != strings.Join(sheetNumber.FindAllString(b, -1), "") {
			t.Errorf("series 4821 printed %v", got)
		}
	})
	t.Run("five hundred copies stay far below Lambda's response limit", func(t *testing.T) {
		rec := env.Do("GET", api+"/paper?copies=500", nil, append(auth, "Accept-Encoding", "gzip")...)
		if rec.Code != http.StatusOK || rec.Body.Len() > 1<<20 {
			t.Errorf("= %d, %d bytes gzipped; want under 1 MB", rec.Code, rec.Body.Len())
		}
		if n := strings.Count(string(webtest.Gunzip(t, rec.Body.Bytes())), `<article class="sheet"`); n != 500 {
			t.Errorf("%d sheets, want 500", n)
		}
	})
	for _, tc := range []struct {
		name, path string
		header     []string
		want       int
	}{
		{"no token", api + "/paper", nil, http.StatusUnauthorized},
		{"a cancelled session", api + "/sessions/" + e.Sessions[4].ID + "/paper", auth, http.StatusConflict},
		{"no copies", api + "/paper?copies=0", auth, http.StatusBadRequest},
		{"too many copies", api + "/paper?copies=501", auth, http.StatusBadRequest},
		{"a series too short", api + "/paper?series=12", auth, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := env.Do("GET", tc.path, nil, tc.header...); rec.Code != tc.want {
				t.Errorf("= %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
	t.Run("the organisers' page links it, but not for a cancelled session", func(t *testing.T) {
		body := env.Do("GET", "/o/"+e.ID, nil, "Cookie", "retours_organiser="+token).Body.String()
		if !strings.Contains(body, api+"/paper?lang=fr") || !strings.Contains(body, api+"/sessions/"+e.Sessions[1].ID+"/paper") ||
			strings.Contains(body, api+"/sessions/"+e.Sessions[4].ID+"/paper") || !strings.Contains(body, "/o/"+e.ID+"/saisie") {
			t.Errorf("organisers' page:\n%s", body)
		}
	})
}

// entryLink creates a data-entry link through the API and returns its
// access id and token.
func entryLink(t *testing.T, env *webtest.Env, e *retours.Event, token, name string) (id, entryToken string) {
	t.Helper()
	rec := env.PostJSON("/api/events/"+e.ID+"/accesses", `{"name": "`+name+`", "role": "entry"}`, "Authorization", "Bearer "+token)
	var got struct {
		ID, Role, OrganiserToken string `json:",omitempty"`
		Token                    string `json:"organiser_token"`
		EntryURL                 string `json:"entry_url"`
	}
	webtest.MustJSON(t, rec.Body.Bytes(), &got)
	if rec.Code != http.StatusCreated || got.Role != "entry" || got.EntryURL != webtest.BaseURL+"/o/"+e.ID+"/saisie/"+got.Token {
		t.Fatalf("POST accesses = %d %s", rec.Code, rec.Body)
	}
	return got.ID, got.Token
}

// TestEntryLinkDoesNothingElse sends a data-entry link's token, as a bearer
// token and as the organisers' cookie, to every route of the organiser
// function: all but the data-entry page's refuse it.
func TestEntryLinkDoesNothingElse(t *testing.T) {
	env := newEnv(t)
	e, token := paperEvent(t, env)
	_, entry := entryLink(t, env, e, token, "Bénévoles")
	answers := env.PutAnswers(e.ID, "", 1, "Un texte")
	params := map[string]string{"{event}": e.ID, "{session}": e.Sessions[1].ID, "{ref}": "a." + answers[0].SubmissionID + ".commentaire",
		"{access}": e.Accesses[0].ID, "{share}": "shr_x", "{token}": entry}
	open := map[string]bool{
		// Open to anyone, or with their own credentials.
		"POST /api/events": true, "GET /api/programme/template.csv": true, "GET /api/questions": true, "GET /api/openapi.json": true,
		"GET /s/{event}/{token}": true, "POST /o/{event}/logout": true, "POST /o/{event}/login": true, "GET /o/{event}": true,
		"GET /admin": true, "POST /admin/login": true, "POST /admin/logout": true,
		// The data-entry page, its one thing.
		"GET /o/{event}/saisie": true, "POST /o/{event}/saisie": true, "GET /o/{event}/saisie/{token}": true,
		// The wall's link, whose token is the link: any other is not found
		// (below).
		"GET /mur/{event}/{token}": true,
	}
	for _, rt := range web.Routes {
		if rt.Function != web.FuncOrganiser || open[rt.Pattern()] {
			continue
		}
		path := rt.Path
		for k, v := range params {
			path = strings.ReplaceAll(path, k, v)
		}
		for _, cred := range [][]string{{"Authorization", "Bearer " + entry}, {"Cookie", "retours_organiser=" + entry}} {
			rec := env.Do(rt.Method, path+"?confirm="+e.ID, strings.NewReader(`{"name":"x"}`), append(cred, "Content-Type", "application/json")...)
			if rec.Code != http.StatusUnauthorized && rec.Code != http.StatusForbidden {
				t.Errorf("%s with a data-entry token (%s) = %d, want 401 or 403: %.200s", rt.Pattern(), cred[0], rec.Code, rec.Body)
			}
		}
	}
	if rec := env.Do("GET", "/mur/"+e.ID+"/"+entry, nil); rec.Code != http.StatusNotFound {
		t.Errorf("the wall's link with a data-entry token = %d, want 404", rec.Code)
	}
	// The organisers' page and its login take it for no organiser's.
	if rec := env.Do("GET", "/o/"+e.ID, nil, "Cookie", "retours_organiser="+entry); rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "Un texte") {
		t.Errorf("organisers' page with a data-entry token = %d", rec.Code)
	}
	if rec := env.PostForm("/o/"+e.ID+"/login", url.Values{"token": {entry}}); rec.Code != http.StatusForbidden || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("login with a data-entry token = %d", rec.Code)
	}
	// Nothing was changed.
	if n, _ := env.CountItems(e.ID); n != 1 {
		t.Errorf("%d answers, want 1", n)
	}
	stored, err := env.Store.Event(t.Context(), e.ID)
	if err != nil || stored.Title != e.Title || len(stored.Accesses) != 2 {
		t.Errorf("event after the attempts = %+v, %v", stored, err)
	}
}

func TestDataEntry(t *testing.T) {
	env := newEnv(t)
	e, token := paperEvent(t, env)
	orga := []string{"Cookie", "retours_organiser=" + token}
	page := "/o/" + e.ID + "/saisie"
	sheet := func(rank int) string { return strings.ReplaceAll(retours.SheetNumber(4821, rank), "-", "") }
	form := func(rank int, sat, note string) url.Values {
		return url.Values{"sheet": {sheet(rank)}, "session": {e.Sessions[1].ID}, "q_satisfaction": {sat}, "q_nps": {"9"},
			"q_rencontres": {"1"}, "q_profil": {"3"}, "q_formats": {"13"}, "q_commentaire": {"Merci"}, "note": {note}}
	}

	rec := env.Do("GET", page, nil, orga...)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `id="sheet"`) || !strings.Contains(body, "1\u00a0Oui · 2\u00a0Non") {
		t.Fatalf("GET = %d\n%s", rec.Code, body)
	}
	script := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindStringSubmatch(body)
	if script == nil {
		t.Fatal("no script")
	}
	sum := sha256.Sum256([]byte(script[1]))
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("the script's hash is not in the policy %q", csp)
	}
	if rec := env.Do("GET", "/o/"+e.ID, nil, orga...); strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src") {
		t.Error("the organisers' page allows a script")
	}
	if rec := env.Do("GET", page, nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("GET without a token = %d", rec.Code)
	}

	rec = env.PostForm(page, form(1, "4", "Autant d'élus"), orga...)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "ok=4821-001-") {
		t.Fatalf("save = %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	var stored *retours.Answer
	env.Store.Answers(t.Context(), e.ID, func(a *retours.Answer) error { stored = a; return nil })
	if stored == nil || stored.Channel != retours.ChannelPaper || stored.Sheet != retours.SheetNumber(4821, 1) || stored.EnteredBy != e.Accesses[0].ID ||
		stored.Values["satisfaction"].Number != 4 || strings.Join(stored.Values["rencontres"].Choices, ",") != "oui" ||
		strings.Join(stored.Values["profil"].Choices, ",") != "association" || strings.Join(stored.Values["formats"].Choices, ",") != "atelier,visite" ||
		stored.SessionID != e.Sessions[1].ID {
		t.Fatalf("stored %+v", stored)
	}
	// A paper sheet's texts are moderated as any other, and the export has
	// its channel, sheet and who typed it in.
	bearer := []string{"Authorization", "Bearer " + token}
	texts := env.Do("GET", "/api/events/"+e.ID+"/texts", nil, bearer...).Body.String()
	ref := "a." + stored.SubmissionID + ".commentaire"
	if !strings.Contains(texts, ref) || !strings.Contains(texts, "Autant d'élus") {
		t.Errorf("texts do not list the sheet's: %s", texts)
	}
	if rec := env.Do("PUT", "/api/events/"+e.ID+"/texts/"+ref, strings.NewReader(`{"hidden": true}`), append(bearer, "Content-Type", "application/json")...); rec.Code != http.StatusOK {
		t.Errorf("hiding a sheet's text = %d %s", rec.Code, rec.Body)
	}
	export := env.Do("GET", "/api/events/"+e.ID+"/export", nil, bearer...).Body.String()
	for _, want := range []string{`"channel":"paper"`, `"sheet":"` + stored.Sheet + `"`, `"entered_by":"` + e.Accesses[0].ID + `"`, `"hidden":["commentaire"]`} {
		if !strings.Contains(export, want) {
			t.Errorf("export lacks %s", want)
		}
	}
	body = env.Do("GET", rec.Header().Get("Location"), nil, orga...).Body.String()
	if !strings.Contains(body, "Feuille 4821-001-") || !strings.Contains(body, "<b>1</b> feuilles saisies") || !strings.Contains(body, `<option value="`+e.Sessions[1].ID+`" selected>`) ||
		!strings.Contains(body, "Corriger la feuille 4821-001-") || !strings.Contains(body, `name="last" value="4821-001-`) {
		t.Errorf("page after saving:\n%s", body)
	}

	for _, tc := range []struct {
		name string
		form url.Values
		want int
		say  []string
	}{
		{"the same sheet again", form(1, "2", ""), http.StatusConflict, []string{"La feuille 4821-001-", "est déjà saisie", "Première saisie de cette feuille", "satisfaction 4", "Autant d&#39;élus"}},
		{"a rating out of range", form(2, "7", ""), http.StatusBadRequest, []string{"Choisissez une valeur de l&#39;échelle proposée."}},
		{"a choice that is none", func() url.Values { f := form(2, "4", ""); f.Set("q_rencontres", "5"); return f }(), http.StatusBadRequest, []string{"Choisissez une des options proposées."}},
		{"a mistyped sheet number", func() url.Values { f := form(2, "4", ""); f.Set("sheet", "48210020"); return f }(), http.StatusBadRequest, []string{"un chiffre est sans doute mal tapé"}},
		{"a sheet number too short", func() url.Values { f := form(2, "4", ""); f.Set("sheet", "4821"); return f }(), http.StatusBadRequest, []string{"Le numéro de feuille a 8 chiffres"}},
		{"a session not open yet", func() url.Values { f := form(2, "4", ""); f.Set("session", e.Sessions[3].ID); return f }(), http.StatusConflict, []string{"Les réponses ne sont pas encore ouvertes : elles le seront à partir du 13 octobre 2026 à 14:00."}},
		{"a cancelled session", func() url.Values { f := form(2, "4", ""); f.Set("session", e.Sessions[4].ID); return f }(), http.StatusConflict, []string{"Cette session a été annulée"}},
		{"a blank sheet", url.Values{"sheet": {sheet(2)}}, http.StatusBadRequest, []string{"La feuille est vide"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.PostForm(page, tc.form, orga...)
			body := rec.Body.String()
			if rec.Code != tc.want {
				t.Errorf("= %d, want %d\n%s", rec.Code, tc.want, body)
			}
			for _, s := range append(tc.say, `class="errors"`) {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			// The sheet comes back as typed.
			if v := tc.form.Get("q_satisfaction"); v != "" && !strings.Contains(body, `name="q_satisfaction" type="text" inputmode="numeric" class="digits" maxlength="2" value="`+v+`"`) {
				t.Errorf("the sheet does not come back as typed")
			}
			if n, notes := env.CountItems(e.ID); n != 1 || notes != 1 {
				t.Errorf("%d answers, %d notes stored; want the first sheet only", n, notes)
			}
		})
	}
	// A required question left blank on paper is no reason to lose the sheet.
	if rec := env.PostForm(page, url.Values{"sheet": {sheet(2)}, "q_nps": {"10"}}, orga...); rec.Code != http.StatusSeeOther {
		t.Errorf("a sheet without its satisfaction = %d %s", rec.Code, rec.Body)
	}

	t.Run("a data-entry link", func(t *testing.T) {
		id, entry := entryLink(t, env, e, token, "Bénévoles")
		rec := env.Do("GET", page+"/"+entry, nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="sheet"`) || strings.Contains(rec.Body.String(), "Liens de saisie") {
			t.Fatalf("GET link = %d", rec.Code)
		}
		var cookie *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == "retours_entry" {
				cookie = c
			}
		}
		if cookie == nil || cookie.Value != entry || cookie.Path != page || !cookie.HttpOnly || !cookie.Secure {
			t.Fatalf("cookie %+v", cookie)
		}
		link := []string{"Cookie", "retours_entry=" + entry}
		if rec := env.PostForm(page, form(3, "5", ""), link...); rec.Code != http.StatusSeeOther {
			t.Fatalf("save with the link = %d %s", rec.Code, rec.Body)
		}
		a, _, err := env.Store.(retours.SheetStore).Sheet(t.Context(), e.ID, retours.SheetSubmissionID(e.ID, retours.SheetNumber(4821, 3)))
		if err != nil || a.EnteredBy != id {
			t.Errorf("sheet entered with the link = %+v, %v", a, err)
		}
		// It may correct its own sheets, not the organisers'.
		if rec := env.Do("GET", page+"?corriger="+sheet(1), nil, link...); rec.Code != http.StatusForbidden {
			t.Errorf("correcting another's sheet = %d", rec.Code)
		}
		if rec := env.PostForm(page, url.Values{"action": {"delete"}, "sheet": {sheet(1)}}, link...); rec.Code != http.StatusForbidden {
			t.Errorf("removing another's sheet = %d", rec.Code)
		}
		if rec := env.PostForm(page+"/liens", url.Values{"name": {"Moi"}}, link...); rec.Code != http.StatusUnauthorized && rec.Code != http.StatusForbidden {
			t.Errorf("creating a link with a link = %d", rec.Code)
		}
		// Revoked, it opens nothing.
		rec = env.PostForm(page+"/liens", url.Values{"action": {"revoke"}, "access": {id}}, orga...)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("revoke = %d %s", rec.Code, rec.Body)
		}
		if rec := env.PostForm(page, form(4, "5", ""), link...); rec.Code != http.StatusForbidden {
			t.Errorf("save with a revoked link = %d", rec.Code)
		}
		if rec := env.Do("GET", page+"/"+entry, nil); rec.Code != http.StatusForbidden {
			t.Errorf("a revoked link = %d", rec.Code)
		}
	})

	t.Run("correct and remove", func(t *testing.T) {
		body := env.Do("GET", page+"?corriger="+sheet(1), nil, orga...).Body.String()
		if !strings.Contains(body, `name="replace" value="4821-001-`) || !strings.Contains(body, `name="q_formats" type="text" inputmode="numeric" class="digits" maxlength="9" value="1 3"`) || !strings.Contains(body, `value="Autant d&#39;élus"`) {
			t.Fatalf("correction form:\n%s", body)
		}
		f := form(1, "2", "")
		f.Set("replace", retours.SheetNumber(4821, 1))
		if rec := env.PostForm(page, f, orga...); rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "fixed=") {
			t.Fatalf("correction = %d %s", rec.Code, rec.Body)
		}
		sub := retours.SheetSubmissionID(e.ID, retours.SheetNumber(4821, 1))
		a, n, err := env.Store.(retours.SheetStore).Sheet(t.Context(), e.ID, sub)
		if err != nil || a.Values["satisfaction"].Number != 2 || n != nil || a.EnteredBy != e.Accesses[0].ID || strings.Join(a.Hidden, ",") != "commentaire" {
			t.Errorf("corrected sheet = %+v, %+v, %v", a, n, err)
		}
		if rec := env.PostForm(page, url.Values{"action": {"delete"}, "sheet": {sheet(1)}}, orga...); rec.Code != http.StatusSeeOther {
			t.Fatalf("remove = %d %s", rec.Code, rec.Body)
		}
		if _, _, err := env.Store.(retours.SheetStore).Sheet(t.Context(), e.ID, sub); retours.ErrorCode(err) != retours.ENOTFOUND {
			t.Errorf("removed sheet = %v", err)
		}
	})

	t.Run("after the closing date", func(t *testing.T) {
		env.Clock.Set(e.ClosesAt)
		rec := env.PostForm(page, form(9, "4", ""), orga...)
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "Les réponses sont closes : elles étaient ouvertes jusqu&#39;au 12 novembre 2026") {
			t.Errorf("= %d\n%s", rec.Code, rec.Body)
		}
	})
}

// BenchmarkEnterSheet measures the handler's own time for one sheet typed
// in and the blank sheet that follows, on the in-memory store: the server
// time of data entry, without the database's.
func BenchmarkEnterSheet(b *testing.B) {
	env := newEnv(b)
	ce := env.MustCreateEvent(necDay)
	orga := []string{"Cookie", "retours_organiser=" + ce.OrganiserToken}
	page := "/o/" + ce.ID + "/saisie"
	last := url.Values{}
	b.ResetTimer()
	for i := range b.N {
		form := url.Values{"sheet": {retours.SheetNumber(1000+i/500, 1+i%500)}, "q_satisfaction": {"4"}, "q_nps": {"8"},
			"q_rencontres": {"1"}, "q_suites": {"En parler à mon équipe"}, "q_profil": {"3"}, "n": last["n"], "last": last["last"]}
		rec := env.PostForm(page, form, orga...)
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("save = %d %s", rec.Code, rec.Body)
		}
		u, _ := url.Parse(rec.Header().Get("Location"))
		last = u.Query()
		if rec := env.Do("GET", u.String(), nil, orga...); rec.Code != http.StatusOK {
			b.Fatalf("next sheet = %d", rec.Code)
		}
	}
}
