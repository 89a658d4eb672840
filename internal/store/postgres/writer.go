package postgres

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// groupOp is one write that a groupWriter may run together with others of
// its kind.
type groupOp interface {
	// rows is how many rows the write inserts or changes: a group stops
	// growing at the writer's row cap.
	rows() int
}

// pending is an op waiting for its group.
type pending[T groupOp] struct {
	ctx  context.Context
	op   T
	err  error
	done chan struct{} // closed once err (and the op's results) are set
}

// writeGroup writes ops in one transaction and reports the transaction's
// outcome, mapped (see mapErr). It may set a pending's err for an outcome
// of that op alone (the transaction still commits); on a non-nil return
// every op's results are ignored.
type writeGroup[T groupOp] func(ctx context.Context, ops []*pending[T]) error

// groupWriter is group commit for one kind of write (publishes, attempt
// records). Each of its workers takes every request queued at that moment,
// up to maxRows rows, and writes them in one transaction with one
// multi-row statement per table: one round trip and one commit for the
// lot. While a group commits, the next one queues up, so groups grow with
// the load by themselves; at rest a write goes alone at once.
//
// A group either commits whole or fails whole. When it fails for a reason
// other than the database being unreachable (a bad op: its tenant deleted
// meanwhile, an id taken, or a deadlock with another node), each op is run
// again on its own, so that a bad op fails alone and the others still
// commit.
type groupWriter[T groupOp] struct {
	name    string
	maxRows int
	write   writeGroup[T]
	reqs    chan *pending[T]
	closing chan struct{}
	stopped chan struct{} // closed when every worker has returned
	wg      sync.WaitGroup
	// commits counts the transactions committed (for tests and
	// benchmarks: ops per commit).
	commits atomic.Int64
}

// groupTimeout bounds one group's transaction. A group runs on the
// writer's context, not a caller's: a caller going away must not abort the
// others' writes.
const groupTimeout = 30 * time.Second

// startGroupWriter starts workers goroutines writing groups of at most
// maxRows rows (a single op larger than that goes alone).
func startGroupWriter[T groupOp](name string, workers, maxRows int, write writeGroup[T]) *groupWriter[T] {
	w := &groupWriter[T]{
		name: name, maxRows: maxRows, write: write,
		reqs:    make(chan *pending[T], 256),
		closing: make(chan struct{}),
		stopped: make(chan struct{}),
	}
	w.wg.Add(workers)
	for range workers {
		go w.loop()
	}
	go func() {
		w.wg.Wait()
		w.drain()
		close(w.stopped)
	}()
	return w
}

// do queues op and waits until its group has committed durably (or op
// failed). The caller's ctx only decides whether op is queued and how long
// the caller waits: once a group holding op has begun, it runs to the end,
// so a caller whose ctx ends while waiting gets ctx's error while its op
// may still commit.
func (w *groupWriter[T]) do(ctx context.Context, op T) error {
	p := &pending[T]{ctx: ctx, op: op, done: make(chan struct{})}
	select {
	case w.reqs <- p:
	case <-ctx.Done():
		return mapErr(w.name, ctx.Err())
	case <-w.closing:
		return errClosed
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return mapErr(w.name, ctx.Err())
	case <-w.stopped:
		// Every request taken before the stop has been answered.
		select {
		case <-p.done:
			return p.err
		default:
			return errClosed
		}
	}
}

// stop lets the workers finish the groups they hold, answers the requests
// still queued with errClosed and returns once every worker has returned.
func (w *groupWriter[T]) stop() {
	close(w.closing)
	<-w.stopped
}

// loop is one worker.
func (w *groupWriter[T]) loop() {
	defer w.wg.Done()
	var carry *pending[T] // taken from the queue but too big for the last group
	for {
		first := carry
		carry = nil
		if first == nil {
			select {
			case first = <-w.reqs:
			case <-w.closing:
				return
			}
		}
		group, rows := []*pending[T]{first}, first.op.rows()
	fill:
		for rows < w.maxRows {
			select {
			case p := <-w.reqs:
				if rows+p.op.rows() > w.maxRows {
					carry = p
					break fill
				}
				group, rows = append(group, p), rows+p.op.rows()
			default:
				break fill
			}
		}
		w.run(group)
		select {
		case <-w.closing:
			if carry != nil {
				answer(carry, errClosed)
			}
			return
		default:
		}
	}
}

// run writes group and answers every op in it.
func (w *groupWriter[T]) run(group []*pending[T]) {
	live := group[:0:0]
	for _, p := range group {
		if err := p.ctx.Err(); err != nil {
			// The caller is gone: not worth writing.
			answer(p, mapErr(w.name, err))
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	err := w.writeOnce(live)
	if err != nil && len(live) > 1 && !unreachable(err) {
		// Some op is bad, or the group deadlocked with another node's
		// writes: each op on its own, so that only a bad one fails.
		for _, p := range live {
			answer(p, w.writeOnce([]*pending[T]{p}))
		}
		return
	}
	for _, p := range live {
		if err != nil {
			p.err = err
		}
		answer(p, p.err)
	}
}

// writeOnce writes ops in one transaction; a failure resets their own
// errors, since nothing of theirs was written.
func (w *groupWriter[T]) writeOnce(ops []*pending[T]) error {
	for _, p := range ops {
		p.err = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	if err := w.write(ctx, ops); err != nil {
		return err
	}
	w.commits.Add(1)
	if len(ops) == 1 {
		return ops[0].err
	}
	return nil
}

// drain answers the requests still queued once the workers have stopped.
func (w *groupWriter[T]) drain() {
	for {
		select {
		case p := <-w.reqs:
			answer(p, errClosed)
		default:
			return
		}
	}
}

func answer[T groupOp](p *pending[T], err error) {
	p.err = err
	close(p.done)
}
