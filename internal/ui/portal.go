package ui

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// openPortal verifies a portal link and starts a portal session for its
// tenant that ends when the link expires. Any operator session in this
// browser is replaced: the frame shows exactly one tenant.
func (c *Console) openPortal(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	tenantID, expires, err := c.portal.Open(r.Context(), r.PathValue("token"))
	if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
		return errPortalLink
	}
	if err != nil {
		return err
	}
	if err := c.setSession(w, auth.NewSession(auth.PortalSession, tenantID, expires)); err != nil {
		return err
	}
	http.Redirect(w, r, tenantBase(tenantID)+"/", http.StatusSeeOther)
	return nil
}

// errPortalLink answers every bad portal link the same way.
var errPortalLink = &domain.Error{Code: domain.EUNAUTHORIZED, Message: "This portal link is invalid or has expired. Ask your learning platform for a new one."}
