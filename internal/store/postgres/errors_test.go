package postgres

import (
	"context"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Text PostgreSQL cannot store is the client's mistake (422), never a 500,
// even on a path that skipped the API's own checks.
func TestUnstorableTextIsInvalidInput(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	for name, text := range map[string]string{"NUL": "Acme\x00Corp", "invalid UTF-8": "Acme\xffCorp"} {
		tn := &domain.Tenant{ID: "acme_" + string(rune('a'+len(name))), Name: text, Environment: domain.Production, CreatedAt: testNow, UpdatedAt: testNow}
		err := s.CreateTenant(ctx, tn)
		if code := domain.ErrorCode(err); code != domain.EINVALID {
			t.Errorf("%s in a tenant name: error code %q (%v), want %q", name, code, err, domain.EINVALID)
		}
	}
}
