package api

import (
	"context"
	"net/http"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhookInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	now := a.clock.Now().UTC()
	wh, err := a.newWebhook(r.Context(), &in, r.PathValue("tenant"), now)
	if err != nil {
		return err
	}
	if err := a.store.CreateWebhook(r.Context(), wh); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return a.capError(r, wh.TenantID, err)
		}
		return err
	}
	out := withSecret(wh, now)
	out.Warnings, _ = a.formats.Validate(wh) // already validated: only warnings
	return writeJSON(w, http.StatusCreated, out)
}

// newWebhook builds and validates a webhook from a create body, with its
// defaults (enabled, standard format and retries, a fresh secret).
func (a *API) newWebhook(ctx context.Context, in *webhookInput, tenantID string, now time.Time) (*domain.Webhook, error) {
	wh := &domain.Webhook{
		ID:        id.NewAt(id.Webhook, now),
		TenantID:  tenantID,
		Enabled:   true,
		CreatedAt: now,
		UpdatedAt: now,
	}
	if err := in.apply(wh); err != nil {
		return nil, err
	}
	a.applyFormatDefaults(wh, in, "")
	if err := a.validateWebhook(wh); err != nil {
		return nil, err
	}
	if err := a.checkAgainstCatalog(ctx, wh, in); err != nil {
		return nil, err
	}
	secret, err := in.initialSecret()
	if err != nil {
		return nil, err
	}
	wh.Secret = secret
	// The format's own checks run once the secret is known: vendor HMAC
	// formats cannot sign with an ed25519 key.
	if _, err := a.formats.Validate(wh); err != nil {
		return nil, err
	}
	return wh, nil
}

// capError explains a webhook cap conflict with the tenant's limit.
func (a *API) capError(r *http.Request, tenantID string, err error) error {
	t, terr := a.store.GetTenant(r.Context(), tenantID)
	if terr != nil || t.MaxWebhooks == 0 {
		return err
	}
	return domain.Errorf(domain.ECONFLICT, "tenant %q already has its maximum of %d webhooks: delete one first, or ask the operator to raise max_webhooks", tenantID, t.MaxWebhooks)
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	p, err := pageParams(r, id.Webhook)
	if err != nil {
		return err
	}
	tid := r.PathValue("tenant")
	if err := a.requireTenant(r, tid); err != nil {
		return err
	}
	hs, next, err := a.store.ListWebhooks(r.Context(), tid, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(mapList(hs, toWebhookJSON), next))
}

// requireTenant answers ENOTFOUND for a tenant that does not exist, so that
// lists of an absent tenant are a 404 rather than empty.
func (a *API) requireTenant(r *http.Request, tenantID string) error {
	_, err := a.store.GetTenant(r.Context(), tenantID)
	return err
}

// webhookOf loads the {id} webhook of the {tenant} of the path.
func (a *API) webhookOf(r *http.Request) (*domain.Webhook, error) {
	return a.store.GetWebhook(r.Context(), r.PathValue("tenant"), r.PathValue("id"))
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := a.webhookOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toWebhookJSON(wh))
}

// updateWebhook changes the fields present in the body. Disabling cancels
// the webhook's scheduled deliveries (the answer says how many); the
// secret changes only through rotate-secret.
func (a *API) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhookInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	wh, err := a.webhookOf(r)
	if err != nil {
		return err
	}
	if in.Secret != nil {
		return domain.FieldErrorf("secret", "cannot be changed here: use POST …/rotate-secret")
	}
	scheme, err := in.scheme()
	if err != nil {
		return err
	}
	if scheme != "" && scheme != schemeOf(wh.Secret) {
		return domain.FieldErrorf("signature_scheme", "cannot be changed after creation: create a new webhook for a %s signature", scheme)
	}
	oldFormat := wh.Format
	if err := in.apply(wh); err != nil {
		return err
	}
	a.applyFormatDefaults(wh, &in, oldFormat)
	if err := a.validateWebhook(wh); err != nil {
		return err
	}
	warnings, err := a.formats.Validate(wh)
	if err != nil {
		return err
	}
	if err := a.checkAgainstCatalog(r.Context(), wh, &in); err != nil {
		return err
	}
	now := a.clock.Now().UTC()
	wh.UpdatedAt = now
	canceled, err := a.store.UpdateWebhook(r.Context(), wh, now)
	if err != nil {
		return err
	}
	a.dispatcher.WebhookChanged(wh.ID)
	out := toWebhookJSON(wh)
	out.Warnings = warnings
	out.CanceledDeliveries = &canceled
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	tid, wid := r.PathValue("tenant"), r.PathValue("id")
	if err := a.store.DeleteWebhook(r.Context(), tid, wid, a.clock.Now().UTC()); err != nil {
		return err
	}
	a.dispatcher.WebhookChanged(wid)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
