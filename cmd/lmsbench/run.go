package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lmshooks/lmshooks/client"
)

// benchEnv is what the runs of one lmsbench share.
type benchEnv struct {
	o   options
	tmp string
	log io.Writer
	// history is the seeded history, when -history is set; its database
	// (historyDB) serves every run.
	history   *historyResult
	historyDB string
}

// dbFor returns the database of run i, made empty unless it holds the
// history; suffix names a second SQLite file of the run (the unordered
// baseline's).
func (e *benchEnv) dbFor(ctx context.Context, i int, suffix string) (string, error) {
	switch {
	case e.history != nil:
		return e.historyDB, nil
	case e.o.db == "":
		return "sqlite:" + filepath.Join(e.tmp, fmt.Sprintf("bench-%d%s.db", i, suffix)), nil
	case e.o.dropSchema:
		return e.o.db, dropSchema(ctx, e.o.db)
	}
	return e.o.db, nil
}

// dropSchema drops the schema named by the DSN's search_path, with all it
// holds, and creates it empty.
func dropSchema(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	schema := conn.Config().RuntimeParams["search_path"]
	if schema == "" || schema == "public" {
		return fmt.Errorf("-drop-schema: the DSN must name a schema of its own in search_path, not %q", schema)
	}
	s := pgx.Identifier{schema}.Sanitize()
	_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+s+" CASCADE; CREATE SCHEMA "+s)
	return err
}

// run runs the i-th measurement.
func (e *benchEnv) run(ctx context.Context, i int) (result, error) {
	o := e.o
	r := result{Kind: "run", Run: i, Mode: o.mode, Events: o.events, Batch: o.batch, Publishers: o.publishers}
	if o.mode == "direct" {
		m, err := oneHop(ctx, o.events, o.publishers)
		if err != nil {
			return r, err
		}
		r.fill(m)
		return r, nil
	}
	r.Role, r.Dispatchers, r.Webhooks = o.role, o.dispatchers, o.webhooks
	if o.ordering != "none" {
		r.Ordering, r.Keys = o.ordering, o.keys
	}
	if o.mode == "latency" {
		r.Events, r.Batch, r.Publishers, r.Rate = 0, 0, 0, o.rate
	}
	if o.reference {
		fmt.Fprintf(e.log, "run %d: one-hop reference…\n", i)
		m, err := oneHop(ctx, o.events*o.webhooks, o.publishers)
		if err != nil {
			return r, fmt.Errorf("one-hop reference: %w", err)
		}
		r.OneHop = &oneHopResult{Deliveries: m.deliveries, DeliveriesPerSec: m.perSecond(), Latency: latencies(m.first)}
	}
	if o.baseline {
		// The same load on a webhook that does not order, first and on a
		// database of its own, so that neither measurement runs on the
		// other's rows.
		fmt.Fprintf(e.log, "run %d: unordered baseline…\n", i)
		b := result{Run: i}
		if err := e.serverRun(ctx, &b, i, "-unordered", "none"); err != nil {
			return r, fmt.Errorf("unordered baseline: %w", err)
		}
		r.Unordered = &baselineResult{DeliveriesPerSec: b.DeliveriesPerSec, Latency: b.Latency}
	}
	if err := e.serverRun(ctx, &r, i, "", o.ordering); err != nil {
		return r, err
	}
	if r.Unordered != nil && r.Unordered.DeliveriesPerSec > 0 {
		r.RatioToUnordered = r.DeliveriesPerSec / r.Unordered.DeliveriesPerSec
	}
	return r, nil
}

// serverRun starts the servers on run i's database (suffix names a second
// one), creates the run's tenant with its webhooks ordered as ordering,
// runs the load and fills r, then times the console over a history.
func (e *benchEnv) serverRun(ctx context.Context, r *result, i int, suffix, ordering string) error {
	o := e.o
	db, err := e.dbFor(ctx, i, suffix)
	if err != nil {
		return err
	}
	if r.DB, _, err = storeKind(db); err != nil {
		return err
	}
	rc, err := startReceiver()
	if err != nil {
		return err
	}
	defer rc.close()
	srv, err := startServer(ctx, o, db, o.role)
	if err != nil {
		return err
	}
	defer srv.stop()
	dispatchers, err := startDispatchers(ctx, o, db)
	if err != nil {
		return err
	}
	defer stopAll(dispatchers)
	c := newBenchClient(srv.base)
	tenant := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	created := time.Now()
	if err := createBenchTenant(ctx, c, tenant, rc.url, o.webhooks, ordering); err != nil {
		return err
	}
	fmt.Fprintf(e.log, "run %d: created %d webhooks (ordering %s) in %s\n", i, o.webhooks, ordering, time.Since(created).Round(time.Millisecond))
	if err := e.load(ctx, r, c, tenant, rc, append([]*serverProc{srv}, dispatchers...)); err != nil {
		return err
	}
	if e.history != nil && suffix == "" {
		// After the load, so that the memory the console's pages take is
		// not counted as the load's.
		h := *e.history
		_ = resetPeakRSS(srv.pid())
		if err := timeConsole(ctx, c, &h); err != nil {
			return err
		}
		if rss, err := peakRSS(srv.pid()); err == nil {
			h.ServerRSSPeakMB = mb(rss)
		}
		r.History = &h
	}
	return nil
}

