package service

import (
	"context"
	"fmt"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// DefaultRotationOverlap is how long a rotated-out secret keeps signing
// when the caller does not say.
const DefaultRotationOverlap = 24 * time.Hour

// WebhookCatalogs gives the event catalog as each tenant sees it, to check
// subscriptions and filters and to pick the events of test sends.
// *catalogs.Catalogs satisfies it.
type WebhookCatalogs interface {
	// Tenant returns the builtin types plus the tenant's own.
	Tenant(ctx context.Context, tenantID string) (*catalog.Catalog, error)
	// Invalidate drops a tenant's cached view, so that the next Tenant
	// reads its types again.
	Invalidate(tenantID string)
}

// WebhookTester sends one event to a webhook now, outside the audit log.
// The dispatcher satisfies it.
type WebhookTester interface {
	Test(ctx context.Context, w *domain.Webhook, ev *domain.Event) domain.Attempt
}

// WebhooksConfig is what Webhooks needs besides Deps.
type WebhooksConfig struct {
	// Formats validates formats and their options and gives their
	// defaults; nil means format.Default().
	Formats *format.Registry
	// Filters compiles payload filters; nil means a fresh engine.
	Filters *filter.Engine
	// Catalogs checks subscriptions and filters against the tenant's types
	// and gives test sends their examples. nil turns the checks off: a
	// test send of a webhook with only patterns then needs its event type.
	Catalogs WebhookCatalogs
	// Tester sends test events; nil answers every test with an attempt
	// that says this node sends no webhooks.
	Tester WebhookTester
	// RotationOverlap is how long a rotated-out secret keeps signing when
	// the rotation does not say (default 24h).
	RotationOverlap time.Duration
	// AutoDisableAfter is the server's default auto-disable period
	// (config.Config.AutoDisableAfter); 0 means never, unless a tenant
	// sets its own (see AutoDisable).
	AutoDisableAfter time.Duration
	// AllowPrivateTargets says that deliveries may reach private and
	// loopback addresses (--allow-private-targets). When false, saving a
	// URL that names one warns that its deliveries will be refused.
	AllowPrivateTargets bool
}

// Webhooks owns every rule of saving a webhook: validation, secrets and
// their rotation, formats and their defaults, filters, subscriptions and
// test sends. Every change the dispatcher must see is told to Deps.Notify.
type Webhooks struct {
	d   Deps
	cfg WebhooksConfig
}

// NewWebhooks returns the webhooks service.
func NewWebhooks(d Deps, cfg WebhooksConfig) *Webhooks {
	if cfg.Formats == nil {
		cfg.Formats = format.Default()
	}
	if cfg.Filters == nil {
		f, err := filter.NewEngine(filter.Options{})
		if err != nil {
			// The filter environment is fixed at build time: only a bug
			// can break it, and every test would show it.
			panic(fmt.Sprintf("service: filter engine: %v", err))
		}
		cfg.Filters = f
	}
	if cfg.Tester == nil {
		cfg.Tester = noTester{}
	}
	if cfg.RotationOverlap <= 0 {
		cfg.RotationOverlap = DefaultRotationOverlap
	}
	return &Webhooks{d: d.withDefaults(), cfg: cfg}
}

// Saved is a webhook after a create or a change.
type Saved struct {
	Webhook *domain.Webhook
	// Warnings are notes on settings that work but look wrong (saved
	// anyway): the format's, and a URL whose deliveries this server will
	// refuse (a private or loopback address).
	Warnings []string
	// Canceled is how many scheduled deliveries the change canceled
	// (by disabling the webhook).
	Canceled int
	// Secret is set by Create and RotateSecret only: the answers that
	// hand a new secret out.
	Secret *Secret
}

// CancelPending refuses a change that would disable a webhook and so
// cancel its scheduled deliveries, when the caller asked to be asked
// first (WebhookInput.AskBeforeCanceling). It is an ECONFLICT.
type CancelPending struct {
	// Scheduled is how many deliveries saving would cancel.
	Scheduled int
	// Warnings are the format's notes on the change, as Saved has them.
	Warnings []string
}

func (e *CancelPending) Error() string {
	return fmt.Sprintf("disabling the webhook cancels %d scheduled deliveries: confirm to go ahead", e.Scheduled)
}

// Unwrap makes the refusal an ECONFLICT for errors.As and web.Code.
func (e *CancelPending) Unwrap() error {
	return domain.Errorf(domain.ECONFLICT, "%s", e.Error())
}

func (s *Webhooks) now() time.Time { return s.d.Clock.Now().UTC() }

// Create validates in as a new webhook of the tenant (enabled, the
// format's defaults, a fresh secret unless in has one) and stores it.
func (s *Webhooks) Create(ctx context.Context, tenantID string, in WebhookInput) (*Saved, error) {
	now := s.now()
	w, warnings, err := s.draft(ctx, tenantID, &in, now)
	if err != nil {
		return nil, err
	}
	if err := s.d.Store.CreateWebhook(ctx, w); err != nil {
		if domain.ErrorCode(err) == domain.ECONFLICT {
			return nil, s.capError(ctx, tenantID, err)
		}
		return nil, err
	}
	sec := secretOf(w, now)
	return &Saved{Webhook: w, Warnings: warnings, Secret: &sec}, nil
}

// draft builds and validates a new webhook from in, without storing it.
func (s *Webhooks) draft(ctx context.Context, tenantID string, in *WebhookInput, now time.Time) (*domain.Webhook, []string, error) {
	w := &domain.Webhook{
		ID:        s.d.IDs.NewAt(id.Webhook, now),
		TenantID:  tenantID,
		Enabled:   true,
		CreatedAt: now,
		UpdatedAt: now,
	}
	if err := in.apply(w); err != nil {
		return nil, nil, err
	}
	s.applyFormatDefaults(w, in, "")
	if err := s.validate(w); err != nil {
		return nil, nil, err
	}
	if err := s.checkAgainstCatalog(ctx, w, in, nil); err != nil {
		return nil, nil, err
	}
	secret, err := in.initialSecret()
	if err != nil {
		return nil, nil, err
	}
	w.Secret = secret
	// The format's own checks run once the secret is known: vendor HMAC
	// formats cannot sign with an ed25519 key.
	warnings, err := s.warnings(w)
	if err != nil {
		return nil, nil, err
	}
	return w, warnings, nil
}

// warnings checks w with its format and returns what saving w should warn
// of: settings that work but look wrong, the format's and a target that
// deliveries will not be allowed to reach.
func (s *Webhooks) warnings(w *domain.Webhook) ([]string, error) {
	warnings, err := s.cfg.Formats.Validate(w)
	if err != nil {
		return nil, err
	}
	if !s.cfg.AllowPrivateTargets {
		if warn := domain.TargetWarning(w.URL); warn != "" {
			warnings = append([]string{warn}, warnings...)
		}
	}
	return warnings, nil
}

// capError explains a webhook cap conflict with the tenant's limit.
func (s *Webhooks) capError(ctx context.Context, tenantID string, err error) error {
	t, terr := s.d.Store.GetTenant(ctx, tenantID)
	if terr != nil || t.MaxWebhooks == 0 {
		return err
	}
	return domain.Errorf(domain.ECONFLICT, "tenant %q already has its maximum of %d webhooks: delete one first, or ask the operator to raise max_webhooks", tenantID, t.MaxWebhooks)
}

// Get returns one of the tenant's webhooks. Its secret is the store's:
// surfaces show it only where Secret, Create and RotateSecret do.
func (s *Webhooks) Get(ctx context.Context, tenantID, webhookID string) (*domain.Webhook, error) {
	return s.d.Store.GetWebhook(ctx, tenantID, webhookID)
}

// List returns a page of the tenant's webhooks, newest first; ENOTFOUND
// for a tenant that does not exist, rather than an empty list.
func (s *Webhooks) List(ctx context.Context, tenantID string, p store.Page) ([]domain.Webhook, string, error) {
	if _, err := s.d.Store.GetTenant(ctx, tenantID); err != nil {
		return nil, "", err
	}
	return s.d.Store.ListWebhooks(ctx, tenantID, p)
}

// Update changes the fields present in in and keeps the others.
// Disabling cancels the webhook's scheduled deliveries (Saved.Canceled
// says how many), or with in.AskBeforeCanceling refuses with a
// *CancelPending when there are any. The secret changes only through
// RotateSecret.
func (s *Webhooks) Update(ctx context.Context, tenantID, webhookID string, in WebhookInput) (*Saved, error) {
	w, warnings, stored, err := s.change(ctx, tenantID, webhookID, &in)
	if err != nil {
		return nil, err
	}
	if in.AskBeforeCanceling && stored.Enabled && !w.Enabled {
		n, err := s.CancelableDeliveries(ctx, tenantID, webhookID)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, &CancelPending{Scheduled: n, Warnings: warnings}
		}
	}
	now := s.now()
	w.UpdatedAt = now
	canceled, err := s.d.Store.UpdateWebhook(ctx, w, now)
	if err != nil {
		return nil, err
	}
	s.d.Notify.WebhookChanged(w.ID)
	return &Saved{Webhook: w, Warnings: warnings, Canceled: canceled}, nil
}

