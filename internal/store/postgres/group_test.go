package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/fanout"
	"github.com/lmshooks/lmshooks/internal/store"
)

// params fans evs out to every enabled webhook of their tenant, as ingest
// would, without publishing.
func params(t *testing.T, s *Store, tenantID string, evs []domain.Event) store.PublishParams {
	t.Helper()
	hooks, err := s.EnabledWebhooks(context.Background(), tenantID)
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("EnabledWebhooks: %v", err)
	}
	if len(hooks) == 0 {
		hooks = []domain.Webhook{{ID: testIDs.New(id.Webhook), TenantID: tenantID, EventTypes: []string{"*"}, Enabled: true}}
	}
	return fanout.Build(fanout.Plan{
		TenantID: tenantID, Events: evs, Webhooks: hooks, Now: testNow, IDs: testIDs,
		Decide: func(*domain.Webhook, *domain.Event) fanout.Verdict { return fanout.Verdict{Deliver: true} },
	}).Params
}

// runGroup writes ops as one group of the writer w, as its worker would,
// and returns each op's error.
func runGroup[T groupOp](w *grouper[T], ops ...T) []error {
	group := make([]*pending[T], len(ops))
	for i, op := range ops {
		group[i] = &pending[T]{ctx: context.Background(), op: op, done: make(chan struct{})}
	}
	w.run(group)
	errs := make([]error, len(ops))
	for i, p := range group {
		<-p.done
		errs[i] = p.err
	}
	return errs
}

