package ui

import (
	"net/http"
	"net/url"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// choice is one radio button of a setting: its value, and what it means.
type choice struct {
	Name        string
	Label       string
	Description string
}

// orderingChoices are the webhook form's orderings (docs/ORDERING.md).
var orderingChoices = []choice{
	{string(domain.OrderingNone), "Not ordered", "Each delivery goes as soon as it is due, several at once: a retry may arrive after later events."},
	{string(domain.OrderingWebhook), "In order, one at a time", "Strict FIFO: the next delivery waits until the previous one succeeded or ended."},
	{string(domain.OrderingKey), "In order per key", "FIFO per ordering key (the enrollment, the user…): one key's deliveries go one at a time, different keys in parallel."},
}

// orderingFailureChoices are what an ordered delivery that finally
// failed does to the ones of its key behind it.
var orderingFailureChoices = []choice{
	{string(domain.FailureBlock), "Block the key", "Later deliveries of the key wait until you resend or skip the failed one (see Blocked keys)."},
	{string(domain.FailureSkip), "Skip it", "The next delivery of the key goes once the failed one has used up its retries."},
}

// blockedData is the blocked keys page's data.
type blockedData struct {
	Keys     []domain.BlockedKey
	Names    map[string]string // webhook id → name
	Webhooks []domain.Webhook
	// WebhookID is the webhook filter ("" for all).
	WebhookID string
}

// blockedKeysPage lists the tenant's blocked keys, of one webhook with
// ?webhook_id=, each with its failed head and Resend and Skip.
func (c *Console) blockedKeysPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	webhookID := r.URL.Query().Get("webhook_id")
	keys, err := c.deliveries.BlockedKeys(ctx, rc.tenant.ID, webhookID)
	if err != nil {
		return err
	}
	hooks, err := c.webhooks.All(ctx, rc.tenant.ID)
	if err != nil {
		return err
	}
	d := blockedData{Keys: keys, Names: map[string]string{}, WebhookID: webhookID}
	for _, h := range hooks {
		d.Names[h.ID] = h.Name
		if h.Ordered() {
			d.Webhooks = append(d.Webhooks, h)
		}
	}
	return c.page(w, r, rc, "blocked_keys", "Blocked keys", "deliveries", d)
}

// skipDelivery lets the deliveries of a key go past one that holds it.
func (c *Console) skipDelivery(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := c.deliveries.Skip(r.Context(), rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	c.setFlash(w, rc, "Delivery skipped: the next delivery of its key may go.")
	return redirect(w, r, afterDeliveryAction(r, rc, d))
}

// afterDeliveryAction is where Resend and Skip lead: back to the blocked
// keys (with their webhook filter) when they were used there, else to the
// delivery.
func afterDeliveryAction(r *http.Request, rc *reqCtx, d *domain.Delivery) string {
	base := tenantBase(rc.tenant.ID)
	if r.PostFormValue("back") != "blocked-keys" {
		return base + "/deliveries/" + d.ID
	}
	if wid := r.PostFormValue("webhook_id"); wid != "" {
		return base + "/blocked-keys?" + url.Values{"webhook_id": {wid}}.Encode()
	}
	return base + "/blocked-keys"
}
