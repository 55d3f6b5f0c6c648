// Package ses delivers retours' e-mail: through Amazon SES v2 when deployed,
// into a folder of .eml files on a developer's machine. Both send the same
// bytes, built by Build, so what a developer opens locally is what an
// organiser receives.
package ses

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/retours/retours/internal/retours"
)

// Message is one e-mail to one recipient, with a plain-text and an HTML
// version of the same content.
type Message struct {
	To      string
	Subject string
	Lang    string // Content-Language, "fr" or "en"
	Text    string
	HTML    string
	// Unsubscribe is the https URL that unsubscribes the recipient in one
	// click (RFC 8058): mail clients show it next to the sender.
	Unsubscribe string
}

// Sender delivers messages.
type Sender interface {
	// Send delivers m and returns the id the delivery service gave it.
	// EUNAVAILABLE when the service asks to slow down; the caller may retry.
	Send(ctx context.Context, m *Message) (id string, err error)
}

var (
	_ Sender = (*SES)(nil)
	_ Sender = (*Folder)(nil)
)

// Build returns m as a MIME message from the address from, dated date:
// multipart/alternative with the text part first, both quoted-printable
// UTF-8, and the List-Unsubscribe headers of one-click unsubscription.
func Build(from string, m *Message, date time.Time) ([]byte, error) {
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("ses: sender address: %w", err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("ses: recipient address: %w", err)
	}
	if !strings.HasPrefix(m.Unsubscribe, "https://") && !strings.HasPrefix(m.Unsubscribe, "http://") {
		return nil, errors.New("ses: message without an unsubscribe URL")
	}
	// The boundary and Message-ID derive from the content so that the same
	// message builds to the same bytes (and golden files stay stable).
	sum := sha256.Sum256([]byte(m.To + "\x00" + m.Subject + "\x00" + m.Text + "\x00" + m.HTML + "\x00" + date.Format(time.RFC3339Nano)))
	id := hex.EncodeToString(sum[:12])
	_, domain, _ := strings.Cut(sender.Address, "@")

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.SetBoundary("retours-" + id[:16]); err != nil {
		return nil, err
	}
	for _, part := range []struct{ typ, content string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.content)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}

	var msg bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&msg, "%s: %s\r\n", k, v) }
	header("From", sender.String())
	header("To", to.String())
	header("Subject", encodeWords(m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+id+"@"+domain+">")
	header("MIME-Version", "1.0")
	if m.Lang != "" {
		header("Content-Language", m.Lang)
	}
	header("Auto-Submitted", "auto-generated")
	header("List-Unsubscribe", "<"+m.Unsubscribe+">")
	header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}

// encodeWords writes a header value as RFC 2047 encoded words short enough
// that no line passes the 78 characters RFC 5322 recommends, one word per
// folded line. Short ASCII values are left as they are.
func encodeWords(v string) string {
	plain := len(v) <= 60
	for i := 0; i < len(v) && plain; i++ {
		plain = v[i] >= ' ' && v[i] <= '~'
	}
	if plain {
		return v
	}
	const maxEncoded = 50
	var words []string
	var b strings.Builder
	for _, r := range v {
		var enc string
		switch {
		case r == ' ':
			enc = "_"
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!*+-/", r)):
			enc = string(r)
		default:
			for _, c := range []byte(string(r)) {
				enc += fmt.Sprintf("=%02X", c)
			}
		}
		if b.Len()+len(enc) > maxEncoded {
			words = append(words, "=?utf-8?q?"+b.String()+"?=")
			b.Reset()
		}
		b.WriteString(enc)
	}
	words = append(words, "=?utf-8?q?"+b.String()+"?=")
	return strings.Join(words, "\r\n ")
}

// SES sends through Amazon SES v2 with raw MIME content.
type SES struct {
	client *sesv2.Client
	from   string
	now    func() time.Time
}

// NewSES returns a sender through client from the address from ("retours
// <digest@example.org>"), which must be an identity verified in SES.
// Pointing client at AWS or elsewhere is the caller's choice.
func NewSES(client *sesv2.Client, from string, now func() time.Time) *SES {
	if now == nil {
		now = time.Now
	}
	return &SES{client: client, from: from, now: now}
}

// Send implements Sender.
func (s *SES) Send(ctx context.Context, m *Message) (string, error) {
	raw, err := Build(s.from, m, s.now())
	if err != nil {
		return "", err
	}
	from, _ := mail.ParseAddress(s.from) // Build checked it
	out, err := s.client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from.Address),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	})
	if err != nil {
		return "", translate(err)
	}
	return aws.ToString(out.MessageId), nil
}

// translate keeps SES's own words out of the domain: throttling becomes
// EUNAVAILABLE, anything else stays an internal error with its SES code.
func translate(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "TooManyRequestsException", "LimitExceededException":
			return fmt.Errorf("ses: send: %s: %w", api.ErrorCode(), &retours.Error{Code: retours.EUNAVAILABLE, Key: "email.throttled"})
		}
		return fmt.Errorf("ses: send: %s", api.ErrorCode())
	}
	return fmt.Errorf("ses: send: %w", err)
}

// Folder writes each message as an .eml file into a folder, for the local
// server: open them with any mail client.
type Folder struct {
	dir  string
	from string
	now  func() time.Time
}

// NewFolder returns a sender writing into dir, which it creates.
func NewFolder(dir, from string, now func() time.Time) (*Folder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Folder{dir: dir, from: from, now: now}, nil
}

// Dir returns the folder messages are written to.
func (f *Folder) Dir() string { return f.dir }

// Send implements Sender. The id is the file's name.
func (f *Folder) Send(ctx context.Context, m *Message) (string, error) {
	date := f.now()
	raw, err := Build(f.from, m, date)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	name := date.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(sum[:4]) + ".eml"
	if err := os.WriteFile(filepath.Join(f.dir, name), raw, 0o644); err != nil {
		return "", err
	}
	return name, nil
}
