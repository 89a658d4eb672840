package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// workChannel is the NOTIFY channel that announces new due work. Its
// payload is the schema name, so that installations sharing a database
// in separate schemas do not wake each other.
const workChannel = "lmshooks_work"

// notifyInterval spaces NOTIFYs: a burst of publishes within it costs one
// notification. NOTIFY serialises committing transactions on a global
// lock, so one per publish would cut publish throughput by a fifth; other
// nodes learn of new work at most this much later.
const notifyInterval = 10 * time.Millisecond

// Listen backoff bounds.
const (
	listenMinBackoff = 100 * time.Millisecond
	listenMaxBackoff = 5 * time.Second
)

// notifier sends NOTIFY lmshooks_work after commits, off the caller's
// path. Pokes that arrive while a NOTIFY is being sent, or within
// notifyInterval after it, merge into the next one.
type notifier struct {
	s      *Store
	pokes  chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startNotifier(s *Store) *notifier {
	ctx, cancel := context.WithCancel(context.Background())
	n := &notifier{s: s, pokes: make(chan struct{}, 1), cancel: cancel}
	n.wg.Add(1)
	go n.run(ctx)
	return n
}

// poke asks for a notification soon; it never blocks.
func (n *notifier) poke() {
	select {
	case n.pokes <- struct{}{}:
	default:
	}
}

func (n *notifier) run(ctx context.Context) {
	defer n.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.pokes:
		}
		// A lost notification only delays other nodes until their next
		// poll, so failures are not retried.
		if _, err := n.s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, workChannel, n.s.schema); err != nil && ctx.Err() == nil {
			n.s.log.Debug("postgres: notify failed", "err", err)
		}
		t := time.NewTimer(notifyInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// stop ends the notifier and waits for it.
func (n *notifier) stop() {
	n.cancel()
	n.wg.Wait()
}

// Listen calls wake whenever another node (or this one) announces new due
// work with NOTIFY lmshooks_work, until ctx is done. It holds a dedicated
// connection, outside the pool; when that connection is lost it reconnects
// with backoff and, since notifications sent meanwhile are lost, calls
// wake once after reconnecting. It returns nil when ctx is done and
// EUNAVAILABLE if the store is closed.
func (s *Store) Listen(ctx context.Context, wake func()) error {
	backoff := listenMinBackoff
	for reconnect := false; ; reconnect = true {
		if s.closed.Load() {
			return errClosed
		}
		listening, err := s.listen(ctx, wake, reconnect)
		if ctx.Err() != nil {
			return nil
		}
		if listening {
			backoff = listenMinBackoff
		}
		s.log.Warn("postgres: lost the LISTEN connection; reconnecting", "err", err, "in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, listenMaxBackoff)
	}
}

// listen runs one LISTEN session until its connection fails or ctx is
// done, reporting whether LISTEN had been established.
func (s *Store) listen(ctx context.Context, wake func(), reconnect bool) (listening bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return false, mapErr("listen: connect", err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "LISTEN "+workChannel); err != nil {
		return false, mapErr("listen", err)
	}
	if reconnect {
		wake()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, mapErr("listen: wait", err)
		}
		if n.Payload == s.schema {
			wake()
		}
	}
}
