package programme_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/retours/retours/internal/programme"
)

func TestTemplate(t *testing.T) {
	tests := []struct {
		lang   string
		header string
		want   []programme.Draft
	}{
		{"fr", "\ufeffTitre;Type;Date;Début;Fin;Salle;Intervenant·es\r\n", []programme.Draft{
			{Title: "Plénière d'ouverture", Kind: "pleniere", StartsAt: paris(2026, 10, 13, 9, 30), EndsAt: paris(2026, 10, 13, 10, 15),
				Room: "Amphithéâtre", Speakers: []string{"Claire Moreau", "Karim Benali"}, Line: 2},
			{Title: "Atelier : accompagner les démarches en ligne", Kind: "atelier", StartsAt: paris(2026, 10, 13, 10, 45),
				EndsAt: paris(2026, 10, 13, 12, 15), Room: "Salle 2", Speakers: []string{"Léa Martin"}, Line: 3},
		}},
		{"en", "Title,Kind,Date,Start,End,Room,Speakers\r\n", []programme.Draft{
			{Title: "Opening plenary", Kind: "pleniere", StartsAt: paris(2026, 10, 13, 9, 30), EndsAt: paris(2026, 10, 13, 10, 15),
				Room: "Main hall", Speakers: []string{"Claire Moreau", "Karim Benali"}, Line: 2},
			{Title: "Workshop: helping people with online forms", Kind: "atelier", StartsAt: paris(2026, 10, 13, 10, 45),
				EndsAt: paris(2026, 10, 13, 12, 15), Room: "Room 2", Speakers: []string{"Léa Martin"}, Line: 3},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			b := programme.Template(tt.lang)
			if !bytes.HasPrefix(b, []byte(tt.header)) {
				t.Errorf("template begins %q, want %q", b[:min(len(b), len(tt.header))], tt.header)
			}
			r := programme.Parse("modele.csv", "text/csv", b)
			checkResult(t, r)
			if !r.OK() || len(r.Notes) > 0 {
				t.Errorf("problems %v, notes %v, want none", brief(r.Problems), brief(r.Notes))
			}
			checkDrafts(t, r.Drafts, tt.want)
		})
	}
	if !bytes.Equal(programme.Template("de"), programme.Template("en")) {
		t.Error("a language without a template should get the English one")
	}
}

// roundTrip writes drafts as CSV and reads them back.
func roundTrip(t *testing.T, drafts []programme.Draft, lang string) {
	t.Helper()
	b := programme.EncodeCSV(drafts, lang)
	r := programme.Parse("programme.csv", "", b)
	checkResult(t, r)
	if !r.OK() {
		t.Fatalf("problems %v reading back\n%s", brief(r.Problems), b)
	}
	want := slices.Clone(drafts)
	for i := range want {
		want[i].Line = i + 2
	}
	checkDrafts(t, r.Drafts, want)
}

func TestRoundTrip(t *testing.T) {
	for _, file := range []string{"google.ics", "outlook.ics", "apple.ics", "thunderbird.ics", "nextcloud.ics"} {
		for _, lang := range []string{"fr", "en"} {
			t.Run(file+" as CSV "+lang, func(t *testing.T) {
				roundTrip(t, programme.Parse(file, "", mustRead(t, file)).Drafts, lang)
			})
		}
	}
	t.Run("awkward values", func(t *testing.T) {
		roundTrip(t, []programme.Draft{
			{Title: "=SOMME(A1:A3)", Kind: "autre", StartsAt: paris(2026, 10, 13, 14, 0), Room: "@salle", Speakers: []string{"-Léa", "@paul"}},
			{Title: "'Atelier'", Kind: "atelier", StartsAt: paris(2026, 10, 13, 14, 0), EndsAt: paris(2026, 10, 14, 9, 0)},
			{Title: "Atelier \"IA\"; suite, fin", Kind: "table-ronde", StartsAt: paris(2026, 10, 13, 14, 0).Add(30e9), EndsAt: paris(2026, 10, 13, 15, 0)},
			// 02:30 twice on the last Sunday of October: the second one.
			{Title: "Nuit", Kind: "pleniere", StartsAt: utc(2026, 10, 25, 1, 30), EndsAt: utc(2026, 10, 25, 1, 45)},
		}, "fr")
	})
}

