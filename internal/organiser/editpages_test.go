package organiser_test

import (
	"bytes"
	"fmt"
	"html/template"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/i18n"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/webtest"
)

// pageEnv is an event, its organiser's token and a way to post its forms.
type pageEnv struct {
	*webtest.Env
	t     *testing.T
	ce    *webtest.Created
	auth  []string
	pages string // /o/{event}
}

func newPageEnv(t *testing.T) *pageEnv {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	return &pageEnv{Env: env, t: t, ce: ce, auth: []string{"Authorization", "Bearer " + ce.OrganiserToken}, pages: "/o/" + ce.ID}
}

func (p *pageEnv) get(path string) *httptest.ResponseRecorder {
	p.t.Helper()
	rec := p.Do("GET", p.pages+path+"?lang=fr", nil, p.auth...)
	if rec.Code != http.StatusOK {
		p.t.Fatalf("GET %s = %d %s", path, rec.Code, rec.Body)
	}
	return rec
}

func (p *pageEnv) post(path string, form url.Values) *httptest.ResponseRecorder {
	p.t.Helper()
	return p.PostForm(p.pages+path+"?lang=fr", form, p.auth...)
}

// event reads the event as stored.
func (p *pageEnv) event() *retours.Event {
	p.t.Helper()
	e, err := p.Store.Event(p.t.Context(), p.ce.ID)
	if err != nil {
		p.t.Fatal(err)
	}
	return e
}

