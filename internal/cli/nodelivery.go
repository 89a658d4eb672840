package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// maxWebhooks bounds how many webhooks whyNoDelivery reads: a hint is
// not worth more requests than this.
const maxWebhooks = 10000

// whyNoDelivery says why an event of type typ just published to tenant got
// no delivery, from the tenant's webhooks as the server lists them: none
// is enabled, none subscribes to typ (naming the subscriptions nearest to
// it), or the filters of those that do refused the event.
func whyNoDelivery(ctx context.Context, c *client.Client, tenant, typ string) string {
	var patterns, filtered []string
	seen := 0
	for w, err := range c.AllWebhooks(ctx, tenant, client.ListParams{Limit: 1000}) {
		if err != nil {
			return fmt.Sprintf("no webhook of tenant %s received %s (listing its webhooks to say why failed: %v)", tenant, typ, err)
		}
		if seen++; seen > maxWebhooks {
			break
		}
		if !w.Enabled {
			continue
		}
		patterns = append(patterns, w.EventTypes...)
		for _, p := range w.EventTypes {
			if domain.MatchEventType(p, typ) {
				filtered = append(filtered, fmt.Sprintf("%q", w.Name))
				break
			}
		}
	}
	switch {
	case len(filtered) > 0:
		return fmt.Sprintf("no delivery: the payload filter of each enabled webhook of tenant %s subscribed to %s (%s) refused this event", tenant, typ, strings.Join(filtered, ", "))
	case len(patterns) == 0:
		return fmt.Sprintf("no delivery: tenant %s has no enabled webhook; create or enable one subscribed to %s", tenant, typ)
	}
	near := catalog.NearestPatterns(typ, patterns)
	for i, p := range near {
		near[i] = fmt.Sprintf("%q", p)
	}
	return fmt.Sprintf("no delivery: no enabled webhook of tenant %s subscribes to %s; the closest subscribed: %s", tenant, typ, strings.Join(near, ", "))
}
