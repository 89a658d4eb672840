package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/secretbox"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

func TestHistoryEventsMakeTheAttemptsAskedFor(t *testing.T) {
	pattern := historyPattern(historyTenants())
	var perPeriod int64
	for _, s := range pattern {
		perPeriod += slotAttempts(s)
	}
	for _, want := range []int64{1, 999, 1000, perPeriod, perPeriod + 1, 10_000_000} {
		events, made := historyEvents(pattern, want)
		var check int64
		for n := int64(0); n < events; n++ {
			check += slotAttempts(pattern[n%int64(len(pattern))])
		}
		last := slotAttempts(pattern[(events-1)%int64(len(pattern))])
		if made != check || made < want || made-last >= want {
			t.Errorf("%d attempts asked: %d events make %d (counted %d), the last event's %d", want, events, made, check, last)
		}
	}
}

func TestHistoryPatternIsRealAndRepeatable(t *testing.T) {
	tenants := historyTenants()
	a, b := historyPattern(tenants), historyPattern(tenants)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two patterns differ: seeding would not be repeatable")
	}
	states := map[string]int{}
	perTenant := map[int]int{}
	for _, s := range a {
		perTenant[s.tenant]++
		typ := historyTypes[s.typ].name
		hooks := map[int]bool{}
		// The seeders spell ids from n*8+k and (n*8+k)*8+number.
		if len(s.deliveries) >= 8 {
			t.Fatalf("%d deliveries in a slot: ids would collide", len(s.deliveries))
		}
		for _, d := range s.deliveries {
			hooks[d.hook] = true
			states[d.state]++
			last := d.attempts[len(d.attempts)-1]
			if len(d.attempts) >= 8 {
				t.Fatalf("%d attempts in a delivery: ids would collide", len(d.attempts))
			}
			if (d.state == "succeeded") != last.success() {
				t.Fatalf("a %s delivery whose last attempt's success is %v", d.state, last.success())
			}
			for i := 1; i < len(d.attempts); i++ {
				if d.attempts[i].offset <= d.attempts[i-1].offset {
					t.Fatalf("attempts out of order: %+v", d.attempts)
				}
			}
			if end := last.offset + last.duration; end > historyGap {
				t.Fatalf("an attempt ends %s after its event, after the history's end", end)
			}
		}
		for h, hook := range tenants[s.tenant].hooks {
			if hook.subscribes(typ) != hooks[h] {
				t.Fatalf("slot of %s: webhook %q (%v) delivered %v", typ, hook.name, hook.types, hooks[h])
			}
		}
	}
	for _, st := range []string{"succeeded", "failed", "canceled"} {
		if states[st] == 0 {
			t.Errorf("no %s delivery in the pattern: %v", st, states)
		}
	}
	if len(perTenant) != len(tenants) || perTenant[0] <= perTenant[len(tenants)-1] {
		t.Errorf("events per tenant %v: every tenant should have some, the first the most", perTenant)
	}
}

