package survey_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/webtest"
)

// sessionTitles returns the session titles of an event page, in order.
func sessionTitles(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<span class="t">([^<]+)</span>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestEventPagePutsTheSessionInProgressFirst(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	paris, _ := time.LoadLocation("Europe/Paris")
	at := func(hhmm string) time.Time {
		d, _ := time.ParseInLocation("2006-01-02 15:04", "2026-10-13 "+hhmm, paris)
		return d
	}
	inOrder := []string{"Plénière d&#39;ouverture", "Atelier inclusion", "Atelier données", "Atelier tiers-lieux", "Table ronde ruralité"}
	for _, tc := range []struct {
		name string
		now  time.Time
		want []string
		now_ int // sessions marked in progress
	}{
		{"before the event", at("08:00"), inOrder, 0},
		{"during the plénière", at("10:00"), inOrder, 1},
		{"parallel ateliers", at("11:30"), []string{"Atelier inclusion", "Atelier données", "Plénière d&#39;ouverture", "Atelier tiers-lieux", "Table ronde ruralité"}, 2},
		{"afternoon atelier", at("15:59"), []string{"Atelier tiers-lieux", "Plénière d&#39;ouverture", "Atelier inclusion", "Atelier données", "Table ronde ruralité"}, 1},
		{"table ronde", at("17:00"), []string{"Table ronde ruralité", "Plénière d&#39;ouverture", "Atelier inclusion", "Atelier données", "Atelier tiers-lieux"}, 1},
		{"after the event", at("18:00"), inOrder, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env.Clock.Set(tc.now)
			rec := env.Do("GET", "/e/"+ce.ID, nil)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d", rec.Code)
			}
			if got := sessionTitles(body); !slices.Equal(got, tc.want) {
				t.Errorf("sessions in order %q, want %q", got, tc.want)
			}
			if got := strings.Count(body, `<span class="tag">En cours</span>`); got != tc.now_ {
				t.Errorf("%d sessions marked in progress, want %d", got, tc.now_)
			}
		})
	}
	env.Clock.Set(at("11:30"))
	body := env.Do("GET", "/e/"+ce.ID, nil, "Accept-Language", "en").Body.String()
	for _, want := range []string{`<span class="tag">Now</span>`, `<span class="tag">Later</span>`, `href="/e/` + ce.ID + `/` + ce.Sessions[1].ID + `?lang=en"`, "14:00"} {
		if !strings.Contains(body, want) {
			t.Errorf("English event page lacks %q", want)
		}
	}
}

func TestKindPagesSayWhenAnswersAreAccepted(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	tableRonde := "/e/" + ce.ID + "/" + ce.Sessions[4].ID
	for _, tc := range []struct {
		name, lang string
		now        time.Time
		want       []string
	}{
		{"not yet open", "fr", webtest.T0.Add(time.Hour), []string{"Les réponses ne sont pas encore ouvertes", "13 octobre 2026 à 16:00", "Voir les autres sessions"}},
		{"not yet open, in English", "en", webtest.T0.Add(time.Hour), []string{"Answers are not open yet", "13 October 2026, 16:00", "other sessions"}},
		{"closed", "fr", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), []string{"Les réponses sont closes", "12 novembre 2026 à 16:30"}},
		{"closed, in English", "en", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), []string{"Answers are closed", "12 November 2026, 16:30"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env.Clock.Set(tc.now)
			rec := env.Do("GET", tableRonde, nil, "Accept-Language", tc.lang)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || strings.Contains(body, "<form") {
				t.Fatalf("status = %d, want 200 and no form:\n%s", rec.Code, body)
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

func TestPrivacyNotice(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	for _, tc := range []struct {
		name, target string
		want         []string
	}{
		{"French", "/confidentialite", []string{`lang="fr"`, "anonymes", "adresse IP", "user agent", "24 mois", "effacées automatiquement", "exporter", "organisateurs",
			"moins de 5 réponses", "ni par soustraction", "sur un écran dans la salle", "relue et choisie par un organisateur", "jamais une note masquée"}},
		{"English", "/confidentialite?lang=en", []string{`lang="en"`, "anonymous", "IP address", "user agent", "24 months", "erased automatically", "export", "organisers",
			"fewer than 5 answers", "by subtraction", "on a screen in the room", "read and chosen it", "never a hidden note"}},
		{"about an event", "/confidentialite?e=" + ce.ID, []string{"Numérique En Commun[s] Auvergne", "13 octobre 2028", `href="/e/` + ce.ID + `?lang=fr"`}},
		{"about an event, in English", "/confidentialite?lang=en&e=" + ce.ID, []string{"13 October 2028", "Back to the questionnaire"}},
		{"unknown event", "/confidentialite?e=zzzzzzzz", []string{"24 mois"}},
		{"odd event id", "/confidentialite?e=%2F..%2F", []string{"24 mois"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := env.Do("GET", tc.target, nil)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d", rec.Code)
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("notice lacks %q", want)
				}
			}
		})
	}
}

// participantPages returns every participant page of ce, by name, as GET
// targets or as a form post.
func participantPages(t *testing.T, env *testEnv, ce *retours.Event) map[string]func(header ...string) *httptest.ResponseRecorder {
	get := func(target string) func(...string) *httptest.ResponseRecorder {
		return func(h ...string) *httptest.ResponseRecorder { return env.Do("GET", target, nil, h...) }
	}
	return map[string]func(...string) *httptest.ResponseRecorder{
		"event":   get("/e/" + ce.ID),
		"form":    get("/e/" + ce.ID + "/" + ce.Sessions[1].ID),
		"general": get("/e/" + ce.ID + "?general=1"),
		"thanks":  get("/e/" + ce.ID + "/merci?s=" + ce.Sessions[1].ID),
		"closed":  get("/e/" + ce.ID + "/" + ce.Sessions[4].ID),
		"privacy": get("/confidentialite"),
		"404":     get("/e/" + ce.ID + "/nothing/here"),
		"form error": func(h ...string) *httptest.ResponseRecorder {
			return env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {webtest.UUID(t)}, "session": {ce.Sessions[1].ID}}, h...)
		},
		"note error": func(h ...string) *httptest.ResponseRecorder {
			return env.PostForm("/e/"+ce.ID+"/notes", url.Values{"submission_id": {webtest.UUID(t)}, "kind": {"etonnement"}}, h...)
		},
	}
}

