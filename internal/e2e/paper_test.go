package e2e_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/retours/retours/internal/retours"
)

// printSpec is one print infra/e2e/paper.mjs checks.
type printSpec struct {
	Name       string          `json:"name"`
	Path       string          `json:"path"`
	Pages      int             `json:"pages"`
	Questions  []printQuestion `json:"questions"`
	Sheets     []string        `json:"sheets"`
	Box        string          `json:"box"`
	Large      bool            `json:"large,omitempty"`
	Axe        bool            `json:"axe,omitempty"`
	Screenshot string          `json:"screenshot,omitempty"`
}

type printQuestion struct {
	Label string   `json:"label"`
	Parts []string `json:"parts,omitempty"`
}

// entrySheet is a sheet typed in: the value of each field, in the page's
// order.
type entrySheet struct {
	Sheet     string   `json:"sheet"`
	IDs       []string `json:"ids"`
	Fields    []string `json:"fields"`
	Duplicate bool     `json:"duplicate,omitempty"`
}

// printQuestions lists the questions of q as printed in lang, each with the
// parts that must be on its page: its help and its choices.
func printQuestions(q retours.Questionnaire, lang string) []printQuestion {
	var out []printQuestion
	for _, qq := range q.Questions {
		if qq.Retired {
			continue
		}
		pq := printQuestion{Label: qq.Label.In(lang)}
		if h := qq.Help.In(lang); h != "" {
			pq.Parts = append(pq.Parts, h)
		}
		for _, c := range qq.Choices {
			pq.Parts = append(pq.Parts, c.Label.In(lang))
		}
		out = append(out, pq)
	}
	return out
}

// longQuestionnaire is the default questionnaire and eight more questions:
// too long for one page.
func longQuestionnaire() retours.Questionnaire {
	q := retours.DefaultQuestionnaire()
	for i := 1; i <= 8; i++ {
		qq := retours.Question{ID: fmt.Sprintf("atelier-%d", i), Kind: retours.QuestionRating,
			Label: retours.Text{"fr": fmt.Sprintf("Atelier n°%d\u00a0: l'avez-vous trouvé utile pour votre structure\u00a0?", i), "en": fmt.Sprintf("Workshop %d: was it useful to your organisation?", i)},
			Help:  retours.Text{"fr": fmt.Sprintf("Question %d sur huit, 1\u00a0: pas du tout, 5\u00a0: tout à fait", i), "en": fmt.Sprintf("Question %d of eight", i)}}
		if i%3 == 0 {
			qq = retours.Question{ID: qq.ID, Kind: retours.QuestionText, Label: qq.Label,
				Help: retours.Text{"fr": fmt.Sprintf("Question %d sur huit, en quelques mots", i), "en": fmt.Sprintf("Question %d of eight, in a few words", i)}}
		}
		q.Questions = append(q.Questions, qq)
	}
	return q
}

