package auth

import (
	"fmt"
	"time"
)

// PortalLink is what a portal link token says: which link, which tenant,
// under which of its portal epochs, until when.
type PortalLink struct {
	// ID tells the link apart from every other (128 random bits), so that
	// its one use can be recorded.
	ID     string `json:"id"`
	Tenant string `json:"t"`
	// Epoch is the tenant's portal epoch when the link was made: the link
	// works only while the tenant still has it.
	Epoch   string `json:"e"`
	Expires int64  `json:"exp"` // Unix seconds
}

// ExpiresAt is when the link stops working.
func (l PortalLink) ExpiresAt() time.Time { return time.Unix(l.Expires, 0) }

// NewPortalEpoch returns a fresh portal epoch for a tenant: 128 random
// bits, so that no two tenants, nor two incarnations of one tenant id, nor
// a tenant before and after a revocation, share one.
func NewPortalEpoch() string { return randomString(16) }

// SealPortalLink returns the token of a new portal link that opens
// tenantID's pages under its portal epoch until expires (kept to the
// second).
func (k *Keyring) SealPortalLink(tenantID, epoch string, expires time.Time) (string, error) {
	tok, err := sealJSON(k.portal, PortalLink{ID: randomString(16), Tenant: tenantID, Epoch: epoch, Expires: expires.Unix()})
	if err != nil {
		return "", fmt.Errorf("seal portal link: %w", err)
	}
	return tok, nil
}

// OpenPortalLink returns the portal link sealed in token if it verifies,
// is whole and has not expired at now; ErrBadToken otherwise.
func (k *Keyring) OpenPortalLink(token string, now time.Time) (PortalLink, error) {
	var l PortalLink
	if err := openJSON(k.portal, token, &l); err != nil || l.ID == "" || l.Tenant == "" || l.Epoch == "" {
		return PortalLink{}, ErrBadToken
	}
	if !now.Before(l.ExpiresAt()) {
		return PortalLink{}, ErrBadToken
	}
	return l, nil
}
