package api

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/web"
)

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
	if a.svc.Portal == nil {
		return domain.Errorf(domain.ENOTFOUND, "portal links need the web console, which this node does not serve")
	}
	link, err := a.svc.Portal.Issue(r.Context(), r.PathValue("tenant"), in.TTLSeconds)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, portalLinkJSON{URL: web.AbsURL(r, link.Path), ExpiresAt: ts(link.ExpiresAt)})
}
