package ui

import (
	"net/http"
	"sync"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
)

// sessionCookie names the console's one session cookie.
const sessionCookie = "lmshooks_session"

// The session (auth.Session) travels in a sealed cookie, so the server
// keeps no session table, only a small list of signed-out ids.

// csrfToken is the session's CSRF token.
func (c *Console) csrfToken(s *auth.Session) string {
	return c.keys.CSRFToken(s)
}

// setSession writes s as the session cookie. Portal sessions live in a
// frame of another site, so when cookies are Secure they are SameSite=None
// and Partitioned (CHIPS) to keep working where third-party cookies are
// blocked; operator sessions are SameSite=Lax.
func (c *Console) setSession(w http.ResponseWriter, s *auth.Session) error {
	v, err := c.keys.SealSession(s)
	if err != nil {
		return err
	}
	ck := c.cookie(sessionCookie, v, s.Portal())
	ck.Expires = s.ExpiresAt()
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
func (c *Console) sessionOf(r *http.Request) *auth.Session {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s, err := c.keys.OpenSession(ck.Value, c.clock.Now())
	if err != nil || c.revoked.has(s.ID) {
		return nil
	}
	return s
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