// hidden returns the value of the first hidden field name of a page.
func hidden(body, name string) string {
	m := regexp.MustCompile(`<input type="hidden" name="` + name + `" value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// detailsForm is the details page's form as a browser sends it untouched.
func detailsForm(e *retours.Event) url.Values {
	f := url.Values{}
	in := retours.EditOf(e)
	f.Set("version", "1")
	f.Set("title", in.Title)
	f.Set("place", in.Place)
	f.Set("starts_at", in.StartsAt.In(i18n.Paris).Format("2006-01-02T15:04"))
	f.Set("ends_at", in.EndsAt.In(i18n.Paris).Format("2006-01-02T15:04"))
	f.Set("closes_at", in.ClosesAt.In(i18n.Paris).Format("2006-01-02T15:04"))
	f.Set("registered_count", "165")
	f["languages"] = []string{"fr", "en"}
	f.Set("series", in.Series)
	f.Set("edition", "3")
	f.Set("organiser_emails", "orga@example.org\nmediatheque@example.org")
	f.Set("anonymity_threshold", "5")
	f.Set("retention_months", "24")
	return f
}

// TestDetailsPage: the details form writes over the version it carries, as
// PUT /api/events/{event} does; a stale form writes nothing and shows the
// current state; faulty values come back with their problems.
func TestDetailsPage(t *testing.T) {
	p := newPageEnv(t)
	body := p.get("/modifier").Body.String()
	for _, want := range []string{`name="version" value="1"`, `value="Numérique En Commun[s] Auvergne"`, `type="datetime-local" name="starts_at" value="2026-10-13T09:00"`,
		`aria-current="page"`, "orga@example.org"} {
		if !strings.Contains(body, want) {
			t.Errorf("details page lacks %q", want)
		}
	}
	before := p.event()
	form := detailsForm(before)
	form.Set("title", "NEC Auvergne 2026")
	form.Set("starts_at", "2026-10-13T09:30")
	rec := p.post("/modifier", form)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/modifier?fait=saved") {
		t.Fatalf("save = %d %s %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	after := p.event()
	if after.Title != "NEC Auvergne 2026" || after.Version != 2 || !after.StartsAt.Equal(time.Date(2026, 10, 13, 7, 30, 0, 0, time.UTC)) ||
		len(after.OrganiserEmails) != 2 || len(after.Sessions) != 5 {
		t.Errorf("after the edit: %q v%d %s %v", after.Title, after.Version, after.StartsAt, after.OrganiserEmails)
	}
	if body := p.Do("GET", rec.Header().Get("Location"), nil, p.auth...).Body.String(); !strings.Contains(body, `role="status">Modifications enregistrées.`) {
		t.Errorf("the page after saving does not say so")
	}

	// The same form, made from version 1, is now stale.
	form.Set("place", "Vichy")
	rec = p.post("/modifier", form)
	if rec.Code != http.StatusPreconditionFailed || !strings.Contains(rec.Body.String(), "Quelqu&#39;un d&#39;autre a modifié l&#39;événement") ||
		!strings.Contains(rec.Body.String(), `name="version" value="2"`) || !strings.Contains(rec.Body.String(), `value="Clermont-Ferrand"`) {
		t.Errorf("stale form = %d %s", rec.Code, rec.Body)
	}
	if e := p.event(); e.Place != "Clermont-Ferrand" || e.Version != 2 {
		t.Errorf("the stale form wrote: %q v%d", e.Place, e.Version)
	}

	for _, c := range []struct {
		name, field, value, want string
	}{
		{"ends before it starts", "ends_at", "2026-10-12T17:00", "La fin doit venir après le début"},
		{"a date that is no date", "starts_at", "demain", "Cette valeur n&#39;est pas valide"},
		{"no title", "title", "  ", "Cette réponse est obligatoire"},
		{"no language", "languages", "", "Cette réponse est obligatoire"},
		{"a threshold of letters", "anonymity_threshold", "cinq", "Cette valeur n&#39;est pas valide"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := detailsForm(p.event())
			f.Set("version", "2")
			if c.field == "languages" {
				f.Del("languages")
			} else {
				f.Set(c.field, c.value)
			}
			rec := p.post("/modifier", f)
			body := rec.Body.String()
			if rec.Code != http.StatusBadRequest || !strings.Contains(body, c.want) || !strings.Contains(body, `href="#d-`+c.field+`"`) ||
				!strings.Contains(body, "<title>Erreur – ") {
				t.Errorf("= %d, want 400 with %q linked to #d-%s: %s", rec.Code, c.want, c.field, body)
			}
			if e := p.event(); e.Version != 2 {
				t.Errorf("a refused form wrote version %d", e.Version)
			}
		})
	}
	// In English, the same refusal in English.
	f := detailsForm(p.event())
	f.Set("version", "2")
	f.Set("ends_at", "2026-10-12T17:00")
	rec = p.PostForm(p.pages+"/modifier?lang=en", f, p.auth...)
	if body := rec.Body.String(); rec.Code != http.StatusBadRequest || !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Nothing was saved") ||
		!strings.Contains(body, "The end must come after the start") || !strings.Contains(body, `<label for="d-ends_at">End</label>`) {
		t.Errorf("in English = %d %s", rec.Code, body)
	}
	if rec := p.PostForm(p.pages+"/modifier", detailsForm(p.event())); rec.Code != http.StatusUnauthorized {
		t.Errorf("without the token = %d, want 401", rec.Code)
	}
}

// sessionForm is a session's form as the sessions page gives it.
func sessionForm(version, id, title, kind, start, end string) url.Values {
	return url.Values{"version": {version}, "session": {id}, "title": {title}, "kind": {kind}, "starts_at": {start}, "ends_at": {end},
		"room": {"Salle 2"}, "speakers": {"Léa Martin, Karim Benali"}, "opens_at": {""}, "closes_at": {""}, "action": {"save"}}
}

// TestSessionsPage: add a session, move one, refuse one that ends before
// it starts, cancel and restore one.
func TestSessionsPage(t *testing.T) {
	p := newPageEnv(t)
	body := p.get("/sessions").Body.String()
	if !strings.Contains(body, "Atelier inclusion") || !strings.Contains(body, "Annuler une session la retire de la liste des participants") {
		t.Errorf("sessions page: %s", body)
	}
	rec := p.post("/sessions", sessionForm("1", "", "Atelier fresque du numérique", "atelier", "2026-10-13T14:00", "2026-10-13T15:30"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("add = %d %s", rec.Code, rec.Body)
	}
	e := p.event()
	added := e.Sessions[5]
	if len(e.Sessions) != 6 || added.Title != "Atelier fresque du numérique" || added.Room != "Salle 2" || len(added.Speakers) != 2 ||
		!added.EndsAt.Equal(time.Date(2026, 10, 13, 13, 30, 0, 0, time.UTC)) {
		t.Fatalf("added session: %+v", added)
	}

	if body := p.get("/sessions").Body.String(); strings.Index(body, "Atelier fresque du numérique") > strings.Index(body, "Table ronde ruralité") {
		t.Errorf("the sessions page does not list the sessions in the order of the day")
	}

	// A table ronde starts 40 minutes late.
	tr := e.Sessions[4]
	rec = p.post("/sessions", sessionForm("2", tr.ID, tr.Title, "table-ronde", "2026-10-13T16:40", ""))
	if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "#s-"+tr.ID) {
		t.Fatalf("move = %d %s", rec.Code, rec.Body)
	}
	if got := p.event().Sessions[4].StartsAt; !got.Equal(time.Date(2026, 10, 13, 14, 40, 0, 0, time.UTC)) {
		t.Errorf("moved to %s", got)
	}

	rec = p.post("/sessions", sessionForm("3", tr.ID, tr.Title, "table-ronde", "2026-10-13T16:40", "2026-10-13T16:00"))
	body = rec.Body.String()
	if rec.Code != http.StatusBadRequest || !strings.Contains(body, `href="#s-`+tr.ID+`-ends_at"`) || !strings.Contains(body, "La fin doit venir après le début") ||
		!strings.Contains(body, `value="2026-10-13T16:00"`) {
		t.Errorf("ends before it starts = %d %s", rec.Code, body)
	}
	if p.event().Version != 3 {
		t.Errorf("the refused form wrote")
	}
	rec = p.post("/sessions", sessionForm("3", "", "", "atelier", "", ""))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `href="#s-new-title"`) {
		t.Errorf("an empty new session = %d", rec.Code)
	}

	f := sessionForm("3", tr.ID, tr.Title, "table-ronde", "2026-10-13T16:40", "")
	f.Set("action", "cancel")
	if rec := p.post("/sessions", f); rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "fait=cancelled") {
		t.Fatalf("cancel = %d %s", rec.Code, rec.Body)
	}
	if !p.event().Sessions[4].Cancelled {
		t.Errorf("not cancelled")
	}
	if body := p.get("/sessions").Body.String(); !strings.Contains(body, "Table ronde ruralité (annulée)") || !strings.Contains(body, `value="restore"`) {
		t.Errorf("the cancelled session is not shown as such")
	}
	f.Set("version", "4")
	f.Set("action", "restore")
	if rec := p.post("/sessions", f); rec.Code != http.StatusSeeOther || p.event().Sessions[4].Cancelled {
		t.Errorf("restore = %d", rec.Code)
	}
	// A form made before someone else's change writes nothing.
	f.Set("title", "Table ronde déplacée")
	if rec := p.post("/sessions", f); rec.Code != http.StatusPreconditionFailed || !strings.Contains(rec.Body.String(), "rien n&#39;a été enregistré") {
		t.Errorf("stale = %d", rec.Code)
	}
	if p.event().Sessions[4].Title != tr.Title {
		t.Errorf("the stale form wrote")
	}
}

// TestQuestionnairePage: questions from the library and of one's own,
// moved, relabelled; once answers came, the page says what is locked,
// offers retiring instead of deleting, and refuses what would change what
// answers were given against.
func TestQuestionnairePage(t *testing.T) {
	p := newPageEnv(t)
	body := p.get("/questionnaire").Body.String()
	if strings.Contains(body, "ce qui ne peut plus changer") || !strings.Contains(body, `value="delete"`) || !strings.Contains(body, "Comment avez-vous connu") {
		t.Errorf("questionnaire page before answers: %s", body)
	}
	post := func(form url.Values) *httptest.ResponseRecorder {
		t.Helper()
		form.Set("version", hidden(p.get("/questionnaire").Body.String(), "version"))
		return p.post("/questionnaire", form)
	}
	if rec := post(url.Values{"question": {"connu"}, "action": {"library"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("library = %d %s", rec.Code, rec.Body)
	}
	rec := post(url.Values{"question": {""}, "action": {"add"}, "kind": {"single"}, "label_fr": {"Venez-vous en train ?"}, "label_en": {"Do you come by train?"},
		"choices": {"Oui | Yes\nNon | No\nÇa dépend"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("add = %d %s", rec.Code, rec.Body)
	}
	qs := p.event().Questionnaire.Questions
	last := qs[len(qs)-1]
	if qs[len(qs)-2].ID != "connu" || last.ID != "venez-vous-en-train" || last.Kind != retours.QuestionSingle || last.Required ||
		len(last.Choices) != 3 || last.Choices[2].ID != "ca-depend" || last.Label["en"] != "Do you come by train?" {
		t.Fatalf("questions: %+v", last)
	}
	if rec := post(url.Values{"question": {last.ID}, "action": {"up"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("up = %d", rec.Code)
	}
	if qs := p.event().Questionnaire.Questions; qs[len(qs)-2].ID != last.ID {
		t.Errorf("not moved up")
	}
	rec = post(url.Values{"question": {""}, "action": {"add"}, "kind": {"single"}, "label_fr": {"Un seul choix"}, "choices": {"Oui"}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `href="#q-new-choices"`) || !strings.Contains(rec.Body.String(), `value="Un seul choix"`) {
		t.Errorf("a single choice with one choice = %d %s", rec.Code, rec.Body)
	}
	if rec := post(url.Values{"question": {"rencontres"}, "action": {"delete"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("delete = %d", rec.Code)
	}

	p.PutAnswers(p.ce.ID, "", 3, "Très bien")
	body = p.get("/questionnaire").Body.String()
	for _, want := range []string{"Des réponses sont arrivées : ce qui ne peut plus changer", "l&#39;identifiant, le type et l&#39;échelle", "retirée : elle n&#39;est plus posée", `value="retire"`} {
		if !strings.Contains(body, want) {
			t.Errorf("after answers, the page lacks %q", want)
		}
	}
	if strings.Contains(body, `value="delete"`) || strings.Contains(body, `value="reset"`) {
		t.Errorf("after answers, the page still offers to delete")
	}
	rec = post(url.Values{"question": {"suites"}, "action": {"save"}, "label_fr": {"Qu'allez-vous faire de ce que vous avez appris ici ?"}, "label_en": {""}, "required": {"1"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("correct a label = %d %s", rec.Code, rec.Body)
	}
	suites, _ := p.event().Questionnaire.Question("suites")
	if suites.Label["fr"] != "Qu'allez-vous faire de ce que vous avez appris ici ?" || suites.Label["en"] != "" || suites.Kind != retours.QuestionText || !suites.Required {
		t.Errorf("corrected: %+v", suites)
	}
	// A choice added after answers: the existing ones stay.
	rec = post(url.Values{"question": {"profil"}, "action": {"save"}, "label_fr": {"Vous êtes… (facultatif)"}, "label_en": {"You are… (optional)"},
		"new_choice": {"Conseiller numérique | Digital adviser"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("add a choice = %d %s", rec.Code, rec.Body)
	}
	profil, _ := p.event().Questionnaire.Question("profil")
	if n := len(profil.Choices); n != 8 || profil.Choices[7].ID != "conseiller-numerique" || profil.Choices[0].Label["fr"] != "Élu·e" {
		t.Errorf("choices after adding one: %+v", profil.Choices)
	}
	if rec := post(url.Values{"question": {"nps"}, "action": {"retire"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("retire = %d", rec.Code)
	}
	if nps, _ := p.event().Questionnaire.Question("nps"); !nps.Retired {
		t.Errorf("not retired")
	}
	v := p.event().Version
	for name, form := range map[string]url.Values{
		"delete":  {"question": {"suites"}, "action": {"delete"}},
		"reset":   {"question": {""}, "action": {"reset"}},
		"unknown": {"question": {"nothing"}, "action": {"save"}},
	} {
		if rec := post(form); rec.Code != http.StatusBadRequest {
			t.Errorf("%s after answers = %d, want 400", name, rec.Code)
		}
	}
	if p.event().Version != v {
		t.Errorf("a refused change wrote")
	}
}

// TestQuestionHelp: a question's help, in French and in English, written
// in its form as its labels are: prefilled (a default question's with the
// library's), saved on a question of one's own and on a default one,
// recorded as a label correction is, still allowed once answers came, and
// cleared. An English help without its French, or a help (or an English
// label) too long, comes back next to its field, in the page's language,
// and writes nothing; so does a stale form.
func TestQuestionHelp(t *testing.T) {
	p := newPageEnv(t)
	body := p.get("/questionnaire").Body.String()
	for _, want := range []string{
		`<label for="q-satisfaction-help_fr">Aide en français</label>`,
		`<p class="help" id="q-satisfaction-help_fr-help">Facultatif : une phrase montrée sous la question`,
		"<input id=\"q-satisfaction-help_fr\" type=\"text\" name=\"help_fr\" value=\"1\u00a0: pas du tout, 5\u00a0: tout à fait\" aria-describedby=\"q-satisfaction-help_fr-help\">",
		`<label for="q-satisfaction-help_en">Aide en anglais</label>`,
		`<input id="q-satisfaction-help_en" type="text" name="help_en" value="1: not at all, 5: completely" aria-describedby="q-satisfaction-help_en-help">`,
		`<input id="q-suites-help_fr" type="text" name="help_fr" value="" aria-describedby="q-suites-help_fr-help">`,
		`<input id="q-new-help_fr" type="text" name="help_fr" value="" aria-describedby="q-new-help_fr-help">`,
		`<input id="q-new-help_en" type="text" name="help_en" value="" aria-describedby="q-new-help_en-help">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("questionnaire page lacks %s", want)
		}
	}
	post := func(form url.Values) *httptest.ResponseRecorder {
		t.Helper()
		form.Set("version", hidden(p.get("/questionnaire").Body.String(), "version"))
		return p.post("/questionnaire", form)
	}
	// saveForm is a question's form as its page gives it, with the help
	// typed.
	saveForm := func(id, fr, en string) url.Values {
		q, _ := p.event().Questionnaire.Question(id)
		f := url.Values{"question": {id}, "action": {"save"}, "label_fr": {q.Label["fr"]}, "label_en": {q.Label["en"]}, "help_fr": {fr}, "help_en": {en}}
		if q.Required {
			f.Set("required", "1")
		}
		return f
	}
	help := func(id string) retours.Text {
		q, _ := p.event().Questionnaire.Question(id)
		return q.Help
	}

	rec := post(url.Values{"question": {""}, "action": {"add"}, "kind": {"text"}, "label_fr": {"Un exemple concret ?"}, "label_en": {"A concrete example?"},
		"help_fr": {" Facultatif : citez un exemple "}, "help_en": {"Optional: give an example"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("add with a help = %d %s", rec.Code, rec.Body)
	}
	if got := help("un-exemple-concret"); got["fr"] != "Facultatif : citez un exemple" || got["en"] != "Optional: give an example" || len(got) != 2 {
		t.Errorf("help of the question added: %v", got)
	}
	// A label corrected, then a help: the record of changes names both the
	// same way.
	f := saveForm("satisfaction", "1\u00a0: pas du tout, 5\u00a0: tout à fait", "1: not at all, 5: completely")
	f.Set("label_fr", "Dans l'ensemble, êtes-vous satisfait·e de la journée ?")
	if rec := post(f); rec.Code != http.StatusSeeOther {
		t.Fatalf("correct a label = %d %s", rec.Code, rec.Body)
	}
	rec = post(saveForm("satisfaction", "Sur une échelle de 1 à 5 : 5, c'est très bien", "On a scale of 1 to 5: 5 is very good"))
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "fait=saved") || !strings.HasSuffix(rec.Header().Get("Location"), "#question-satisfaction") {
		t.Fatalf("write a default question's help = %d %s %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	e := p.event()
	sat, _ := e.Questionnaire.Question("satisfaction")
	if sat.Help["fr"] != "Sur une échelle de 1 à 5 : 5, c'est très bien" || sat.Help["en"] != "On a scale of 1 to 5: 5 is very good" ||
		sat.Label["fr"] != "Dans l'ensemble, êtes-vous satisfait·e de la journée ?" || !sat.Required || sat.Max != 5 {
		t.Errorf("the default question after its help was written: %+v", sat)
	}
	var edits struct {
		Edits []struct {
			Action  string
			Version int
		}
	}
	webtest.MustJSON(t, p.Do("GET", "/api/events/"+p.ce.ID+"/edits", nil, p.auth...).Body.Bytes(), &edits)
	if len(edits.Edits) < 2 || edits.Edits[0].Action != edits.Edits[1].Action || edits.Edits[0].Action != retours.ActionUpdated || edits.Edits[0].Version != e.Version {
		t.Errorf("record of changes after a label and a help: %+v", edits.Edits)
	}
	if body := p.get("/questionnaire").Body.String(); !strings.Contains(body, `name="help_fr" value="Sur une échelle de 1 à 5 : 5, c&#39;est très bien"`) {
		t.Errorf("the page does not show the help written")
	}
	// A form made before the page had help fields keeps the help.
	if rec := post(url.Values{"question": {"satisfaction"}, "action": {"save"}, "label_fr": {sat.Label["fr"]}, "label_en": {sat.Label["en"]}, "required": {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("save without help fields = %d %s", rec.Code, rec.Body)
	}
	if got := help("satisfaction"); got["fr"] != sat.Help["fr"] || got["en"] != sat.Help["en"] {
		t.Errorf("a form without help fields changed the help: %v", got)
	}

	long := strings.Repeat("é", retours.MaxLabel+1)
	for _, c := range []struct {
		name, lang string
		form       url.Values
		field      string // the field the problem is shown next to
		want       string
	}{
		{"English without French", "fr", saveForm("satisfaction", "", "Optional: any example"), "q-satisfaction-help_fr", retours.FieldMessage("fr", retours.FieldFrench)},
		{"English without French, in English", "en", saveForm("satisfaction", " ", "Optional: any example"), "q-satisfaction-help_fr", retours.FieldMessage("en", retours.FieldFrench)},
		{"French too long", "fr", saveForm("satisfaction", long, "Short"), "q-satisfaction-help_fr", retours.FieldMessage("fr", retours.FieldTooLong)},
		{"English too long", "fr", saveForm("un-exemple-concret", "Court", long), "q-un-exemple-concret-help_en", retours.FieldMessage("fr", retours.FieldTooLong)},
		{"English too long, in English", "en", saveForm("un-exemple-concret", "Court", long), "q-un-exemple-concret-help_en", retours.FieldMessage("en", retours.FieldTooLong)},
		{"a new question's too long", "fr", url.Values{"question": {""}, "action": {"add"}, "kind": {"text"}, "label_fr": {"Encore une ?"}, "help_fr": {long}},
			"q-new-help_fr", retours.FieldMessage("fr", retours.FieldTooLong)},
		{"a new question's in English only", "fr", url.Values{"question": {""}, "action": {"add"}, "kind": {"text"}, "label_fr": {"Encore une ?"}, "help_en": {"Only English"}},
			"q-new-help_fr", retours.FieldMessage("fr", retours.FieldFrench)},
		{"an English label too long, as the help's", "fr", func() url.Values {
			f := saveForm("satisfaction", "Aide", "Help")
			f.Set("label_en", long)
			return f
		}(), "q-satisfaction-label_en", retours.FieldMessage("fr", retours.FieldTooLong)},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := p.event()
			c.form.Set("version", strconv.Itoa(before.Version))
			rec := p.PostForm(p.pages+"/questionnaire?lang="+c.lang, c.form, p.auth...)
			body := rec.Body.String()
			name := c.field[strings.LastIndex(c.field, "-")+1:]
			described := c.field + "-error"
			if strings.HasPrefix(name, "help") {
				described = c.field + "-help " + described
			}
			if rec.Code != http.StatusBadRequest || !strings.Contains(body, `<html lang="`+c.lang+`">`) || !strings.Contains(body, `href="#`+c.field+`"`) ||
				!strings.Contains(body, `<p class="error" id="`+c.field+`-error">`+template.HTMLEscapeString(c.want)+`</p>`) ||
				!strings.Contains(body, `id="`+c.field+`" type="text" name="`+name+`" value="`+template.HTMLEscapeString(strings.TrimSpace(c.form.Get(name)))) ||
				!strings.Contains(body, `aria-invalid="true" aria-describedby="`+described+`"`) {
				t.Errorf("= %d, want 400 with %q next to #%s, as typed: %s", rec.Code, c.want, c.field, body)
			}
			if after := p.event(); after.Version != before.Version || len(after.Questionnaire.Questions) != len(before.Questionnaire.Questions) {
				t.Errorf("a refused help wrote version %d", after.Version)
			}
		})
	}

	// Once answers came, the help may still change, and be cleared.
	p.PutAnswers(p.ce.ID, "", 2, "Un exemple : la fresque")
	if rec := post(saveForm("un-exemple-concret", "", "")); rec.Code != http.StatusSeeOther {
		t.Fatalf("clear a help after answers = %d %s", rec.Code, rec.Body)
	}
	if got := help("un-exemple-concret"); got != nil {
		t.Errorf("the help cleared is %v", got)
	}
	if rec := post(saveForm("satisfaction", "De 1 (pas du tout) à 5 (tout à fait)", "")); rec.Code != http.StatusSeeOther {
		t.Fatalf("change a help after answers = %d %s", rec.Code, rec.Body)
	}
	if got := help("satisfaction"); got["fr"] != "De 1 (pas du tout) à 5 (tout à fait)" || len(got) != 1 {
		t.Errorf("the help changed after answers is %v", got)
	}
	// The same form again, made from the version before: nothing written.
	f = saveForm("satisfaction", "Autre chose", "Something else")
	f.Set("version", strconv.Itoa(p.event().Version-1))
	rec = p.post("/questionnaire", f)
	if rec.Code != http.StatusPreconditionFailed || !strings.Contains(rec.Body.String(), `value="De 1 (pas du tout) à 5 (tout à fait)"`) {
		t.Errorf("stale = %d %s", rec.Code, rec.Body)
	}
	if got := help("satisfaction"); got["fr"] != "De 1 (pas du tout) à 5 (tout à fait)" {
		t.Errorf("the stale form wrote %v", got)
	}
}

// multipartBody builds a form as a browser sends a file.
func multipartBody(t *testing.T, fields map[string]string, filename string, file []byte) (string, *bytes.Buffer) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	w.Close()
	return w.FormDataContentType(), &buf
}

const programmeCSV = "titre;date;début;fin;type;salle;intervenants\n" +
	"Atelier inclusion;13/10/2026;11:00;12:30;atelier;Salle 1;Léa Martin\n" +
	"Atelier fresque;13/10/2026;14h30;16h00;atelier;Salle 3;\n"

// TestProgrammePage: a file shows a preview and writes nothing; its
// faulty lines are named one by one; the preview's button imports it over
// the version previewed; a file of 5 MB is refused with a sentence.
func TestProgrammePage(t *testing.T) {
	p := newPageEnv(t)
	body := p.get("/programme").Body.String()
	if !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, "/api/programme/template.csv?lang=fr") {
		t.Errorf("programme page: %s", body)
	}
	send := func(fields map[string]string, name string, file []byte) *httptest.ResponseRecorder {
		ct, b := multipartBody(t, fields, name, file)
		return p.Do("POST", p.pages+"/programme?lang=fr", b, append([]string{"Content-Type", ct}, p.auth...)...)
	}
	broken := programmeCSV + "Table ronde;32/10/2026;16:00;;table-ronde;;\nPlénière;13/10/2026;18:00;17:00;pleniere;;\n"
	rec := send(nil, "programme.csv", []byte(broken))
	body = rec.Body.String()
	if rec.Code != http.StatusBadRequest || !strings.Contains(body, "Ligne 4\u00a0: ") || !strings.Contains(body, "Ligne 5\u00a0: ") || strings.Contains(body, `value="apply"`) {
		t.Errorf("broken CSV = %d %s", rec.Code, body)
	}
	rec = send(nil, "agenda.ics", []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Atelier\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Ligne 3\u00a0: ") {
		t.Errorf("ICS without DTSTART = %d %s", rec.Code, rec.Body)
	}
	big := bytes.Repeat([]byte("Atelier;13/10/2026;11:00;12:30;atelier;Salle 1;Léa Martin\n"), 5<<20/58)
	rec = send(nil, "programme.csv", big)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "Le fichier dépasse 1 Mo") || !strings.Contains(rec.Body.String(), `type="file"`) {
		t.Errorf("5 MB = %d %s", rec.Code, rec.Body)
	}
	var many strings.Builder
	many.WriteString("titre;date;début\n")
	for i := range 60 {
		fmt.Fprintf(&many, "Atelier %d;13/10/2026;14:%02d\n", i, i)
	}
	rec = send(nil, "programme.csv", []byte(many.String()))
	if body := rec.Body.String(); rec.Code != http.StatusBadRequest || !strings.Contains(body, "aurait alors 65 sessions ; il en a 60 au plus") || strings.Contains(body, `value="apply"`) {
		t.Errorf("too many sessions = %d %s", rec.Code, body)
	}
	if p.event().Version != 1 {
		t.Fatalf("a preview or a refused file wrote")
	}

	rec = send(nil, "programme.csv", []byte(programmeCSV))
	body = rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "1 sessions seraient créées et 1 modifiées") || !strings.Contains(body, "<td>Créée</td>") ||
		!strings.Contains(body, "<td>Modifiée (fin, salle, intervenants)</td>") {
		t.Fatalf("preview = %d %s", rec.Code, body)
	}
	if p.event().Version != 1 {
		t.Fatalf("the preview wrote")
	}
	content := hidden(body, "content")
	if content == "" {
		t.Fatalf("the preview carries no sessions to import")
	}
	content = strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#43;", "+").Replace(content)
	rec = send(map[string]string{"version": "1", "content": content, "action": "apply"}, "", nil)
	if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "/sessions?fait=imported") {
		t.Fatalf("apply = %d %s", rec.Code, rec.Body)
	}
	e := p.event()
	if len(e.Sessions) != 6 || e.Sessions[1].Room != "Salle 1" || e.Sessions[5].Title != "Atelier fresque" ||
		!e.Sessions[5].StartsAt.Equal(time.Date(2026, 10, 13, 12, 30, 0, 0, time.UTC)) {
		t.Errorf("imported: %+v", e.Sessions)
	}
	// The same preview applied again is stale: nothing is imported twice.
	rec = send(map[string]string{"version": "1", "content": content, "action": "apply"}, "", nil)
	if rec.Code != http.StatusPreconditionFailed || !strings.Contains(rec.Body.String(), "rien n&#39;a été importé") || !strings.Contains(rec.Body.String(), "<td>Inchangée</td>") {
		t.Errorf("stale apply = %d %s", rec.Code, rec.Body)
	}
	if len(p.event().Sessions) != 6 {
		t.Errorf("imported twice")
	}
}

