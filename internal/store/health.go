package store

import (
	"context"
	"sync"
	"time"
)

// WriteHealth tells whether the database takes this node's commits, for
// readiness (internal/readiness): a node whose writes fail must stop
// receiving publishes even though its database still answers reads.
type WriteHealth interface {
	// LastWrite reports how the store's last write that tested its ability
	// to commit ended: a commit, or a failure that says the database cannot
	// take one now (a full disk, an I/O error, a lost connection, a
	// read-only server). A write refused for its content (a conflict, a
	// missing tenant) tests nothing and is not counted.
	LastWrite() WriteOutcome
	// ProbeWrite commits one small row naming node at now, in a table of
	// its own, which proves that the database takes a commit from this
	// node now. Rows of other nodes not probed for a day are dropped with
	// it. The probe is counted in LastWrite like any other write.
	ProbeWrite(ctx context.Context, node string, now time.Time) error
}

// WriteOutcome is how a write that tested the store's ability to commit
// ended.
type WriteOutcome struct {
	// Seq counts such outcomes: a new commit or failure gives a new Seq,
	// so that a caller can tell that something happened since it looked.
	// It is 0 before the first.
	Seq uint64
	// Err is the failure, nil if the write committed.
	Err error
}

// WriteOutcomes keeps the last WriteOutcome of a store. It is safe for
// concurrent use and its zero value is ready.
type WriteOutcomes struct {
	mu   sync.Mutex
	last WriteOutcome
}

// Committed records a commit.
func (o *WriteOutcomes) Committed() { o.record(nil) }

// Failed records a write that failed because the database could not
// commit it.
func (o *WriteOutcomes) Failed(err error) { o.record(err) }

func (o *WriteOutcomes) record(err error) {
	o.mu.Lock()
	o.last = WriteOutcome{Seq: o.last.Seq + 1, Err: err}
	o.mu.Unlock()
}

// Last returns the last outcome recorded.
func (o *WriteOutcomes) Last() WriteOutcome {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// ProbeRetention is how long a node's row of ProbeWrite is kept after its
// last probe: node ids change across restarts (host-pid by default), so
// the rows of nodes gone are dropped by the next probes.
const ProbeRetention = 24 * time.Hour
