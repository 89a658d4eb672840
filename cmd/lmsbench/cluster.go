package main

import (
	"context"
	"fmt"
)

// startDispatchers starts o.dispatchers extra lmshooks processes with
// --role dispatcher on the same database as the main server (PostgreSQL
// only: SQLite is one node), so that delivery can be measured on several
// nodes. Stop them with stopAll.
func startDispatchers(ctx context.Context, o options, db string) ([]*serverProc, error) {
	var procs []*serverProc
	for i := range o.dispatchers {
		p, err := startServer(ctx, o, db, "dispatcher", "--node-id", fmt.Sprintf("bench-dispatcher-%d", i+1))
		if err != nil {
			stopAll(procs)
			return nil, err
		}
		procs = append(procs, p)
	}
	return procs, nil
}

// stopAll stops servers, all at once.
func stopAll(procs []*serverProc) {
	for _, p := range procs {
		go func() { _ = p.stop() }()
	}
	for _, p := range procs {
		<-p.done
	}
}