func TestEveryPageIsStrictAndSelfContained(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	for name, fetch := range participantPages(t, env, ce) {
		t.Run(name, func(t *testing.T) {
			rec := fetch()
			body := rec.Body.String()
			csp := rec.Header().Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") || strings.Contains(csp, "script-src") {
				t.Errorf("Content-Security-Policy %q: want default-src 'none', no script and nothing unsafe", csp)
			}
			styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(body, -1)
			if len(styles) != 1 {
				t.Fatalf("%d <style> elements, want 1", len(styles))
			}
			sum := sha256.Sum256([]byte(styles[0][1]))
			if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, hash) {
				t.Errorf("the page's stylesheet hash %s is not in the policy %q", hash, csp)
			}
			for _, banned := range []string{"<script", " style=", "<img", "<iframe", "http://", "https://", "@import", "url("} {
				if strings.Contains(body, banned) {
					t.Errorf("page contains %q", banned)
				}
			}
			if !strings.Contains(body, `href="/confidentialite?lang=`) {
				t.Error("page does not link to the privacy notice")
			}
			if !regexp.MustCompile(`<html lang="(fr|en)">`).MatchString(body) {
				t.Error("no lang attribute on <html>")
			}
			for _, h := range []string{"X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
				if rec.Header().Get(h) == "" {
					t.Errorf("no %s header", h)
				}
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	form := "/e/" + ce.ID + "/" + ce.Sessions[1].ID
	for _, tc := range []struct {
		name, target, accept string
		wantLang, wantText   string
		wantSwitch           string
	}{
		{"French by default", form, "", "fr", "Envoyer mes réponses", form + "?lang=en"},
		{"English by Accept-Language", form, "en-GB,en;q=0.9,fr;q=0.5", "en", "Send my answers", form + "?lang=fr"},
		{"French preferred", form, "fr-FR,en;q=0.8", "fr", "Envoyer mes réponses", form + "?lang=en"},
		{"unsupported language", form, "de-DE", "fr", "Envoyer mes réponses", form + "?lang=en"},
		{"the switch wins over the header", form + "?lang=fr", "en", "fr", "Envoyer mes réponses", form + "?lang=en"},
		{"switch keeps the page's parameters", "/e/" + ce.ID + "?general=1&lang=en", "", "en", "Send my answers", "/e/" + ce.ID + "?general=1&amp;lang=fr"},
		{"thanks page keeps its session", "/e/" + ce.ID + "/merci?s=" + ce.Sessions[1].ID + "&note=1", "", "fr", "votre note est enregistrée", "/e/" + ce.ID + "/merci?lang=en&amp;note=1&amp;s=" + ce.Sessions[1].ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.accept != "" {
				h = []string{"Accept-Language", tc.accept}
			}
			rec := env.Do("GET", tc.target, nil, h...)
			body := rec.Body.String()
			if !strings.Contains(body, `<html lang="`+tc.wantLang+`">`) || rec.Header().Get("Content-Language") != tc.wantLang {
				t.Errorf("language is not %s: Content-Language %q", tc.wantLang, rec.Header().Get("Content-Language"))
			}
			if !strings.Contains(body, tc.wantText) {
				t.Errorf("page lacks %q", tc.wantText)
			}
			if !strings.Contains(body, `class="lang" href="`+tc.wantSwitch+`"`) {
				t.Errorf("no language switch to %q in\n%s", tc.wantSwitch, body)
			}
		})
	}

	t.Run("switch on a re-rendered form leads to the form", func(t *testing.T) {
		rec := env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {webtest.UUID(t)}, "session": {ce.Sessions[1].ID}, "lang": {"en"}})
		if want := `class="lang" href="` + form + `?lang=fr"`; rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("status %d, want 400 with %s", rec.Code, want)
		}
	})

	t.Run("an event in French only", func(t *testing.T) {
		fr := env.createEvent(func(in *retours.EventInput) { in.Languages = []string{"fr"} })
		rec := env.Do("GET", "/e/"+fr.ID+"/"+fr.Sessions[1].ID, nil, "Accept-Language", "en")
		body := rec.Body.String()
		if !strings.Contains(body, `<html lang="fr">`) || strings.Contains(body, `class="lang"`) {
			t.Errorf("want a French page without a language switch:\n%s", body)
		}
	})
}

