package programme_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/programme"
	"github.com/retours/retours/internal/retours"
)

// paris returns a wall time in Europe/Paris, as Parse returns it (UTC).
func paris(y, mo, d, h, mi int) time.Time {
	return time.Date(y, time.Month(mo), d, h, mi, 0, 0, programme.Paris).UTC()
}

// show writes a draft on one line, for got/want messages.
func show(d programme.Draft) string {
	at := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("line %d %q %s %s..%s room=%q speakers=%q uid=%q",
		d.Line, d.Title, d.Kind, at(d.StartsAt), at(d.EndsAt), d.Room, d.Speakers, d.UID)
}

func showAll(ds []programme.Draft) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString("\n\t" + show(d))
	}
	return b.String()
}

// checkDrafts fails unless got holds exactly want, in order.
func checkDrafts(t *testing.T, got, want []programme.Draft) {
	t.Helper()
	if g, w := showAll(got), showAll(want); g != w {
		t.Errorf("drafts:\ngot:%s\nwant:%s", g, w)
	}
}

// brief writes problems as "code@line[args]", for got/want comparisons.
func brief(ps []programme.Problem) []string {
	out := []string{}
	for _, p := range ps {
		s := fmt.Sprintf("%s@%d", p.Code, p.Line)
		if len(p.Args) > 0 {
			s += fmt.Sprintf("%q", p.Args)
		}
		out = append(out, s)
	}
	return out
}

// checkBrief fails unless the problems or notes are those listed, in order.
func checkBrief(t *testing.T, what string, got []programme.Problem, want []string) {
	t.Helper()
	if g := brief(got); !slices.Equal(g, append([]string{}, want...)) {
		t.Errorf("%s %v, want %v", what, g, want)
	}
}

func mustParseOK(tb testing.TB, name, data string) *programme.Result {
	tb.Helper()
	r := programme.Parse(name, "", []byte(data))
	if !r.OK() {
		tb.Fatalf("Parse(%s): problems %v, want none", name, brief(r.Problems))
	}
	checkResult(tb, r)
	return r
}

// checkResult checks what holds of every result: either drafts or
// problems, valid drafts, and problems that carry what their code says.
func checkResult(tb testing.TB, r *programme.Result) {
	tb.Helper()
	if len(r.Drafts) == 0 && len(r.Problems) == 0 {
		tb.Fatal("neither drafts nor problems")
	}
	if r.OK() != (len(r.Problems) == 0) {
		tb.Errorf("OK() = %v with %d problems", r.OK(), len(r.Problems))
	}
	if len(r.Drafts) > programme.MaxSessions {
		tb.Errorf("%d drafts, more than %d", len(r.Drafts), programme.MaxSessions)
	}
	for _, d := range r.Drafts {
		if d.Title == "" || len([]rune(d.Title)) > retours.MaxTitle || strings.ContainsAny(d.Title, "\r\n\t") {
			tb.Errorf("draft with title %q", d.Title)
		}
		if !slices.Contains(retours.SessionKinds, d.Kind) {
			tb.Errorf("draft %q with kind %q", d.Title, d.Kind)
		}
		if d.StartsAt.IsZero() || !d.EndsAt.IsZero() && !d.EndsAt.After(d.StartsAt) {
			tb.Errorf("draft %q from %v to %v", d.Title, d.StartsAt, d.EndsAt)
		}
		for _, s := range d.Speakers {
			if s == "" || strings.ContainsAny(s, "\r\n") || s != strings.TrimSpace(s) {
				tb.Errorf("draft %q with speaker %q", d.Title, s)
			}
		}
	}
	for _, list := range []struct {
		ps   []programme.Problem
		note bool
	}{{r.Problems, false}, {r.Notes, true}} {
		for _, p := range list.ps {
			if !slices.Contains(programme.Codes(), p.Code) {
				tb.Errorf("unknown code %q", p.Code)
			}
			if p.Code.IsNote() != list.note {
				tb.Errorf("%s among the wrong list (note: %v)", p.Code, list.note)
			}
			if len(p.Args) != p.Code.NumArgs() {
				tb.Errorf("%s with args %q, want %d", p.Code, p.Args, p.Code.NumArgs())
			}
		}
	}
}

