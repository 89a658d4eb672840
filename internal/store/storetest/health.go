package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// writeHealthTests cover what readiness reads (store.WriteHealth): each
// commit is a new outcome without error, a write refused for its content
// is no outcome, and ProbeWrite commits. The failures (a full disk, a lost
// connection) are made for real in each store's own tests.
var writeHealthTests = []test{
	{"CommitsAreOutcomes", func(t *testing.T, f *fixture) {
		before := f.s.LastWrite()
		tn := f.tenant(0)
		f.webhook(tn.ID)
		f.deliveries(tn.ID, base, 2)
		after := f.s.LastWrite()
		if after.Err != nil || after.Seq <= before.Seq {
			t.Fatalf("LastWrite after commits = %+v (before: %+v), want a newer outcome without error", after, before)
		}
		// A tenant that exists already: refused for its content, which
		// says nothing about the database.
		if err := f.s.CreateTenant(f.ctx, tn); domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("CreateTenant of a taken id = %v, want ECONFLICT", err)
		}
		if got := f.s.LastWrite(); got.Err != nil {
			t.Fatalf("LastWrite after a refused write = %+v, want no error", got)
		}
	}},
	{"ProbeWriteCommits", func(t *testing.T, f *fixture) {
		before := f.s.LastWrite()
		for i, node := range []string{"node-a", "node-b", "node-a"} {
			if err := f.s.ProbeWrite(f.ctx, node, base.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatalf("ProbeWrite(%s): %v", node, err)
			}
		}
		// A day later, node-b's row goes with node-a's next probe.
		if err := f.s.ProbeWrite(f.ctx, "node-a", base.Add(store.ProbeRetention+time.Hour)); err != nil {
			t.Fatalf("ProbeWrite a day later: %v", err)
		}
		after := f.s.LastWrite()
		if after.Err != nil || after.Seq < before.Seq+4 {
			t.Fatalf("LastWrite after 4 probes = %+v (before: %+v), want 4 newer outcomes without error", after, before)
		}
	}},
	{"ProbeWriteAfterCloseIsUnavailable", func(t *testing.T, f *fixture) {
		if err := f.s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.s.ProbeWrite(f.ctx, "node-a", base); domain.ErrorCode(err) != domain.EUNAVAILABLE {
			t.Fatalf("ProbeWrite after Close = %v, want EUNAVAILABLE", err)
		}
	}},
}
