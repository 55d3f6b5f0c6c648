package stack_test

import (
	"bytes"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/aggregate"
	"github.com/retours/retours/internal/dynamotest"
	"github.com/retours/retours/internal/stack"
	"github.com/retours/retours/internal/webtest"
)

// surveyTTL is how long the survey function keeps an event it read, in
// these tests: as in production, edits reach participants after it.
const surveyTTL = 30 * time.Second

// TestEditsReachParticipantsAndBilan, on DynamoDB Local: an edit made on
// the organisers' pages reaches the participants' pages once the survey
// function's copy of the event expires, and makes the stored bilan stale
// until the next scheduled run computes it again.
func TestEditsReachParticipantsAndBilan(t *testing.T) {
	env := newEnvWith(t, dynamotest.NewStore(t), func(c *stack.Config) { c.SurveyEventTTL = surveyTTL })
	ce := env.MustCreateEvent(necDay)
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	atelier, tableRonde := ce.Sessions[1], ce.Sessions[4]
	env.putAnswers(ce.ID, atelier.ID, 6, "Très concret")
	if body := env.Do("GET", "/e/"+ce.ID, nil).Body.String(); !strings.Contains(body, "Table ronde ruralité") {
		t.Fatalf("event page before the edit: %s", body)
	}
	env.drain()
	r := &aggregate.Runner{Store: env.Store, Now: env.Clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if res, err := r.Run(t.Context()); err != nil || res.Snapshots != 2 {
		t.Fatalf("aggregate run = %+v, %v", res, err)
	}
	bilan := func() (string, string) {
		rec := env.Do("GET", "/api/events/"+ce.ID+"/bilan?format=md", nil, auth...)
		return rec.Header().Get("X-Retours-Bilan"), rec.Body.String()
	}
	if from, _ := bilan(); from != "snapshot" {
		t.Fatalf("bilan before the edit from %q, want the snapshot", from)
	}

	// The atelier is renamed; the table ronde is cancelled.
	post := func(form url.Values) {
		t.Helper()
		rec := env.PostForm("/o/"+ce.ID+"/sessions?lang=fr", form, auth...)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("POST sessions = %d %s", rec.Code, rec.Body)
		}
	}
	post(url.Values{"version": {"1"}, "session": {atelier.ID}, "action": {"save"}, "title": {"Atelier inclusion numérique"}, "kind": {"atelier"},
		"starts_at": {"2026-10-13T11:00"}})
	post(url.Values{"version": {"2"}, "session": {tableRonde.ID}, "action": {"cancel"}, "title": {tableRonde.Title}, "kind": {"table-ronde"},
		"starts_at": {"2026-10-13T16:00"}})

	// Within the cache period the survey function may show the old
	// programme; after it, the new one.
	env.Clock.Set(env.Clock.Now().Add(surveyTTL + time.Second))
	body := env.Do("GET", "/e/"+ce.ID, nil).Body.String()
	if !strings.Contains(body, "Atelier inclusion numérique") || strings.Contains(body, "Table ronde ruralité") {
		t.Errorf("event page after the cache period still shows the old programme: %s", body)
	}
	rec := env.Do("GET", "/e/"+ce.ID+"/"+tableRonde.ID, nil)
	if !strings.Contains(rec.Body.String(), "Session annulée") {
		t.Errorf("the cancelled session's QR page = %d %s", rec.Code, rec.Body)
	}
	answer := `{"submission_id":"` + webtest.UUID(t) + `","session":"` + tableRonde.ID + `","answers":{"satisfaction":4}}`
	if rec := env.PostJSON("/e/"+ce.ID+"/answers", answer); rec.Code != http.StatusConflict {
		t.Errorf("an answer to the cancelled session = %d, want 409", rec.Code)
	}

	// The snapshot, made before the edit, is no longer served; the next run
	// computes it again, and it names the session as it is now.
	from, md := bilan()
	if from != "computed" || !strings.Contains(md, "Atelier inclusion numérique") {
		t.Errorf("bilan after the edit from %q: %s", from, md)
	}
	if res, err := r.Run(t.Context()); err != nil || res.Snapshots != 2 {
		t.Fatalf("aggregate run after the edit = %+v, %v", res, err)
	}
	from, md = bilan()
	if from != "snapshot" || !strings.Contains(md, "Atelier inclusion numérique") || !strings.Contains(md, "Très concret") {
		t.Errorf("bilan after the next run from %q: %s", from, md)
	}
}

