package ui

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/retry"
	"github.com/lmshooks/lmshooks/signature"
)

// entityGroup is one entity of the event type picker.
type entityGroup struct {
	Entity      string
	Description string
	Actions     []string
}

// policyChoice is one retry policy of the form, with its schedule spelled
// out.
type policyChoice struct {
	Name        string
	Description string
	Schedule    []string // "immediately", "5s", … one per retry
}

// testResult is a test send's outcome, shown under the form.
type testResult struct {
	EventType string
	Attempt   domain.Attempt
}

// formData is the create/edit page's data.
type formData struct {
	Webhook  *domain.Webhook // nil when creating
	Form     webhookForm
	Errors   map[string]string
	Error    string // an error with no field of its own
	Groups   []entityGroup
	Formats  []string
	Policies []policyChoice
	Test     *testResult
	Scheme   string
}

// formPage renders the create/edit form.
func (c *Console) formPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, wh *domain.Webhook, f webhookForm, err error, test *testResult) {
	d := formData{Webhook: wh, Form: f, Groups: c.entityGroups(), Formats: c.formats.Names(), Policies: policyChoices(), Test: test}
	if err != nil {
		if field := domain.ErrorField(err); field != "" {
			d.Errors = map[string]string{formField(field): domain.ErrorMessage(err)}
		} else {
			d.Error = domain.ErrorMessage(err)
		}
	}
	title := "New webhook"
	if wh != nil {
		title = wh.Name
		d.Scheme = schemeOf(wh.Secret)
	}
	c.render(w, r, rc, status, "webhook_form", title, "webhooks", d)
}

func (c *Console) newWebhookPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c.formPage(w, r, rc, http.StatusOK, nil, newWebhookForm(), nil, nil)
	return nil
}

func (c *Console) editWebhookPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	wh, err := c.store.GetWebhook(r.Context(), rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	c.formPage(w, r, rc, http.StatusOK, wh, formFromWebhook(wh), nil, nil)
	return nil
}

// submitNewWebhook creates the webhook, or with action=test sends the
// example event to the webhook as described, without saving it.
func (c *Console) submitNewWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := parseWebhookForm(r)
	now := c.clock.Now().UTC()
	wh := &domain.Webhook{ID: id.NewAt(id.Webhook, now), TenantID: rc.tenant.ID, CreatedAt: now, UpdatedAt: now}
	err := c.build(&f, wh)
	if err == nil {
		wh.Secret, err = initialSecret(f.Scheme, f.Secret)
	}
	if err != nil {
		c.formPage(w, r, rc, http.StatusUnprocessableEntity, nil, f, err, nil)
		return nil
	}
	if r.PostFormValue("action") == "test" {
		c.formPage(w, r, rc, http.StatusOK, nil, f, nil, c.sendTest(r.Context(), wh))
		return nil
	}
	if err := c.store.CreateWebhook(r.Context(), wh); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			c.formPage(w, r, rc, http.StatusConflict, nil, f, domain.Errorf(domain.ECONFLICT, "This tenant already has its maximum number of webhooks (%d). Delete one first.", rc.tenant.MaxWebhooks), nil)
			return nil
		}
		return err
	}
	return c.page(w, r, rc, "webhook_secret", "Webhook created", "webhooks", secretData{Webhook: wh, Created: true, Secret: wh.Secret, PublicKey: publicKeyOf(wh.Secret)})
}

// submitWebhook saves the webhook, or with action=test sends the example
// event to the webhook as edited, without saving it.
func (c *Console) submitWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	wh, err := c.store.GetWebhook(ctx, rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	stored := *wh
	f := parseWebhookForm(r)
	if err := c.build(&f, wh); err != nil {
		c.formPage(w, r, rc, http.StatusUnprocessableEntity, &stored, f, err, nil)
		return nil
	}
	if r.PostFormValue("action") == "test" {
		c.formPage(w, r, rc, http.StatusOK, &stored, f, nil, c.sendTest(ctx, wh))
		return nil
	}
	now := c.clock.Now().UTC()
	wh.UpdatedAt = now
	canceled, err := c.store.UpdateWebhook(ctx, wh, now)
	if err != nil {
		return err
	}
	c.dispatcher.WebhookChanged(wh.ID)
	msg := "Changes to “" + wh.Name + "” saved."
	if canceled > 0 {
		msg += " It is disabled: " + plural(canceled, "scheduled delivery was", "scheduled deliveries were") + " canceled."
	}
	c.setFlash(w, rc, msg)
	return redirect(w, r, tenantBase(rc.tenant.ID)+"/webhooks/"+wh.ID)
}

// build applies the form to w and validates it completely: the domain
// rules, then the format and retry policy names.
func (c *Console) build(f *webhookForm, w *domain.Webhook) error {
	if err := f.apply(w); err != nil {
		return err
	}
	w.Normalize()
	if err := w.Validate(); err != nil {
		return err
	}
	if err := c.formats.Check(w.Format); err != nil {
		return err
	}
	_, err := retry.ForWebhook(w)
	return err
}