// change applies in to the stored webhook and validates the result,
// without storing it. It returns the changed webhook, the format's
// warnings and the webhook as stored.
func (s *Webhooks) change(ctx context.Context, tenantID, webhookID string, in *WebhookInput) (w *domain.Webhook, warnings []string, stored domain.Webhook, err error) {
	w, err = s.d.Store.GetWebhook(ctx, tenantID, webhookID)
	if err != nil {
		return nil, nil, stored, err
	}
	stored = *w
	if in.Secret != nil {
		return nil, nil, stored, domain.FieldErrorf("secret", "cannot be changed here: use POST …/rotate-secret")
	}
	scheme, err := in.scheme()
	if err != nil {
		return nil, nil, stored, err
	}
	if scheme != "" && scheme != schemeOf(w.Secret) {
		return nil, nil, stored, domain.FieldErrorf("signature_scheme", "cannot be changed after creation: create a new webhook for a %s signature", scheme)
	}
	if err := in.apply(w); err != nil {
		return nil, nil, stored, err
	}
	s.applyFormatDefaults(w, in, stored.Format)
	if err := s.validate(w); err != nil {
		return nil, nil, stored, err
	}
	if err := s.checkAgainstCatalog(ctx, w, in, stored.EventTypes); err != nil {
		return nil, nil, stored, err
	}
	if warnings, err = s.warnings(w); err != nil {
		return nil, nil, stored, err
	}
	return w, warnings, stored, nil
}

