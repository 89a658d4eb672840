package ui

import (
	"errors"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// openPortal opens a portal link: the session it starts for its tenant
// replaces any other in this browser (the frame shows exactly one tenant).
// The portal service decides whether the link still opens anything and
// says why not.
func (c *Console) openPortal(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	s, err := c.portal.Open(r.Context(), r.PathValue("token"), rc.s)
	if domain.ErrorCode(err) == domain.EUNAUTHORIZED {
		return &linkRefused{err}
	}
	if err != nil {
		return err
	}
	if err := c.setSession(w, s); err != nil {
		return err
	}
	http.Redirect(w, r, tenantBase(s.Tenant)+"/", http.StatusSeeOther)
	return nil
}

// linkRefused is a portal link that opens nothing; its page offers no
// sign-in, since tenant admins have no password.
type linkRefused struct{ err error }

func (e *linkRefused) Error() string { return e.err.Error() }
func (e *linkRefused) Unwrap() error { return e.err }

// isLinkRefused reports whether err refuses a portal link.
func isLinkRefused(err error) bool {
	var lr *linkRefused
	return errors.As(err, &lr)
}
