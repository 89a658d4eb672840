package ui

import "testing"

func TestEveryPageRenders(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	for _, path := range []string{"/tenants", "/t/acme/", "/t/acme/?range=7d", "/t/acme/webhooks", "/t/acme/webhooks/new", "/t/acme/deliveries", "/t/acme/event-types", "/t/acme/event-types/user.created"} {
		p := b.get(path)
		wantStatus(t, p, 200)
	}
}