// sendTest sends the catalog example of a type the webhook subscribes to,
// now, outside the audit log.
func (c *Console) sendTest(ctx context.Context, wh *domain.Webhook) *testResult {
	typ, data := c.example(wh.EventTypes)
	now := c.clock.Now().UTC().Truncate(time.Millisecond)
	ev := &domain.Event{ID: id.NewAt("evt_test_", now), TenantID: wh.TenantID, Type: typ, OccurredAt: now, ReceivedAt: now, Data: data}
	at := c.dispatcher.Test(ctx, wh, ev)
	return &testResult{EventType: typ, Attempt: at}
}

// example picks the event a test sends: the catalog example of the first
// subscribed type the catalog knows, or of the first type a pattern
// matches.
func (c *Console) example(patterns []string) (string, []byte) {
	for _, p := range patterns {
		if et, ok := c.catalog.Lookup(p); ok {
			return et.Type, et.Example
		}
	}
	for _, p := range patterns {
		if m := c.catalog.Match(p); len(m) > 0 {
			et, _ := c.catalog.Lookup(m[0])
			return et.Type, et.Example
		}
	}
	typ := "user.created"
	if len(patterns) > 0 && domain.ValidEventType(patterns[0]) {
		typ = patterns[0]
	}
	entity, _, _ := strings.Cut(typ, ".")
	return typ, []byte(`{"` + entity + `":{"id":"` + entity + `_123"}}`)
}

// entityGroups lists the catalog's entities with their actions.
func (c *Console) entityGroups() []entityGroup {
	var out []entityGroup
	for _, e := range c.catalog.Entities() {
		out = append(out, entityGroup{Entity: e, Description: c.catalog.EntityDescription(e), Actions: c.catalog.Actions(e)})
	}
	return out
}

// policyChoices lists the retry presets and "custom", each with its
// schedule spelled out.
func policyChoices() []policyChoice {
	var out []policyChoice
	for _, p := range retry.Presets() {
		pc := policyChoice{Name: p.Name, Description: p.Description}
		for _, d := range p.Waits {
			pc.Schedule = append(pc.Schedule, retry.FormatWait(d))
		}
		out = append(out, pc)
	}
	return append(out, policyChoice{Name: domain.CustomRetryPolicy, Description: "Your own waits between attempts, up to 50, each at most 7 days."})
}

// secretData shows a webhook's signing secret.
type secretData struct {
	Webhook         *domain.Webhook
	Created         bool
	Rotated         bool
	Secret          string
	PublicKey       string
	PreviousExpires time.Time
}

// secretAction reveals (action=reveal) or rotates (action=rotate) the
// signing secret. A rotated-out secret keeps signing for the overlap, so
// receivers can switch without rejecting deliveries.
func (c *Console) secretAction(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	wh, err := c.store.GetWebhook(ctx, rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	now := c.clock.Now().UTC()
	d := secretData{Webhook: wh}
	switch r.PostFormValue("action") {
	case "reveal":
	case "rotate":
		secret, err := newSecret(schemeOf(wh.Secret))
		if err != nil {
			return err
		}
		wh.PreviousSecret, wh.PreviousSecretExpiresAt = wh.Secret, now.Add(c.overlap)
		wh.Secret, wh.UpdatedAt = secret, now
		if _, err := c.store.UpdateWebhook(ctx, wh, now); err != nil {
			return err
		}
		c.dispatcher.WebhookChanged(wh.ID)
		d.Rotated = true
	default:
		return domain.FieldErrorf("action", "must be reveal or rotate")
	}
	d.Secret, d.PublicKey = wh.Secret, publicKeyOf(wh.Secret)
	if wh.PreviousSecret != "" && now.Before(wh.PreviousSecretExpiresAt) {
		d.PreviousExpires = wh.PreviousSecretExpiresAt
	}
	return c.page(w, r, rc, "webhook_secret", "Signing secret", "webhooks", d)
}

// initialSecret is a new webhook's secret: the admin's own (validated) or
// a fresh one of the chosen scheme.
func initialSecret(scheme, own string) (string, error) {
	if scheme != schemeHMAC && scheme != schemeEd25519 {
		return "", domain.FieldErrorf("signature_scheme", "choose HMAC-SHA256 or Ed25519")
	}
	if own == "" {
		return newSecret(scheme)
	}
	if err := signature.ValidateSecret(own); err != nil {
		return "", domain.FieldErrorf("secret", "%s", strings.TrimPrefix(err.Error(), "invalid key: "))
	}
	if schemeOf(own) != scheme {
		return "", domain.FieldErrorf("secret", "is a %s secret, but %s is selected", schemeOf(own), scheme)
	}
	return own, nil
}

// newSecret returns a fresh secret of the scheme.
func newSecret(scheme string) (string, error) {
	if scheme == schemeEd25519 {
		s, _, err := signature.NewKeyPair()
		return s, err
	}
	return signature.NewSecret()
}

// schemeOf names the signature scheme of a secret.
func schemeOf(secret string) string {
	if strings.HasPrefix(secret, signature.SigningKeyPrefix) {
		return schemeEd25519
	}
	return schemeHMAC
}

// publicKeyOf returns an Ed25519 secret's public key, "" otherwise.
func publicKeyOf(secret string) string {
	if schemeOf(secret) != schemeEd25519 {
		return ""
	}
	pk, err := signature.PublicKey(secret)
	if err != nil {
		return ""
	}
	return pk
}
