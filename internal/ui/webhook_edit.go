package ui

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/retry"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/signature"
)

// entityGroup is one entity of the event type picker.
type entityGroup struct {
	Entity      string
	Description string
	Actions     []actionChoice
}

// actionChoice is one action of an entity in the picker; Custom marks the
// tenant's own event types.
type actionChoice struct {
	Name   string
	Custom bool
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

// formExtras is what an action of the form adds to the page it renders
// again: a test send's result, a filter try's outcome, or the format's
// warnings about settings that work but look wrong.
type formExtras struct {
	Test     *testResult
	Try      *filterTry
	Warnings []string
	// ConfirmDisable, when positive, is the number of scheduled deliveries
	// that saving the webhook off would cancel: the form asks first.
	ConfirmDisable int
}

// formData is the create/edit page's data.
type formData struct {
	Webhook  *domain.Webhook // nil when creating
	Form     webhookForm
	Errors   map[string]string
	Error    string // an error with no field of its own
	Groups   []entityGroup
	Formats  []formatChoice
	Policies []policyChoice
	Scheme   string
	formExtras
	// Chosen is the subscription as the form stands: the checked types
	// and the typed patterns, as they will be saved.
	Chosen []string
	// TryTypes are the event types the filter can be tried on: the
	// subscribed ones, or every type while none is subscribed.
	TryTypes       []string
	FilterExamples []filterExample
	// CypherRows are the parameter editor's rows: the form's and a few
	// empty ones. TypeVars are the variables of the subscribed types.
	CypherRows   []cypherParam
	TypeVars     []templateVar
	HasTypeVars  bool // one of TypeVars is shown
	EnvelopeVars []templateVar
}

// formFields are the fields the form shows an error next to; an error on
// any other field is shown above the form.
var formFields = map[string]bool{
	"name": true, "url": true, "description": true, "event_types": true, "other_types": true,
	"format": true, "format_options": true, "cypher_parameters": true, "filter": true,
	"basic_auth.username": true, "basic_auth.password": true, "headers": true,
	"retry_policy": true, "retry_schedule": true, "timeout_seconds": true, "success_status": true,
	"rate_limit": true, "max_concurrency": true,
}

// formPage renders the create/edit form.
func (c *Console) formPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, wh *domain.Webhook, f webhookForm, err error, x formExtras) {
	cat := c.catalogFor(r.Context(), rc.tenant.ID)
	d := formData{Webhook: wh, Form: f, Groups: entityGroups(cat), Formats: c.formatChoices(), Policies: policyChoices(), formExtras: x, FilterExamples: filterExamples, EnvelopeVars: envelopeVars}
	d.Form.EventTypes, d.Form.OtherTypes = pickerSplit(d.Groups, f.EventTypes, f.OtherTypes)
	d.Chosen = f.types()
	d.TryTypes = subscribedTypes(cat, d.Chosen)
	d.TypeVars = typeVariables(cat, d.TryTypes)
	d.HasTypeVars = slices.ContainsFunc(d.TypeVars, func(v templateVar) bool { return v.Shown })
	d.CypherRows = append(append([]cypherParam(nil), f.CypherParams...), make([]cypherParam, max(3-len(f.CypherParams), 1))...)
	if len(d.TryTypes) == 0 {
		for _, et := range cat.All() {
			d.TryTypes = append(d.TryTypes, et.Type)
		}
	}
	if err != nil {
		field := formField(domain.ErrorField(err))
		switch {
		case formFields[field] || wh == nil && (field == "signature_scheme" || field == "secret"):
			d.Errors = map[string]string{field: domain.ErrorMessage(err)}
		case field != "":
			d.Error = field + ": " + domain.ErrorMessage(err)
		default:
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

// catalogFor returns the tenant's view of the catalog for a page. A store
// error costs the page the tenant's own types, not the page itself.
func (c *Console) catalogFor(ctx context.Context, tenantID string) *catalog.Catalog {
	cat, err := c.tenantCatalog(ctx, tenantID)
	if err != nil {
		c.log.Warn("read the tenant's event types", "tenant_id", tenantID, "err", err)
		return c.catalog
	}
	return cat
}

func (c *Console) newWebhookPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c.formPage(w, r, rc, http.StatusOK, nil, newWebhookForm(), nil, formExtras{})
	return nil
}

func (c *Console) editWebhookPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	wh, err := c.store.GetWebhook(r.Context(), rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	c.formPage(w, r, rc, http.StatusOK, wh, formFromWebhook(wh), nil, formExtras{})
	return nil
}

// submitNewWebhook creates the webhook, or with action=test sends the
// example event to the webhook as described, without saving it, or with
// action=try-filter evaluates the filter on an example.
func (c *Console) submitNewWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := parseWebhookForm(r)
	if r.PostFormValue("action") == actionTryFilter {
		c.formPage(w, r, rc, http.StatusOK, nil, f, nil, formExtras{Try: c.tryFilter(r.Context(), rc.tenant.ID, &f)})
		return nil
	}
	now := c.clock.Now().UTC()
	wh := &domain.Webhook{ID: id.NewAt(id.Webhook, now), TenantID: rc.tenant.ID, CreatedAt: now, UpdatedAt: now}
	warnings, err := c.build(r.Context(), &f, wh, nil)
	if err == nil {
		wh.Secret, err = initialSecret(f.Scheme, f.Secret)
	}
	if err != nil {
		c.formPage(w, r, rc, http.StatusUnprocessableEntity, nil, f, err, formExtras{})
		return nil
	}
	if r.PostFormValue("action") == "test" {
		c.formPage(w, r, rc, http.StatusOK, nil, f, nil, formExtras{Test: c.sendTest(r.Context(), wh), Warnings: warnings})
		return nil
	}
	if err := c.store.CreateWebhook(r.Context(), wh); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			c.formPage(w, r, rc, http.StatusConflict, nil, f, domain.Errorf(domain.ECONFLICT, "This tenant already has its maximum number of webhooks (%d). Delete one first.", rc.tenant.MaxWebhooks), formExtras{})
			return nil
		}
		return err
	}
	return c.page(w, r, rc, "webhook_secret", "Webhook created", "webhooks", secretData{Webhook: wh, Created: true, Secret: wh.Secret, PublicKey: publicKeyOf(wh.Secret), Warnings: warnings})
}

