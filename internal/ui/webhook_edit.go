package ui

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/retry"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/web"
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
	Label       string // the vendor's or standard's name: "Rise Up"
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
	Try      *service.FilterOutcome
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
	// Orderings and OrderingFailures are the ordering settings' choices.
	Orderings        []choice
	OrderingFailures []choice
	Scheme           string
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
	CypherRows []cypherParam
	// SecretRows are the secret header rows: the form's and an empty one.
	SecretRows   []secretHeader
	TypeVars     []templateVar
	HasTypeVars  bool // one of TypeVars is shown
	EnvelopeVars []templateVar
}

// formFields are the fields the form shows an error next to; an error on
// any other field is shown above the form.
var formFields = map[string]bool{
	"name": true, "url": true, "description": true, "event_types": true, "other_types": true,
	"format": true, "format_options": true, "cypher_parameters": true, "filter": true,
	"basic_auth.username": true, "basic_auth.password": true, "headers": true, "secret_headers": true,
	"retry_policy": true, "retry_schedule": true, "timeout_seconds": true, "success_status": true,
	"rate_limit": true, "max_concurrency": true, "ordering": true, "ordering_failure": true,
}

// formPage renders the create/edit form.
func (c *Console) formPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, wh *domain.Webhook, f webhookForm, err error, x formExtras) {
	cat := c.catalogFor(r.Context(), rc.tenant.ID)
	d := formData{Webhook: wh, Form: f, Groups: entityGroups(cat), Formats: c.formatChoices(), Policies: policyChoices(), Orderings: orderingChoices, OrderingFailures: orderingFailureChoices, formExtras: x, FilterExamples: filterExamples, EnvelopeVars: envelopeVars}
	d.Form.EventTypes, d.Form.OtherTypes = pickerSplit(d.Groups, f.EventTypes, f.OtherTypes)
	d.Chosen = f.types()
	d.TryTypes = service.SubscribedTypes(cat, d.Chosen)
	d.TypeVars = typeVariables(cat, d.TryTypes)
	d.HasTypeVars = slices.ContainsFunc(d.TypeVars, func(v templateVar) bool { return v.Shown })
	d.CypherRows = append(append([]cypherParam(nil), f.CypherParams...), make([]cypherParam, max(3-len(f.CypherParams), 1))...)
	d.SecretRows = append(append([]secretHeader(nil), f.SecretHeaders...), secretHeader{})
	if len(d.TryTypes) == 0 {
		for _, et := range cat.All() {
			d.TryTypes = append(d.TryTypes, et.Type)
		}
	}
	if err != nil {
		field := f.formField(domain.ErrorField(err))
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
		d.Scheme = service.SigningOf(wh).Scheme
	}
	c.render(w, r, rc, status, "webhook_form", title, "webhooks", d)
}

// catalogFor returns the tenant's view of the catalog for a page. A store
// error costs the page the tenant's own types, not the page itself.
func (c *Console) catalogFor(ctx context.Context, tenantID string) *catalog.Catalog {
	cat, err := c.eventTypes.Catalog(ctx, tenantID)
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
	wh, err := c.webhooks.Get(r.Context(), rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	c.formPage(w, r, rc, http.StatusOK, wh, formFromWebhook(wh), nil, formExtras{})
	return nil
}

// formFailed renders the form again with err next to its field (or above
// the form), with err's status. Errors the admin cannot fix in the form
// (a store failure, a webhook deleted meanwhile) are returned for the
// error page instead.
func (c *Console) formFailed(w http.ResponseWriter, r *http.Request, rc *reqCtx, wh *domain.Webhook, f webhookForm, err error) error {
	code, status := web.Code(err)
	if code != domain.EINVALID && code != domain.ECONFLICT {
		return err
	}
	c.formPage(w, r, rc, status, wh, f, err, formExtras{})
	return nil
}

// submitNewWebhook creates the webhook, or with action=test sends the
// example event to the webhook as described, without saving it, or with
// action=try-filter evaluates the filter on an example.
func (c *Console) submitNewWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	f := parseWebhookForm(r)
	if r.PostFormValue("action") == actionTryFilter {
		c.formPage(w, r, rc, http.StatusOK, nil, f, nil, formExtras{Try: c.tryFilter(ctx, rc.tenant.ID, &f)})
		return nil
	}
	in, err := f.input(true)
	if err != nil {
		return c.formFailed(w, r, rc, nil, f, err)
	}
	if r.PostFormValue("action") == "test" {
		res, err := c.webhooks.TestUnsaved(ctx, rc.tenant.ID, "", in, service.TestInput{})
		if err != nil {
			return c.formFailed(w, r, rc, nil, f, err)
		}
		c.formPage(w, r, rc, http.StatusOK, nil, f, nil, formExtras{Test: newTestResult(res), Warnings: res.Warnings})
		return nil
	}
	saved, err := c.webhooks.Create(ctx, rc.tenant.ID, in)
	if err != nil {
		return c.formFailed(w, r, rc, nil, f, err)
	}
	return c.page(w, r, rc, "webhook_secret", "Webhook created", "webhooks", secretData{
		Webhook: saved.Webhook, Created: true, Secret: saved.Secret.Secret, PublicKey: saved.Secret.PublicKey, Warnings: saved.Warnings,
	})
}