// load publishes the run's events to tenant, waits for their deliveries
// at rc and fills r with what it saw and what the servers (the first is
// the main one) used.
func (e *benchEnv) load(ctx context.Context, r *result, c *benchClient, tenant string, rc *receiver, servers []*serverProc) error {
	o := e.o
	pids := make([]int, len(servers))
	for i, s := range servers {
		pids[i] = s.pid()
	}
	fmt.Fprintf(e.log, "run %d: publishing…\n", r.Run)
	// The peak RSS is the load's, not that of the webhooks' creation.
	if err := resetPeakRSS(pids[0]); err != nil {
		fmt.Fprintf(e.log, "run %d: the peak RSS will count from the server's start: %v\n", r.Run, err)
	}
	cpu0, pg0 := procsCPU(pids), postgresCPU("/proc")
	var profDone chan error
	if o.cpuProfile != "" {
		profDone = make(chan error, 1)
		secs := int(o.duration.Seconds())
		if o.mode != "latency" {
			secs = 20
		}
		go func() { profDone <- fetchProfile(ctx, servers[0].debug, secs, o.cpuProfile) }()
	}
	start := time.Now()
	var published []pubRecord
	var err error
	if o.mode == "latency" {
		published, err = publishAtRate(ctx, c.api, tenant, o)
	} else {
		published, err = publishThroughput(ctx, c.api, tenant, o)
	}
	if err != nil {
		return err
	}
	accepted := time.Since(start)
	want := len(published) * o.webhooks
	fmt.Fprintf(e.log, "run %d: published %d events in %s; waiting for %d deliveries…\n", r.Run, len(published), accepted.Round(time.Millisecond), want)
	if got := rc.waitFor(want, time.Now().Add(o.timeout), ctx.Done()); got < want {
		return fmt.Errorf("only %d of %d deliveries arrived within %s", got, want, o.timeout)
	}
	m := rc.measure(start, published)
	r.ServerCPUMsPerDelivery = perDelivery(settledCPU(ctx, pids)-cpu0, want)
	if r.DB == "postgres" {
		v := perDelivery(postgresCPU("/proc").since(pg0), want)
		r.PostgresCPUMsPerDelivery = &v
	}
	if rss, err := peakRSS(servers[0].pid()); err == nil {
		r.ServerRSSPeakMB = mb(rss)
	}
	if profDone != nil {
		if err := <-profDone; err != nil {
			fmt.Fprintln(e.log, "profile:", err)
		}
	}
	r.Events = len(published)
	r.fill(m)
	if o.mode != "latency" {
		r.AcceptedPerSec = float64(len(published)) / accepted.Seconds()
	}
	if o.webhooks > 1 {
		l := latencies(m.last)
		r.LatencyLast = &l
	}
	if r.OneHop != nil && r.OneHop.DeliveriesPerSec > 0 {
		r.Ratio = r.DeliveriesPerSec / r.OneHop.DeliveriesPerSec
	}
	return nil
}

// fill sets what a measurement says.
func (r *result) fill(m measurement) {
	r.Deliveries = m.deliveries
	r.Seconds = m.elapsed.Seconds()
	r.DeliveriesPerSec = m.perSecond()
	r.Latency = latencies(m.first)
	r.Duplicates = m.duplicates
}

func mb(bytes int64) float64 { return float64(bytes) / (1 << 20) }

func perDelivery(cpu time.Duration, deliveries int) float64 {
	if deliveries == 0 {
		return 0
	}
	return ms(cpu) / float64(deliveries)
}

