package ses_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/ses"
)

var date = time.Date(2026, 11, 30, 8, 0, 0, 0, time.FixedZone("CET", 3600))

func testMessage() *ses.Message {
	return &ses.Message{
		To:          "orga@example.org",
		Subject:     "retours — 12 nouvelles réponses cette semaine pour « Numérique En Commun[s] Auvergne »",
		Lang:        "fr",
		Text:        "Bonjour,\n\nUne ligne assez longue pour être coupée par l'encodage quoted-printable, avec des accents : é, à, ç, œ, et un signe = égal.\n",
		HTML:        "<!doctype html><p>Bonjour,</p><p>Des accents : é, à.</p>",
		Unsubscribe: "https://retours.example.org/unsubscribe/abc.def",
	}
}

// parsed is a message read back by the standard library, as a mail client would.
type parsed struct {
	header      mail.Header
	text, html  string
	contentType string
}

func mustParse(t *testing.T, raw []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("message does not parse: %v\n%s", err, raw)
	}
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %d is %d characters long: %q", i+1, len(line), line)
		}
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, %v; want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	p := parsed{header: m.Header, contentType: mt}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		switch ct := part.Header.Get("Content-Type"); ct {
		case "text/plain; charset=utf-8":
			p.text = string(b)
		case "text/html; charset=utf-8":
			p.html = string(b)
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	return p
}

func TestBuild(t *testing.T) {
	m := testMessage()
	raw, err := ses.Build("retours <digest@retours.example.org>", m, date)
	if err != nil {
		t.Fatal(err)
	}
	p := mustParse(t, raw)
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(p.header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject = %q, %v; want %q", subject, err, m.Subject)
	}
	for k, want := range map[string]string{
		"From":                  `"retours" <digest@retours.example.org>`,
		"To":                    "<orga@example.org>",
		"Date":                  "Mon, 30 Nov 2026 08:00:00 +0100",
		"List-Unsubscribe":      "<https://retours.example.org/unsubscribe/abc.def>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Content-Language":      "fr",
		"Auto-Submitted":        "auto-generated",
	} {
		if got := p.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// Mail has CRLF line ends; the parts are otherwise unchanged.
	if text := strings.ReplaceAll(p.text, "\r\n", "\n"); text != m.Text || p.html != m.HTML {
		t.Errorf("parts = %q and %q, want %q and %q", p.text, p.html, m.Text, m.HTML)
	}
	for _, subject := range []string{
		"Weekly digest",
		"This week on “Digital Commons Day”: 12 new answers and 3 new notes, and more words to fold",
		"Un_sujet =?avec?= des signes : 100 % « réussi » ? Oui !",
	} {
		m := testMessage()
		m.Subject = subject
		raw, err := ses.Build("digest@retours.example.org", m, date)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dec.DecodeHeader(mustParse(t, raw).header.Get("Subject"))
		if err != nil || got != subject {
			t.Errorf("Subject %q reads back as %q, %v", subject, got, err)
		}
	}
	again, _ := ses.Build("retours <digest@retours.example.org>", m, date)
	if !bytes.Equal(raw, again) {
		t.Error("the same message builds to different bytes")
	}

	for _, tc := range []struct {
		name   string
		from   string
		change func(*ses.Message)
	}{
		{"bad sender", "not an address", func(*ses.Message) {}},
		{"bad recipient", "digest@example.org", func(m *ses.Message) { m.To = "nobody" }},
		{"header injection", "digest@example.org", func(m *ses.Message) { m.To = "a@example.org\r\nBcc: b@example.org" }},
		{"no unsubscribe URL", "digest@example.org", func(m *ses.Message) { m.Unsubscribe = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMessage()
			tc.change(m)
			if _, err := ses.Build(tc.from, m, date); err == nil {
				t.Error("Build succeeded, want an error")
			}
		})
	}
}

// sesEndpoint stands in for the SES v2 API on the loopback interface and
// records what the real client sends it.
type sesEndpoint struct {
	mu       sync.Mutex
	requests []recorded
	fail     string // an SES error code to answer with
}

type recorded struct {
	Method, Path, Auth string
	Body               struct {
		FromEmailAddress string
		Destination      struct{ ToAddresses []string }
		Content          struct{ Raw struct{ Data []byte } }
	}
}

func (e *sesEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var rec recorded
	rec.Method, rec.Path, rec.Auth = r.Method, r.URL.Path, r.Header.Get("Authorization")
	json.NewDecoder(r.Body).Decode(&rec.Body)
	e.mu.Lock()
	e.requests = append(e.requests, rec)
	fail := e.fail
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if fail != "" {
		w.Header().Set("X-Amzn-Errortype", fail)
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"message":"rejected"}`)
		return
	}
	io.WriteString(w, `{"MessageId":"0100019a-test-message-id"}`)
}

func newSESClient(url string) *sesv2.Client {
	return sesv2.New(sesv2.Options{
		Region:       "eu-west-3",
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		BaseEndpoint: aws.String(url),
	})
}

func TestSESSendsRawMIME(t *testing.T) {
	ep := &sesEndpoint{}
	srv := httptest.NewServer(ep)
	defer srv.Close()
	sender := ses.NewSES(newSESClient(srv.URL), "retours <digest@retours.example.org>", func() time.Time { return date })

	id, err := sender.Send(t.Context(), testMessage())
	if err != nil {
		t.Fatal(err)
	}
	if id != "0100019a-test-message-id" {
		t.Errorf("id = %q, want SES's message id", id)
	}
	if len(ep.requests) != 1 {
		t.Fatalf("%d requests, want 1", len(ep.requests))
	}
	req := ep.requests[0]
	if req.Method != "POST" || req.Path != "/v2/email/outbound-emails" || !strings.Contains(req.Auth, "Credential=local/") {
		t.Errorf("request %s %s (auth %q), want a signed POST /v2/email/outbound-emails", req.Method, req.Path, req.Auth)
	}
	if req.Body.FromEmailAddress != "digest@retours.example.org" || len(req.Body.Destination.ToAddresses) != 1 || req.Body.Destination.ToAddresses[0] != "orga@example.org" {
		t.Errorf("from %q to %v", req.Body.FromEmailAddress, req.Body.Destination.ToAddresses)
	}
	want, _ := ses.Build("retours <digest@retours.example.org>", testMessage(), date)
	if !bytes.Equal(req.Body.Content.Raw.Data, want) {
		t.Errorf("raw content differs from Build's:\n%s", req.Body.Content.Raw.Data)
	}
	p := mustParse(t, req.Body.Content.Raw.Data)
	if p.header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("headers = %v", p.header)
	}

	t.Run("rejected", func(t *testing.T) {
		ep.fail = "MessageRejected"
		_, err := sender.Send(t.Context(), testMessage())
		if err == nil || retours.ErrorCode(err) != retours.EINTERNAL || !strings.Contains(err.Error(), "MessageRejected") {
			t.Errorf("err = %v, want an internal error naming MessageRejected", err)
		}
	})
}

func TestFolderWritesEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	f, err := ses.NewFolder(dir, "retours <digest@localhost>", func() time.Time { return date })
	if err != nil {
		t.Fatal(err)
	}
	name, err := f.Send(t.Context(), testMessage())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(name, ".eml") {
		t.Errorf("name = %q, want an .eml file", name)
	}
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ses.Build("retours <digest@localhost>", testMessage(), date)
	if !bytes.Equal(raw, want) {
		t.Error("the .eml file is not what Build writes")
	}
}
