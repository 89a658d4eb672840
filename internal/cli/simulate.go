package cli

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
)

// simTick is how often the simulator publishes what has become due: short
// enough that low rates look like a steady trickle, long enough that high
// rates go out in batches.
const simTick = 100 * time.Millisecond

// simMaxBackoff caps the wait between retries while the server is down.
const simMaxBackoff = 5 * time.Second

func simulate(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	tenant := fs.String("tenant", "", "tenant to publish to (required)")
	server := fs.String("server", firstNonEmpty(getenv("LMSHOOKS_SERVER"), "http://127.0.0.1:8080"), "lmshooks base URL (env LMSHOOKS_SERVER)")
	key := fs.String("key", "", "API key (default: env LMSHOOKS_API_KEY)")
	rate := fs.Float64("rate", 10, "events per second")
	duration := fs.Duration("duration", 0, "stop after this long, e.g. 1m (default: until interrupted or --events)")
	events := fs.Int("events", 0, "stop after this many events (default: no limit)")
	seed := fs.Uint64("seed", 0, "random seed, to replay the same activity (default: a fresh one, printed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("simulate: unexpected argument %q", fs.Arg(0))
	}
	if *tenant == "" {
		return fmt.Errorf("--tenant is required")
	}
	if *key == "" {
		*key = getenv("LMSHOOKS_API_KEY")
	}
	if *key == "" {
		return fmt.Errorf("no API key: pass --key or set LMSHOOKS_API_KEY")
	}
	if *rate <= 0 || *rate > 100000 {
		return fmt.Errorf("--rate must be more than 0 and at most 100000 events per second")
	}
	if *duration < 0 || *events < 0 {
		return fmt.Errorf("--duration and --events must not be negative")
	}
	if *seed == 0 {
		*seed = randomSeed()
	}
	cat, err := catalog.Load()
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	clk := clock.Real{}
	// Idempotency keys name the run, not only the seed: replaying a seed
	// must publish the activity again, not be answered as replays.
	model, err := newLMS(cat, *seed, clk.Now, fmt.Sprintf("%x-%x", *seed, clk.Now().UnixMilli()))
	if err != nil {
		return err
	}
	c := newClient(*server, *key)
	s := &simulator{
		model: model,
		send: func(ctx context.Context, batch []simEvent) error {
			events := make([]client.PublishRequest, len(batch))
			for i, ev := range batch {
				events[i] = client.PublishRequest{Type: ev.Type, Data: ev.Data, IdempotencyKey: ev.IdempotencyKey, OccurredAt: ev.OccurredAt}
			}
			_, err := c.PublishBatch(ctx, *tenant, events)
			return err
		},
		clock:    clk,
		wait:     sleep,
		out:      stdout,
		rate:     *rate,
		limit:    *events,
		duration: *duration,
	}
	fmt.Fprintf(stdout, "simulating LMS activity for tenant %s at %g events/s on %s (seed %d; Ctrl-C stops)\n", *tenant, *rate, c.BaseURL(), *seed)
	return s.run(ctx)
}

// simulator publishes a model's events at a steady rate, in batches of
// what has become due, and reports progress once a second.
type simulator struct {
	model    *lms
	send     func(ctx context.Context, batch []simEvent) error
	clock    clock.Clock
	wait     func(ctx context.Context, d time.Duration) error
	out      io.Writer
	rate     float64       // events per second
	limit    int           // stop after this many events; 0: no limit
	duration time.Duration // stop after this long; 0: no limit

	made, sent, retries int
	types               map[string]int
}

// run publishes until the limit, the duration or ctx ends it. Events that
// could not be sent because the server was unavailable are sent again
// with the same idempotency keys, so a retry never duplicates one. A
// refused request (4xx) ends the run with the server's message.
func (s *simulator) run(ctx context.Context) error {
	s.types = map[string]int{}
	start := s.clock.Now()
	lastReport := start
	var pending []simEvent
	backoff := simTick
	for {
		elapsed := s.clock.Now().Sub(start)
		over := s.duration > 0 && elapsed >= s.duration
		if over {
			elapsed = s.duration
		}
		due := int(s.rate*elapsed.Seconds()) - s.made
		if s.limit > 0 {
			due = min(due, s.limit-s.made)
		}
		for range max(due, 0) {
			pending = append(pending, s.model.next())
			s.made++
		}
		for len(pending) > 0 {
			n := min(len(pending), ingest.MaxBatch)
			err := s.send(ctx, pending[:n])
			if err != nil {
				if ctx.Err() != nil {
					s.report(start, "stopped")
					return nil
				}
				if !isTemporary(err) || s.sent == 0 {
					// Nothing was ever accepted (wrong URL, key or
					// tenant) or the server refused the events: retrying
					// cannot help.
					return fmt.Errorf("simulate: %w", err)
				}
				s.retries++
				fmt.Fprintf(s.out, "  server unavailable (%v); retrying in %s\n", err, backoff)
				if s.wait(ctx, backoff) != nil {
					s.report(start, "stopped")
					return nil
				}
				backoff = min(2*backoff, simMaxBackoff)
				continue
			}
			backoff = simTick
			for _, ev := range pending[:n] {
				s.types[ev.Type]++
			}
			s.sent += n
			pending = pending[n:]
		}
		if now := s.clock.Now(); now.Sub(lastReport) >= time.Second {
			s.report(start, "")
			lastReport = now
		}
		if over || (s.limit > 0 && s.sent >= s.limit) {
			s.report(start, "done")
			return nil
		}
		if s.wait(ctx, simTick) != nil {
			s.report(start, "stopped")
			return nil
		}
	}
}

// report prints the progress; final is "" while running, else how the run
// ended, and adds the count of each type.
func (s *simulator) report(start time.Time, final string) {
	took := s.clock.Now().Sub(start)
	rate := 0.0
	if took > 0 {
		rate = float64(s.sent) / took.Seconds()
	}
	line := fmt.Sprintf("%s  %d events published (%.1f/s)", took.Truncate(time.Second), s.sent, rate)
	if s.retries > 0 {
		line += fmt.Sprintf(", %d retries", s.retries)
	}
	if final == "" {
		fmt.Fprintln(s.out, line)
		return
	}
	fmt.Fprintf(s.out, "%s: %s\n", final, line)
	var b strings.Builder
	for _, t := range slices.Sorted(maps.Keys(s.types)) {
		fmt.Fprintf(&b, "  %-28s %d\n", t, s.types[t])
	}
	fmt.Fprint(s.out, b.String())
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// randomSeed returns a fresh non-zero seed.
func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	if s := binary.LittleEndian.Uint64(b[:]); s != 0 {
		return s
	}
	return 1
}
