package bilan

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/retours/retours/internal/retours"
)

func formatInt(n int) string { return strconv.Itoa(n) }

// WriteJSON writes b as indented JSON.
func WriteJSON(w io.Writer, b *Bilan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

// mdEscape makes s inert in Markdown: no markup, links, HTML or table breaks.
func mdEscape(s string) string {
	var sb strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '-', '.', '!', '|', '<', '>', '~', '=', '"', '&':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case '\n', '\r':
			sb.WriteString(" ")
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

var noteTitles = map[string]string{
	retours.NoteEtonnement:     "Rapport d'étonnement",
	retours.NotePointFort:      "Points forts",
	retours.NoteAmelioration:   "Points d'amélioration",
	retours.NoteMomentMarquant: "Moments marquants",
}

// WriteMarkdown writes b as Markdown.
func WriteMarkdown(w io.Writer, b *Bilan) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "# Bilan — %s\n\n", mdEscape(b.Event.Title))
	if b.Event.Place != "" {
		fmt.Fprintf(&sb, "%s, ", mdEscape(b.Event.Place))
	}
	fmt.Fprintf(&sb, "%s\n\n", b.Event.StartsAt.Format(time.DateOnly))
	fmt.Fprintf(&sb, "## Participation\n\n%d réponses", b.Answers)
	if b.Event.RegisteredCount > 0 {
		fmt.Fprintf(&sb, " pour %d inscrit·es", b.Event.RegisteredCount)
	}
	sb.WriteString(".\n\n| Session | Réponses |\n|---|---:|\n")
	for _, s := range b.Sessions {
		if s.Suppressed {
			fmt.Fprintf(&sb, "| %s | moins de %d réponses |\n", mdEscape(s.Title), b.Threshold)
			continue
		}
		fmt.Fprintf(&sb, "| %s | %d |\n", mdEscape(s.Title), s.Answers)
	}
	sb.WriteString("\n## Questions\n")
	for _, q := range b.Questions {
		fmt.Fprintf(&sb, "\n### %s\n\n%d réponses", mdEscape(q.Label), q.Count)
		if q.Mean != nil {
			fmt.Fprintf(&sb, ", moyenne %.2f", *q.Mean)
		}
		sb.WriteString(".\n")
		if len(q.Distribution) > 0 {
			sb.WriteString("\n| Valeur | Réponses |\n|---|---:|\n")
			for _, d := range q.Distribution {
				fmt.Fprintf(&sb, "| %s | %d |\n", mdEscape(d.Label), d.Count)
			}
		}
	}
	for _, g := range b.NoteGroups {
		fmt.Fprintf(&sb, "\n## %s (%d)\n\n", noteTitles[g.Kind], g.Count)
		for _, n := range g.Notes {
			fmt.Fprintf(&sb, "- %s\n", mdEscape(n.Text))
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// CSVOptions configure WriteCSV.
type CSVOptions struct {
	// Semicolon selects the French spreadsheet variant: ';' separators and a
	// UTF-8 byte order mark.
	Semicolon bool
}

// WriteCSV writes every answer of e, one row per answer and one column per
// question (RFC 4180). each calls its argument for every answer.
func WriteCSV(w io.Writer, e *retours.Event, each func(func(*retours.Answer) error) error, opts CSVOptions) error {
	if opts.Semicolon {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if opts.Semicolon {
		cw.Comma = ';'
	}
	header := []string{"answer_id", "created_at", "session_id", "session", "lang"}
	for _, q := range e.Questionnaire.Questions {
		header = append(header, q.ID)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	titles := map[string]string{}
	for _, s := range e.Sessions {
		titles[s.ID] = s.Title
	}
	row := make([]string, len(header))
	err := each(func(a *retours.Answer) error {
		row = row[:0]
		row = append(row, a.ID, a.CreatedAt.UTC().Format(time.RFC3339), a.SessionID, cell(titles[a.SessionID]), a.Lang)
		for _, q := range e.Questionnaire.Questions {
			v, ok := a.Values[q.ID]
			switch {
			case !ok:
				row = append(row, "")
			case q.Kind == retours.QuestionRating || q.Kind == retours.QuestionNPS:
				row = append(row, strconv.Itoa(v.Number))
			case q.Kind == retours.QuestionText:
				row = append(row, cell(v.Text))
			default:
				cs := append([]string(nil), v.Choices...)
				sort.Strings(cs)
				row = append(row, strings.Join(cs, "|"))
			}
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// cell neutralises text that a spreadsheet would read as a formula.
func cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