// Two example sessions as a French spreadsheet exports them.
const excelFR = "\ufeffTitre;Type;Date;Début;Fin;Salle;Intervenant·es\r\n" +
	"Plénière d'ouverture;Plénière;13/10/2026;09:30;10:15;Amphithéâtre;Claire Moreau, Karim Benali\r\n" +
	"Atelier : accompagner les démarches en ligne;Atelier;13/10/2026;10:45;12:15;Salle 2;Léa Martin\r\n"

func TestCSV(t *testing.T) {
	ouverture := programme.Draft{Title: "Plénière d'ouverture", Kind: "pleniere", StartsAt: paris(2026, 10, 13, 9, 30),
		EndsAt: paris(2026, 10, 13, 10, 15), Room: "Amphithéâtre", Speakers: []string{"Claire Moreau", "Karim Benali"}, Line: 2}
	atelier := programme.Draft{Title: "Atelier : accompagner les démarches en ligne", Kind: "atelier",
		StartsAt: paris(2026, 10, 13, 10, 45), EndsAt: paris(2026, 10, 13, 12, 15), Room: "Salle 2", Speakers: []string{"Léa Martin"}, Line: 3}
	at := func(line int, d programme.Draft) programme.Draft { d.Line = line; return d }
	tests := []struct {
		name string
		file string
		want []programme.Draft
	}{
		{"French Excel: BOM, semicolons, CRLF", excelFR, []programme.Draft{ouverture, atelier}},
		{"no BOM, LF", strings.TrimPrefix(strings.ReplaceAll(excelFR, "\r\n", "\n"), "\ufeff"), []programme.Draft{ouverture, atelier}},
		{"classic Mac line endings", strings.ReplaceAll(excelFR, "\r\n", "\r"), []programme.Draft{ouverture, atelier}},
		{"commas, quoted cells with separators and line breaks, spreadsheet line numbers",
			"Title,Kind,Date,Start,End,Room,Speakers\n" +
				"\"Plénière\nd'ouverture\",Plenary,13/10/2026,09:30,10:15,\"Amphithéâtre\",\"Claire Moreau, Karim Benali\"\n" +
				"\n" +
				"\"Atelier : accompagner les démarches en ligne\",workshop,2026-10-13,10:45,12:15,Salle 2,\"Léa Martin\"\n",
			[]programme.Draft{ouverture, at(4, atelier)}},
		{"a quote inside an unquoted cell",
			"titre;date\nAtelier \"IA\" pour tous;13/10/2026 14:00\n",
			[]programme.Draft{{Title: `Atelier "IA" pour tous`, Kind: "atelier", StartsAt: paris(2026, 10, 13, 14, 0), Line: 2}}},
		{"headers in any case and accent, date and time in one column",
			"INTITULÉ;Date et heure;Heure de fin;LIEU;Animateur·rice;Format\n" +
				"Plénière d'ouverture;13/10/2026 09:30;10h15;Amphithéâtre;Claire Moreau et Karim Benali;plénière\n" +
				"Atelier : accompagner les démarches en ligne;13/10/2026 10h45;12h15;Salle 2;Léa Martin;ATELIER\n",
			[]programme.Draft{ouverture, atelier}},
		{"English headers",
			"Session title,Day,Start time,End time,Location,Speaker(s),Format\n" +
				"Plénière d'ouverture,2026-10-13,9:30,10:15,Amphithéâtre,Claire Moreau and Karim Benali,keynote\n" +
				"Atelier : accompagner les démarches en ligne,2026-10-13,10:45,12:15,Salle 2,Léa Martin,hands-on workshop\n",
			[]programme.Draft{ouverture, at(3, atelier)}},
		{"a title row above the header, blank rows counted as the spreadsheet shows them",
			"Programme NEC Auvergne 2026;;;;;;\n;;;;;;\n" + strings.TrimPrefix(excelFR, "\ufeff"),
			[]programme.Draft{at(4, ouverture), at(5, atelier)}},
		{"a time range in one column",
			"Titre;Jour;Horaire;Salle;Intervenants;Type\n" +
				"Plénière d'ouverture;mardi 13 octobre 2026;9h30-10h15;Amphithéâtre;Claire Moreau / Karim Benali;Conférence\n" +
				"Atelier : accompagner les démarches en ligne;13 oct. 2026;de 10h45 à 12h15;Salle 2;Léa Martin;Atelier pratique\n",
			[]programme.Draft{ouverture, atelier}},
		{"Outlook's French export: a date and a time column each for start and end",
			"\"Objet\";\"Début\";\"Heure de début\";\"Fin\";\"Heure de fin\";\"Journée entière\";\"Catégories\";\"Emplacement\"\r\n" +
				"\"Plénière d'ouverture\";\"13/10/2026\";\"09:30:00\";\"13/10/2026\";\"10:15:00\";\"Faux\";\"Plénière\";\"Amphithéâtre\"\r\n",
			[]programme.Draft{{Title: "Plénière d'ouverture", Kind: "pleniere", StartsAt: paris(2026, 10, 13, 9, 30),
				EndsAt: paris(2026, 10, 13, 10, 15), Room: "Amphithéâtre", Line: 2}}},
		{"ISO with an offset, a day without a time, an end on another day",
			"titre;début;fin;type\n" +
				"Hackathon;2026-10-13T18:00:00+02:00;2026-10-14T02:00:00+02:00;autre\n" +
				"Forum ouvert;14/10/2026;15/10/2026;autre\n" +
				"Veillée;2026-10-14T20:00Z;;Other\n",
			[]programme.Draft{
				{Title: "Hackathon", Kind: "autre", StartsAt: paris(2026, 10, 13, 18, 0), EndsAt: paris(2026, 10, 14, 2, 0), Line: 2},
				{Title: "Forum ouvert", Kind: "autre", StartsAt: paris(2026, 10, 14, 0, 0), EndsAt: paris(2026, 10, 16, 0, 0), Line: 3},
				{Title: "Veillée", Kind: "autre", StartsAt: time.Date(2026, 10, 14, 20, 0, 0, 0, time.UTC), Line: 4},
			}},
		{"a uid column, formula-looking cells neutralised",
			"Titre,Date,Début,Identifiant\n\"'=Atelier\",13/10/2026,14:00,abc-123\n",
			[]programme.Draft{{Title: "=Atelier", Kind: "atelier", StartsAt: paris(2026, 10, 13, 14, 0), Line: 2, UID: "abc-123"}}},
		{"tabs", "Titre\tDate\tDébut\nAtelier\t13/10/2026\t14:00\n",
			[]programme.Draft{{Title: "Atelier", Kind: "atelier", StartsAt: paris(2026, 10, 13, 14, 0), Line: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustParseOK(t, "programme.csv", tt.file)
			if r.Format != programme.FormatCSV {
				t.Errorf("format %q, want csv", r.Format)
			}
			checkDrafts(t, r.Drafts, tt.want)
		})
	}
}

func TestUTF16(t *testing.T) {
	// Excel's "Texte Unicode": UTF-16 little-endian with a BOM, tabs.
	s := "Titre\tDate\tDébut\r\nPlénière\t13/10/2026\t09:30\r\n"
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	r := programme.Parse("programme.txt", "text/plain", b)
	checkResult(t, r)
	checkDrafts(t, r.Drafts, []programme.Draft{{Title: "Plénière", Kind: "pleniere", StartsAt: paris(2026, 10, 13, 9, 30), Line: 2}})
}

func TestDates(t *testing.T) {
	tests := []struct {
		date, start string
		want        time.Time
	}{
		{"13/10/2026", "14:30", paris(2026, 10, 13, 14, 30)},
		{"13/10/26", "14h30", paris(2026, 10, 13, 14, 30)},
		{"3/1/2027", "9:05", paris(2027, 1, 3, 9, 5)},
		{"03-01-2027", "9h05", paris(2027, 1, 3, 9, 5)},
		{"03.01.2027", "09:05:00", paris(2027, 1, 3, 9, 5)},
		{"2026-10-13", "14h", paris(2026, 10, 13, 14, 0)},
		{"2026-10-13", "14 h 30", paris(2026, 10, 13, 14, 30)},
		{"2026-10-13", "14H30", paris(2026, 10, 13, 14, 30)},
		{"", "2026-10-13T14:30", paris(2026, 10, 13, 14, 30)},
		{"", "2026-10-13 14:30", paris(2026, 10, 13, 14, 30)},
		{"", "2026-10-13T14:30:00", paris(2026, 10, 13, 14, 30)},
		{"", "2026-10-13T14:30:00+02:00", paris(2026, 10, 13, 14, 30)},
		{"", "2026-10-13T12:30:00Z", paris(2026, 10, 13, 14, 30)},
		{"", "2026-10-13T14:30:00-0400", time.Date(2026, 10, 13, 18, 30, 0, 0, time.UTC)},
		{"13/10/2026 14:30", "", paris(2026, 10, 13, 14, 30)},
		{"13/10/2026 à 14h30", "", paris(2026, 10, 13, 14, 30)},
		{"Mardi 13 octobre 2026, 14h30", "", paris(2026, 10, 13, 14, 30)},
		{"1er décembre 2026", "14:30", paris(2026, 12, 1, 14, 30)},
		{"13 October 2026", "2:30", paris(2026, 10, 13, 2, 30)},
		{"13/10/2026", "", paris(2026, 10, 13, 0, 0)},
		// Around the changes of time: the last Sundays of March and October.
		{"28/03/2026", "14:00", time.Date(2026, 3, 28, 13, 0, 0, 0, time.UTC)},
		{"29/03/2026", "14:00", time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)},
		{"29/03/2026", "01:59", time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC)},
		{"29/03/2026", "02:30", time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)}, // does not exist: 03:30 summer time
		{"29/03/2026", "03:00", time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)},
		{"24/10/2026", "14:00", time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC)},
		{"25/10/2026", "02:30", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)}, // happens twice: the first
		{"25/10/2026", "03:00", time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC)},
		{"25/10/2026", "14:00", time.Date(2026, 10, 25, 13, 0, 0, 0, time.UTC)},
		{"27/03/2027", "10:00", time.Date(2027, 3, 27, 9, 0, 0, 0, time.UTC)},
		{"28/03/2027", "10:00", time.Date(2027, 3, 28, 8, 0, 0, 0, time.UTC)},
		{"31/10/2027", "10:00", time.Date(2027, 10, 31, 9, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.date+" "+tt.start, func(t *testing.T) {
			r := mustParseOK(t, "p.csv", "titre;date;début\nAtelier;"+tt.date+";"+tt.start+"\n")
			if got := r.Drafts[0].StartsAt; !got.Equal(tt.want) {
				t.Errorf("starts at %v, want %v", got, tt.want)
			}
		})
	}
}

