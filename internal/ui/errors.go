package ui

import (
	"net/http"
	"net/url"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/web"
)

// errorPage is the error page's data.
type errorPage struct {
	Status  int
	Heading string
	Message string
	// NoSignIn hides the sign-in button: tenant admins of a portal have
	// no password, and in a frame the sign-in page would be refused.
	NoSignIn bool
}

// fail answers err: sign-in for a missing session, else the error page
// with a safe message. Internal errors are logged here, once.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	if err == errSignIn {
		next := r.URL.Path
		if r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	code, status := web.Code(err)
	if status >= 500 {
		c.log.Error("console request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p := errorPage{Status: status, Message: domain.ErrorMessage(err)}
	switch code {
	case domain.ENOTFOUND:
		p.Heading = "Not found"
		p.Message = "This page does not exist, or you do not have access to it."
	case domain.EUNAUTHORIZED:
		p.Heading = "Not signed in"
		switch {
		case isLinkRefused(err):
			p.Heading, p.NoSignIn = "This link does not work", true
		case err == errPortalEnded:
			p.Heading, p.NoSignIn = "Session ended", true
		}
	case domain.EFORBIDDEN:
		p.Heading = "Not allowed"
	case domain.ECONFLICT:
		p.Heading = "Cannot do that now"
	case domain.ETOOLARGE:
		p.Heading = "Too large"
	case domain.ETOOMANY:
		p.Heading = "Too many attempts"
	case domain.EINVALID, domain.EMALFORMED:
		p.Heading = "Please check your input"
	default:
		p.Heading = "Something went wrong"
		p.Message = "The console could not complete this request. Try again in a moment; if it keeps failing, the server log has the details."
	}
	// A tenant's pages keep their navigation only if the session may see
	// that tenant; otherwise nothing about it is shown.
	if rc.tenant != nil && (rc.s == nil || !rc.s.CanSee(rc.tenant.ID)) {
		rc.tenant = nil
	}
	// A portal session has one tenant: its pages' navigation stays on
	// every error page, a path that matches no page's included, rather
	// than leaving the sidebar empty.
	if rc.tenant == nil && rc.s != nil && rc.s.Portal() {
		if t, err := c.tenants.Get(r.Context(), rc.s.Tenant); err == nil {
			rc.tenant = t
		}
	}
	c.render(w, r, rc, status, "error", p.Heading, "", p)
}

// notFound answers paths no route matches.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return domain.Errorf(domain.ENOTFOUND, "no page at %s", r.URL.Path)
}