// startApp runs lmshooks in this process on db, as lmsbench's server
// child would, and returns a client of it.
func startApp(t *testing.T, db string) (*benchClient, func()) {
	t.Helper()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DB = db
	keys, err := secretbox.ParseKeys(benchEncryptionKeys)
	if err != nil {
		t.Fatal(err)
	}
	cfg.EncryptionKeys = keys
	cfg.APIKey = benchKey
	cfg.AdminPassword = benchPassword
	cfg.AllowPrivateTargets = true
	cfg.NodeID = "lmsbench-test"
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	if err := a.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	closed := false
	stop := func() {
		if !closed {
			closed = true
			if err := a.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	return newBenchClient("http://" + a.Addr()), stop
}

func TestSeedSQLiteReadsBackThroughTheAPI(t *testing.T) {
	testSeed(t, "sqlite:"+filepath.Join(t.TempDir(), "history.db"))
}

func TestSeedPostgresReadsBackThroughTheAPI(t *testing.T) {
	testSeed(t, pgtest.SchemaDSN(t, "lmsbench_"))
}

// testSeed creates the history's tenants through the API, seeds 1,000
// attempts into db with the server stopped, and reads them back through
// the API and the console of a server started again.
func testSeed(t *testing.T, db string) {
	ctx := context.Background()
	c, stop := startApp(t, db)
	tenants := historyTenants()
	if err := createHistoryTenants(ctx, c, tenants); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(db, "postgres") {
		// As in a benchmark, the server's maintenance has rolled up the
		// last day (empty then) before the seeding: the seeding must not
		// trust those roll-ups.
		poll.For(t, 10*time.Second, "the first roll-up", func() bool {
			conn, err := pgx.Connect(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			var n int
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM maintenance_state").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n > 0
		})
	}
	stop()

	now := time.Now()
	plan, err := newSeedPlan(tenants, 1000, now)
	if err != nil {
		t.Fatal(err)
	}
	st, err := seed(ctx, db, plan)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if st.Attempts != plan.attempts || st.Events != plan.events || st.Attempts < 1000 || st.Deliveries < st.Events {
		t.Fatalf("seeded %+v, planned %d events and %d attempts", st, plan.events, plan.attempts)
	}
	if n, err := countAttempts(ctx, db); err != nil || n != st.Attempts {
		t.Fatalf("the database holds %d attempts (%v), %d seeded", n, err, st.Attempts)
	}

	c, _ = startApp(t, db)
	hist := tenants[0]
	page, err := c.api.ListDeliveries(ctx, hist.id, client.DeliveryParams{})
	if err != nil {
		t.Fatal(err)
	}
	ds := page.Data
	if len(ds) == 0 {
		t.Fatal("the audit log of the biggest tenant is empty")
	}
	start, end := historySpan(now)
	hooks := map[string]bool{}
	for _, h := range hist.hooks {
		hooks[h.id] = true
	}
	if !sort.SliceIsSorted(ds, func(i, j int) bool { return ds[i].ID > ds[j].ID }) {
		t.Error("the audit log is not newest first")
	}
	for _, d := range ds {
		created := d.CreatedAt
		if created.Before(start.Add(-time.Second)) || created.After(end.Add(time.Second)) {
			t.Errorf("delivery %s created at %s, outside the history [%s, %s]", d.ID, created, start, end)
		}
		if !hooks[d.WebhookID] || !strings.HasPrefix(d.EventID, "evt_") || d.Attempts < 1 {
			t.Errorf("delivery %+v: not of the tenant's webhooks, or without attempts", d)
		}
		// The id's time is the delivery's creation, as for ids lmshooks makes.
		if !strings.HasPrefix(d.ID, historyID("dlv_", created.UnixMilli(), 0)[:14]) {
			t.Errorf("delivery %s does not spell its creation time %s", d.ID, d.CreatedAt)
		}
		detail, err := c.api.GetDelivery(ctx, hist.id, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		atts := detail.Attempts
		if len(atts) != d.Attempts {
			t.Fatalf("delivery %s says %d attempts, shows %d", d.ID, d.Attempts, len(atts))
		}
		last := atts[len(atts)-1]
		if last.Request.Headers["Webhook-Id"] != d.ID || !strings.HasPrefix(last.Request.URL, "https://hooks.acme.example/") {
			t.Errorf("attempt of %s: request %+v", d.ID, last.Request)
		}
		if (d.State == "succeeded") != last.Success || (last.Response == nil) != (last.Error != "" && !strings.HasPrefix(last.Error, "status ")) {
			t.Errorf("delivery %s %s: last attempt %+v", d.ID, d.State, last)
		}
	}

	// Every seeded attempt of the tenant counts in its statistics over the
	// week: on PostgreSQL most of them come from the roll-ups.
	stats, err := c.api.GetStats(ctx, hist.id, client.StatsParams{Window: 192 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	for _, s := range stats.Data {
		calls[s.WebhookID] = s.Calls
	}
	var want, got int64
	for n := int64(0); n < plan.events; n++ {
		if s := plan.pattern[n%historySlots]; s.tenant == 0 {
			want += slotAttempts(s)
		}
	}
	for _, n := range calls {
		got += int64(n)
	}
	if got != want {
		t.Errorf("stats over 8 days count %d calls of %s (%v), %d seeded", got, hist.id, calls, want)
	}

	if err := c.signIn(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/t/" + hist.id + "/", "/t/" + hist.id + "/deliveries"} {
		if n, err := c.page(ctx, p); err != nil || n == 0 {
			t.Errorf("console %s: %d bytes, %v", p, n, err)
		}
	}
}
