package domain

import (
	"regexp"
	"strings"
	"time"
)

// Environment says whether a tenant is a live portal or a sandbox (seed 004
// recommends testing webhooks in a sandbox portal first).
type Environment string

// Tenant environments.
const (
	Production Environment = "production"
	Sandbox    Environment = "sandbox"
)

// Tenant is one customer company or portal of the LMS.
type Tenant struct {
	// ID may be the LMS's own company id; generated when empty.
	ID          string
	Name        string
	Environment Environment
	// MaxWebhooks caps the tenant's webhooks; 0 means unlimited (seed 000
	// caps at 5).
	MaxWebhooks int
	// RetentionDays is how many days the tenant's events, deliveries and
	// attempts are kept; 0 means the server's default (--retention-days).
	RetentionDays int
	// AutoDisableAfterHours is how long the tenant's webhooks may fail
	// without a success before lmshooks disables them: 0 means the
	// server's default (--auto-disable-after), AutoDisableNever never.
	AutoDisableAfterHours int
	// PortalEpoch is what the tenant's portal links and sessions carry
	// and must match: random per tenant, so that a tenant deleted and
	// created again with the same id shares nothing with the old one, and
	// replaced when the operator revokes the tenant's portal access. It is
	// never shown.
	PortalEpoch string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// MaxRetentionDays bounds a tenant's own retention (about ten years).
const MaxRetentionDays = 3650

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$`)

// ValidID reports whether s can be used as a caller-chosen identifier: 1–64
// characters of letters, digits, '_', '.', ':' and '-', starting with a
// letter or digit. It keeps ids safe in URLs and logs.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Normalize trims and defaults the tenant's fields.
func (t *Tenant) Normalize() {
	t.ID = strings.TrimSpace(t.ID)
	t.Name = strings.TrimSpace(t.Name)
	if t.Environment == "" {
		t.Environment = Production
	}
}

// Validate checks the tenant's fields.
func (t *Tenant) Validate() error {
	if t.ID != "" && !ValidID(t.ID) {
		return FieldErrorf("id", "must be 1-64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit")
	}
	if t.Name == "" {
		return FieldErrorf("name", "is required")
	}
	if len(t.Name) > 200 {
		return FieldErrorf("name", "must be at most 200 characters")
	}
	if !ValidText(t.Name) {
		return textError("name")
	}
	if t.Environment != Production && t.Environment != Sandbox {
		return FieldErrorf("environment", "must be %q or %q", Production, Sandbox)
	}
	if t.MaxWebhooks < 0 {
		return FieldErrorf("max_webhooks", "must be 0 (unlimited) or more")
	}
	if t.RetentionDays < 0 || t.RetentionDays > MaxRetentionDays {
		return FieldErrorf("retention_days", "must be between 1 and %d days, or 0 for the server's default", MaxRetentionDays)
	}
	if t.AutoDisableAfterHours < AutoDisableNever || t.AutoDisableAfterHours > MaxAutoDisableAfterHours {
		return FieldErrorf("auto_disable_after_hours", "must be between 1 and %d hours, 0 for the server's default, or %d for never", MaxAutoDisableAfterHours, AutoDisableNever)
	}
	return nil
}
