package bilan

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

func formatInt(n int) string { return strconv.Itoa(n) }

// WriteJSON writes b in its versioned JSON shape (see the README's "Bilan
// JSON"). HTML-significant characters are escaped as \u003c and the like,
// so the JSON is inert if a browser renders it as HTML.
func WriteJSON(w io.Writer, b *Bilan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

// ReadJSON reads a bilan written by WriteJSON.
func ReadJSON(data []byte) (*Bilan, error) {
	var b Bilan
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// mdEscape makes s inert in Markdown: no markup, links, HTML, entities or
// table breaks, on one line that may start a block.
func mdEscape(s string) string { return mdEscapeAt(s, true) }

// mdCell is mdEscape for a table cell, where "-12" is not a list.
func mdCell(s string) string { return mdEscapeAt(s, false) }

func mdEscapeAt(s string, lineStart bool) string {
	var sb strings.Builder
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '|', '<', '>', '~', '&', '!', '"':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case '#', '+', '-', '=', '.', ':':
			// Markup only at the start of a line.
			if i == 0 && lineStart {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
		case '\n', '\r', '\t':
			sb.WriteByte(' ')
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// WriteMarkdown writes b as Markdown, with the same sections and tables as
// the HTML page.
func WriteMarkdown(w io.Writer, b *Bilan) error {
	d := layout(b)
	var sb strings.Builder
	sb.WriteString("# " + mdEscape(d.Title) + "\n\n")
	for _, s := range d.Subtitle {
		sb.WriteString(mdEscape(s) + "  \n")
	}
	for _, s := range d.Sections {
		writeMDSection(&sb, s, 2, d.Lang)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func writeMDSection(sb *strings.Builder, s section, level int, lang string) {
	sb.WriteString("\n" + strings.Repeat("#", level) + " " + mdEscape(s.Title) + "\n\n")
	for _, t := range s.Text {
		sb.WriteString(mdEscape(t) + "\n\n")
	}
	if t := s.Table; t != nil {
		sb.WriteString("|")
		for _, h := range t.Head {
			sb.WriteString(" " + mdCell(h) + " |")
		}
		sb.WriteString("\n|")
		for i := range t.Head {
			if t.Num[i] {
				sb.WriteString("---:|")
			} else {
				sb.WriteString("---|")
			}
		}
		sb.WriteString("\n")
		for _, row := range t.Rows {
			sb.WriteString("|")
			for _, c := range row {
				sb.WriteString(" " + mdCell(c) + " |")
			}
			sb.WriteString("\n")
		}
		sb.WriteString("\n")
	}
	for _, th := range s.Themes {
		sb.WriteString("- **" + mdEscape(th.Label) + "** (" + itoa(th.Count) + ")\n")
		for _, q := range th.Quotes {
			sb.WriteString("  - « " + mdEscape(q.Text) + " »")
			if q.Session != "" {
				sb.WriteString(" — " + mdEscape(q.Session))
			}
			sb.WriteString("\n")
		}
	}
	if len(s.Themes) > 0 {
		sb.WriteString("\n")
	}
	for _, n := range s.Notes {
		sb.WriteString("- " + mdEscape(n.Text))
		if n.Session != "" {
			sb.WriteString(" — *" + mdEscape(n.Session) + "*")
		}
		sb.WriteString("\n")
	}
	for _, sub := range s.Sub {
		writeMDSection(sb, sub, level+1, lang)
	}
}
