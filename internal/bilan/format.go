package bilan

import (
	"encoding/json"
	"io"
	"regexp"
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
	breaks := autolinkBreaks(s)
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '|', '<', '>', '~', '&', '!', '"':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case '#', '+', '-', '=', '.', ':':
			// Markup only at the start of a line, or in an address a
			// renderer would turn into a link.
			if i == 0 && lineStart || breaks[i] {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
		case '@':
			if breaks[i] {
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

var (
	scheme = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://|(?i)\b(?:mailto|xmpp):`)
	www    = regexp.MustCompile(`(?i)www\.`)
	email  = regexp.MustCompile(`[A-Za-z0-9._%+-]@[A-Za-z0-9]`)
)

// autolinkBreaks returns the offsets in s of the characters to escape so
// that no renderer turns a bare address into a link, as GitHub's and most
// others' "extended autolinks" do: the colon of a scheme followed by "//"
// (http://, https://, ftp://) or of mailto: and xmpp:, the dot of "www."
// and the "@" of an e-mail address. A backslash before them keeps the text as written and breaks the
// pattern the renderers look for.
func autolinkBreaks(s string) map[int]bool {
	var out map[int]bool
	mark := func(i int) {
		if out == nil {
			out = map[int]bool{}
		}
		out[i] = true
	}
	for _, m := range scheme.FindAllStringIndex(s, -1) {
		mark(strings.IndexByte(s[m[0]:m[1]], ':') + m[0])
	}
	for _, m := range www.FindAllStringIndex(s, -1) {
		mark(m[1] - 1)
	}
	for _, m := range email.FindAllStringIndex(s, -1) {
		mark(m[0] + 1)
	}
	return out
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
