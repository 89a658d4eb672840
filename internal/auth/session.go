package auth

import (
	"encoding/base64"
	"fmt"
	"time"
)

// Session kinds.
const (
	// OperatorSession may see every tenant.
	OperatorSession = "operator"
	// PortalSession sees one tenant, opened from a portal link.
	PortalSession = "portal"
)

// Session is who is signed in to the console. It travels sealed (see
// Keyring.SealSession), so the server keeps no session table.
type Session struct {
	ID     string `json:"sid"`
	Kind   string `json:"k"`
	Tenant string `json:"t,omitempty"` // the one tenant of a portal session
	// Epoch is the tenant's portal epoch a portal session was opened
	// under: the session works only while the tenant still has it.
	Epoch string `json:"e,omitempty"`
	// Link is the id of the portal link that opened a portal session.
	Link    string `json:"l,omitempty"`
	Expires int64  `json:"exp"` // Unix seconds
}

// NewSession returns a fresh session of kind for tenantID ("" for the
// operator) that ends at expires.
func NewSession(kind, tenantID string, expires time.Time) *Session {
	return &Session{ID: newSessionID(), Kind: kind, Tenant: tenantID, Expires: expires.Unix()}
}

// NewPortalSession returns a fresh portal session opened by link, bound to
// its tenant and portal epoch, that ends at expires.
func NewPortalSession(link PortalLink, expires time.Time) *Session {
	s := NewSession(PortalSession, link.Tenant, expires)
	s.Epoch, s.Link = link.Epoch, link.ID
	return s
}

// newSessionID returns 128 random bits, base64url.
func newSessionID() string { return randomString(16) }

// Operator reports whether the session may see every tenant.
func (s *Session) Operator() bool { return s.Kind == OperatorSession }

// Portal reports whether the session is a tenant's portal session.
func (s *Session) Portal() bool { return s.Kind == PortalSession }

// CanSee reports whether the session may see tenantID's pages.
func (s *Session) CanSee(tenantID string) bool {
	return s.Operator() || s.Tenant == tenantID
}

// ExpiresAt is when the session ends.
func (s *Session) ExpiresAt() time.Time { return time.Unix(s.Expires, 0) }

// valid reports whether the session has a known shape: an operator, or a
// portal session of one tenant under one of its portal epochs.
func (s *Session) valid() bool {
	return s.Kind == OperatorSession || (s.Kind == PortalSession && s.Tenant != "" && s.Epoch != "")
}

// SealSession returns s as a token only this keyring can have made.
func (k *Keyring) SealSession(s *Session) (string, error) {
	tok, err := sealJSON(k.session, s)
	if err != nil {
		return "", fmt.Errorf("seal session: %w", err)
	}
	return tok, nil
}

// OpenSession returns the session sealed in token if it verifies, has a
// known shape and has not expired at now; ErrBadToken otherwise.
func (k *Keyring) OpenSession(token string, now time.Time) (*Session, error) {
	var s Session
	if err := openJSON(k.session, token, &s); err != nil {
		return nil, err
	}
	if !now.Before(s.ExpiresAt()) || !s.valid() {
		return nil, ErrBadToken
	}
	return &s, nil
}

// CSRFToken is the session's CSRF token: a MAC of its id, so it needs no
// storage and differs per session.
func (k *Keyring) CSRFToken(s *Session) string {
	return base64.RawURLEncoding.EncodeToString(mac(k.csrf, s.ID))
}
