package api

import (
	"net/http"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

func (a *API) createWebhook(w http.ResponseWriter, r *http.Request) error {
	in, err := a.readWebhookInput(r)
	if err != nil {
		return err
	}
	saved, err := a.svc.Webhooks.Create(r.Context(), r.PathValue("tenant"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toSavedJSON(saved))
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	p, err := pageParams(r, id.Webhook)
	if err != nil {
		return err
	}
	hs, next, err := a.svc.Webhooks.List(r.Context(), r.PathValue("tenant"), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(mapList(hs, toWebhookJSON), next))
}

// webhookOf loads the {id} webhook of the {tenant} of the path.
func (a *API) webhookOf(r *http.Request) (*domain.Webhook, error) {
	return a.svc.Webhooks.Get(r.Context(), r.PathValue("tenant"), r.PathValue("id"))
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := a.webhookOf(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toWebhookJSON(wh))
}

// updateWebhook changes the fields present in the body; the answer says
// how many scheduled deliveries disabling canceled.
func (a *API) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	in, err := a.readWebhookInput(r)
	if err != nil {
		return err
	}
	saved, err := a.svc.Webhooks.Update(r.Context(), r.PathValue("tenant"), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	out := toSavedJSON(saved)
	out.CanceledDeliveries = &saved.Canceled
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.Webhooks.Delete(r.Context(), r.PathValue("tenant"), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
