package format

import (
	"encoding/json"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Defaults are the webhook settings a format starts from. The API applies
// them when a webhook is created in the format, and when its format
// changes, to every field the request did not set; the webhook can still
// override each of them. A zero field means "the domain's default".
type Defaults struct {
	// Timeout is the per-attempt HTTP timeout.
	Timeout time.Duration
	// RetryPolicy names a retry preset (internal/retry).
	RetryPolicy string
	// SuccessRule is the range of status codes that count as delivered.
	SuccessRule domain.SuccessRule
}

// withDomainDefaults fills zero fields with the domain's defaults.
func (d Defaults) withDomainDefaults() Defaults {
	if d.Timeout == 0 {
		d.Timeout = domain.DefaultTimeout
	}
	if d.RetryPolicy == "" {
		d.RetryPolicy = domain.DefaultRetryPolicy
	}
	if d.SuccessRule == (domain.SuccessRule{}) {
		d.SuccessRule = domain.DefaultSuccessRule
	}
	return d
}

// Defaulter is implemented by formats whose defaults differ from the
// domain's (a vendor's timeout, retry schedule or success range).
type Defaulter interface {
	Defaults() Defaults
}

// OptionsValidator is implemented by formats that take format_options or
// constrain the rest of the webhook (which event types they can express,
// which secrets they can sign with). ValidateWebhook returns warnings
// about settings that work but look wrong, and a *domain.Error whose field
// is "format_options.<name>", "event_types" or "signature_scheme" for
// settings that cannot work.
type OptionsValidator interface {
	ValidateWebhook(w *domain.Webhook) (warnings []string, err error)
}

// isEmptyOptions reports whether raw is null or an empty object.
func isEmptyOptions(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return false
	}
	return len(m) == 0
}
