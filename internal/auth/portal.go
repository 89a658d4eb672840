package auth

import (
	"fmt"
	"time"
)

// portalClaims is what a portal link token says: which tenant, until when.
type portalClaims struct {
	Tenant  string `json:"t"`
	Expires int64  `json:"exp"`
	Nonce   string `json:"n"`
}

// SealPortalLink returns the token of a portal link that opens tenantID's
// pages until expires (kept to the second).
func (k *Keyring) SealPortalLink(tenantID string, expires time.Time) (string, error) {
	tok, err := sealJSON(k.portal, portalClaims{Tenant: tenantID, Expires: expires.Unix(), Nonce: randomString(6)})
	if err != nil {
		return "", fmt.Errorf("seal portal link: %w", err)
	}
	return tok, nil
}

// OpenPortalLink returns the tenant and end of the portal link token if it
// verifies and has not expired at now; ErrBadToken otherwise.
func (k *Keyring) OpenPortalLink(token string, now time.Time) (tenantID string, expires time.Time, err error) {
	var pc portalClaims
	if err := openJSON(k.portal, token, &pc); err != nil || pc.Tenant == "" {
		return "", time.Time{}, ErrBadToken
	}
	expires = time.Unix(pc.Expires, 0)
	if !now.Before(expires) {
		return "", time.Time{}, ErrBadToken
	}
	return pc.Tenant, expires, nil
}
