package ui

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// webhookRow is one line of the webhooks list.
type webhookRow struct {
	Webhook domain.Webhook
	Last    *domain.Delivery
	Day     windowStats
}

func (c *Console) webhooksPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	tid := rc.tenant.ID
	hooks, err := c.webhooks.All(ctx, tid)
	if err != nil {
		return err
	}
	sums, err := c.stats.LastDay(ctx, tid, c.clock.Now().UTC())
	if err != nil {
		return err
	}
	rows := make([]webhookRow, len(hooks))
	for i, h := range hooks {
		rows[i] = webhookRow{Webhook: h, Day: newWindowStats(sums[h.ID])}
		if rows[i].Last, err = c.deliveries.Latest(ctx, tid, h.ID); err != nil {
			return err
		}
	}
	return c.page(w, r, rc, "webhooks", "Webhooks", "webhooks", rows)
}

// confirmData is the disable confirmation page's data.
type confirmData struct {
	Webhook   *domain.Webhook
	Scheduled int
}

// setEnabled turns a webhook on or off. Turning it off cancels its
// scheduled deliveries, so it asks first: without confirm=yes the answer
// is a page that says how many deliveries would be canceled.
func (c *Console) setEnabled(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	wh, err := c.webhooks.Get(ctx, rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	enable := r.PostFormValue("enabled") == "true"
	if !enable && r.PostFormValue("confirm") != "yes" {
		n, err := c.webhooks.CancelableDeliveries(ctx, rc.tenant.ID, wh.ID)
		if err != nil {
			return err
		}
		return c.page(w, r, rc, "confirm_disable", "Disable webhook", "webhooks", confirmData{Webhook: wh, Scheduled: n})
	}
	saved, err := c.webhooks.SetEnabled(ctx, rc.tenant.ID, wh.ID, enable)
	if err != nil {
		return err
	}
	msg := "“" + wh.Name + "” is enabled: new events will be delivered to it."
	if !enable {
		msg = "“" + wh.Name + "” is disabled. " + plural(saved.Canceled, "scheduled delivery was", "scheduled deliveries were") + " canceled."
	}
	c.setFlash(w, rc, msg)
	back := r.PostFormValue("back")
	if back != "list" {
		return redirect(w, r, tenantBase(rc.tenant.ID)+"/webhooks/"+wh.ID)
	}
	return redirect(w, r, tenantBase(rc.tenant.ID)+"/webhooks")
}

// deleteWebhook removes a webhook; its scheduled deliveries are canceled
// and kept for the audit.
func (c *Console) deleteWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	wh, err := c.webhooks.Get(r.Context(), rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := c.webhooks.Delete(r.Context(), rc.tenant.ID, wh.ID); err != nil {
		return err
	}
	c.setFlash(w, rc, "“"+wh.Name+"” was deleted. Its past deliveries stay in the audit log.")
	return redirect(w, r, tenantBase(rc.tenant.ID)+"/webhooks")
}

// plural renders "1 thing was" / "3 things were".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}
