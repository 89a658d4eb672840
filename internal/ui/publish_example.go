package ui

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/web"
)

// publishExample shows a tenant whose webhooks have received nothing yet
// how the LMS publishes an event one of them subscribes to.
type publishExample struct {
	// Server is this server's public URL, or "$LMSHOOKS_SERVER" when it
	// is not known (see web.PublicURL).
	Server string
	Tenant string
	Type   string // a builtin type an enabled webhook subscribes to
}

// newPublishExample picks the first builtin event type that an enabled
// webhook of the tenant subscribes to: `lmshooks trigger` publishes its
// catalog example, so the command works as shown and creates a delivery.
// The type is user.created when no enabled webhook matches a builtin type.
func newPublishExample(r *http.Request, public web.PublicURL, tenantID string, hooks []domain.Webhook, builtin *catalog.Catalog) publishExample {
	server, err := public.Abs(r, "")
	if err != nil {
		server = `"$LMSHOOKS_SERVER"`
	}
	ex := publishExample{Server: server, Tenant: tenantID, Type: "user.created"}
	for _, h := range hooks {
		if !h.Enabled {
			continue
		}
		for _, p := range h.EventTypes {
			if types := builtin.Match(p); len(types) > 0 {
				ex.Type = types[0]
				return ex
			}
		}
	}
	return ex
}
