package domain

import "time"

// APIKey authenticates API calls. The key itself is shown once at creation;
// only its SHA-256 hash is stored.
type APIKey struct {
	ID string
	// TenantID is the one tenant the key reaches; "" for the operator key,
	// which reaches every tenant.
	TenantID string
	Name     string
	// Prefix is the first characters of the key, kept to help people tell
	// keys apart in lists without revealing them.
	Prefix    string
	Hash      string
	CreatedAt time.Time
}

// IsOperator reports whether the key reaches every tenant.
func (k *APIKey) IsOperator() bool { return k.TenantID == "" }

// CanAccess reports whether the key may see tenantID's data.
func (k *APIKey) CanAccess(tenantID string) bool {
	return k.IsOperator() || k.TenantID == tenantID
}
