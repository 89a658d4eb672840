package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// maxWebhookPages bounds how many pages of webhooks whyNoDelivery reads:
// a hint is not worth more requests than this.
const maxWebhookPages = 10

// whyNoDelivery says why an event of type typ just published to tenant got
// no delivery, from the tenant's webhooks as the server lists them: none
// is enabled, none subscribes to typ (naming the subscriptions nearest to
// it), or the filters of those that do refused the event.
func whyNoDelivery(ctx context.Context, c *apiClient, tenant, typ string) string {
	var patterns, filtered []string
	cursor := ""
	for range maxWebhookPages {
		var page struct {
			Data []struct {
				Name       string   `json:"name"`
				EventTypes []string `json:"event_types"`
				Enabled    bool     `json:"enabled"`
			} `json:"data"`
			NextCursor string `json:"next_cursor"`
		}
		path := tenantPath(tenant, "/webhooks?limit=1000")
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		if err := c.get(ctx, path, &page); err != nil {
			return fmt.Sprintf("no webhook of tenant %s received %s (listing its webhooks to say why failed: %v)", tenant, typ, err)
		}
		for _, w := range page.Data {
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
		if cursor = page.NextCursor; cursor == "" {
			break
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
