package api

import (
	"net/http"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// PortalIssuer mints signed, expiring links that open one tenant's pages
// of the web console, for the LMS to embed in its own admin pages. The
// console (internal/ui) implements it.
type PortalIssuer interface {
	// IssuePortalLink returns the link's path ("/portal/<token>") and when
	// it expires; ttl 0 means the default (1 hour). An out-of-range ttl is
	// an EINVALID error on "ttl_seconds".
	IssuePortalLink(tenantID string, ttl time.Duration) (path string, expiresAt time.Time, err error)
}

// portalLinkJSON answers a portal link request.
type portalLinkJSON struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
}

// createPortalLink answers a link to the {tenant}'s console pages, valid
// for ttl_seconds (default 3600).
func (a *API) createPortalLink(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TTLSeconds *int64 `json:"ttl_seconds"`
	}
	if err := readOptionalJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	if a.portal == nil {
		return domain.Errorf(domain.ENOTFOUND, "portal links need the web console, which this node does not serve")
	}
	var ttl time.Duration
	if in.TTLSeconds != nil {
		if *in.TTLSeconds <= 0 || *in.TTLSeconds > 86400 {
			return domain.FieldErrorf("ttl_seconds", "must be between 1 and 86400 seconds (24 hours)")
		}
		ttl = time.Duration(*in.TTLSeconds) * time.Second
	}
	tid := r.PathValue("tenant")
	if err := a.requireTenant(r, tid); err != nil {
		return err
	}
	path, exp, err := a.portal.IssuePortalLink(tid, ttl)
	if err != nil {
		return err
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, portalLinkJSON{URL: scheme + "://" + r.Host + path, ExpiresAt: ts(exp)})
}
