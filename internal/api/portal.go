package api

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/service"
)

// portalLinkJSON answers a portal link request.
type portalLinkJSON struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
}

// createPortalLink answers a single-use link to the {tenant}'s console
// pages, valid for ttl_seconds (default: the server's --portal-link-ttl),
// on the server's public URL.
func (a *API) createPortalLink(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TTLSeconds *int64 `json:"ttl_seconds"`
	}
	if err := readOptionalJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	portal, err := a.portal()
	if err != nil {
		return err
	}
	link, err := portal.Issue(r.Context(), r.PathValue("tenant"), in.TTLSeconds)
	if err != nil {
		return err
	}
	u, err := a.publicURL.Abs(r, link.Path)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, portalLinkJSON{URL: u, ExpiresAt: ts(link.ExpiresAt)})
}

// revokePortalLinks ends every portal session of the {tenant} and voids
// its unused portal links, on every node.
func (a *API) revokePortalLinks(w http.ResponseWriter, r *http.Request) error {
	if err := readOptionalJSON(r, a.maxBody, &struct{}{}); err != nil {
		return err
	}
	portal, err := a.portal()
	if err != nil {
		return err
	}
	if err := portal.Revoke(r.Context(), r.PathValue("tenant")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// portal returns the portal links service, which a node serving no web
// console lacks.
func (a *API) portal() (*service.Portal, error) {
	if a.svc.Portal == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "portal links need the web console, which this node does not serve")
	}
	return a.svc.Portal, nil
}
