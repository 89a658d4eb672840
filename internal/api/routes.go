package api

// routes registers every route of the API: one flat table that says what the
// API does. operator(...) routes need the operator key; tenant(...) routes
// need a key that reaches the {tenant} of the path.
func (a *API) routes() {
	m := a.mux
	const t = "/api/v1/tenants/{tenant}"

	m.Handle("POST /api/v1/tenants", a.operator(a.createTenant))
	m.Handle("GET /api/v1/tenants", a.operator(a.listTenants))
	m.Handle("GET "+t, a.tenant(a.getTenant))
	m.Handle("PATCH "+t, a.tenant(a.updateTenant))
	m.Handle("DELETE "+t, a.operator(a.deleteTenant))

	m.Handle("POST "+t+"/api-keys", a.tenant(a.createAPIKey))
	m.Handle("GET "+t+"/api-keys", a.tenant(a.listAPIKeys))
	m.Handle("DELETE "+t+"/api-keys/{id}", a.tenant(a.deleteAPIKey))

	m.Handle("POST "+t+"/webhooks", a.tenant(a.createWebhook))
	m.Handle("GET "+t+"/webhooks", a.tenant(a.listWebhooks))
	m.Handle("POST "+t+"/webhooks/test", a.tenant(a.testUnsavedWebhook))
	m.Handle("GET "+t+"/webhooks/{id}", a.tenant(a.getWebhook))
	m.Handle("PATCH "+t+"/webhooks/{id}", a.tenant(a.updateWebhook))
	m.Handle("DELETE "+t+"/webhooks/{id}", a.tenant(a.deleteWebhook))
	m.Handle("GET "+t+"/webhooks/{id}/secret", a.tenant(a.revealSecret))
	m.Handle("POST "+t+"/webhooks/{id}/rotate-secret", a.tenant(a.rotateSecret))
	m.Handle("POST "+t+"/webhooks/{id}/test", a.tenant(a.testWebhook))
	m.Handle("POST "+t+"/webhooks/{id}/recover", a.tenant(a.recoverWebhook))

	m.Handle("POST "+t+"/events", a.tenant(a.publishEvent))
	m.Handle("POST "+t+"/events/batch", a.tenant(a.publishBatch))
	m.Handle("GET "+t+"/events/{id}", a.tenant(a.getEvent))

	m.Handle("GET "+t+"/deliveries", a.tenant(a.listDeliveries))
	m.Handle("GET "+t+"/deliveries/{id}", a.tenant(a.getDelivery))
	m.Handle("POST "+t+"/deliveries/{id}/resend", a.tenant(a.resendDelivery))

	m.Handle("GET "+t+"/stats", a.tenant(a.getStats))
	m.Handle("POST "+t+"/portal-links", a.tenant(a.createPortalLink))
	m.Handle("POST "+t+"/portal-links/revoke", a.tenant(a.revokePortalLinks))

	m.Handle("GET /api/v1/event-types", a.authed(a.listEventTypes))
	m.Handle("GET /api/v1/event-types/{type}", a.authed(a.getEventType))
	m.Handle("GET "+t+"/event-types", a.tenant(a.listTenantEventTypes))
	m.Handle("GET "+t+"/event-types/{type}", a.tenant(a.getTenantEventType))
	m.Handle("PUT "+t+"/event-types/{type}", a.tenant(a.putEventType))
	m.Handle("DELETE "+t+"/event-types/{type}", a.tenant(a.deleteEventType))
	m.Handle("POST "+t+"/filters/check", a.tenant(a.checkFilter))
}
