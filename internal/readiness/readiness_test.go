package readiness

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

var start = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// On a real SQLite store, an idle node proves it can commit with at most
// one probe per Fresh, however often it is checked, and a node that writes
// needs no probe at all.
func TestProbesOnlyWhenIdleAndRarely(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ready.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := clock.NewFake(start)
	c := New(Config{Store: st, Clock: clk, Node: "n1"})
	ctx := context.Background()
	check := func() {
		t.Helper()
		if err := c.Check(ctx); err != nil {
			t.Fatalf("Check: %v", err)
		}
	}
	// No write yet: the first check probes.
	check()
	first := st.LastWrite()
	if first.Seq == 0 || first.Err != nil {
		t.Fatalf("LastWrite after the first check = %+v, want the probe's commit", first)
	}
	// Checked every second for less than Fresh: no probe.
	for range 9 {
		clk.Advance(time.Second)
		check()
	}
	if got := st.LastWrite().Seq; got != first.Seq {
		t.Fatalf("%d probes within Fresh of a commit, want none", got-first.Seq)
	}
	// Past Fresh: one probe, then none again for a while.
	for range 10 {
		clk.Advance(time.Second)
		check()
	}
	if got := st.LastWrite().Seq; got != first.Seq+1 {
		t.Fatalf("%d probes over %s idle, want 1", got-first.Seq, 10*time.Second)
	}
	// The node's own writes keep it fresh: no probe.
	for i := range 30 {
		clk.Advance(time.Second)
		if err := st.ProbeWrite(ctx, "someone-else", clk.Now()); err != nil { // any commit
			t.Fatal(err)
		}
		before := st.LastWrite().Seq
		check()
		if got := st.LastWrite().Seq; got != before {
			t.Fatalf("check %d probed although the node had just committed", i)
		}
	}
}

// scripted is a store whose writes fail on demand: the failure injected
// into the checker's logic (the real failure, on the real binary, is in
// e2e/readiness_test.go).
type scripted struct {
	mu      sync.Mutex
	outcome store.WriteOutcomes
	pingErr error
	failErr error         // ProbeWrite's error while set
	hang    chan struct{} // ProbeWrite waits on it (or its ctx) when set
	probes  int
}

func (s *scripted) Ping(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pingErr
}

func (s *scripted) LastWrite() store.WriteOutcome { return s.outcome.Last() }

func (s *scripted) ProbeWrite(ctx context.Context, node string, now time.Time) error {
	s.mu.Lock()
	s.probes++
	err, hang := s.failErr, s.hang
	s.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		s.outcome.Failed(err)
		return err
	}
	s.outcome.Committed()
	return nil
}

func (s *scripted) set(f func(s *scripted)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *scripted) probeCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.probes
}

func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	var nr *NotReadyError
	if !errors.As(err, &nr) || nr.Reason() != reason {
		t.Fatalf("Check = %v, want not ready because %q", err, reason)
	}
}

// A failed write makes the node not ready at once; it probes at most once
// per ProbeEvery while failing, and is ready again as soon as a probe (or
// any write) commits.
func TestFailedWritesMakeTheNodeNotReadyUntilACommit(t *testing.T) {
	st := &scripted{}
	clk := clock.NewFake(start)
	c := New(Config{Store: st, Clock: clk, Node: "n1"})
	ctx := context.Background()
	st.outcome.Committed()
	if err := c.Check(ctx); err != nil || st.probeCount() != 0 {
		t.Fatalf("Check after a commit = %v with %d probes, want ready without probing", err, st.probeCount())
	}

	full := errors.New("database or disk is full")
	st.outcome.Failed(full) // a publish failed
	st.set(func(s *scripted) { s.failErr = full })
	for range 10 {
		wantReason(t, c.Check(ctx), ReasonWritesFail)
	}
	if n := st.probeCount(); n != 1 {
		t.Fatalf("%d probes for 10 checks within ProbeEvery, want 1", n)
	}
	clk.Advance(DefaultProbeEvery)
	wantReason(t, c.Check(ctx), ReasonWritesFail)
	if n := st.probeCount(); n != 2 {
		t.Fatalf("%d probes after ProbeEvery, want 2", n)
	}

	// Room again: the next probe commits.
	st.set(func(s *scripted) { s.failErr = nil })
	wantReason(t, c.Check(ctx), ReasonWritesFail) // too soon to probe again
	clk.Advance(DefaultProbeEvery)
	if err := c.Check(ctx); err != nil {
		t.Fatalf("Check once writes work = %v, want ready", err)
	}
	// A write that commits clears a failure without any probe.
	st.outcome.Failed(full)
	wantReason(t, c.Check(ctx), ReasonWritesFail)
	st.outcome.Committed()
	probes := st.probeCount()
	if err := c.Check(ctx); err != nil || st.probeCount() != probes {
		t.Fatalf("Check after a commit = %v (%d probes more), want ready without probing", err, st.probeCount()-probes)
	}
}

// A database that takes no commit in time is not ready; the checks made
// meanwhile do not start probes of their own.
func TestProbeTimeout(t *testing.T) {
	st := &scripted{hang: make(chan struct{})}
	clk := clock.NewFake(start)
	c := New(Config{Store: st, Clock: clk, Node: "n1", ProbeTimeout: 50 * time.Millisecond})
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- c.Check(ctx) }()
	// Wait until the probe has started, then check while it hangs.
	poll.For(t, 10*time.Second, "the probe to start", func() bool { return st.probeCount() > 0 })
	_ = c.Check(ctx)
	wantReason(t, <-done, ReasonProbeTimeout)
	if n := st.probeCount(); n != 1 {
		t.Fatalf("%d probes, want 1 (one at a time)", n)
	}
	// Until the next probe, the timeout is the answer.
	wantReason(t, c.Check(ctx), ReasonProbeTimeout)
	close(st.hang)
}

func TestUnreachableDatabase(t *testing.T) {
	st := &scripted{pingErr: errors.New("connection refused")}
	c := New(Config{Store: st, Clock: clock.NewFake(start), Node: "n1"})
	wantReason(t, c.Check(context.Background()), ReasonUnreachable)
}