// sentences are the French and English sentences of each code, for the
// message catalogue: the %s verbs take the problem's Args in order, and the
// page shows the line, title or UID beside the sentence.
var sentences = map[programme.Code][2]string{
	programme.FileEmpty:    {"Le fichier est vide.", "The file is empty."},
	programme.FileTooLarge: {"Le fichier dépasse %s\u00a0Mo\u00a0: importez le programme en plusieurs fois.", "The file is larger than %s MB: import the programme in several parts."},
	programme.NotCSVOrICS: {"Ce fichier n'est ni un CSV ni un agenda (.ics). Enregistrez votre tableur au format «\u00a0CSV UTF-8\u00a0», ou exportez votre agenda au format iCalendar (.ics).",
		"This file is neither a CSV nor a calendar (.ics). Save your spreadsheet as “CSV UTF-8”, or export your calendar as iCalendar (.ics)."},
	programme.Spreadsheet: {"Ce fichier est un classeur (Excel, LibreOffice…), pas un CSV. Dans votre tableur, choisissez «\u00a0Enregistrer sous\u00a0», puis le format «\u00a0CSV UTF-8\u00a0», et importez ce fichier.",
		"This file is a workbook (Excel, LibreOffice…), not a CSV. In your spreadsheet, choose “Save as” and the “CSV UTF-8” format, then import that file."},
	programme.NotUTF8: {"Ce fichier n'est pas en UTF-8. Dans votre tableur, enregistrez-le au format «\u00a0CSV UTF-8\u00a0» et importez-le de nouveau.",
		"This file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” and import it again."},
	programme.ICSUnreadable: {"Ce fichier d'agenda (.ics) est illisible. Exportez de nouveau l'agenda et importez le fichier sans le modifier.",
		"This calendar file (.ics) cannot be read. Export the calendar again and import the file without changing it."},
	programme.UnclosedQuote: {"Un guillemet (\") ouvert sur cette ligne n'est jamais fermé.", "A quotation mark (\") opened on this line is never closed."},
	programme.MissingTitleColumn: {"Aucune colonne ne donne le titre des sessions\u00a0: nommez-la «\u00a0Titre\u00a0» sur la première ligne.",
		"No column gives the sessions' titles: name it “Title” on the first line."},
	programme.MissingStartColumn: {"Aucune colonne ne donne la date des sessions\u00a0: ajoutez une colonne «\u00a0Date\u00a0» (et «\u00a0Début\u00a0», «\u00a0Fin\u00a0» pour les heures).",
		"No column gives the sessions' dates: add a “Date” column (and “Start”, “End” for the times)."},
	programme.NoSessions:      {"Le fichier ne contient aucune session.", "The file contains no session."},
	programme.TooManySessions: {"Le fichier contient plus de %s sessions\u00a0: importez le programme en plusieurs fois.", "The file has more than %s sessions: import the programme in several parts."},
	programme.MissingTitle:    {"Le titre est vide.", "The title is empty."},
	programme.TitleTooLong:    {"Le titre dépasse %s caractères.", "The title is longer than %s characters."},
	programme.RoomTooLong:     {"La salle dépasse %s caractères.", "The room is longer than %s characters."},
	programme.SpeakersTooLong: {"La liste des intervenant·es dépasse %s caractères.", "The list of speakers is longer than %s characters."},
	programme.MissingStart:    {"Ni la date ni l'heure de début ne sont indiquées.", "Neither the date nor the start time is given."},
	programme.MissingDate:     {"L'heure «\u00a0%s\u00a0» est indiquée, mais pas la date.", "The time “%s” is given, but not the date."},
	programme.BadDate:         {"Date illisible\u00a0: «\u00a0%s\u00a0». Écrivez-la comme 13/10/2026 ou 13/10/2026 14:30.", "Unreadable date: “%s”. Write it as 2026-10-13 or 2026-10-13 14:30."},
	programme.BadTime:         {"Heure illisible\u00a0: «\u00a0%s\u00a0». Écrivez-la comme 14:30 ou 14h30.", "Unreadable time: “%s”. Write it as 14:30."},
	programme.EndBeforeStart:  {"La session finit (%[2]s) avant de commencer (%[1]s).", "The session ends (%[2]s) before it starts (%[1]s)."},
	programme.ICSNoStart:      {"Cet événement n'a pas de date de début (DTSTART).", "This event has no start date (DTSTART)."},
	programme.UnknownTimeZone: {"Fuseau horaire inconnu\u00a0: «\u00a0%s\u00a0». Exportez l'agenda à l'heure de Paris ou en UTC.", "Unknown time zone: “%s”. Export the calendar in Paris time or in UTC."},
	programme.Duplicate:       {"Cette session (même titre, même début) est déjà à la ligne %s.", "This session (same title, same start) is already on line %s."},
	programme.IgnoredColumns:  {"Colonnes ignorées\u00a0: %s.", "Columns ignored: %s."},
	programme.KindUnknown:     {"Type «\u00a0%s\u00a0» inconnu\u00a0: la session sera de type «\u00a0Autre\u00a0».", "Unknown kind “%s”: the session will be of kind “Other”."},
	programme.KindMissing:     {"Type non indiqué\u00a0: la session sera de type «\u00a0Autre\u00a0».", "No kind given: the session will be of kind “Other”."},
	programme.AllDay:          {"Pas d'heure indiquée\u00a0: la session commence à minuit.", "No time given: the session starts at midnight."},
	programme.Recurring:       {"Événement répété\u00a0: seule sa première occurrence est importée.", "Repeating event: only its first occurrence is imported."},
	programme.Cancelled:       {"Événement annulé dans l'agenda\u00a0: il n'est pas importé.", "Event cancelled in the calendar: it is not imported."},
}

