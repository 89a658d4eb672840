package api

import "net/http"

// Access says which keys may call a route.
type Access int

const (
	// Public routes need no key (the API's own description).
	Public Access = iota
	// AnyKey routes take any valid key, the operator's or a tenant's.
	AnyKey
	// TenantKey routes take a key that reaches the {tenant} of the path:
	// the operator key, or that tenant's own key.
	TenantKey
	// OperatorKey routes take the operator key only.
	OperatorKey
)

// Route is one route of the API: what the mux serves, who may call it, and
// the handler. The OpenAPI document (openapi.json) describes exactly these
// routes, a test makes sure of it, and cmd/gendocs takes each operation's
// security from Access.
type Route struct {
	Method string
	Path   string
	Access Access
	handle func(*API, http.ResponseWriter, *http.Request) error
}

// tenantPath is the root of every route of one tenant.
const tenantPath = "/api/v1/tenants/{tenant}"

// routeTable is every route of the API: one flat table that says what the
// API does. Adding a route means a line here and its operation in
// openapi.src.yaml (then `go run ./cmd/gendocs`); the tests fail until both
// are there.
var routeTable = []Route{
	{"GET", "/api/v1/openapi.json", Public, (*API).openAPI},

	{"POST", "/api/v1/tenants", OperatorKey, (*API).createTenant},
	{"GET", "/api/v1/tenants", OperatorKey, (*API).listTenants},
	{"GET", tenantPath, TenantKey, (*API).getTenant},
	{"PATCH", tenantPath, TenantKey, (*API).updateTenant},
	{"DELETE", tenantPath, OperatorKey, (*API).deleteTenant},

	{"POST", tenantPath + "/api-keys", TenantKey, (*API).createAPIKey},
	{"GET", tenantPath + "/api-keys", TenantKey, (*API).listAPIKeys},
	{"DELETE", tenantPath + "/api-keys/{id}", TenantKey, (*API).deleteAPIKey},

	{"POST", tenantPath + "/webhooks", TenantKey, (*API).createWebhook},
	{"GET", tenantPath + "/webhooks", TenantKey, (*API).listWebhooks},
	{"POST", tenantPath + "/webhooks/test", TenantKey, (*API).testUnsavedWebhook},
	{"GET", tenantPath + "/webhooks/{id}", TenantKey, (*API).getWebhook},
	{"PATCH", tenantPath + "/webhooks/{id}", TenantKey, (*API).updateWebhook},
	{"DELETE", tenantPath + "/webhooks/{id}", TenantKey, (*API).deleteWebhook},
	{"GET", tenantPath + "/webhooks/{id}/secret", TenantKey, (*API).revealSecret},
	{"POST", tenantPath + "/webhooks/{id}/rotate-secret", TenantKey, (*API).rotateSecret},
	{"POST", tenantPath + "/webhooks/{id}/test", TenantKey, (*API).testWebhook},
	{"POST", tenantPath + "/webhooks/{id}/recover", TenantKey, (*API).recoverWebhook},

	{"POST", tenantPath + "/events", TenantKey, (*API).publishEvent},
	{"POST", tenantPath + "/events/batch", TenantKey, (*API).publishBatch},
	{"GET", tenantPath + "/events/{id}", TenantKey, (*API).getEvent},

	{"GET", tenantPath + "/deliveries", TenantKey, (*API).listDeliveries},
	{"GET", tenantPath + "/deliveries/{id}", TenantKey, (*API).getDelivery},
	{"POST", tenantPath + "/deliveries/{id}/resend", TenantKey, (*API).resendDelivery},
	{"POST", tenantPath + "/deliveries/{id}/skip", TenantKey, (*API).skipDelivery},
	{"GET", tenantPath + "/blocked-keys", TenantKey, (*API).listBlockedKeys},

	{"GET", tenantPath + "/stats", TenantKey, (*API).getStats},
	{"POST", tenantPath + "/portal-links", TenantKey, (*API).createPortalLink},
	{"POST", tenantPath + "/portal-links/revoke", TenantKey, (*API).revokePortalLinks},

	{"GET", "/api/v1/event-types", AnyKey, (*API).listEventTypes},
	{"GET", "/api/v1/event-types/{type}", AnyKey, (*API).getEventType},
	{"GET", tenantPath + "/event-types", TenantKey, (*API).listTenantEventTypes},
	{"GET", tenantPath + "/event-types/{type}", TenantKey, (*API).getTenantEventType},
	{"PUT", tenantPath + "/event-types/{type}", TenantKey, (*API).putEventType},
	{"DELETE", tenantPath + "/event-types/{type}", TenantKey, (*API).deleteEventType},
	{"POST", tenantPath + "/filters/check", TenantKey, (*API).checkFilter},
}

// Routes returns every route of the API, in the order it registers them.
func Routes() []Route { return append([]Route(nil), routeTable...) }

// routes registers every route of routeTable on the mux, behind the check
// its Access asks for.
func (a *API) routes() {
	for _, rt := range routeTable {
		fn := func(w http.ResponseWriter, r *http.Request) error { return rt.handle(a, w, r) }
		var h http.Handler
		switch rt.Access {
		case Public:
			h = a.public(fn)
		case AnyKey:
			h = a.authed(fn)
		case TenantKey:
			h = a.tenant(fn)
		case OperatorKey:
			h = a.operator(fn)
		default:
			panic("api: route " + rt.Method + " " + rt.Path + " has no access rule")
		}
		a.mux.Handle(rt.Method+" "+rt.Path, h)
	}
}
