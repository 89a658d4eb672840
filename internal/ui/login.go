package ui

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/web"
)

// loginData is the sign-in page's data.
type loginData struct {
	Next  string
	Error string
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.s != nil && rc.s.Operator() {
		return redirect(w, r, "/")
	}
	return c.page(w, r, rc, "login", "Sign in", "", loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// login checks the operator's password and starts an operator session.
// A client locked out by too many wrong passwords gets 429 without its
// password even being checked.
func (c *Console) login(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	next := safeNext(r.PostFormValue("next"))
	client := clientKey(r)
	now := c.clock.Now()
	if wait, ok := c.logins.allow(client, now); !ok {
		c.tooManySignIns(w, r, rc, next, wait)
		return nil
	}
	if !c.keys.CheckPassword(r.PostFormValue("password")) {
		if lock := c.logins.fail(client, now); lock > 0 {
			c.log.Warn("console sign-in locked out", "remote", client, "lockout", lock)
			c.tooManySignIns(w, r, rc, next, lock)
			return nil
		}
		c.log.Warn("console sign-in failed", "remote", r.RemoteAddr)
		c.signInRefused(w, r, rc, next, domain.Errorf(domain.EUNAUTHORIZED, "That password is not right."))
		return nil
	}
	c.logins.succeed(client)
	s := auth.NewSession(auth.OperatorSession, "", c.clock.Now().Add(c.sessionTTL))
	if err := c.setSession(w, s); err != nil {
		return err
	}
	return redirect(w, r, next)
}

// tooManySignIns answers ETOOMANY with the sign-in page, saying when to
// try again, and a Retry-After header in whole seconds.
func (c *Console) tooManySignIns(w http.ResponseWriter, r *http.Request, rc *reqCtx, next string, wait time.Duration) {
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	c.signInRefused(w, r, rc, next, domain.Errorf(domain.ETOOMANY,
		"Too many wrong passwords from your address. Sign-in is locked for %s; try again then.", waitText(secs)))
}

// signInRefused renders the sign-in page again with err's message, under
// the status of err's code.
func (c *Console) signInRefused(w http.ResponseWriter, r *http.Request, rc *reqCtx, next string, err error) {
	_, status := web.Code(err)
	c.render(w, r, rc, status, "login", "Sign in", "", loginData{Next: next, Error: domain.ErrorMessage(err)})
}

// waitText says a wait in minutes, or seconds under a minute.
func waitText(secs int) string {
	if secs < 60 {
		return plural(secs, "second", "seconds")
	}
	return plural((secs+59)/60, "minute", "minutes")
}

// logout ends the session on this node and clears the cookie.
func (c *Console) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c.revoked.add(rc.s.ID, rc.s.ExpiresAt(), c.clock.Now())
	c.clearCookie(w, sessionCookie)
	if rc.s.Portal() {
		c.render(w, r, &reqCtx{}, http.StatusOK, "error", "Signed out", "", errorPage{Status: 200, Heading: "Signed out", Message: "Open the webhooks page of your learning platform again to come back."})
		return nil
	}
	return redirect(w, r, "/login")
}

// home sends the operator to the tenants and a portal session to its
// tenant's dashboard.
func (c *Console) home(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.s.Operator() {
		return redirect(w, r, "/tenants")
	}
	return redirect(w, r, tenantBase(rc.s.Tenant)+"/")
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
