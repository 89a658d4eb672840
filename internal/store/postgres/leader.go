package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// leaderCheckInterval is how often a leader checks that its connection,
// and so its advisory lock, is still alive.
const leaderCheckInterval = time.Second

// TryLead tries once to become the cluster's maintenance leader: it takes
// a session advisory lock (keyed by schema) on a dedicated connection
// outside the pool. If another session holds the lock it returns a nil
// lost channel. Otherwise lost is closed when the leadership ends without
// release being called — the connection died, and PostgreSQL released the
// lock with it, so another node may lead already — and release gives the
// leadership up (it may be called more than once).
//
// Between the lock's loss and this node noticing (at most about a second,
// or a TCP timeout on a silent network) two nodes may both believe they
// lead, so leader work must be idempotent.
func (s *Store) TryLead(ctx context.Context) (lost <-chan struct{}, release func(), err error) {
	if s.closed.Load() {
		return nil, nil, errClosed
	}
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
	if err != nil {
		return nil, nil, mapErr("lead: connect", err)
	}
	var ok bool
	key := advisoryKey("lmshooks:leader:" + s.schema)
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil || !ok {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, nil, mapErr("lead: lock", err)
	}

	lostCh := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(leaderCheckInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				s.log.Warn("postgres: lost the maintenance leadership", "err", err)
				close(lostCh)
				return
			}
		}
	}()
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
			// Closing the session releases the lock; unlocking first
			// makes the hand-over immediate even if the close lingers.
			uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, _ = conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, key)
			_ = conn.Close(uctx)
		})
	}
	return lostCh, release, nil
}
