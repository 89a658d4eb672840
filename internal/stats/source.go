package stats

import (
	"context"
	"time"

	"github.com/lmshooks/lmshooks/internal/store"
)

// Sampler returns one sample per attempt of a tenant's webhooks started in
// [since, until); every store.Store is one.
type Sampler interface {
	AttemptSamples(ctx context.Context, tenantID string, since, until time.Time) ([]store.AttemptSample, error)
}

// WebhookStatser is implemented by stores that summarize a tenant's
// attempts started in [since, until) more cheaply than by returning every
// sample, typically from pre-aggregated counts. Calls and Errors must be
// exactly what Summarize of the samples gives; P50 and P95 may be
// estimates from a Histogram, within the precision it documents.
type WebhookStatser interface {
	WebhookStats(ctx context.Context, tenantID string, since, until time.Time) (map[string]Summary, error)
}

// ForWindow summarizes per webhook the tenant's attempts started in
// [since, until): through s's WebhookStats when it has one, else by
// Summarize of every sample.
func ForWindow(ctx context.Context, s Sampler, tenantID string, since, until time.Time) (map[string]Summary, error) {
	if ws, ok := s.(WebhookStatser); ok {
		return ws.WebhookStats(ctx, tenantID, since, until)
	}
	samples, err := s.AttemptSamples(ctx, tenantID, since, until)
	if err != nil {
		return nil, err
	}
	return Summarize(samples), nil
}
