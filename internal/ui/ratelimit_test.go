package ui

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
)

// signIn posts the sign-in form to the console as if from remote.
func signIn(c *Console, remote, password string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, req)
	return rec
}

func TestSignInRateLimit(t *testing.T) {
	clk := clock.NewFake(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	b := setup(t, func(c *Config) { c.Clock = clk })
	const ip, other = "192.0.2.7:40000", "198.51.100.9:40000"
	for i := 1; i < loginMaxFailures; i++ {
		if rec := signIn(b.console, ip, "wrong"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i, rec.Code)
		}
	}
	rec := signIn(b.console, ip, "wrong")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("wrong password %d: status %d, want 429", loginMaxFailures, rec.Code)
	}
	// Locked out: even the right password, from another port of the
	// same address, is refused with a clear answer.
	clk.Advance(time.Minute)
	rec = signIn(b.console, "192.0.2.7:40001", testPassword)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("right password while locked out: status %d, want 429", rec.Code)
	}
	if ra, _ := strconv.Atoi(rec.Header().Get("Retry-After")); ra != 240 {
		t.Fatalf("Retry-After = %q, want 240", rec.Header().Get("Retry-After"))
	}
	if body := rec.Body.String(); !strings.Contains(body, "Too many wrong passwords") || !strings.Contains(body, "4 minutes") {
		t.Fatalf("429 page does not say why and for how long:\n%s", body)
	}
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == sessionCookie {
			t.Fatal("a locked-out sign-in got a session")
		}
	}
	// Another address is not affected.
	if rec := signIn(b.console, other, testPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("other address: status %d, want 303", rec.Code)
	}
	// After the lockout the right password works, and resets the count:
	// four more wrong ones are 401s, not a longer lockout.
	clk.Advance(4 * time.Minute)
	if rec := signIn(b.console, ip, testPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("after the lockout: status %d, want 303", rec.Code)
	}
	for i := 1; i < loginMaxFailures; i++ {
		if rec := signIn(b.console, ip, "wrong"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("after success, wrong password %d: status %d, want 401", i, rec.Code)
		}
	}
	if rec := signIn(b.console, ip, testPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("right password after 4 failures: status %d, want 303", rec.Code)
	}
}

func TestSignInLockoutDoubles(t *testing.T) {
	l := newLoginLimiter()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, want := range []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour} {
		var lock time.Duration
		for range loginMaxFailures {
			if _, ok := l.allow("a", now); !ok {
				t.Fatal("locked out before the limit")
			}
			lock = l.fail("a", now)
		}
		if lock != want {
			t.Fatalf("lockout = %v, want %v", lock, want)
		}
		if wait, ok := l.allow("a", now.Add(lock-time.Second)); ok || wait != time.Second {
			t.Fatalf("one second before the end: allow = %v, %v; want 1s, false", wait, ok)
		}
		now = now.Add(lock)
	}
	// A day without failures forgets the lockouts.
	now = now.Add(loginForget)
	for range loginMaxFailures - 1 {
		l.fail("a", now)
	}
	if lock := l.fail("a", now); lock != loginWindow {
		t.Fatalf("lockout after a quiet day = %v, want %v", lock, loginWindow)
	}
	// Failures spread beyond the window never lock out.
	for range 3 * loginMaxFailures {
		if l.fail("b", now) != 0 {
			t.Fatal("failures 2 minutes apart locked out")
		}
		now = now.Add(2 * time.Minute)
	}
}

func TestSignInLimiterMemoryIsBounded(t *testing.T) {
	l := newLoginLimiter()
	l.maxClients = 3
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		l.fail(strconv.Itoa(i), now.Add(time.Duration(i)*time.Second))
		if len(l.clients) > 3 {
			t.Fatalf("%d clients remembered, want at most 3", len(l.clients))
		}
	}
	// The most recent ones are kept.
	if _, ok := l.clients["9"]; !ok {
		t.Fatal("the newest client was evicted")
	}
	if _, ok := l.clients["0"]; ok {
		t.Fatal("the oldest client was kept")
	}
}

func TestClientKey(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.7:1234":              "192.0.2.7",
		"[::ffff:192.0.2.7]:1234":     "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:1234": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:999":  "2001:db8:1:2::/64",
		"not an address":              "not an address",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", "203.0.113.1")
		if got := clientKey(r); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", remote, got, want)
		}
	}
}