// SetEnabled turns a webhook on or off, as an Update of enabled alone.
func (s *Webhooks) SetEnabled(ctx context.Context, tenantID, webhookID string, enabled bool) (*Saved, error) {
	return s.Update(ctx, tenantID, webhookID, WebhookInput{Enabled: &enabled})
}

// CancelableDeliveries counts the webhook's scheduled deliveries: those
// that disabling or deleting it would cancel.
func (s *Webhooks) CancelableDeliveries(ctx context.Context, tenantID, webhookID string) (int, error) {
	counts, err := s.d.Store.CountDeliveries(ctx, store.DeliveryFilter{TenantID: tenantID, WebhookID: webhookID}, 0)
	if err != nil {
		return 0, err
	}
	return counts[domain.Scheduled], nil
}

// Delete removes a webhook; its scheduled deliveries are canceled and
// kept for the audit.
func (s *Webhooks) Delete(ctx context.Context, tenantID, webhookID string) error {
	if err := s.d.Store.DeleteWebhook(ctx, tenantID, webhookID, s.now()); err != nil {
		return err
	}
	s.d.Notify.WebhookChanged(webhookID)
	return nil
}

// validate normalizes w and checks it completely: the domain rules, then
// the format and retry policy names and the filter's syntax, which need
// outside knowledge. The catalog and the format's options are checked by
// the callers, which know what the request touched.
func (s *Webhooks) validate(w *domain.Webhook) error {
	w.Normalize()
	if err := w.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Formats.Check(w.Format); err != nil {
		return err
	}
	if err := checkRetry(w); err != nil {
		return err
	}
	return s.checkFilterSyntax(w)
}

// noTester stands in when this node runs no dispatcher.
type noTester struct{}

func (noTester) Test(_ context.Context, w *domain.Webhook, _ *domain.Event) domain.Attempt {
	return domain.Attempt{RequestURL: w.URL, Error: "this node sends no webhooks (it runs without a dispatcher)"}
}
