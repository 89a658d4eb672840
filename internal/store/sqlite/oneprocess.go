package sqlite

import (
	"context"
	"time"
)

// One process owns a SQLite database (Open takes a lock file), so the
// capabilities that coordinate the nodes sharing a database have no one
// to coordinate with here. Each still answers, truthfully for one node, so
// that nothing above the store asks which database it has.

// TryLead makes this process the leader of the maintenance work. It always
// succeeds: the lock file taken by Open already makes this process the only
// one using the database, so there is no one to elect against. The
// leadership ends when the store closes.
func (s *Store) TryLead(ctx context.Context) (lost <-chan struct{}, release func(), err error) {
	select {
	case <-s.closing:
		return nil, nil, errClosed
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return s.closing, func() {}, nil
}

// Join releases nodeID's leases. No other process can open the database,
// so there is no other incarnation to wait for (and Open has cleared every
// lease already: this only matters to a dispatcher that joins again).
func (s *Store) Join(ctx context.Context, nodeID, incarnation string, now time.Time, ttl time.Duration) error {
	return s.ReleaseLeases(ctx, nodeID)
}

// Heartbeat answers 1: this process's dispatcher is the only one, so it
// keeps every webhook's whole limits, and no other node can die.
func (s *Store) Heartbeat(ctx context.Context, nodeID, incarnation string, now time.Time, ttl time.Duration) (int, error) {
	select {
	case <-s.closing:
		return 0, errClosed
	default:
	}
	return 1, ctx.Err()
}

// Listen only waits, until ctx ends (nil) or the store closes
// (EUNAVAILABLE): no other node stores work here, and this process wakes
// its own dispatcher when it does.
func (s *Store) Listen(ctx context.Context, wake func()) error {
	select {
	case <-ctx.Done():
		return nil
	case <-s.closing:
		return errClosed
	}
}

// EnsurePartitions does nothing: SQLite tables are not partitioned, and
// retention deletes rows (see ApplyRetention).
func (s *Store) EnsurePartitions(ctx context.Context, from, to time.Time) error { return nil }
