// Command lmsbench measures lmshooks end to end as its users see it: it
// builds and starts the server as a child process (SQLite, or PostgreSQL
// with -db), runs a fast local receiver and a load generator, and reports
// deliveries per second (first publish → last delivery received),
// publish→receive latency percentiles, the server's peak memory and its
// CPU time per delivery (and PostgreSQL's), beside the one-hop reference:
// the same load generator sending straight to the receiver, no server
// between. See docs/PERFORMANCE.md.
//
//	go run ./cmd/lmsbench                                      # 100,000 events, one per request, 32 publishers → 1 webhook
//	go run ./cmd/lmsbench -mode fanout -webhooks 1000 -events 100      # 1 event → 1,000 webhooks
//	go run ./cmd/lmsbench -mode latency -rate 1000 -duration 60s       # single events at a fixed rate
//	go run ./cmd/lmsbench -history 10000000                    # the same on a database holding 10 million attempts
//	go run ./cmd/lmsbench -mode direct                         # the one-hop reference alone
//	go run ./cmd/lmsbench -ordering key -keys 1000             # ordered by key, beside the same load unordered
//	go run ./cmd/lmsbench -runs 3 -json                        # one JSON object per run, then their medians
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// options are lmsbench's flags.
type options struct {
	mode        string
	events      int
	batch       int
	publishers  int
	rate        int
	duration    time.Duration
	webhooks    int
	reference   bool
	history     int64
	runs        int
	json        bool
	db          string
	dropSchema  bool
	bin         string
	cpuProfile  string
	serverArgs  string
	role        string
	dispatchers int
	timeout     time.Duration
	ordering    string
	keys        int
	baseline    bool
}

// modes lmsbench runs; every one but direct runs the server.
var modes = []string{"throughput", "fanout", "latency", "direct"}

// parseFlags reads lmsbench's command line.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("lmsbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.mode, "mode", "throughput", "throughput: publish -events as fast as the server accepts them, -batch a request, from -publishers publishers; "+
		"fanout: the same to -webhooks webhooks (default 1,000, with 100 events); latency: single events at -rate a second for -duration; "+
		"direct: the one-hop reference alone (load generator straight to the receiver)")
	fs.IntVar(&o.events, "events", 100000, "events to publish (throughput, fanout, direct)")
	fs.IntVar(&o.batch, "batch", 1, "events a publish request carries: 1 uses the single-event route, as an LMS publishes; more use the batch route")
	fs.IntVar(&o.publishers, "publishers", 32, "concurrent publishers, each waiting for its answer before its next request")
	fs.IntVar(&o.rate, "rate", 1000, "events a second in latency mode")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long latency mode publishes")
	fs.IntVar(&o.webhooks, "webhooks", 1, "webhooks subscribed to every event: each event is delivered this many times")
	fs.BoolVar(&o.reference, "reference", true, "measure the one-hop reference in each throughput and fanout run (same deliveries, same publishers) and print the ratio")
	fs.Int64Var(&o.history, "history", 0, "first seed the database with about this many attempts over the last 7 days (10000000 in docs/PERFORMANCE.md) and time the console's dashboard and audit log")
	fs.IntVar(&o.runs, "runs", 1, "repeat the run this many times (a fresh database each time, but a history is seeded once) and print medians and ranges")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per run (and one of kind summary after several runs) instead of text")
	fs.StringVar(&o.db, "db", "", "database for the server: sqlite:<path> or postgres://… (default: a fresh SQLite file in a temp dir for each run)")
	fs.BoolVar(&o.dropSchema, "drop-schema", false, "with a postgres -db: drop the DSN's search_path schema with all it holds, and create it empty, before each run (before the seeding with -history)")
	fs.StringVar(&o.bin, "bin", "", "lmshooks binary (default: go build ./cmd/lmshooks)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the server during the run to this file")
	fs.StringVar(&o.serverArgs, "server-args", "", "extra flags for lmshooks serve, space-separated")
	fs.StringVar(&o.role, "role", "all", "the main server's --role: all, or api to leave delivery to -dispatchers")
	fs.IntVar(&o.dispatchers, "dispatchers", 0, "extra --role dispatcher servers on the same PostgreSQL -db")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the last delivery before giving up")
	fs.StringVar(&o.ordering, "ordering", "none", "the webhooks' ordering: none, webhook (one delivery at a time, in order) or key (in order per ordering key, -keys keys)")
	fs.IntVar(&o.keys, "keys", 1000, "with -ordering: how many ordering keys the events spread over (event i has key i mod -keys, given at publish)")
	fs.BoolVar(&o.baseline, "baseline", true, "with -ordering webhook or key: measure the same load unordered in each run too (a fresh database) and print ordered ÷ unordered")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.mode == "fanout" {
		if !set["webhooks"] {
			o.webhooks = 1000
		}
		if !set["events"] {
			o.events = 100
		}
	}
	if o.mode != "throughput" && o.mode != "fanout" {
		o.reference = false
	}
	if o.ordering == "none" {
		o.baseline = false
	}
	return o, o.validate()
}

