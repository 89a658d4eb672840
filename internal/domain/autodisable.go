package domain

import (
	"fmt"
	"time"
)

// Auto-disable settings.
const (
	// DefaultAutoDisableAfter is how long a webhook may fail without a
	// success before it is disabled, unless configured (as Svix does).
	DefaultAutoDisableAfter = 5 * 24 * time.Hour
	// AutoDisableNever, as a tenant's AutoDisableAfterHours, turns
	// auto-disable off for the tenant whatever the server's default.
	AutoDisableNever = -1
	// MaxAutoDisableAfterHours bounds a tenant's own period (a year).
	MaxAutoDisableAfterHours = 365 * 24
)

// AutoDisableAfter returns the period after which t's failing webhooks are
// disabled, given the server's default; 0 means never.
func (t *Tenant) AutoDisableAfter(serverDefault time.Duration) time.Duration {
	switch {
	case t.AutoDisableAfterHours == AutoDisableNever:
		return 0
	case t.AutoDisableAfterHours > 0:
		return time.Duration(t.AutoDisableAfterHours) * time.Hour
	default:
		return max(serverDefault, 0)
	}
}

// ShouldAutoDisable reports whether a webhook that has failed without a
// success since failingSince is to be disabled at now, with period the
// tenant's AutoDisableAfter (0: never).
func ShouldAutoDisable(failingSince, now time.Time, period time.Duration) bool {
	return period > 0 && !failingSince.IsZero() && now.Sub(failingSince) >= period
}

// AutoDisableReason is the DisabledReason of a webhook disabled because
// every attempt since failingSince failed.
func AutoDisableReason(failingSince time.Time, period time.Duration) string {
	return fmt.Sprintf("every delivery attempt failed since %s (more than %s): lmshooks disabled the webhook; re-enable it once the endpoint works again",
		failingSince.UTC().Format(time.RFC3339), formatPeriod(period))
}

// formatPeriod says a period in days or hours, as people set it.
func formatPeriod(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		if n := int(d / (24 * time.Hour)); n != 1 {
			return fmt.Sprintf("%d days", n)
		}
		return "1 day"
	}
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return d.String()
}
