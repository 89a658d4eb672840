package ui

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// reqCtx is what a handler knows about the request beyond it: who is
// signed in, the tenant of the path, a flash message.
type reqCtx struct {
	s      *auth.Session
	tenant *domain.Tenant
	flash  string
}

// handlerFunc is a console handler; a returned error is rendered as the
// error page by the one function that knows how (fail).
type handlerFunc func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error

// flashCookie carries a one-time message across a redirect.
const flashCookie = "lmshooks_flash"

// serve wraps fn with the headers and checks every page gets.
func (c *Console) serve(fn handlerFunc, auth func(*reqCtx, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := &reqCtx{s: c.sessionOf(r)}
		c.securityHeaders(w, c.portalFrame(r, rc.s))
		if ck, err := r.Cookie(flashCookie); err == nil {
			rc.flash, _ = url.QueryUnescape(ck.Value)
			c.clearCookie(w, flashCookie)
		}
		err := auth(rc, r)
		if err == nil && r.Method == http.MethodPost {
			err = c.checkCSRF(r, rc.s)
		}
		if err == nil {
			err = fn(w, r, rc)
		}
		if err != nil {
			c.fail(w, r, rc, err)
		}
	})
}

// errSignIn sends the browser to the sign-in page.
var errSignIn = &domain.Error{Code: domain.EUNAUTHORIZED, Message: "Please sign in."}

// public pages need no session.
func (c *Console) public(fn handlerFunc) http.Handler {
	return c.serve(fn, func(*reqCtx, *http.Request) error { return nil })
}

// signedIn pages need any session.
func (c *Console) signedIn(fn handlerFunc) http.Handler {
	return c.serve(fn, func(rc *reqCtx, _ *http.Request) error {
		if rc.s == nil {
			return errSignIn
		}
		return nil
	})
}

// operator pages exist only for the operator: a portal session gets the
// same 404 as a page that does not exist.
func (c *Console) operator(fn handlerFunc) http.Handler {
	return c.serve(fn, func(rc *reqCtx, r *http.Request) error {
		if rc.s == nil {
			return errSignIn
		}
		if !rc.s.Operator() {
			return domain.Errorf(domain.ENOTFOUND, "There is no page at %s.", r.URL.Path)
		}
		return nil
	})
}

// tenant pages need a session that may see the {tenant} of the path; other
// tenants are a 404, like tenants that do not exist.
//
// A portal session holds only while its tenant is the one it was opened
// for and its portal access has not been revoked since (see
// service.Portal.Current), checked here on the tenant read every tenant
// page makes anyway; one that no longer holds is no session at all.
func (c *Console) tenant(fn handlerFunc) http.Handler {
	return c.serve(fn, func(rc *reqCtx, r *http.Request) error {
		if rc.s != nil {
			tid := r.PathValue("tenant")
			if !rc.s.CanSee(tid) {
				return domain.NotFound("tenant", tid)
			}
			t, err := c.tenants.Get(r.Context(), tid)
			if err != nil {
				return err
			}
			if rc.s.Portal() && !c.portal.Current(rc.s, t) {
				rc.s = nil
			} else {
				rc.tenant = t
			}
		}
		if rc.s == nil {
			if framed(r) {
				return errPortalEnded
			}
			return errSignIn
		}
		return nil
	})
}

// checkCSRF refuses a POST without the session's CSRF token. Sign-in has
// no session yet, so it is refused when the browser says it comes from
// another site instead.
func (c *Console) checkCSRF(r *http.Request, s *auth.Session) error {
	if s == nil {
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			return domain.Errorf(domain.EFORBIDDEN, "This form was sent from another site; please try again from this page.")
		}
		return nil
	}
	got := r.PostFormValue("csrf")
	if subtle.ConstantTimeCompare([]byte(got), []byte(c.csrfToken(s))) != 1 {
		return domain.Errorf(domain.EFORBIDDEN, "This form has expired or did not come from this console. Go back, reload the page and try again.")
	}
	return nil
}

// portalFrame reports whether the answer to r may be shown in a frame of
// the configured LMS origins: pages of a portal session, the portal link
// itself (its redirect, or why it is refused), and, in a frame, the page
// that says a portal session has ended. Everything else, the sign-in form
// above all, is never framed, so it cannot be clickjacked.
func (c *Console) portalFrame(r *http.Request, s *auth.Session) bool {
	switch {
	case len(c.origins) == 0:
		return false
	case strings.HasPrefix(r.URL.Path, "/portal/"):
		return true
	case s != nil:
		return s.Portal()
	}
	return framed(r) && r.URL.Path != "/login"
}

// framed reports whether the browser loads r into a frame. Browsers that
// do not send Sec-Fetch-Dest get the sign-in redirect instead of the
// "session ended" page, which frame-ancestors then blocks: no worse.
func framed(r *http.Request) bool {
	dest := r.Header.Get("Sec-Fetch-Dest")
	return dest == "iframe" || dest == "frame"
}

// errPortalEnded answers a tenant page loaded in a frame without a
// session: the portal session of an embedding LMS has expired or its
// cookie was not sent. The sign-in form would be refused in the frame, so
// say what to do instead.
var errPortalEnded = &domain.Error{Code: domain.EUNAUTHORIZED, Message: "Your session has ended. Open the webhooks page of your learning platform again to continue."}

// securityHeaders forbid framing except by the configured LMS origins
// where portalFrame allows it, and keep pages out of caches.
func (c *Console) securityHeaders(w http.ResponseWriter, portal bool) {
	ancestors := "'none'"
	if portal {
		ancestors = strings.Join(c.origins, " ")
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "+ancestors)
	if ancestors == "'none'" {
		h.Set("X-Frame-Options", "DENY")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// setFlash shows msg on the next page.
func (c *Console) setFlash(w http.ResponseWriter, rc *reqCtx, msg string) {
	framed := rc.s != nil && rc.s.Portal()
	http.SetCookie(w, c.cookie(flashCookie, url.QueryEscape(msg), framed))
}

// redirect answers a POST with a redirect to a page (POST/redirect/GET).
func redirect(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// tenantBase is the path prefix of a tenant's pages.
func tenantBase(tenantID string) string { return "/t/" + url.PathEscape(tenantID) }