func TestFormErrorSummaryLinksToFields(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	rec := env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {webtest.UUID(t)}, "session": {ce.Sessions[1].ID},
		"q_nps": {"11"}, "q_suites": {"Monter un atelier"}})
	body := rec.Body.String()
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status = %d", rec.Code)
	}
	links := regexp.MustCompile(`<a href="#([a-z0-9-]+)">`).FindAllStringSubmatch(body, -1)
	if len(links) != 2 {
		t.Fatalf("%d links in the error summary, want 2 (satisfaction and nps)", len(links))
	}
	for _, l := range links {
		// Each link leads to a control, which takes focus, and the control
		// is described by the message beside it.
		if !regexp.MustCompile(`<(input|textarea) id="` + l[1] + `"`).MatchString(body) {
			t.Errorf("summary link #%s leads to no control", l[1])
		}
		if !strings.Contains(body, `id="`+l[1]+`-error"`) || !strings.Contains(body, l[1]+`-error"`) {
			t.Errorf("no message beside %s", l[1])
		}
	}
	for _, want := range []string{"<title>Erreur – ", `aria-describedby="q-nps-help q-nps-error"`, ">Monter un atelier</textarea>", `role="alert"`} {
		if !strings.Contains(body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
}

// TestSameFormTwiceStoresOneAnswer covers a double tap, a browser
// resubmitting the form after a network error and a refresh of the
// thank-you page: one answer, one note, and the same page each time.
func TestSameFormTwiceStoresOneAnswer(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	rec := env.Do("GET", "/e/"+ce.ID+"/"+ce.Sessions[1].ID, nil)
	subID := regexp.MustCompile(`name="submission_id" value="([0-9a-f-]{36})"`)
	m := subID.FindStringSubmatch(rec.Body.String())
	if m == nil {
		t.Fatal("no submission id in the form")
	}
	form := url.Values{"submission_id": {m[1]}, "session": {ce.Sessions[1].ID}, "lang": {"fr"}, "q_satisfaction": {"5"}}
	// First a mistake, then the corrected form twice.
	bad := url.Values{"submission_id": {m[1]}, "session": {ce.Sessions[1].ID}, "q_nps": {"12"}}
	if rec := env.PostForm("/e/"+ce.ID+"/answers", bad); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `value="`+m[1]+`"`) {
		t.Fatalf("invalid form = %d, want 400 keeping the submission id", rec.Code)
	}
	// The post answers with the thank-you page itself, the same each time.
	var thanks []string
	for i := 0; i < 2; i++ {
		rec := env.PostForm("/e/"+ce.ID+"/answers", form)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Votre réponse est bien enregistrée") {
			t.Fatalf("post #%d = %d, want 200 and the thank-you page: %s", i+1, rec.Code, rec.Body)
		}
		thanks = append(thanks, rec.Body.String())
	}
	if thanks[0] != thanks[1] {
		t.Errorf("the post sent again got another page:\n%s\n%s", thanks[0], thanks[1])
	}
	// Its language switch leads to the same page in English.
	if want := `href="/e/` + ce.ID + `/merci?lang=en&amp;s=` + ce.Sessions[1].ID + `"`; !strings.Contains(thanks[0], want) {
		t.Errorf("the thank-you page lacks the language switch %s", want)
	}
	noteID := subID.FindStringSubmatch(thanks[0])
	if noteID == nil || noteID[1] == m[1] {
		t.Fatalf("the thank-you page's note form has submission id %v, want a new one", noteID)
	}

	// Its note, sent twice, is stored once; the page then offers another.
	note := url.Values{"submission_id": {noteID[1]}, "session": {ce.Sessions[1].ID}, "kind": {"point-fort"}, "text": {"Les échanges"}}
	var saved []string
	for i := 0; i < 2; i++ {
		rec := env.PostForm("/e/"+ce.ID+"/notes", note)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "votre note est enregistrée") {
			t.Fatalf("note #%d = %d, want 200 and the note saved: %s", i+1, rec.Code, rec.Body)
		}
		saved = append(saved, rec.Body.String())
	}
	if saved[0] != saved[1] {
		t.Errorf("the note sent again got another page")
	}
	if want := `href="/e/` + ce.ID + `/merci?lang=en&amp;note=1&amp;s=` + ce.Sessions[1].ID + `"`; !strings.Contains(saved[0], want) {
		t.Errorf("the note's page lacks the language switch %s", want)
	}
	if a, n := env.CountItems(ce.ID); a != 1 || n != 1 {
		t.Errorf("stored %d answers and %d notes, want 1 and 1", a, n)
	}
	next := subID.FindStringSubmatch(saved[0])
	if next == nil || next[1] == noteID[1] || next[1] == m[1] {
		t.Fatalf("after a note, the form has submission id %v, want a new one", next)
	}
	note.Set("submission_id", next[1])
	note.Set("text", "Le lieu")
	if rec := env.PostForm("/e/"+ce.ID+"/notes", note); rec.Code != http.StatusOK {
		t.Fatalf("second note = %d", rec.Code)
	}
	if _, n := env.CountItems(ce.ID); n != 2 {
		t.Errorf("stored %d notes after a second one, want 2", n)
	}
}

