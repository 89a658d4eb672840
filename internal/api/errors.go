package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/web"
)

// codeMethodNotAllowed answers a known path with the wrong method. It is the
// one error code that no domain error carries, since only routing makes it.
const codeMethodNotAllowed = "method_not_allowed"

// errorBody is the "error" object of every error response.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError answers err: its code picks the status, and only a
// *domain.Error's message reaches the client. Internal errors are logged
// with the request's context and answered with a generic message, since
// their text may hold details a client must not see.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, status := web.Code(err)
	body := errorBody{Code: code, Message: domain.ErrorMessage(err), Field: domain.ErrorField(err)}
	switch code {
	case domain.EINTERNAL:
		body.Message = "internal error; the server logged the details"
		a.log.ErrorContext(r.Context(), "api request failed", requestAttrs(r, err)...)
	case domain.EUNAVAILABLE:
		a.log.WarnContext(r.Context(), "api request failed: dependency unavailable", requestAttrs(r, err)...)
	}
	if code == domain.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lmshooks"`)
	}
	writeErrorBody(w, status, body)
}

// requestAttrs describes a failed request for the log. It names the key by
// id, never by value.
func requestAttrs(r *http.Request, err error) []any {
	attrs := []any{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("error", err.Error()),
	}
	if k := keyFrom(r.Context()); k != nil {
		attrs = append(attrs, slog.String("key_id", k.ID), slog.String("key_tenant", k.TenantID))
	}
	return attrs
}

func writeErrorBody(w http.ResponseWriter, status int, body errorBody) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Error errorBody `json:"error"`
	}{body})
}