// submitWebhook saves the webhook, or with action=test sends the example
// event to the webhook as edited, without saving it, or with
// action=try-filter evaluates the filter on an example.
func (c *Console) submitWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	wh, err := c.store.GetWebhook(ctx, rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	stored := *wh
	f := parseWebhookForm(r)
	if r.PostFormValue("action") == actionTryFilter {
		c.formPage(w, r, rc, http.StatusOK, &stored, f, nil, formExtras{Try: c.tryFilter(ctx, rc.tenant.ID, &f)})
		return nil
	}
	warnings, err := c.build(ctx, &f, wh, stored.EventTypes)
	if err != nil {
		c.formPage(w, r, rc, http.StatusUnprocessableEntity, &stored, f, err, formExtras{})
		return nil
	}
	if r.PostFormValue("action") == "test" {
		c.formPage(w, r, rc, http.StatusOK, &stored, f, nil, formExtras{Test: c.sendTest(ctx, wh), Warnings: warnings})
		return nil
	}
	if stored.Enabled && !wh.Enabled && r.PostFormValue("confirm_disable") != "yes" {
		// Saving it off cancels the scheduled deliveries: as the list's
		// switch does, say how many and ask before doing it.
		counts, err := c.store.CountDeliveries(ctx, store.DeliveryFilter{TenantID: rc.tenant.ID, WebhookID: wh.ID})
		if err != nil {
			return err
		}
		if n := counts[domain.Scheduled]; n > 0 {
			c.formPage(w, r, rc, http.StatusConflict, &stored, f, nil, formExtras{ConfirmDisable: n, Warnings: warnings})
			return nil
		}
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
	for _, warn := range warnings {
		msg += " Note: " + warn
	}
	c.setFlash(w, rc, msg)
	return redirect(w, r, tenantBase(rc.tenant.ID)+"/webhooks/"+wh.ID)
}

// build applies the form to w and validates it completely, as the API
// does: the domain rules, the format and its options, the retry policy,
// the subscribed types against the tenant's catalog (those in before, the
// stored subscription, are not re-checked, so that a webhook whose custom
// type was deleted can still be changed) and the filter against the
// schemas and examples of every subscribed type. It returns the format's
// warnings about settings that work but look wrong.
func (c *Console) build(ctx context.Context, f *webhookForm, w *domain.Webhook, before []string) ([]string, error) {
	if err := f.apply(w); err != nil {
		return nil, err
	}
	w.Normalize()
	if err := w.Validate(); err != nil {
		return nil, err
	}
	warnings, err := c.checkFormat(w)
	if err != nil {
		return nil, err
	}
	if _, err := retry.ForWebhook(w); err != nil {
		return nil, err
	}
	cat, err := c.tenantCatalog(ctx, w.TenantID)
	if err != nil {
		return nil, err
	}
	if err := checkTypes(cat, f, w.EventTypes, before); err != nil {
		return nil, err
	}
	if err := c.checkFilter(cat, w); err != nil {
		return nil, err
	}
	return warnings, nil
}

// sendTest sends the catalog example of a type the webhook subscribes to,
// now, outside the audit log.
func (c *Console) sendTest(ctx context.Context, wh *domain.Webhook) *testResult {
	typ, data := example(c.catalogFor(ctx, wh.TenantID), wh.EventTypes)
	now := c.clock.Now().UTC().Truncate(time.Millisecond)
	ev := &domain.Event{ID: id.NewAt("evt_test_", now), TenantID: wh.TenantID, Type: typ, OccurredAt: now, ReceivedAt: now, Data: data}
	at := c.dispatcher.Test(ctx, wh, ev)
	return &testResult{EventType: typ, Attempt: at}
}

// example picks the event a test sends, as the API's test route does
// (catalog.TestEvent).
func example(cat *catalog.Catalog, patterns []string) (string, []byte) {
	if typ, data, ok := cat.TestEvent(patterns); ok {
		return typ, data
	}
	// The form checks the types before a test, so this is a webhook whose
	// every type has since left the catalog: send a plain type, no data.
	return "user.created", []byte(`{}`)
}

// entityGroups lists the catalog's entities with their actions, the
// tenant's own types marked.
func entityGroups(cat *catalog.Catalog) []entityGroup {
	var out []entityGroup
	for _, e := range cat.Entities() {
		g := entityGroup{Entity: e, Description: cat.EntityDescription(e)}
		for _, a := range cat.Actions(e) {
			et, _ := cat.Lookup(e + "." + a)
			g.Actions = append(g.Actions, actionChoice{Name: a, Custom: et != nil && et.Custom})
		}
		out = append(out, g)
	}
	return out
}

// pickerSplit keeps in the picker's checked boxes only the values that
// have a box (a deleted custom type has none) and moves the others to the
// free patterns, so that saving the form again does not drop them.
func pickerSplit(groups []entityGroup, checked []string, other string) ([]string, string) {
	boxes := map[string]bool{"*": true}
	for _, g := range groups {
		boxes[g.Entity+".*"] = true
		for _, a := range g.Actions {
			boxes[g.Entity+"."+a.Name] = true
		}
	}
	var keep, moved []string
	for _, t := range checked {
		if boxes[t] {
			keep = append(keep, t)
		} else {
			moved = append(moved, t)
		}
	}
	if len(moved) == 0 {
		return keep, other
	}
	if strings.TrimSpace(other) != "" {
		moved = append(moved, other)
	}
	return keep, strings.Join(moved, ", ")
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
	// Warnings are the format's notes on settings that work but look
	// wrong, shown after creation.
	Warnings []string
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
