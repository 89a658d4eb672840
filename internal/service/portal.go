package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// Portal link and session lifetimes.
const (
	// DefaultPortalLinkTTL is how long a link may be opened when neither
	// its request nor the configuration says: long enough for an LMS page
	// to load its frame, short enough that a leaked link soon dies.
	DefaultPortalLinkTTL = 15 * time.Minute
	// MaxPortalLinkTTL bounds a link's lifetime, asked for or configured.
	MaxPortalLinkTTL = 24 * time.Hour
	// DefaultPortalSessionTTL is how long the session a link opens lasts.
	DefaultPortalSessionTTL = time.Hour
)

// PortalConfig configures Portal.
type PortalConfig struct {
	// Keys signs and checks the links (required): the console's keyring,
	// so that every node sharing its source accepts the links.
	Keys *auth.Keyring
	// LinkTTL is how long a link works when its request does not say
	// (default DefaultPortalLinkTTL).
	LinkTTL time.Duration
	// SessionTTL is how long the session a link opens lasts (default
	// DefaultPortalSessionTTL), whatever the link's own lifetime.
	SessionTTL time.Duration
}

// Portal issues and opens portal links: signed, expiring, single-use links
// that open one tenant's pages of the web console, for an LMS to embed in
// its own admin pages. A link and the session it opens are bound to the
// tenant's portal epoch (domain.Tenant.PortalEpoch): they die with the
// tenant, even if another is created with the same id, and when the
// operator revokes the tenant's portal access.
type Portal struct {
	d          Deps
	keys       *auth.Keyring
	linkTTL    time.Duration
	sessionTTL time.Duration
}

// NewPortal returns the portal links service.
func NewPortal(d Deps, cfg PortalConfig) (*Portal, error) {
	if cfg.Keys == nil {
		return nil, errors.New("portal links: a keyring is required")
	}
	return newPortal(d.withDefaults(), cfg), nil
}

func newPortal(d Deps, cfg PortalConfig) *Portal {
	return &Portal{
		d:          d,
		keys:       cfg.Keys,
		linkTTL:    cmp.Or(cfg.LinkTTL, DefaultPortalLinkTTL),
		sessionTTL: cmp.Or(cfg.SessionTTL, DefaultPortalSessionTTL),
	}
}

// PortalLink is an issued link: its path on the console ("/portal/<token>")
// and when it stops working.
type PortalLink struct {
	Path      string
	ExpiresAt time.Time
}

// Issue returns a link that opens tenantID's pages, and only those, once,
// within ttlSeconds (nil: the configured link lifetime). An out-of-range
// lifetime is EINVALID on "ttl_seconds"; a tenant that does not exist is
// ENOTFOUND.
func (p *Portal) Issue(ctx context.Context, tenantID string, ttlSeconds *int64) (PortalLink, error) {
	ttl := p.linkTTL
	if ttlSeconds != nil {
		max := int64(MaxPortalLinkTTL / time.Second)
		if *ttlSeconds <= 0 || *ttlSeconds > max {
			return PortalLink{}, domain.FieldErrorf("ttl_seconds", "must be between 1 and %d seconds (24 hours)", max)
		}
		ttl = time.Duration(*ttlSeconds) * time.Second
	}
	t, err := p.d.Store.GetTenant(ctx, tenantID)
	if err != nil {
		return PortalLink{}, err
	}
	if t.PortalEpoch == "" {
		// Every tenant gets one when created (or migrated): only a tenant
		// written around the service lacks it, and its links would never open.
		return PortalLink{}, fmt.Errorf("portal link: tenant %q has no portal epoch", t.ID)
	}
	exp := p.d.Clock.Now().Add(ttl).Truncate(time.Second)
	tok, err := p.keys.SealPortalLink(t.ID, t.PortalEpoch, exp)
	if err != nil {
		return PortalLink{}, err
	}
	return PortalLink{Path: "/portal/" + url.PathEscape(tok), ExpiresAt: exp.UTC()}, nil
}

// Why a portal link opens nothing, in words for the tenant admin who
// followed it (the console shows them as they are).
var (
	errLinkInvalid = domain.Errorf(domain.EUNAUTHORIZED, "This portal link is invalid or has expired. Ask your learning platform for a new one.")
	errLinkVoid    = domain.Errorf(domain.EUNAUTHORIZED, "This portal link is no longer valid. Ask your learning platform for a new one.")
	errLinkUsed    = domain.Errorf(domain.EUNAUTHORIZED, "This portal link has already been used: each link opens one session. Open the webhooks page of your learning platform again to get a new one.")
)

// Open checks a portal link's token, marks the link used and returns the
// session it opens. current is the browser's session, if any: the session
// this very link opened is handed back as it is, so following the link
// again from the same browser goes back to it. Any other use of a used
// link, a link that does not verify or has expired, and a link of a tenant
// that no longer exists or whose portal access was revoked since, is
// EUNAUTHORIZED with a message for the person who followed it. Of browsers
// opening one link at once, exactly one gets a session.
func (p *Portal) Open(ctx context.Context, token string, current *auth.Session) (*auth.Session, error) {
	now := p.d.Clock.Now()
	link, err := p.keys.OpenPortalLink(token, now)
	if err != nil {
		return nil, errLinkInvalid
	}
	t, err := p.d.Store.GetTenant(ctx, link.Tenant)
	if domain.ErrorCode(err) == domain.ENOTFOUND || (err == nil && !sameEpoch(link.Epoch, t)) {
		return nil, errLinkVoid
	}
	if err != nil {
		return nil, err
	}
	if current != nil && current.Portal() && current.Link == link.ID && p.Current(current, t) {
		return current, nil
	}
	if err := p.d.Store.UsePortalLink(ctx, link.ID, link.ExpiresAt()); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return nil, errLinkUsed
		}
		return nil, err
	}
	return auth.NewPortalSession(link, now.Add(p.sessionTTL)), nil
}

// Current reports whether the portal session s still holds for t, its
// tenant as read for this request: t is the tenant s was opened for (not
// another created since with the same id) and its portal access has not
// been revoked since. Checked on every portal request, on the tenant read
// the request makes anyway.
func (p *Portal) Current(s *auth.Session, t *domain.Tenant) bool {
	return s.Portal() && s.Tenant == t.ID && sameEpoch(s.Epoch, t)
}

// sameEpoch reports whether a link or session made under epoch holds for t.
func sameEpoch(epoch string, t *domain.Tenant) bool {
	return epoch != "" && epoch == t.PortalEpoch
}

// Revoke ends every portal session of tenantID and voids its unused links,
// on every node at once: the tenant gets a new portal epoch, which none of
// them carries. Links issued afterwards work. ENOTFOUND if the tenant does
// not exist.
func (p *Portal) Revoke(ctx context.Context, tenantID string) error {
	if err := p.d.Store.SetPortalEpoch(ctx, tenantID, auth.NewPortalEpoch()); err != nil {
		return err
	}
	p.d.Logger.InfoContext(ctx, "portal access revoked", "tenant", tenantID)
	return nil
}
