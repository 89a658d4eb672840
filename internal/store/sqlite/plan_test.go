package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// TestAuditQueriesUseIndexes checks that no audit query scans the whole
// deliveries table, and that the claim query walks the partial due index.
func TestAuditQueriesUseIndexes(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "plan.db"))
	defer s.Close()
	plan := func(q string, args ...any) string {
		t.Helper()
		return explain(t, s, q, args...)
	}
	now := time.Now()
	for name, c := range map[string]struct {
		f     store.DeliveryFilter
		index string
	}{
		"all":     {store.DeliveryFilter{}, "deliveries_tenant"},
		"state":   {store.DeliveryFilter{State: domain.Failed}, "deliveries_tenant_state"},
		"webhook": {store.DeliveryFilter{WebhookID: "wh"}, "deliveries_webhook"},
		"type":    {store.DeliveryFilter{EventType: "user.created"}, "deliveries_tenant_type"},
		"event":   {store.DeliveryFilter{EventID: "evt", State: domain.Failed}, "deliveries_event"},
		"since":   {store.DeliveryFilter{Since: now, Page: store.Page{Cursor: "dlv_x"}}, "deliveries_tenant"},
	} {
		c.f.TenantID = "t"
		where, args := deliveryWhere(&c.f, true, true)
		p := plan(`SELECT `+deliveryCols+` FROM `+deliveriesFrom(&c.f)+where+` ORDER BY id DESC LIMIT 10`, args...)
		if !strings.Contains(p, "INDEX "+c.index+" ") || strings.Contains(p, "TEMP B-TREE") && c.index != "deliveries_event" {
			t.Errorf("list %s: plan %q, want a walk of %s in id order", name, p, c.index)
		}
		where, args = deliveryWhere(&c.f, false, false)
		if p := plan(`SELECT state, COUNT(*) FROM `+deliveriesFrom(&c.f)+where+` GROUP BY state`, args...); strings.Contains(p, "SCAN deliveries") {
			t.Errorf("count %s: plan %q scans the table", name, p)
		}
	}
	// The dashboard's per-bar counts read only the index entries of their
	// window, not the tenant's every delivery.
	bar := store.DeliveryFilter{TenantID: "t", Since: now.Add(-time.Hour), Until: now}
	where, args := deliveryWhere(&bar, false, false)
	if p := plan(`SELECT state, COUNT(*) FROM `+deliveriesFrom(&bar)+where+` GROUP BY state`, args...); !strings.Contains(p, "COVERING INDEX deliveries_tenant_created ") {
		t.Errorf("count of a time window: plan %q, want the covering (tenant_id, created_at, state) index", p)
	}
	if p := plan(`SELECT webhook_id, started_at, duration_ns, success FROM attempts
		WHERE tenant_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at`, "t", 0, 1); !strings.Contains(p, "COVERING INDEX attempts_tenant_started ") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("attempt samples: plan %q, want the covering attempts_tenant_started index in order", p)
	}
	p := plan(`SELECT id FROM deliveries WHERE state = 'scheduled' AND due_at <= ? ORDER BY due_at, id LIMIT 10`, 0)
	if !strings.Contains(p, "deliveries_due") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("claim plan %q, want the partial due index in order", p)
	}
}

// TestLeaseStatementsUseTheLeaseIndex checks that the statements that find
// deliveries by their lease walk the small partial index of leased
// deliveries: a graceful stop releases this node's leases, and a scan of
// a deliveries table of millions of rows held the stop for minutes.
func TestLeaseStatementsUseTheLeaseIndex(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "plan.db"))
	defer s.Close()
	for name, c := range map[string]struct {
		q    string
		args []any
	}{
		"release": {releaseLeasesSQL, []any{"node-a"}},
		"clear":   {clearLeasesSQL, nil},
	} {
		p := explain(t, s, c.q, c.args...)
		// The partial index holds only leased deliveries: searching it or
		// walking it is cheap either way.
		if !strings.Contains(p, "USING INDEX deliveries_lease") {
			t.Errorf("%s: plan %q, want the deliveries_lease index", name, p)
		}
	}
}

// explain returns SQLite's plan of q, its steps joined by "; ".
func explain(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.rdb.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "; ")
}

// The claim walks the due index as before, and the turn check of ordered
// deliveries searches the two small ordering indexes, never the table.
func TestClaimUsesTheDueAndOrderingIndexes(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "plan.db"))
	defer s.Close()
	p := explain(t, s, claimSQL(1), "n", 1, 1, 1, "wh_x", 1, 10)
	for _, want := range []string{
		"USING INDEX deliveries_due",
		"INDEX deliveries_key_order (webhook_id=? AND ordering_key=? AND ordering_seq<?)",
		"INDEX deliveries_key_leased (webhook_id=? AND ordering_key=?)",
	} {
		if !strings.Contains(p, want) {
			t.Errorf("claim plan %q, want %s", p, want)
		}
	}
	if strings.Contains(p, "SCAN d ") || strings.HasSuffix(p, "SCAN d") || strings.Contains(p, "SCAN o") {
		t.Errorf("claim plan %q scans a table", p)
	}
}

// The writer reads the last position given from the end of an index.
func TestLastOrderingPositionIsIndexed(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "plan.db"))
	defer s.Close()
	if p := explain(t, s, orderingSeqSQL); !strings.Contains(p, "INDEX deliveries_ordering_seq") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("plan %q, want the deliveries_ordering_seq index in order", p)
	}
}