// TestEditionPage: the next edition in one step, its sessions shown
// shifted and editable; the form sent twice makes one edition, and shows
// the same token both times.
func TestEditionPage(t *testing.T) {
	p := newPageEnv(t)
	body := p.get("/edition").Body.String()
	key := hidden(body, "key")
	if key == "" || !strings.Contains(body, `value="2027-10-13T09:00"`) || !strings.Contains(body, "édition 4 de la série « nec-auvergne »") {
		t.Fatalf("edition page: %s", body)
	}
	form := url.Values{"key": {key}, "starts_at": {"2027-10-12T09:00"}, "title": {"NEC Auvergne 2027"}, "place": {"Vichy"}, "access_name": {"Médiathèque"}, "action": {"preview"}}
	rec := p.post("/edition", form)
	body = rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `name="starts_at_4" value="2027-10-12T16:00"`) || !strings.Contains(body, `name="sessions" value="5"`) {
		t.Fatalf("preview = %d %s", rec.Code, body)
	}
	form.Set("sessions", "5")
	for i, s := range []string{"09:30", "11:00", "11:00", "14:00", "16:00"} {
		n := string(rune('0' + i))
		form.Set("from_"+n, p.ce.Sessions[i].ID)
		form.Set("keep_"+n, "1")
		form.Set("title_"+n, p.ce.Sessions[i].Title)
		form.Set("kind_"+n, p.ce.Sessions[i].Kind)
		form.Set("starts_at_"+n, "2027-10-12T"+s)
		form.Set("ends_at_"+n, "")
	}
	form.Del("keep_2")                             // Atelier données is not taken again
	form.Set("title_3", "Atelier tiers-lieux (2)") // and one is renamed
	form.Set("action", "create")
	first := p.post("/edition", form)
	if first.Code != http.StatusCreated {
		t.Fatalf("create = %d %s", first.Code, first.Body)
	}
	token := regexp.MustCompile(`<code>(rto_[a-z0-9]+)</code>`).FindStringSubmatch(first.Body.String())
	if token == nil {
		t.Fatalf("no token shown: %s", first.Body)
	}
	again := p.post("/edition", form)
	if again.Code != http.StatusCreated || !strings.Contains(again.Body.String(), token[1]) {
		t.Errorf("sent twice = %d, not the same token", again.Code)
	}
	var list struct{ Events []struct{ ID, Title string } }
	webtest.MustJSON(t, p.Do("GET", "/api/events", nil, "Authorization", "Bearer "+webtest.AdminToken).Body.Bytes(), &list)
	if len(list.Events) != 2 {
		t.Fatalf("events after two sends: %+v", list.Events)
	}
	next := list.Events[0]
	if next.ID == p.ce.ID {
		next = list.Events[1]
	}
	e, err := p.Store.Event(t.Context(), next.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Edition != 4 || e.Series != "nec-auvergne" || e.Place != "Vichy" || len(e.Sessions) != 4 || e.Sessions[2].Title != "Atelier tiers-lieux (2)" ||
		!e.Sessions[3].StartsAt.Equal(time.Date(2027, 10, 12, 14, 0, 0, 0, time.UTC)) || e.PreviousEvent != p.ce.ID {
		t.Errorf("new edition: %+v", e)
	}
	if _, ok := e.AccessFor(token[1]); !ok {
		t.Errorf("the token shown does not open the new edition")
	}
	if c := first.Result().Cookies(); len(c) == 0 || c[0].Value != token[1] {
		t.Errorf("the browser is not logged in to the new edition: %v", c)
	}
	form.Set("key", "short")
	if rec := p.post("/edition", form); rec.Code != http.StatusBadRequest {
		t.Errorf("a damaged key = %d", rec.Code)
	}
}

// TestPagesOfAnEventWithoutSessions: an event created with no programme
// yet, as the administrator creates it for its organisers to import one,
// shows its organisers' page and its editing pages.
func TestPagesOfAnEventWithoutSessions(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(`{"title": "Rencontre", "starts_at": "2026-10-13T09:00:00+02:00", "ends_at": "2026-10-13T17:30:00+02:00"}`)
	for _, path := range []string{"", "/modifier", "/sessions", "/questionnaire", "/programme", "/edition"} {
		if rec := env.Do("GET", "/o/"+ce.ID+path, nil, "Authorization", "Bearer "+ce.OrganiserToken); rec.Code != http.StatusOK {
			t.Errorf("GET /o/{event}%s = %d %s", path, rec.Code, rec.Body)
		}
	}
}
