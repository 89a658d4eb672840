package ui

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Sign-in limits: at most loginMaxFailures wrong passwords per
// loginWindow from one client; reaching it locks the client out for
// loginWindow, twice as long at each lockout after that, up to
// loginMaxLockout. A client's lockout history is forgotten after
// loginForget without a failure, or at its first successful sign-in.
const (
	loginMaxFailures = 5
	loginWindow      = 5 * time.Minute
	loginMaxLockout  = time.Hour
	loginForget      = 24 * time.Hour
	// loginMaxClients bounds the limiter's memory (~100 bytes a client).
	loginMaxClients = 10000
)

// loginLimiter counts failed sign-ins per client address in memory, on
// this node only. It exists so that the operator password cannot be
// guessed at the speed of the network; PBKDF2 already makes each guess
// cost the server, so the limiter also keeps a flood from burning CPU.
type loginLimiter struct {
	mu         sync.Mutex
	clients    map[string]*loginClient
	maxClients int
}

// loginClient is one client's recent failures and lockouts.
type loginClient struct {
	windowStart time.Time // start of the current counting window
	failures    int       // failures since windowStart
	lockouts    int       // lockouts so far, for the doubling
	lockedUntil time.Time
	lastFailure time.Time
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{clients: map[string]*loginClient{}, maxClients: loginMaxClients}
}

// allow reports whether key may try a password at now, and if not, how
// long until it may.
func (l *loginLimiter) allow(key string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[key]
	if c == nil || !now.Before(c.lockedUntil) {
		return 0, true
	}
	return c.lockedUntil.Sub(now), false
}

// fail records a wrong password from key at now. It returns the lockout
// this failure started, zero when it started none.
func (l *loginLimiter) fail(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.clients[key]
	if c == nil {
		if len(l.clients) >= l.maxClients {
			l.evict(now)
		}
		c = &loginClient{windowStart: now}
		l.clients[key] = c
	}
	if !c.lastFailure.IsZero() && now.Sub(c.lastFailure) >= loginForget {
		*c = loginClient{windowStart: now} // quiet long enough: a fresh start
	}
	if now.Sub(c.windowStart) >= loginWindow {
		c.windowStart, c.failures = now, 0
	}
	c.failures++
	c.lastFailure = now
	if c.failures < loginMaxFailures {
		return 0
	}
	lock := loginWindow << min(c.lockouts, 10) // the shift is capped so it cannot overflow
	lock = min(lock, loginMaxLockout)
	c.lockouts++
	c.failures = 0
	c.lockedUntil = now.Add(lock)
	// The next window starts when the lockout ends, so failures made
	// before it do not count twice.
	c.windowStart = c.lockedUntil
	return lock
}

// succeed forgets key: a right password resets its failures and lockouts.
func (l *loginLimiter) succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.clients, key)
}

// evict makes room for one client: it drops the clients whose history is
// forgotten anyway, or failing that the one that failed longest ago.
// It is called only when the table is full, so its scan is rare unless
// more than maxClients addresses are guessing at once, when per-address
// limits no longer protect much anyway. Called with l.mu held.
func (l *loginLimiter) evict(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, c := range l.clients {
		if now.Sub(c.lastFailure) >= loginForget && !now.Before(c.lockedUntil) {
			delete(l.clients, k)
			continue
		}
		if oldestKey == "" || c.lastFailure.Before(oldest) {
			oldestKey, oldest = k, c.lastFailure
		}
	}
	if len(l.clients) >= l.maxClients && oldestKey != "" {
		delete(l.clients, oldestKey)
	}
}

// clientKey is the address sign-in attempts are counted under: the host
// of the connection's remote address. X-Forwarded-For is not trusted, as
// any client can send it; behind a reverse proxy every client shares the
// proxy's address, so the limit applies to all of them together. An IPv6
// client is counted by its /64, which one user or site usually holds
// whole.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, err := addr.Prefix(64)
		if err == nil {
			return p.String()
		}
	}
	return addr.String()
}