// A group of publishes of several tenants commits once, and each publish
// gets its own results.
func TestPublishGroupCommitsOnce(t *testing.T) {
	s := openTest(t, Options{})
	a, b := seed(t, s, 2), seed(t, s, 1)
	ops := []*publishOp{
		{p: params(t, s, a.ID, newEvents(a.ID, 2))},
		{p: params(t, s, b.ID, newEvents(b.ID, 1))},
		{p: params(t, s, a.ID, newEvents(a.ID, 3))},
	}
	before := s.publishes.groups.Load()
	for i, err := range runGroup(s.publishes, ops...) {
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if n := s.publishes.groups.Load() - before; n != 1 {
		t.Fatalf("the group took %d commits, want 1", n)
	}
	for i, op := range ops {
		if len(op.res) != len(op.p.Events) {
			t.Fatalf("publish %d: %d results for %d events", i, len(op.res), len(op.p.Events))
		}
		for j, r := range op.res {
			if r.Replayed || r.Event.ID != op.p.Events[j].Event.ID || len(r.Deliveries) != len(op.p.Events[j].Deliveries) {
				t.Fatalf("publish %d event %d: %+v", i, j, r)
			}
			if _, err := s.GetEvent(context.Background(), op.p.TenantID, r.Event.ID); err != nil {
				t.Fatalf("GetEvent: %v", err)
			}
		}
	}
}

// One bad publish in a group fails alone: the group is retried op by op.
func TestPublishGroupBadOpFailsAlone(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	stored, err := publish(context.Background(), s, tn.ID, newEvents(tn.ID, 1))
	if err != nil {
		t.Fatal(err)
	}
	taken := newEvents(tn.ID, 1)
	taken[0].ID = stored[0].Event.ID
	good1, good2 := newEvents(tn.ID, 1), newEvents(tn.ID, 1)
	good2[0].IdempotencyKey = "k"
	errs := runGroup(s.publishes,
		&publishOp{p: params(t, s, tn.ID, good1)},
		&publishOp{p: params(t, s, "tnt_ghost", newEvents("tnt_ghost", 1))},
		&publishOp{p: params(t, s, tn.ID, taken)},
		&publishOp{p: params(t, s, tn.ID, good2)},
	)
	if errs[0] != nil || errs[3] != nil {
		t.Fatalf("good publishes failed with the bad ones: %v, %v", errs[0], errs[3])
	}
	if code := domain.ErrorCode(errs[1]); code != domain.ENOTFOUND {
		t.Fatalf("publish to a missing tenant: %v, want %s", errs[1], domain.ENOTFOUND)
	}
	if code := domain.ErrorCode(errs[2]); code != domain.ECONFLICT {
		t.Fatalf("publish of a taken event id: %v, want %s", errs[2], domain.ECONFLICT)
	}
	for _, e := range []domain.Event{good1[0], good2[0]} {
		if _, err := s.GetEvent(context.Background(), tn.ID, e.ID); err != nil {
			t.Fatalf("GetEvent(%s): %v", e.ID, err)
		}
	}
}

// A group of reads of several tenants takes one query and answers each.
func TestEnabledWebhooksGroupReadsOnce(t *testing.T) {
	s := openTest(t, Options{})
	a, b := seed(t, s, 2), seed(t, s, 1)
	ops := []*hooksOp{{tenantID: a.ID}, {tenantID: "tnt_ghost"}, {tenantID: b.ID}, {tenantID: a.ID}}
	before := s.hookReads.groups.Load()
	for i, err := range runGroup(s.hookReads, ops...) {
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if n := s.hookReads.groups.Load() - before; n != 1 {
		t.Fatalf("the group took %d queries, want 1", n)
	}
	for i, want := range []struct {
		found bool
		hooks int
	}{{true, 2}, {false, 0}, {true, 1}, {true, 2}} {
		if ops[i].found != want.found || len(ops[i].hooks) != want.hooks {
			t.Fatalf("read %d of %s: found %v, %d webhooks; want %v, %d", i, ops[i].tenantID, ops[i].found, len(ops[i].hooks), want.found, want.hooks)
		}
		for _, w := range ops[i].hooks {
			if w.TenantID != ops[i].tenantID {
				t.Fatalf("read of %s answered webhook %s of %s", ops[i].tenantID, w.ID, w.TenantID)
			}
		}
	}
}

// One bad record call in a group fails alone.
func TestRecordGroupBadOpFailsAlone(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	res, err := publish(context.Background(), s, tn.ID, newEvents(tn.ID, 2))
	if err != nil {
		t.Fatal(err)
	}
	rec := func(d domain.Delivery, errText string) *recordOp {
		return &recordOp{records: []store.AttemptRecord{{State: domain.Failed, Attempt: domain.Attempt{
			ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: d.TenantID, WebhookID: d.WebhookID, EventID: d.EventID,
			Number: 1, Trigger: domain.TriggerScheduled, StartedAt: testNow, RequestURL: "https://example.com/hook", Error: errText,
		}}}, headers: make([]encodedHeaders, 1)}
	}
	good, bad := res[0].Deliveries[0], res[1].Deliveries[0]
	// PostgreSQL text cannot hold a NUL character.
	errs := runGroup(s.records, rec(good, "timeout"), rec(bad, "bad\x00text"))
	if errs[0] != nil {
		t.Fatalf("good record failed with the bad one: %v", errs[0])
	}
	if code := domain.ErrorCode(errs[1]); code != domain.EINVALID {
		t.Fatalf("bad record: %v, want %s", errs[1], domain.EINVALID)
	}
	if d, err := s.GetDelivery(context.Background(), tn.ID, good.ID); err != nil || d.State != domain.Failed || d.Attempts != 1 {
		t.Fatalf("good delivery after the group: %+v, %v; want failed with 1 attempt", d, err)
	}
	if d, err := s.GetDelivery(context.Background(), tn.ID, bad.ID); err != nil || d.State != domain.Scheduled || d.Attempts != 0 {
		t.Fatalf("bad delivery after the group: %+v, %v; want untouched", d, err)
	}
}

// Concurrent publishes share commits.
func TestConcurrentPublishesShareCommits(t *testing.T) {
	s := openTest(t, Options{MaxConns: 8})
	tn := seed(t, s, 1)
	const n = 64
	ps := make([]store.PublishParams, n)
	for i := range ps {
		ps[i] = params(t, s, tn.ID, newEvents(tn.ID, 1))
	}
	before := s.publishes.groups.Load()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range ps {
		wg.Go(func() {
			<-start
			_, errs[i] = s.Publish(context.Background(), ps[i])
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if commits := s.publishes.groups.Load() - before; commits >= n {
		t.Fatalf("%d publishes took %d commits: none shared one", n, commits)
	}
}

// Two nodes publishing batches of the same new idempotency keys at once,
// in different orders, store one event per key and give every publish of a
// key the same answer. Keys are inserted in order: without it, the nodes'
// transactions deadlock (seen here with the regroup of a failed group
// turned off).
func TestPublishKeysRaceAcrossNodes(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	nodes := []*Store{openTest(t, Options{Schema: schema}), openTest(t, Options{Schema: schema})}
	tn := seed(t, nodes[0], 1)
	const keys, rounds = 24, 12
	var (
		mu      sync.Mutex
		answers = map[string]map[string]bool{} // key → event ids answered
		wg      sync.WaitGroup
		errs    = make(chan error, 64)
	)
	start := make(chan struct{})
	for n, s := range nodes {
		for g := range 4 {
			rng := rand.New(rand.NewPCG(uint64(n), uint64(g)))
			wg.Go(func() {
				<-start
				for round := range rounds {
					evs := newEvents(tn.ID, 12)
					for i, k := range rng.Perm(keys)[:12] {
						evs[i].IdempotencyKey = fmt.Sprintf("key-%d-%d", round, k)
					}
					res, err := publish(context.Background(), s, tn.ID, evs)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					for _, r := range res {
						if answers[r.Event.IdempotencyKey] == nil {
							answers[r.Event.IdempotencyKey] = map[string]bool{}
						}
						answers[r.Event.IdempotencyKey][r.Event.ID] = true
					}
					mu.Unlock()
				}
			})
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("publish: %v", err)
	}
	for k, ids := range answers {
		if len(ids) != 1 {
			t.Fatalf("key %s answered with %d events, want 1", k, len(ids))
		}
	}
	counts, err := nodes[0].CountDeliveries(context.Background(), store.DeliveryFilter{TenantID: tn.ID}, 0)
	if err != nil || counts[domain.Scheduled] != len(answers) {
		t.Fatalf("deliveries %v (%v), want one per key (%d)", counts, err, len(answers))
	}
}
