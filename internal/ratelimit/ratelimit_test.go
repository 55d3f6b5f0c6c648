package ratelimit_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/retours/retours/internal/dynamo"
	"github.com/retours/retours/internal/ratelimit"
	"github.com/retours/retours/internal/retours"
	"github.com/retours/retours/internal/web"
)

// The table's store counts for every instance (its test on DynamoDB Local
// is internal/stack's TestClientLimits).
var _ ratelimit.Counter = (*dynamo.Store)(nil)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func TestLimiterWindows(t *testing.T) {
	c := &clock{now: time.Date(2026, 11, 30, 9, 0, 10, 0, time.UTC)}
	l := ratelimit.New(ratelimit.NewMemory(), "a-secret-of-at-least-thirty-two-chars", c.Now)
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9:51234"
	rule := ratelimit.Rules[web.LimitDownload]
	for i := range rule.N {
		if err := l.Limit(r, web.LimitDownload, "k3vq2a7b"); err != nil {
			t.Fatalf("hit %d: %v", i+1, err)
		}
	}
	if err := l.Over(r, web.LimitDownload, "k3vq2a7b"); retours.ErrorCode(err) != retours.ETOOMANY {
		t.Errorf("Over at the limit = %v, want too many", err)
	}
	err := l.Limit(r, web.LimitDownload, "k3vq2a7b")
	if retours.ErrorCode(err) != retours.ETOOMANY || retours.ErrorFields(err)["retry_after"] != "50" {
		t.Fatalf("hit past the limit = %v %v, want too many, retry after the 50 s left in the minute", err, retours.ErrorFields(err))
	}
	if msg := retours.ErrorMessage("en", err); !strings.Contains(msg, "50 seconds") {
		t.Errorf("message = %q", msg)
	}
	// Another port of the same address is the same client; another
	// address, or another event, is counted apart.
	r2 := httptest.NewRequest("GET", "/", nil)
	r2.RemoteAddr = "203.0.113.9:40000"
	if err := l.Limit(r2, web.LimitDownload, "k3vq2a7b"); err == nil {
		t.Error("another port of the same address was counted apart")
	}
	r2.RemoteAddr = "203.0.113.10"
	if err := l.Limit(r2, web.LimitDownload, "k3vq2a7b"); err != nil {
		t.Errorf("another address: %v", err)
	}
	if err := l.Limit(r, web.LimitDownload, "other123"); err != nil {
		t.Errorf("another event: %v", err)
	}
	// The next window starts afresh.
	c.now = c.now.Add(time.Minute)
	if err := l.Limit(r, web.LimitDownload, "k3vq2a7b"); err != nil {
		t.Errorf("next window: %v", err)
	}
}

func TestClientIsAKeyedHash(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9"
	a := ratelimit.New(ratelimit.NewMemory(), "first-secret-of-at-least-thirty-two", nil).Client(r)
	b := ratelimit.New(ratelimit.NewMemory(), "other-secret-of-at-least-thirty-two", nil).Client(r)
	if a == b || strings.Contains(a, "203") || len(a) != 32 {
		t.Errorf("client names %q and %q: want 128-bit hashes that depend on the key", a, b)
	}
}

func TestEveryClassHasARule(t *testing.T) {
	for _, class := range []string{web.LimitLogin, web.LimitToken, web.LimitCreate, web.LimitErase, web.LimitDigest, web.LimitUnsubscribe, web.LimitDownload} {
		if r, ok := ratelimit.Rules[class]; !ok || r.N < 1 || r.Per <= 0 {
			t.Errorf("class %q: rule %+v", class, r)
		}
	}
}
