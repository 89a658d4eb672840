package service

import (
	"context"
	"errors"
	"net/url"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// Portal link lifetimes.
const (
	DefaultPortalTTL = time.Hour
	MaxPortalTTL     = 24 * time.Hour
)

// PortalConfig configures Portal.
type PortalConfig struct {
	// Keys signs and checks the links (required): the console's keyring,
	// so that every node sharing its source accepts the links.
	Keys *auth.Keyring
}

// Portal issues and opens portal links: signed, expiring links that open
// one tenant's pages of the web console, for an LMS to embed in its own
// admin pages.
type Portal struct {
	d    Deps
	keys *auth.Keyring
}

// NewPortal returns the portal links service.
func NewPortal(d Deps, cfg PortalConfig) (*Portal, error) {
	if cfg.Keys == nil {
		return nil, errors.New("portal links: a keyring is required")
	}
	return &Portal{d: d.withDefaults(), keys: cfg.Keys}, nil
}

// PortalLink is an issued link: its path on the console ("/portal/<token>")
// and when it stops working.
type PortalLink struct {
	Path      string
	ExpiresAt time.Time
}

// Issue returns a link that opens tenantID's pages, and only those, for
// ttlSeconds (nil: DefaultPortalTTL). An out-of-range lifetime is EINVALID
// on "ttl_seconds"; a tenant that does not exist is ENOTFOUND.
func (p *Portal) Issue(ctx context.Context, tenantID string, ttlSeconds *int64) (PortalLink, error) {
	ttl := DefaultPortalTTL
	if ttlSeconds != nil {
		max := int64(MaxPortalTTL / time.Second)
		if *ttlSeconds <= 0 || *ttlSeconds > max {
			return PortalLink{}, domain.FieldErrorf("ttl_seconds", "must be between 1 and %d seconds (24 hours)", max)
		}
		ttl = time.Duration(*ttlSeconds) * time.Second
	}
	if _, err := p.d.Store.GetTenant(ctx, tenantID); err != nil {
		return PortalLink{}, err
	}
	exp := p.d.Clock.Now().Add(ttl).Truncate(time.Second)
	tok, err := p.keys.SealPortalLink(tenantID, exp)
	if err != nil {
		return PortalLink{}, err
	}
	return PortalLink{Path: "/portal/" + url.PathEscape(tok), ExpiresAt: exp.UTC()}, nil
}

// Open checks a portal link's token and returns its tenant and when the
// link (and so the session it opens) ends. Any link that does not verify,
// has expired or names a tenant that no longer exists is EUNAUTHORIZED.
func (p *Portal) Open(ctx context.Context, token string) (tenantID string, expires time.Time, err error) {
	tenantID, expires, err = p.keys.OpenPortalLink(token, p.d.Clock.Now())
	if err != nil {
		return "", time.Time{}, domain.Errorf(domain.EUNAUTHORIZED, "invalid or expired portal link")
	}
	if _, err := p.d.Store.GetTenant(ctx, tenantID); err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return "", time.Time{}, domain.Errorf(domain.EUNAUTHORIZED, "the portal link's tenant no longer exists")
		}
		return "", time.Time{}, err
	}
	return tenantID, expires, nil
}