func TestAnswerWindow(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	tableRonde := ce.Sessions[4].ID // starts at 16:00 Paris, 14:00 UTC
	answer := func() string {
		return `{"submission_id":"` + webtest.UUID(t) + `","session":"` + tableRonde + `","answers":{"satisfaction":4}}`
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want int
	}{
		{"before the session starts", time.Date(2026, 10, 13, 13, 59, 0, 0, time.UTC), http.StatusConflict},
		{"at its start", time.Date(2026, 10, 13, 14, 0, 0, 0, time.UTC), http.StatusCreated},
		{"29 days after the event", time.Date(2026, 11, 11, 15, 0, 0, 0, time.UTC), http.StatusCreated},
		{"30 days after the event", time.Date(2026, 11, 12, 15, 30, 0, 0, time.UTC), http.StatusConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env.Clock.Set(tc.now)
			if rec := env.PostJSON("/e/"+ce.ID+"/answers", answer()); rec.Code != tc.want {
				t.Errorf("status = %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
		})
	}
	if a, _ := env.CountItems(ce.ID); a != 2 {
		t.Errorf("stored %d answers, want 2", a)
	}
	// The form page is a kind page saying when answers were accepted.
	env.Clock.Set(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	rec := env.Do("GET", "/e/"+ce.ID+"/"+tableRonde, nil)
	if !strings.Contains(rec.Body.String(), "12 novembre 2026") || strings.Contains(rec.Body.String(), "<form") {
		t.Errorf("closed page = %d %s", rec.Code, rec.Body)
	}
}

func TestFormErrorsKeepValues(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	sub := webtest.UUID(t)
	rec := env.PostForm("/e/"+ce.ID+"/answers", url.Values{"submission_id": {sub}, "session": {ce.Sessions[0].ID}, "lang": {"en"},
		"q_nps": {"12"}, "q_commentaire": {"Mon <b>avis</b>"}})
	body := rec.Body.String()
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400", rec.Code)
	}
	for _, want := range []string{
		`href="#q-satisfaction"`, "This answer is required.", "Choose a value on the scale offered.",
		`value="` + sub + `"`, "Mon &lt;b&gt;avis&lt;/b&gt;", `lang="en"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	if a, _ := env.CountItems(ce.ID); a != 0 {
		t.Errorf("stored %d answers after an invalid form", a)
	}
}

func TestBodyLimit(t *testing.T) {
	env := newEnv(t)
	ce := env.createEvent()
	big := `{"submission_id":"` + webtest.UUID(t) + `","answers":{"commentaire":"` + strings.Repeat("a", 70<<10) + `"}}`
	if rec := env.PostJSON("/e/"+ce.ID+"/answers", big); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413: %s", rec.Code, rec.Body)
	}
	if a, _ := env.CountItems(ce.ID); a != 0 {
		t.Errorf("stored %d answers", a)
	}
}
