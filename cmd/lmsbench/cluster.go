package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// startDispatchers starts n extra lmshooks processes with --role dispatcher
// on the same database as the main server (PostgreSQL only: SQLite is one
// node), so that delivery can be measured on several nodes. It returns a
// function that stops them gracefully.
func startDispatchers(o options) (stop func(), err error) {
	var procs []*exec.Cmd
	stop = func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			_ = p.Wait()
		}
	}
	if o.dispatchers == 0 {
		return stop, nil
	}
	if !strings.HasPrefix(o.db, "postgres") {
		return stop, fmt.Errorf("-dispatchers needs a PostgreSQL -db")
	}
	for i := range o.dispatchers {
		addr := freeAddr()
		args := []string{"serve", "--addr", addr, "--db", o.db, "--role", "dispatcher", "--allow-private-targets",
			"--log-level", "warn", "--node-id", fmt.Sprintf("bench-dispatcher-%d", i+1)}
		if o.serverArgs != "" {
			args = append(args, strings.Fields(o.serverArgs)...)
		}
		p := exec.Command(o.bin, args...)
		p.Env = append(os.Environ(), "LMSHOOKS_API_KEY="+benchKey)
		p.Stdout, p.Stderr = os.Stderr, os.Stderr
		if err := p.Start(); err != nil {
			stop()
			return nil, err
		}
		procs = append(procs, p)
		if err := waitReady("http://" + addr); err != nil {
			stop()
			return nil, err
		}
	}
	return stop, nil
}