// validate says what is wrong with a combination of flags.
func (o options) validate() error {
	known := false
	for _, m := range modes {
		known = known || m == o.mode
	}
	isPG := strings.HasPrefix(o.db, "postgres://") || strings.HasPrefix(o.db, "postgresql://")
	switch {
	case !known:
		return fmt.Errorf("-mode %q: want one of %s", o.mode, strings.Join(modes, ", "))
	case o.events < 1, o.batch < 1, o.publishers < 1, o.webhooks < 1, o.runs < 1:
		return errors.New("-events, -batch, -publishers, -webhooks and -runs must be at least 1")
	case o.mode == "latency" && (o.rate < 1 || o.duration <= 0):
		return errors.New("latency mode needs a -rate of at least 1 and a positive -duration")
	case o.history < 0:
		return errors.New("-history must not be negative")
	case o.mode == "direct" && o.history > 0:
		return errors.New("-history needs a server: not with -mode direct")
	case o.dispatchers < 0:
		return errors.New("-dispatchers must not be negative")
	case o.dispatchers > 0 && !isPG:
		return errors.New("-dispatchers needs a PostgreSQL -db: SQLite is one node")
	case o.role != "all" && o.role != "api":
		return fmt.Errorf("-role %q: want all or api", o.role)
	case o.role == "api" && o.dispatchers == 0:
		return errors.New("-role api delivers nothing without -dispatchers")
	case o.dropSchema && !isPG:
		return errors.New("-drop-schema needs a PostgreSQL -db")
	case o.timeout <= 0:
		return errors.New("-timeout must be positive")
	case o.ordering != "none" && o.ordering != "webhook" && o.ordering != "key":
		return fmt.Errorf("-ordering %q: want none, webhook or key", o.ordering)
	case o.keys < 1:
		return errors.New("-keys must be at least 1")
	case o.ordering != "none" && o.mode == "direct":
		return errors.New("-ordering needs a server: not with -mode direct")
	}
	return nil
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lmsbench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "lmsbench:", err)
		os.Exit(1)
	}
}

// bench runs o.runs runs and prints each, then their summary. Progress
// goes to log; results to out.
func bench(ctx context.Context, o options, out, log io.Writer) error {
	tmp, err := os.MkdirTemp("", "lmsbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.bin == "" && o.mode != "direct" {
		fmt.Fprintln(log, "building lmshooks…")
		if o.bin, err = buildServer(ctx, tmp); err != nil {
			return err
		}
	}
	env := &benchEnv{o: o, tmp: tmp, log: log}
	if o.history > 0 {
		if err := env.prepareHistory(ctx); err != nil {
			return err
		}
	}
	var results []result
	for i := 1; i <= o.runs; i++ {
		r, err := env.run(ctx, i)
		if err != nil {
			return fmt.Errorf("run %d: %w", i, err)
		}
		results = append(results, r)
		if o.json {
			if err := jsonLine(out, r); err != nil {
				return err
			}
		} else {
			r.printText(out)
		}
	}
	if o.runs > 1 {
		return printSummary(out, results, o.json)
	}
	return nil
}
