package retry

import (
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

const (
	sec  = time.Second
	mins = time.Minute
	hour = time.Hour
)

// Presets returns the built-in policies in a stable order: the default
// first, then the seed vendors', then "none". Each call returns fresh
// slices, so callers may keep or change them.
func Presets() []Policy {
	ps := []Policy{
		{
			Name:  "standard",
			Label: "Standard Webhooks",
			Waits: []time.Duration{0, 5 * sec, 5 * mins, 30 * mins, 2 * hour, 5 * hour, 10 * hour, 10 * hour},
			Description: "Standard Webhooks / Svix: retries immediately, then after 5s, 5m, 30m, 2h, 5h, 10h and 10h " +
				"(8 retries, 9 attempts, last retry 27h35m5s after the first attempt).",
		},
		{
			Name:  "riseup",
			Label: "Rise Up",
			Waits: []time.Duration{5 * sec, 5 * mins, 30 * mins, 2 * hour, 5 * hour, 10 * hour, 10 * hour},
			Description: "Rise Up: up to 7 retries after 5s, 5m, 30m, 2h, 5h, 10h and 10h (8 attempts, last retry " +
				"27h35m5s after the first). Rise Up publishes the count but its timing only as an image, so the " +
				"waits are the Standard Webhooks ones.",
		},
		{
			Name:  "articulate",
			Label: "Articulate Rise",
			Waits: []time.Duration{1 * mins, 2 * mins, 4 * mins, 8 * mins, 16 * mins, 32 * mins,
				1 * hour, 2 * hour, 4 * hour, 8 * hour, 8 * hour, 8 * hour, 8 * hour, 8 * hour},
			Description: "Articulate Rise: 14 retries over about 48 hours, doubling from 1m and capped at 8h: " +
				"1m, 2m, 4m, 8m, 16m, 32m, 1h, 2h, 4h, 8h, 8h, 8h, 8h, 8h (15 attempts, last retry " +
				"48h3m after the first).",
		},
		{
			Name:  "innovative-educators",
			Label: "Innovative Educators",
			Waits: []time.Duration{20 * sec, 40 * sec, 80 * sec, 160 * sec, 320 * sec, 640 * sec,
				1280 * sec, 2560 * sec, 3600 * sec, 3600 * sec},
			Description: "Innovative Educators Live Events: 10 retries, doubling from 20s and capped at 3600s: " +
				"20s, 40s, 1m20s, 2m40s, 5m20s, 10m40s, 21m20s, 42m40s, 1h, 1h (11 attempts, last retry 3h25m " +
				"after the first; the vendor says \"approximately 3.5 hours\").",
		},
		{
			Name:  "cypher",
			Label: "CYPHER Learning",
			Waits: []time.Duration{5 * sec, 10 * sec, 20 * sec, 40 * sec, 80 * sec, 160 * sec, 320 * sec,
				640 * sec, 1280 * sec, 2560 * sec},
			Description: "CYPHER Learning: 10 retries doubling from 5s: 5s, 10s, 20s, 40s, 1m20s, 2m40s, 5m20s, " +
				"10m40s, 21m20s, 42m40s (11 attempts, last retry 1h25m15s after the first).",
		},
		{
			Name:        "none",
			Label:       "No retries",
			Description: "No retries: one attempt; a failure fails the delivery at once.",
		},
	}
	return ps
}

// Names returns the preset names in Presets order.
func Names() []string {
	ps := Presets()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names
}

// Lookup returns the preset called name. "custom" is not a preset: build it
// with Custom.
func Lookup(name string) (Policy, bool) {
	for _, p := range Presets() {
		if p.Name == name {
			return p, true
		}
	}
	return Policy{}, false
}

// ForWebhook returns the policy a webhook's deliveries follow: its custom
// schedule when RetryPolicy is "custom", else the named preset ("standard"
// when empty). An unknown name is an EINVALID error on field
// "retry_policy", so the API can use it to validate input.
func ForWebhook(w *domain.Webhook) (Policy, error) {
	name := w.RetryPolicy
	switch name {
	case domain.CustomRetryPolicy:
		return Custom(w.RetryWaits), nil
	case "":
		name = domain.DefaultRetryPolicy
	}
	p, ok := Lookup(name)
	if !ok {
		return Policy{}, domain.FieldErrorf("retry_policy", "%q is not a retry policy: use one of %s, or %q with retry_schedule",
			name, strings.Join(Names(), ", "), domain.CustomRetryPolicy)
	}
	return p, nil
}
