package ui

// routes registers every console page: one flat table. public pages need
// no session; operator pages need the operator; tenant pages need a
// session that may see the {tenant} of the path (the operator, or a portal
// session of that tenant). Every POST also needs the session's CSRF token.
func (c *Console) routes() {
	m := c.mux
	const t = "/t/{tenant}"

	m.Handle("GET /static/{file}", c.assets)
	m.Handle("GET /login", c.public(c.loginPage))
	m.Handle("POST /login", c.public(c.login))
	m.Handle("GET /portal/{token}", c.public(c.openPortal))
	m.Handle("POST /logout", c.signedIn(c.logout))
	m.Handle("GET /{$}", c.signedIn(c.home))

	m.Handle("GET /tenants", c.operator(c.tenantsPage))
	m.Handle("POST /tenants", c.operator(c.createTenant))
	m.Handle("POST /tenants/{tenant}/api-keys", c.operator(c.createAPIKey))
	m.Handle("GET /tenants/{tenant}/api-keys", c.operator(c.apiKeysPage))
	m.Handle("POST /tenants/{tenant}/api-keys/{id}/revoke", c.operator(c.revokeAPIKey))
	m.Handle("POST /tenants/{tenant}/portal-link", c.operator(c.createPortalLink))
	m.Handle("POST /tenants/{tenant}/portal-links/revoke", c.operator(c.revokePortal))

	m.Handle("GET "+t+"/{$}", c.tenant(c.dashboard))
	m.Handle("GET "+t+"/webhooks", c.tenant(c.webhooksPage))
	m.Handle("GET "+t+"/webhooks/new", c.tenant(c.newWebhookPage))
	m.Handle("POST "+t+"/webhooks", c.tenant(c.submitNewWebhook))
	m.Handle("GET "+t+"/webhooks/{id}", c.tenant(c.editWebhookPage))
	m.Handle("POST "+t+"/webhooks/{id}", c.tenant(c.submitWebhook))
	m.Handle("POST "+t+"/webhooks/{id}/enabled", c.tenant(c.setEnabled))
	m.Handle("POST "+t+"/webhooks/{id}/secret", c.tenant(c.secretAction))
	m.Handle("POST "+t+"/webhooks/{id}/delete", c.tenant(c.deleteWebhook))
	m.Handle("GET "+t+"/deliveries", c.tenant(c.deliveriesPage))
	m.Handle("POST "+t+"/deliveries/recover", c.tenant(c.recoverDeliveries))
	m.Handle("GET "+t+"/deliveries/{id}", c.tenant(c.deliveryPage))
	m.Handle("POST "+t+"/deliveries/{id}/resend", c.tenant(c.resendDelivery))
	m.Handle("POST "+t+"/deliveries/{id}/skip", c.tenant(c.skipDelivery))
	m.Handle("GET "+t+"/blocked-keys", c.tenant(c.blockedKeysPage))
	m.Handle("GET "+t+"/event-types", c.tenant(c.catalogPage))
	m.Handle("GET "+t+"/event-types/{type}", c.tenant(c.eventTypePage))

	// A path below a tenant that names no page: the not-found page with
	// that tenant's navigation, for a session that may see it.
	m.Handle(t+"/", c.tenant(c.notFound))
	m.Handle("/", c.public(c.notFound))
}
