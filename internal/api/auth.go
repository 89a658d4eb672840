package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// handlerFunc is a handler that returns its error instead of writing it, so
// that every error is answered by the one function that knows how.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

type keyContextKey struct{}

// keyFrom returns the API key that authenticated the request.
func keyFrom(ctx context.Context) *domain.APIKey {
	k, _ := ctx.Value(keyContextKey{}).(*domain.APIKey)
	return k
}

// authenticate finds the API key of the request's bearer token.
func (a *API) authenticate(r *http.Request) (*domain.APIKey, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "missing API key: send \"Authorization: Bearer <key>\"")
	}
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "the Authorization header must be \"Bearer <key>\"")
	}
	return a.svc.APIKeys.Authenticate(r.Context(), token)
}

// operator serves fn to the operator key only.
func (a *API) operator(fn handlerFunc) http.Handler {
	return a.authed(func(w http.ResponseWriter, r *http.Request) error {
		if !keyFrom(r.Context()).IsOperator() {
			return domain.Errorf(domain.EFORBIDDEN, "only the operator key may do this")
		}
		return fn(w, r)
	})
}

// tenant serves fn to keys that reach the {tenant} of the path. Another
// tenant's key gets the same 404 as a tenant that does not exist, so keys
// cannot probe which tenants exist.
//
// An unknown tenant is a 404 whatever else is wrong with the request: when
// fn refuses the input, the tenant is looked up before answering, so that
// the operator publishing to a mistyped tenant hears about the tenant, not
// about the event. Only failed requests pay for the lookup.
func (a *API) tenant(fn handlerFunc) http.Handler {
	return a.authed(func(w http.ResponseWriter, r *http.Request) error {
		tid := r.PathValue("tenant")
		if !keyFrom(r.Context()).CanAccess(tid) {
			return domain.NotFound("tenant", tid)
		}
		err := fn(w, r)
		switch domain.ErrorCode(err) {
		case domain.EINVALID, domain.EMALFORMED, domain.ETOOLARGE, domain.ECONFLICT, domain.EFORBIDDEN:
			if _, terr := a.svc.Tenants.Get(r.Context(), tid); domain.ErrorCode(terr) == domain.ENOTFOUND {
				return terr
			}
		}
		return err
	})
}

// authed authenticates the request, then serves fn with the key in the
// context, answering any error.
func (a *API) authed(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, err := a.authenticate(r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), keyContextKey{}, k))
		if err := fn(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// public serves fn to anyone, answering its error.
func (a *API) public(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}