func TestKindsAndSpeakers(t *testing.T) {
	tests := []struct {
		title, kind string
		want        string
		note        []string
	}{
		{"Ouverture", "Plénière", "pleniere", nil},
		{"Ouverture", "plenary", "pleniere", nil},
		{"Ouverture", "Keynote", "pleniere", nil},
		{"Ouverture", "Conférence", "pleniere", nil},
		{"Session", "Atelier", "atelier", nil},
		{"Session", "workshop", "atelier", nil},
		{"Session", "Table ronde", "table-ronde", nil},
		{"Session", "table-ronde", "table-ronde", nil},
		{"Session", "Round table", "table-ronde", nil},
		{"Session", "panel", "table-ronde", nil},
		{"Session", "Débat", "table-ronde", nil},
		{"Session", "Autre", "autre", nil},
		{"Session", "other", "autre", nil},
		{"Pause café", "Pause", "autre", []string{`kind_unknown@2["Pause"]`}},
		{"Pause café", "", "autre", []string{"kind_missing@2"}},
		{"Atelier du midi", "Pause", "autre", []string{`kind_unknown@2["Pause"]`}},
		{"Session", "Mini-atelier", "atelier", nil},
		{"Session", "Conférence plénière", "pleniere", nil},
		{"Pause avant la table ronde", "", "autre", []string{"kind_missing@2"}},
		{"Atelier : fresque du numérique", "", "atelier", nil},
		{"Table ronde : tiers-lieux", "", "table-ronde", nil},
		{"Plénière de clôture", "", "pleniere", nil},
	}
	for _, tt := range tests {
		t.Run(tt.title+"/"+tt.kind, func(t *testing.T) {
			r := mustParseOK(t, "p.csv", "titre;type;date\n"+tt.title+";"+tt.kind+";13/10/2026 14:00\n")
			if got := r.Drafts[0].Kind; got != tt.want {
				t.Errorf("kind %q, want %q", got, tt.want)
			}
			checkBrief(t, "notes", r.Notes, tt.note)
		})
	}

	speakers := []struct {
		cell string
		want []string
	}{
		{"Léa Martin", []string{"Léa Martin"}},
		{"\"Léa Martin, Paul Durand; Ana Silva / Tom Roux\"", []string{"Léa Martin", "Paul Durand", "Ana Silva", "Tom Roux"}},
		{"Léa Martin et Paul Durand", []string{"Léa Martin", "Paul Durand"}},
		{"Léa Martin ET Paul Durand and Ana Silva & Tom Roux", []string{"Léa Martin", "Paul Durand", "Ana Silva", "Tom Roux"}},
		{"Bernadette Etienne, Etna Andrews", []string{"Bernadette Etienne", "Etna Andrews"}},
		{"Léa Martin (Asso A, Lyon) et Paul Durand", []string{"Léa Martin (Asso A, Lyon)", "Paul Durand"}},
		{"\"Léa Martin\nPaul Durand\"", []string{"Léa Martin", "Paul Durand"}},
		{" , ;", nil},
	}
	for _, tt := range speakers {
		t.Run("speakers "+tt.cell, func(t *testing.T) {
			r := mustParseOK(t, "p.csv", "titre;date;intervenant·es\nAtelier;13/10/2026 14:00;"+tt.cell+"\n")
			if got := r.Drafts[0].Speakers; !slices.Equal(got, tt.want) {
				t.Errorf("speakers %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCSVProblems(t *testing.T) {
	head := "Titre;Type;Date;Début;Fin;Salle\n"
	many := head
	for i := range programme.MaxSessions + 1 {
		many += fmt.Sprintf("Atelier %d;atelier;13/10/2026;14:00;15:00;\n", i)
	}
	tests := []struct {
		name, file string
		problems   []string
		notes      []string
		drafts     int
	}{
		{"missing title", head + "Atelier;atelier;13/10/2026;14:00;15:00;\n;atelier;13/10/2026;14:00;15:00;Salle 2\n",
			[]string{"missing_title@3"}, nil, 1},
		{"unreadable date", head + "Atelier;atelier;32/10/2026;14:00;;\n", []string{`bad_date@2["32/10/2026"]`}, nil, 0},
		{"US date", head + "Atelier;atelier;10/13/2026;14:00;;\n", []string{`bad_date@2["10/13/2026"]`}, nil, 0},
		{"unreadable time", head + "Atelier;atelier;13/10/2026;25h;;\n", []string{`bad_time@2["25h"]`}, nil, 0},
		{"unreadable end", head + "Atelier;atelier;13/10/2026;14:00;demain;\n", []string{`bad_date@2["demain"]`}, nil, 0},
		{"end before start", head + "Atelier;atelier;13/10/2026;14:00;13:30;\n",
			[]string{`end_before_start@2["2026-10-13 14:00" "2026-10-13 13:30"]`}, nil, 0},
		{"end at start", head + "Atelier;atelier;13/10/2026;14:00;14:00;\n",
			[]string{`end_before_start@2["2026-10-13 14:00" "2026-10-13 14:00"]`}, nil, 0},
		{"missing start", head + "Atelier;atelier;;;;Salle 2\n", []string{"missing_start@2"}, nil, 0},
		{"a time without a date", head + "Atelier;atelier;;14h;;\n", []string{`missing_date@2["14h"]`}, nil, 0},
		{"several problems on one line", head + ";atelier;13/13/2026;14:00;;\n", []string{"missing_title@2", `bad_date@2["13/13/2026"]`}, nil, 0},
		{"missing title column", "Date;Début\n13/10/2026;14:00\n", []string{"missing_title_column@1"}, nil, 0},
		{"missing start column", "Titre;Salle\nAtelier;Salle 2\n", []string{"missing_start_column@1"}, nil, 0},
		{"missing both columns", "Nom;Prénom\nMartin;Léa\n", []string{"missing_title_column@1", "missing_start_column@1"}, nil, 0},
		{"empty", "", []string{"file_empty@0"}, nil, 0},
		{"blank lines", "\r\n \n\n", []string{"file_empty@0"}, nil, 0},
		{"a BOM alone", "\ufeff", []string{"file_empty@0"}, nil, 0},
		{"separators alone", ";;;\n;;;\n", []string{"file_empty@0"}, nil, 0},
		{"header only", head, []string{"no_sessions@0"}, nil, 0},
		{"Windows-1252", head + "Atelier;atelier;13/10/2026;14:00;;\nPl\xe9ni\xe8re;pleniere;13/10/2026;09:00;;\n", []string{"not_utf8@3"}, nil, 0},
		{"too many sessions", many, []string{`too_many_sessions@0["500"]`}, nil, 0},
		{"too large", head + strings.Repeat("x", programme.MaxBytes), []string{`file_too_large@0["1"]`}, nil, 0},
		{"duplicate", head + "Atelier IA;atelier;13/10/2026;14:00;;\nAtelier IA;atelier;13/10/2026;15:00;;\n atelier  ia ;atelier;13/10/2026;14h;;\n",
			[]string{`duplicate@4["2"]`}, nil, 2},
		{"unclosed quote", head + "Atelier;atelier;13/10/2026;14:00;;\n\"Atelier;atelier;13/10/2026;15:00;;\n", []string{"unclosed_quote@3"}, nil, 0},
		{"title too long", head + strings.Repeat("a", retours.MaxTitle+1) + ";atelier;13/10/2026;14:00;;\n", []string{`title_too_long@2["200"]`}, nil, 0},
		{"room too long", head + "Atelier;atelier;13/10/2026;14:00;;" + strings.Repeat("a", programme.MaxRoom+1) + "\n", []string{`room_too_long@2["200"]`}, nil, 0},
		{"speakers too long", "titre;date;intervenants\nAtelier;13/10/2026 14h;" + strings.Repeat("Léa Martin, ", 50) + "\n", []string{`speakers_too_long@2["500"]`}, nil, 0},
		{"ignored columns", "Titre;Date;Public;Début;;Commentaire;Titre\nAtelier;13/10/2026;tous;14h;;;x\n",
			nil, []string{`ignored_columns@1["Public, Commentaire, Titre"]`}, 1},
		{"a day without a time", head + "Atelier;atelier;13/10/2026;;;\n", nil, []string{"all_day@2"}, 1},
		{"notes only for lines kept", head + "Pause;;13/10/2026;;;\n;pause;13/10/2026;;;\n",
			[]string{"missing_title@3"}, []string{"all_day@2", "kind_missing@2"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := programme.Parse("programme.csv", "text/csv", []byte(tt.file))
			checkResult(t, r)
			checkBrief(t, "problems", r.Problems, tt.problems)
			checkBrief(t, "notes", r.Notes, tt.notes)
			if len(r.Drafts) != tt.drafts {
				t.Errorf("%d drafts, want %d:%s", len(r.Drafts), tt.drafts, showAll(r.Drafts))
			}
		})
	}
}

func TestProblemsName(t *testing.T) {
	r := programme.Parse("p.csv", "", []byte("Titre;Date\nAtelier IA;13/10/2026 14:00\nAtelier IA;13/10/2026 14:00\n"))
	if len(r.Problems) != 1 || r.Problems[0].Title != "Atelier IA" {
		t.Errorf("problems %+v, want one naming the line's title", r.Problems)
	}
}

func TestDetect(t *testing.T) {
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Atelier\r\nDTSTART:20261013T120000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	tests := []struct {
		name, contentType, data string
		format                  programme.Format
		problems                []string
	}{
		{"programme.ics", "text/calendar", ics, programme.FormatICS, nil},
		{"programme.csv", "text/csv", ics, programme.FormatICS, nil}, // the content decides
		{"export", "", "\ufeff\r\n" + ics, programme.FormatICS, nil},
		{"programme.ics", "text/calendar", excelFR, "", []string{"ics_unreadable@0"}},
		{"programme", "text/calendar; charset=utf-8", excelFR, "", []string{"ics_unreadable@0"}},
		{"programme.csv", "application/vnd.ms-excel", excelFR, programme.FormatCSV, nil},
		{"programme.txt", "", excelFR, programme.FormatCSV, nil},
		{"programme", "", excelFR, programme.FormatCSV, nil},
		{"programme.xlsx", "", "PK\x03\x04\x14\x00\x06\x00", "", []string{"spreadsheet@0"}},
		{"programme.ods", "", "PK\x03\x04\x14\x00\x00\x08", "", []string{"spreadsheet@0"}},
		{"programme.xls", "", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "", []string{"spreadsheet@0"}},
		{"photo.png", "image/png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "", []string{"not_csv_or_ics@0"}},
		{"programme.pdf", "application/pdf", "%PDF-1.7\n%âãÏÓ\n", "", []string{"not_csv_or_ics@0"}},
		{"programme.html", "text/html", "<!DOCTYPE html><html><body>", "", []string{"not_csv_or_ics@0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.contentType, func(t *testing.T) {
			r := programme.Parse(tt.name, tt.contentType, []byte(tt.data))
			checkResult(t, r)
			if r.Format != tt.format {
				t.Errorf("format %q, want %q", r.Format, tt.format)
			}
			checkBrief(t, "problems", r.Problems, tt.problems)
		})
	}
}
