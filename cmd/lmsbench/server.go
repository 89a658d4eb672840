package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/lmshooks/lmshooks/internal/config"
)

// serverProc is one lmshooks process started by lmsbench.
type serverProc struct {
	cmd   *exec.Cmd
	base  string // http://addr of its API and console
	debug string // http://addr of its debug listener
	done  chan struct{}
	err   error // what Wait returned, once done is closed
}

// startServer starts `lmshooks serve` on db with role and waits until it
// is ready. A free port can be taken by someone else between lmsbench
// choosing it and the server binding it: a server that exits before it
// is ready is started again on other ports, up to three times.
func startServer(ctx context.Context, o options, db, role string, extra ...string) (*serverProc, error) {
	var err error
	for range 3 {
		var s *serverProc
		if s, err = tryServer(ctx, o, db, role, extra); err == nil {
			return s, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

func tryServer(ctx context.Context, o options, db, role string, extra []string) (*serverProc, error) {
	addr, debugAddr := freeAddr(), freeAddr()
	args := []string{"serve", "--addr", addr, "--db", db, "--role", role, "--allow-private-targets", "--log-level", "warn", "--debug-addr", debugAddr}
	args = append(args, extra...)
	args = append(args, strings.Fields(o.serverArgs)...)
	s := &serverProc{cmd: exec.Command(o.bin, args...), base: "http://" + addr, debug: "http://" + debugAddr, done: make(chan struct{})}
	s.cmd.Env = append(os.Environ(), "LMSHOOKS_API_KEY="+benchKey, "LMSHOOKS_ADMIN_PASSWORD="+benchPassword, "LMSHOOKS_ENCRYPTION_KEYS="+benchEncryptionKeys)
	s.cmd.Stdout, s.cmd.Stderr = os.Stderr, os.Stderr
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	ready := make(chan error, 1)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A server on a large history may take a while to open its database.
	go func() { ready <- waitReady(rctx, s.base, 5*time.Minute) }()
	select {
	case err := <-ready:
		if err != nil {
			s.stop()
			return nil, err
		}
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("lmshooks %s exited before it was ready: %v", role, s.err)
	}
}

func (s *serverProc) pid() int { return s.cmd.Process.Pid }

// stop ends the server gracefully (SIGTERM), or kills it after a minute.
func (s *serverProc) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("lmshooks did not stop within a minute of SIGTERM: killed")
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) && ee.Exited() {
		return fmt.Errorf("lmshooks exited with %v", s.err)
	}
	return nil
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// storeKind says which store a -db value names and its path or DSN, as
// lmshooks reads it.
func storeKind(db string) (kind, dsn string, err error) {
	c := config.Config{DB: db}
	return c.Store()
}

// buildServer builds cmd/lmshooks into dir (from anywhere in the module).
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := dir + "/lmshooks"
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/lmshooks/lmshooks/cmd/lmshooks").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}