// settledCPU waits until the servers stop working (their outcomes
// recorded: less than 20 ms of CPU in 250 ms, or 5 s at most) and returns
// their CPU time.
func settledCPU(ctx context.Context, pids []int) time.Duration {
	last := procsCPU(pids)
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for range 20 {
		select {
		case <-ctx.Done():
			return last
		case <-t.C:
		}
		now := procsCPU(pids)
		if now-last < 20*time.Millisecond {
			return now
		}
		last = now
	}
	return last
}

// createBenchTenant creates the run's tenant and its webhooks, all
// subscribed to every event, ordered as ordering and pointing at the
// receiver, several at a time so that a thousand take seconds.
func createBenchTenant(ctx context.Context, c *benchClient, tenant, url string, webhooks int, ordering string) error {
	if _, err := c.api.CreateTenant(ctx, client.TenantRequest{ID: tenant, Name: "Benchmark"}); err != nil {
		return err
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	if ordering == "none" {
		ordering = "" // the server's default, and a request servers before ordering accept
	}
	next := make(chan int)
	for range min(16, webhooks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				_, err := c.api.CreateWebhook(ctx, tenant, client.WebhookRequest{Name: fmt.Sprint("bench ", i), URL: url, EventTypes: []string{"*"}, MaxConcurrency: 64, Ordering: ordering})
				if err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range webhooks {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// timedRequests is how many times each console request is timed.
const timedRequests = 5

// timeConsole times, on the history's biggest tenant, the console's
// dashboard, the audit log's first page through the API and the console's
// deliveries page, each timedRequests times one after another.
func timeConsole(ctx context.Context, c *benchClient, h *historyResult) error {
	if err := c.signIn(ctx); err != nil {
		return err
	}
	t := "/t/" + h.Tenant
	for _, q := range []struct {
		into *timing
		call func() error
	}{
		{&h.Dashboard, func() error { _, err := c.page(ctx, t+"/"); return err }},
		{&h.AuditAPI, func() error {
			ds, err := c.api.ListDeliveries(ctx, h.Tenant, client.DeliveryParams{})
			if err == nil && len(ds.Data) == 0 {
				err = fmt.Errorf("the audit log of %s is empty", h.Tenant)
			}
			return err
		}},
		{&h.AuditPage, func() error { _, err := c.page(ctx, t+"/deliveries"); return err }},
	} {
		var took []float64
		for range timedRequests {
			start := time.Now()
			if err := q.call(); err != nil {
				return err
			}
			took = append(took, ms(time.Since(start)))
		}
		*q.into = timing{FirstMS: took[0], MedianMS: spreadOf(took).Median}
	}
	return nil
}

// prepareHistory makes the database every run uses hold a history: it
// starts the server once to create the schema and the history's tenants
// and webhooks (through the API), stops it, and seeds the rest straight
// into the database. A database that already holds the history's tenants
// is used as it is.
func (e *benchEnv) prepareHistory(ctx context.Context) error {
	o := e.o
	e.historyDB = o.db
	if e.historyDB == "" {
		e.historyDB = "sqlite:" + filepath.Join(e.tmp, "history.db")
	} else if o.dropSchema {
		if err := dropSchema(ctx, o.db); err != nil {
			return err
		}
	}
	tenants := historyTenants()
	e.history = &historyResult{Tenant: tenants[0].id}
	srv, err := startServer(ctx, o, e.historyDB, "all")
	if err != nil {
		return err
	}
	c := newBenchClient(srv.base)
	exists, err := c.tenantExists(ctx, tenants[0].id)
	if err == nil && !exists {
		err = createHistoryTenants(ctx, c, tenants)
	}
	if serr := srv.stop(); err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if exists {
		fmt.Fprintf(e.log, "the database already holds a history: using it as it is\n")
		e.history.Attempts, err = countAttempts(ctx, e.historyDB)
		return err
	}
	plan, err := newSeedPlan(tenants, o.history, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.log, "seeding %d events, %d attempts…\n", plan.events, plan.attempts)
	st, err := seed(ctx, e.historyDB, plan)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.log, "seeded %d events, %d deliveries, %d attempts in %s, %s of CPU (%s)\n", st.Events, st.Deliveries, st.Attempts,
		st.Took.Round(time.Millisecond), st.CPU.Round(time.Second), strings.Join(st.Steps, ", "))
	e.history.Attempts, e.history.SeedSeconds, e.history.SeedCPUSeconds = st.Attempts, st.Took.Seconds(), st.CPU.Seconds()
	return nil
}

// jsonLine writes v as one line of JSON.
func jsonLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