// submitWebhook saves the webhook, or with action=test sends the example
// event to the webhook as edited, without saving it, or with
// action=try-filter evaluates the filter on an example.
func (c *Console) submitWebhook(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	stored, err := c.webhooks.Get(ctx, rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := parseWebhookForm(r)
	if r.PostFormValue("action") == actionTryFilter {
		c.formPage(w, r, rc, http.StatusOK, stored, f, nil, formExtras{Try: c.tryFilter(ctx, rc.tenant.ID, &f)})
		return nil
	}
	in, err := f.input(false)
	if err != nil {
		return c.formFailed(w, r, rc, stored, f, err)
	}
	if r.PostFormValue("action") == "test" {
		res, err := c.webhooks.TestUnsaved(ctx, rc.tenant.ID, stored.ID, in, service.TestInput{})
		if err != nil {
			return c.formFailed(w, r, rc, stored, f, err)
		}
		c.formPage(w, r, rc, http.StatusOK, stored, f, nil, formExtras{Test: newTestResult(res), Warnings: res.Warnings})
		return nil
	}
	// Saving it off cancels the scheduled deliveries: as the list's
	// switch does, the service says how many and the form asks first.
	in.AskBeforeCanceling = r.PostFormValue("confirm_disable") != "yes"
	saved, err := c.webhooks.Update(ctx, rc.tenant.ID, stored.ID, in)
	var pending *service.CancelPending
	if errors.As(err, &pending) {
		_, status := web.Code(err)
		c.formPage(w, r, rc, status, stored, f, nil, formExtras{ConfirmDisable: pending.Scheduled, Warnings: pending.Warnings})
		return nil
	}
	if err != nil {
		return c.formFailed(w, r, rc, stored, f, err)
	}
	msg := "Changes to “" + saved.Webhook.Name + "” saved."
	if saved.Canceled > 0 {
		msg += " It is disabled: " + plural(saved.Canceled, "scheduled delivery was", "scheduled deliveries were") + " canceled."
	}
	for _, warn := range saved.Warnings {
		msg += " Note: " + warn
	}
	c.setFlash(w, rc, msg)
	return redirect(w, r, tenantBase(rc.tenant.ID)+"/webhooks/"+stored.ID)
}

// newTestResult shows a test send under the form.
func newTestResult(res *service.TestResult) *testResult {
	return &testResult{EventType: res.Event.Type, Attempt: res.Attempt}
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
		pc := policyChoice{Name: p.Name, Label: p.Label, Description: p.Description}
		for _, d := range p.Waits {
			pc.Schedule = append(pc.Schedule, retry.FormatWait(d))
		}
		out = append(out, pc)
	}
	return append(out, policyChoice{Name: domain.CustomRetryPolicy, Label: retry.Custom(nil).Label, Description: "Your own waits between attempts, up to 50, each at most 7 days."})
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
	tid, wid := rc.tenant.ID, r.PathValue("id")
	d := secretData{}
	var sec *service.Secret
	switch r.PostFormValue("action") {
	case "reveal":
		wh, s, err := c.webhooks.Secret(ctx, tid, wid)
		if err != nil {
			return err
		}
		d.Webhook, sec = wh, s
	case "rotate":
		saved, err := c.webhooks.RotateSecret(ctx, tid, wid, nil)
		if err != nil {
			return err
		}
		d.Webhook, sec, d.Rotated = saved.Webhook, saved.Secret, true
	default:
		return domain.FieldErrorf("action", "must be reveal or rotate")
	}
	d.Secret, d.PublicKey, d.PreviousExpires = sec.Secret, sec.PublicKey, sec.PreviousExpiresAt
	return c.page(w, r, rc, "webhook_secret", "Signing secret", "webhooks", d)
}