// TestEditingPagesOnDynamoDB: the details page's stale form, a programme
// imported after its preview, and a new edition sent twice, on DynamoDB
// Local, where the version and the new edition's id are conditions of the
// writes.
func TestEditingPagesOnDynamoDB(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	pages := "/o/" + ce.ID

	details := url.Values{"version": {"1"}, "title": {"NEC Auvergne"}, "place": {"Clermont-Ferrand"}, "starts_at": {"2026-10-13T09:00"},
		"ends_at": {"2026-10-13T17:30"}, "languages": {"fr", "en"}, "series": {"nec-auvergne"}, "edition": {"3"}, "registered_count": {"165"}}
	if rec := env.PostForm(pages+"/modifier", details, auth...); rec.Code != http.StatusSeeOther {
		t.Fatalf("details = %d %s", rec.Code, rec.Body)
	}
	details.Set("title", "NEC Vichy")
	if rec := env.PostForm(pages+"/modifier", details, auth...); rec.Code != http.StatusPreconditionFailed || !strings.Contains(rec.Body.String(), `value="NEC Auvergne"`) {
		t.Errorf("stale details = %d", rec.Code)
	}

	csv := "titre;date;début;fin;type;salle;intervenants\nAtelier fresque;13/10/2026;14:30;16:00;atelier;Salle 3;Léa Martin\n"
	send := func(fields map[string]string, file string) *http.Response {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			w.WriteField(k, v)
		}
		if file != "" {
			fw, _ := w.CreateFormFile("file", "programme.csv")
			fw.Write([]byte(file))
		}
		w.Close()
		return env.Do("POST", pages+"/programme?lang=fr", &buf, append([]string{"Content-Type", w.FormDataContentType()}, auth...)...).Result()
	}
	resp := send(nil, csv)
	preview, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`name="content" value="([^"]*)"`).FindSubmatch(preview)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("preview = %d %s", resp.StatusCode, preview)
	}
	content := strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&amp;", "&", "&#43;", "+").Replace(string(m[1]))
	if resp := send(map[string]string{"version": "2", "content": content}, ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("import = %d", resp.StatusCode)
	}
	e, err := env.Store.Event(t.Context(), ce.ID)
	if err != nil || len(e.Sessions) != 6 || e.Version != 3 || e.Sessions[5].Room != "Salle 3" {
		t.Fatalf("after the import: %+v %v", e, err)
	}

	rec := env.Do("GET", pages+"/edition", nil, auth...)
	key := regexp.MustCompile(`name="key" value="([a-z2-9]+)"`).FindStringSubmatch(rec.Body.String())
	if key == nil {
		t.Fatalf("edition page: %s", rec.Body)
	}
	form := url.Values{"key": {key[1]}, "starts_at": {"2027-10-12T09:00"}, "title": {"NEC Auvergne 2027"}, "action": {"create"}}
	tokens := map[string]bool{}
	for range 2 {
		rec := env.PostForm(pages+"/edition", form, auth...)
		tok := regexp.MustCompile(`<code>(rto_[a-z0-9]+)</code>`).FindStringSubmatch(rec.Body.String())
		if rec.Code != http.StatusCreated || tok == nil {
			t.Fatalf("create = %d %s", rec.Code, rec.Body)
		}
		tokens[tok[1]] = true
	}
	var list struct{ Events []struct{ ID, Title string } }
	webtest.MustJSON(t, env.Do("GET", "/api/events", nil, "Authorization", "Bearer "+adminToken).Body.Bytes(), &list)
	if len(list.Events) != 2 || len(tokens) != 1 {
		t.Fatalf("after sending the form twice: %d events, %d tokens", len(list.Events), len(tokens))
	}
	// Through the API, an Idempotency-Key does the same for a client that
	// sends its request again.
	api := map[string]bool{}
	for range 2 {
		rec := env.PostJSON("/api/events/"+ce.ID+"/editions", `{"starts_at": "2028-10-10T09:00:00+02:00"}`,
			append([]string{"Idempotency-Key", "abcdefghijkmnpqrstuvwxyz23456789"}, auth...)...)
		var got struct{ ID, OrganiserToken string }
		webtest.MustJSON(t, []byte(strings.ReplaceAll(rec.Body.String(), "organiser_token", "organisertoken")), &got)
		if rec.Code != http.StatusCreated || got.OrganiserToken == "" {
			t.Fatalf("POST editions = %d %s", rec.Code, rec.Body)
		}
		api[got.ID+" "+got.OrganiserToken] = true
	}
	if len(api) != 1 {
		t.Errorf("the API request sent twice made %d editions", len(api))
	}
	if rec := env.PostJSON("/api/events/"+ce.ID+"/editions", `{"starts_at": "2028-10-10T09:00:00+02:00"}`, append([]string{"Idempotency-Key", "x"}, auth...)...); rec.Code != http.StatusBadRequest {
		t.Errorf("a malformed Idempotency-Key = %d", rec.Code)
	}
	for tok := range tokens {
		var got struct {
			Edition  int
			Sessions []struct{ Title string }
		}
		id := list.Events[0].ID
		if id == ce.ID {
			id = list.Events[1].ID
		}
		rec := env.Do("GET", "/api/events/"+id, nil, "Authorization", "Bearer "+tok)
		webtest.MustJSON(t, rec.Body.Bytes(), &got)
		if rec.Code != http.StatusOK || got.Edition != 4 || len(got.Sessions) != 6 {
			t.Errorf("the new edition = %d %s", rec.Code, rec.Body)
		}
	}
}