// TestPaperInChromium runs infra/e2e/paper.mjs: the paper questionnaire
// printed to PDF (fr, en, large print, a questionnaire longer than a page)
// and read back, axe on the data-entry page in both languages, and ten
// sheets typed in by keyboard, then a repeated one; the ten are then in the
// bilan, on paper.
func TestPaperInChromium(t *testing.T) {
	// The address printed under the QR code is the deployment's, not the
	// test server's.
	b := startBrowserTest(t, "https://retours.example.org")
	st := b.store
	ev := mustCreate(t, b.url, necDay)
	long := longQuestionnaire()
	lq, _ := json.Marshal(long)
	longEv := mustCreate(t, b.url, strings.Replace(necDay, `"sessions"`, `"questionnaire": `+string(lq)+`, "sessions"`, 1))
	atelier := ev.Sessions[1].ID
	def := retours.DefaultQuestionnaire()
	api := "/api/events/" + ev.ID
	numbers := func(n int) []string {
		var out []string
		for i := 1; i <= n; i++ {
			out = append(out, retours.SheetNumber(4821, i))
		}
		return out
	}
	spec := map[string]any{
		"tokens":  []map[string]string{{"event": ev.ID, "token": ev.OrganiserToken}, {"event": longEv.ID, "token": longEv.OrganiserToken}},
		"entry":   "/o/" + ev.ID + "/saisie",
		"session": atelier,
		"prints": []printSpec{
			{Name: "event, fr, two copies", Path: api + "/paper?lang=fr&copies=2&series=4821", Pages: 2, Questions: printQuestions(def, "fr"),
				Sheets: numbers(2), Box: "Ce qui m'a étonné·e aujourd'hui", Axe: true, Screenshot: "paper-sheet.png"},
			{Name: "session, en", Path: api + "/sessions/" + atelier + "/paper?lang=en&copies=1&series=4821", Pages: 1, Questions: printQuestions(def, "en"),
				Sheets: numbers(1), Box: "What surprised me today", Axe: true},
			{Name: "large print, fr", Path: api + "/paper?lang=fr&copies=1&large=1&series=4821", Pages: 2, Questions: printQuestions(def, "fr"),
				Sheets: numbers(1), Box: "Ce qui m'a étonné·e aujourd'hui", Large: true},
			{Name: "a longer questionnaire, fr", Path: "/api/events/" + longEv.ID + "/paper?lang=fr&copies=1&series=4821", Pages: 2,
				Questions: printQuestions(long, "fr"), Sheets: numbers(1), Box: "Ce qui m'a étonné·e aujourd'hui"},
		},
	}

	// Ten sheets of the default questionnaire, each with one free text,
	// then the first one again.
	ids := []string{"sheet", "q-satisfaction", "q-nps", "q-rencontres", "q-suites", "q-profil", "q-commentaire", "note"}
	suites := []string{"En parler à mon équipe", "Créer un atelier en médiathèque", "Relire les ressources", "Contacter la mairie",
		"Tester l'outil avec des seniors", "Monter un groupe local", "Rien pour l'instant", "Former les bénévoles", "Partager au réseau", "Revenir l'an prochain"}
	var sheets []entrySheet
	for i := range 10 {
		note := ""
		if i == 2 {
			note = "Autant d'élus présents"
		}
		sheets = append(sheets, entrySheet{Sheet: retours.SheetNumber(4821, i+1), IDs: ids, Fields: []string{
			strings.ReplaceAll(retours.SheetNumber(4821, i+1), "-", ""), strconv.Itoa(1 + i%5), strconv.Itoa((i * 3) % 11),
			strconv.Itoa(1 + i%2), suites[i], strconv.Itoa(1 + i%7), "", note}})
	}
	dup := sheets[0]
	dup.Fields = append([]string{}, dup.Fields...)
	dup.Fields[1], dup.Duplicate = "1", true
	spec["sheets"] = append(sheets, dup)
	specFile := filepath.Join(t.TempDir(), "spec.json")
	data, _ := json.Marshal(spec)
	if err := os.WriteFile(specFile, data, 0o600); err != nil {
		t.Fatal(err)
	}

	args := []string{"spec=" + specFile}
	if docs := os.Getenv("RETOURS_DOCS"); docs != "" {
		args = append(args, "docs="+docs)
	}
	output := b.run(t, "paper.mjs", args...)
	if m := regexp.MustCompile(`entry-timing (\{.*\})`).FindSubmatch(output); m != nil {
		t.Logf("data entry: %s", m[1])
	}

	// The ten sheets are stored once each, on paper, entered by the
	// organisers' access, with what was typed.
	var answers []*retours.Answer
	if err := st.Answers(t.Context(), ev.ID, func(a *retours.Answer) error { answers = append(answers, a); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(answers) != 10 {
		t.Fatalf("stored %d answers, want the 10 sheets", len(answers))
	}
	stored, err := st.Event(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	bySheet := map[string]*retours.Answer{}
	for _, a := range answers {
		bySheet[a.Sheet] = a
		if a.Channel != retours.ChannelPaper || a.SessionID != atelier || a.EnteredBy != stored.Accesses[0].ID {
			t.Errorf("stored %+v, want a paper sheet of the atelier entered by the organisers", a)
		}
	}
	for i, s := range sheets {
		a := bySheet[s.Sheet]
		if a == nil {
			t.Errorf("sheet %s not stored", s.Sheet)
			continue
		}
		if a.Values["satisfaction"].Number != 1+i%5 || a.Values["nps"].Number != (i*3)%11 || a.Values["suites"].Text != suites[i] ||
			a.Values["profil"].Choices[0] != def.Questions[4].Choices[i%7].ID {
			t.Errorf("sheet %s stored as %+v", s.Sheet, a.Values)
		}
	}

	// The bilan shows them, on paper.
	for format, want := range map[string]string{"json": `"channel": "paper"`, "md": "| dont sur papier | 10 |", "html": "dont sur papier"} {
		req, _ := http.NewRequest("GET", b.url+api+"/bilan?format="+format+"&lang=fr", nil)
		req.Header.Set("Authorization", "Bearer "+ev.OrganiserToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("bilan %s = %d, lacks %q", format, resp.StatusCode, want)
		}
		if format == "json" {
			var b struct {
				Channels []struct {
					Channel string `json:"channel"`
					Answers int    `json:"answers"`
				} `json:"channels"`
			}
			json.Unmarshal(body, &b)
			if len(b.Channels) != 2 || b.Channels[1].Channel != "paper" || b.Channels[1].Answers != 10 || b.Channels[0].Answers != 0 {
				t.Errorf("bilan channels = %+v, want 10 on paper", b.Channels)
			}
		}
	}
}
