package postgres

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// groupOp is one call that a grouper may run together with others of its
// kind.
type groupOp interface {
	// rows is how many rows the call writes or reads: a group stops
	// growing at the grouper's row cap.
	rows() int
}

// pending is an op waiting for its group.
type pending[T groupOp] struct {
	ctx  context.Context
	op   T
	err  error
	done chan struct{} // closed once err (and the op's results) are set
}

// groupFunc runs ops together (a write in one transaction) and reports
// the outcome, mapped (see mapErr). It may set a pending's err for an
// outcome of that op alone (a write still commits); on a non-nil return
// every op's results are ignored.
type groupFunc[T groupOp] func(ctx context.Context, ops []*pending[T]) error

// grouper runs together the calls of one kind that wait at the same
// moment: group commit for writes (publishes, attempt records), one query
// for reads (the enabled webhooks that publishes fan out to). Each of its
// workers takes every call queued at that moment, up to maxRows rows, and
// runs them at once: for a write, one transaction with one multi-row
// statement per table, so one round trip and one commit for the lot. While
// a group runs, the next one queues up, so groups grow with the load by
// themselves; at rest a call goes alone at once.
//
// A group either succeeds whole or fails whole. When it fails for a reason
// other than the database being unreachable (a bad op: its tenant deleted
// meanwhile, an id taken, or a deadlock with another node), each op is run
// again on its own, so that a bad op fails alone and the others still
// commit.
type grouper[T groupOp] struct {
	name    string
	maxRows int
	runFn   groupFunc[T]
	reqs    chan *pending[T]
	closing chan struct{}
	stopped chan struct{} // closed when every worker has returned
	wg      sync.WaitGroup
	// groups counts the groups run to success (for tests and benchmarks:
	// ops per commit).
	groups atomic.Int64
}

// groupTimeout bounds one group's run. A group runs on the grouper's
// context, not a caller's: a caller going away must not abort the others'
// writes.
const groupTimeout = 30 * time.Second

// startGrouper starts workers goroutines running groups of at most
// maxRows rows with run (a single op larger than that goes alone).
func startGrouper[T groupOp](name string, workers, maxRows int, run groupFunc[T]) *grouper[T] {
	g := &grouper[T]{
		name: name, maxRows: maxRows, runFn: run,
		reqs:    make(chan *pending[T], 256),
		closing: make(chan struct{}),
		stopped: make(chan struct{}),
	}
	g.wg.Add(workers)
	for range workers {
		go g.loop()
	}
	go func() {
		g.wg.Wait()
		g.drain()
		close(g.stopped)
	}()
	return g
}

// do queues op and waits until its group has run (for a write: committed
// durably) or op failed. The caller's ctx only decides whether op is
// queued and how long the caller waits: once a group holding op has begun,
// it runs to the end, so a caller whose ctx ends while waiting gets ctx's
// error while its op may still commit.
func (g *grouper[T]) do(ctx context.Context, op T) error {
	p := &pending[T]{ctx: ctx, op: op, done: make(chan struct{})}
	select {
	case g.reqs <- p:
	case <-ctx.Done():
		return mapErr(g.name, ctx.Err())
	case <-g.closing:
		return errClosed
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return mapErr(g.name, ctx.Err())
	case <-g.stopped:
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
func (g *grouper[T]) stop() {
	close(g.closing)
	<-g.stopped
}

// loop is one worker.
func (g *grouper[T]) loop() {
	defer g.wg.Done()
	var carry *pending[T] // taken from the queue but too big for the last group
	for {
		first := carry
		carry = nil
		if first == nil {
			select {
			case first = <-g.reqs:
			case <-g.closing:
				return
			}
		}
		group, rows := []*pending[T]{first}, first.op.rows()
	fill:
		for rows < g.maxRows {
			select {
			case p := <-g.reqs:
				if rows+p.op.rows() > g.maxRows {
					carry = p
					break fill
				}
				group, rows = append(group, p), rows+p.op.rows()
			default:
				break fill
			}
		}
		g.run(group)
		select {
		case <-g.closing:
			if carry != nil {
				answer(carry, errClosed)
			}
			return
		default:
		}
	}
}

// run runs group and answers every op in it.
func (g *grouper[T]) run(group []*pending[T]) {
	live := group[:0:0]
	for _, p := range group {
		if err := p.ctx.Err(); err != nil {
			// The caller is gone: not worth writing.
			answer(p, mapErr(g.name, err))
			continue
		}
		live = append(live, p)
	}
	if len(live) == 0 {
		return
	}
	err := g.runOnce(live)
	if err != nil && len(live) > 1 && !unreachable(err) {
		// Some op is bad, or the group deadlocked with another node's
		// writes: each op on its own, so that only a bad one fails.
		for _, p := range live {
			answer(p, g.runOnce([]*pending[T]{p}))
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

// runOnce runs ops as one group and returns the group's outcome (a lone
// op's own).
func (g *grouper[T]) runOnce(ops []*pending[T]) error {
	for _, p := range ops {
		p.err = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	if err := g.runFn(ctx, ops); err != nil {
		return err
	}
	g.groups.Add(1)
	if len(ops) == 1 {
		return ops[0].err
	}
	return nil
}

// drain answers the requests still queued once the workers have stopped.
func (g *grouper[T]) drain() {
	for {
		select {
		case p := <-g.reqs:
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
