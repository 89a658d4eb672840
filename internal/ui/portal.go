package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Portal link lifetimes.
const (
	DefaultPortalTTL = time.Hour
	MaxPortalTTL     = 24 * time.Hour
)

// portalClaims is what a portal link token says: which tenant, until when.
type portalClaims struct {
	Tenant  string `json:"t"`
	Expires int64  `json:"exp"`
	Nonce   string `json:"n"`
}

// IssuePortalLink returns the path of a signed link ("/portal/<token>")
// that opens tenantID's pages, and only those, until it expires. ttl 0
// means DefaultPortalTTL.
func (c *Console) IssuePortalLink(tenantID string, ttl time.Duration) (string, time.Time, error) {
	if ttl == 0 {
		ttl = DefaultPortalTTL
	}
	if ttl < 0 || ttl > MaxPortalTTL {
		return "", time.Time{}, domain.FieldErrorf("ttl_seconds", "must be between 1 and %d seconds", int(MaxPortalTTL/time.Second))
	}
	exp := c.clock.Now().Add(ttl).Truncate(time.Second)
	tok, err := sealJSON(c.keys.portal, portalClaims{Tenant: tenantID, Expires: exp.Unix(), Nonce: newSessionID()[:8]})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("seal portal link: %w", err)
	}
	return "/portal/" + url.PathEscape(tok), exp.UTC(), nil
}

// openPortal verifies a portal link and starts a portal session for its
// tenant that ends when the link expires. Any operator session in this
// browser is replaced: the frame shows exactly one tenant.
func (c *Console) openPortal(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	var pc portalClaims
	if err := openJSON(c.keys.portal, r.PathValue("token"), &pc); err != nil || pc.Tenant == "" {
		return errPortalLink
	}
	if !c.clock.Now().Before(time.Unix(pc.Expires, 0)) {
		return errPortalLink
	}
	if _, err := c.store.GetTenant(r.Context(), pc.Tenant); err != nil {
		return errPortalLink
	}
	s := &session{ID: newSessionID(), Kind: kindPortal, Tenant: pc.Tenant, Expires: pc.Expires}
	if err := c.setSession(w, s); err != nil {
		return err
	}
	http.Redirect(w, r, tenantBase(pc.Tenant)+"/", http.StatusSeeOther)
	return nil
}

// errPortalLink answers every bad portal link the same way.
var errPortalLink = &domain.Error{Code: domain.EUNAUTHORIZED, Message: "This portal link is invalid or has expired. Ask your learning platform for a new one."}

// absURL makes path absolute on the host the request came to.
func absURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