// TestQuestionHelpOnTheSurveyPage, on DynamoDB Local: the help written on
// the questionnaire page, after answers came, for a question of one's own
// and for a default question, shows under its question on the
// participants' page in French and in English, the question's field
// described by it; cleared, it is gone; a stale form writes nothing.
func TestQuestionHelpOnTheSurveyPage(t *testing.T) {
	env := newEnv(t)
	ce := env.MustCreateEvent(necDay)
	auth := []string{"Authorization", "Bearer " + ce.OrganiserToken}
	atelier := ce.Sessions[1]
	env.putAnswers(ce.ID, atelier.ID, 3, "Très concret")
	questionnaire := "/o/" + ce.ID + "/questionnaire?lang=fr"
	version := func() string {
		t.Helper()
		rec := env.Do("GET", questionnaire, nil, auth...)
		m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(rec.Body.String())
		if rec.Code != http.StatusOK || m == nil {
			t.Fatalf("questionnaire page = %d %s", rec.Code, rec.Body)
		}
		return m[1]
	}
	post := func(form url.Values, want int) {
		t.Helper()
		if rec := env.PostForm(questionnaire, form, auth...); rec.Code != want {
			t.Fatalf("POST questionnaire %s = %d, want %d: %s", form.Get("action"), rec.Code, want, rec.Body)
		}
	}
	post(url.Values{"version": {version()}, "question": {""}, "action": {"add"}, "kind": {"text"}, "label_fr": {"Un exemple concret ?"},
		"label_en": {"A concrete example?"}, "help_fr": {"Facultatif : citez un exemple"}, "help_en": {"Optional: give an example"}}, http.StatusSeeOther)
	satisfaction := url.Values{"question": {"satisfaction"}, "action": {"save"}, "label_fr": {"Dans l'ensemble, êtes-vous satisfait·e ?"},
		"label_en": {"Overall, how satisfied are you?"}, "required": {"1"},
		"help_fr": {"Sur une échelle de 1 à 5 : 5, c'est très bien"}, "help_en": {"On a scale of 1 to 5: 5 is very good"}}
	satisfaction.Set("version", version())
	post(satisfaction, http.StatusSeeOther)

	// helps returns the help under each question of the atelier's page in
	// lang, when the question's field is described by it.
	helps := func(lang string) map[string]string {
		t.Helper()
		rec := env.Do("GET", "/e/"+ce.ID+"/"+atelier.ID+"?lang="+lang, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("survey page in %s = %d %s", lang, rec.Code, rec.Body)
		}
		body := rec.Body.String()
		out := map[string]string{}
		for _, m := range regexp.MustCompile(`<p class="help" id="q-([a-z0-9-]+)-help">([^<]*)</p>`).FindAllStringSubmatch(body, -1) {
			id := regexp.QuoteMeta(m[1])
			field := regexp.MustCompile(`<fieldset class="q" aria-describedby="q-` + id + `-help">|<textarea id="q-` + id + `" [^>]*aria-describedby="q-` + id + `-help">`)
			if !field.MatchString(body) {
				t.Errorf("in %s, the help of %s describes no field: %s", lang, m[1], body)
			}
			out[m[1]] = strings.NewReplacer("&#39;", "'").Replace(m[2])
		}
		return out
	}
	want := map[string]map[string]string{
		"fr": {"satisfaction": "Sur une échelle de 1 à 5 : 5, c'est très bien", "nps": "0\u00a0: pas du tout probable, 10\u00a0: très probable",
			"un-exemple-concret": "Facultatif : citez un exemple"},
		"en": {"satisfaction": "On a scale of 1 to 5: 5 is very good", "nps": "0: not at all likely, 10: extremely likely",
			"un-exemple-concret": "Optional: give an example"},
	}
	for lang, w := range want {
		if got := helps(lang); !maps.Equal(got, w) {
			t.Errorf("helps in %s = %q, want %q", lang, got, w)
		}
	}

	// Cleared, the help is gone in both languages.
	post(url.Values{"version": {version()}, "question": {"un-exemple-concret"}, "action": {"save"}, "label_fr": {"Un exemple concret ?"},
		"label_en": {"A concrete example?"}, "help_fr": {""}, "help_en": {""}}, http.StatusSeeOther)
	for lang, w := range want {
		delete(w, "un-exemple-concret")
		if got := helps(lang); !maps.Equal(got, w) {
			t.Errorf("helps in %s after clearing one = %q, want %q", lang, got, w)
		}
	}

	// The satisfaction form sent again, made from an older version: nothing
	// is written.
	satisfaction.Set("help_fr", "Autre chose")
	post(satisfaction, http.StatusPreconditionFailed)
	e, err := env.Store.Event(t.Context(), ce.ID)
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := e.Questionnaire.Question("satisfaction"); e.Version != 4 || q.Help["fr"] != want["fr"]["satisfaction"] {
		t.Errorf("after the stale form: version %d, help %v", e.Version, q.Help)
	}
	if got := helps("fr"); !maps.Equal(got, want["fr"]) {
		t.Errorf("helps after the stale form = %q", got)
	}
}
