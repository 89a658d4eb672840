package ui

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// sessionCookie names the console's one session cookie.
const sessionCookie = "lmshooks_session"

// Session kinds.
const (
	kindOperator = "operator"
	kindPortal   = "portal"
)

// session is who is signed in. It travels in an HMAC-sealed cookie, so the
// server keeps no session table (only a small list of signed-out ids).
type session struct {
	ID      string `json:"sid"`
	Kind    string `json:"k"`
	Tenant  string `json:"t,omitempty"` // the one tenant of a portal session
	Expires int64  `json:"exp"`         // Unix seconds
}

// operator reports whether the session may see every tenant.
func (s *session) operator() bool { return s.Kind == kindOperator }

// canSee reports whether the session may see tenantID's pages.
func (s *session) canSee(tenantID string) bool {
	return s.operator() || s.Tenant == tenantID
}

// newSessionID returns 128 random bits, base64url.
func newSessionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfToken is the session's CSRF token: a MAC of its id, so it needs no
// storage and differs per session.
func (c *Console) csrfToken(s *session) string {
	return base64.RawURLEncoding.EncodeToString(mac(c.keys.csrf, s.ID))
}

// setSession writes s as the session cookie. Portal sessions live in a
// frame of another site, so when cookies are Secure they are SameSite=None
// and Partitioned (CHIPS) to keep working where third-party cookies are
// blocked; operator sessions are SameSite=Lax.
func (c *Console) setSession(w http.ResponseWriter, s *session) error {
	v, err := sealJSON(c.keys.session, s)
	if err != nil {
		return err
	}
	ck := c.cookie(sessionCookie, v, s.Kind == kindPortal)
	ck.Expires = time.Unix(s.Expires, 0)
	http.SetCookie(w, ck)
	return nil
}

// cookie returns a cookie with the console's security attributes.
func (c *Console) cookie(name, value string, framed bool) *http.Cookie {
	ck := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		Secure:   c.secure,
		SameSite: http.SameSiteLaxMode,
	}
	if framed && c.secure {
		ck.SameSite = http.SameSiteNoneMode
		ck.Partitioned = true
	}
	return ck
}

// clearCookie removes a cookie.
func (c *Console) clearCookie(w http.ResponseWriter, name string) {
	ck := c.cookie(name, "", false)
	ck.MaxAge = -1
	http.SetCookie(w, ck)
}

// sessionOf returns the request's valid session, or nil.
func (c *Console) sessionOf(r *http.Request) *session {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	var s session
	if openJSON(c.keys.session, ck.Value, &s) != nil {
		return nil
	}
	if !c.clock.Now().Before(time.Unix(s.Expires, 0)) || c.revoked.has(s.ID) {
		return nil
	}
	if s.Kind != kindOperator && (s.Kind != kindPortal || s.Tenant == "") {
		return nil
	}
	return &s
}

// revocations remembers signed-out session ids until they would have
// expired anyway. It is per node: on other nodes a signed-out cookie stays
// valid until it expires, which is why sessions are short.
type revocations struct {
	mu  sync.Mutex
	ids map[string]time.Time
}

func (r *revocations) add(id string, until, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = map[string]time.Time{}
	}
	for k, exp := range r.ids {
		if now.After(exp) {
			delete(r.ids, k)
		}
	}
	r.ids[id] = until
}

func (r *revocations) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.ids[id]
	return ok
}

// ExpiresAt is when the session ends (for the templates).
func (s *session) ExpiresAt() time.Time { return time.Unix(s.Expires, 0) }