var verb = regexp.MustCompile(`%(\[\d\])?s`)

func TestSentences(t *testing.T) {
	codes := programme.Codes()
	if len(sentences) != len(codes) {
		t.Errorf("%d sentences for %d codes", len(sentences), len(codes))
	}
	seen := map[programme.Code]bool{}
	for _, c := range codes {
		if seen[c] {
			t.Errorf("code %s listed twice", c)
		}
		seen[c] = true
		s, ok := sentences[c]
		if !ok {
			t.Errorf("no sentence for %s", c)
			continue
		}
		args := make([]any, c.NumArgs())
		for i := range args {
			args[i] = fmt.Sprintf("ARG%d", i+1)
		}
		for i, lang := range []string{"fr", "en"} {
			if n := len(verb.FindAllString(s[i], -1)); n != c.NumArgs() && !(c == programme.EndBeforeStart && n == 2) {
				t.Errorf("%s in %s: %d verbs for %d args", c, lang, n, c.NumArgs())
			}
			out := fmt.Sprintf(s[i], args...)
			if strings.Contains(out, "%!") {
				t.Errorf("%s in %s: %q", c, lang, out)
			}
			for _, a := range args {
				if !strings.Contains(out, a.(string)) {
					t.Errorf("%s in %s does not show %s: %q", c, lang, a, out)
				}
			}
		}
	}
}

// FuzzParse: Parse never panics, returns drafts or problems that respect
// their rules, and what it accepts reads back the same once written as CSV.
func FuzzParse(f *testing.F) {
	for _, file := range []string{"google.ics", "outlook.ics", "apple.ics", "thunderbird.ics", "nextcloud.ics"} {
		f.Add(file, mustRead(f, file))
	}
	f.Add("modele.csv", programme.Template("fr"))
	f.Add("template.csv", programme.Template("en"))
	f.Add("programme.csv", []byte("Titre;Jour;Horaire;Intervenants\nAtelier;mardi 13 octobre 2026;14h-15h30;\"Léa (A, B) et Paul\"\n"))
	f.Add("p.ics", []byte(vcal(customZone, vevent("SUMMARY:A", "DTSTART;TZID=Customized Time Zone:20261025T023000", "DURATION:P1DT2H"))))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		r := programme.Parse(name, "", data)
		checkResult(t, r)
		if !r.OK() {
			return
		}
		for _, d := range r.Drafts {
			// Instants given with a far offset may fall outside the years
			// a date can be written in.
			for _, at := range []int{d.StartsAt.In(programme.Paris).Year(), d.EndsAt.In(programme.Paris).Year()} {
				if at != 1 && (at < 2000 || at > 2099) {
					return
				}
			}
		}
		roundTrip(t, r.Drafts, "fr")
	})
}

// The README's examples are read as it says.
func TestReadmeExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(b), "### Programme import\n")
	block := func(opening string) string {
		_, rest, ok := strings.Cut(section, opening)
		if !ok {
			t.Fatalf("no %q in the README's programme import", opening)
		}
		body, _, _ := strings.Cut(rest, "```\n")
		return body
	}
	r := mustParseOK(t, "programme.csv", block("```csv\n"))
	checkDrafts(t, r.Drafts, []programme.Draft{
		{Title: "Plénière d'ouverture", Kind: "pleniere", StartsAt: paris(2026, 10, 13, 9, 30), EndsAt: paris(2026, 10, 13, 10, 15),
			Room: "Amphithéâtre", Speakers: []string{"Claire Moreau", "Karim Benali"}, Line: 2},
		{Title: "Atelier : accompagner les démarches en ligne", Kind: "atelier", StartsAt: paris(2026, 10, 13, 10, 45),
			EndsAt: paris(2026, 10, 13, 12, 15), Room: "Salle 2", Speakers: []string{"Léa Martin"}, Line: 3},
		{Title: "Table ronde : tiers-lieux et inclusion", Kind: "table-ronde", StartsAt: paris(2026, 10, 13, 14, 0),
			EndsAt: paris(2026, 10, 13, 15, 30), Room: "Amphithéâtre", Speakers: []string{"Nadia Haddad", "Yves Lefort"}, Line: 4},
	})
	r = mustParseOK(t, "agenda.ics", vcal("BEGIN:VEVENT\n"+strings.TrimSpace(block("```\nBEGIN:VEVENT"))))
	checkDrafts(t, r.Drafts, []programme.Draft{
		{Title: "Table ronde : les tiers-lieux, lieux de médiation numérique ?", Kind: "table-ronde", StartsAt: paris(2026, 10, 13, 14, 0),
			EndsAt: paris(2026, 10, 13, 15, 30), Room: "Amphithéâtre", Line: 4, UID: "040000008200E00074C5B7101A82E008000000001"},
	})
}
