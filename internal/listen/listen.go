package listen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// shutdownGrace is how long Run waits for in-flight requests once ctx is
// done.
const shutdownGrace = 5 * time.Second

// Run serves the receiver on cfg.Addr until ctx is done, then shuts down
// gracefully and returns nil. It returns an error if cfg is invalid or the
// address cannot be listened on.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	addr := cfg.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           Handler(cfg),
		ReadHeaderTimeout: 10 * time.Second,
	}
	// Written before Serve starts, so it cannot interleave with reports.
	printBanner(cfg.Out, ln.Addr(), cfg)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("listen: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("listen: shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("listen: serve: %w", err)
	}
	return nil
}

// printBanner says where deliveries go and how they will be answered,
// naming key kinds but never key material.
func printBanner(out io.Writer, addr net.Addr, cfg Config) {
	fmt.Fprintf(out, "lmshooks listen: receiving webhooks on http://%s/\n", addr)
	keys := cfg.keys()
	if len(keys) == 0 {
		fmt.Fprintln(out, "  signatures: not checked (pass a secret to verify them)")
	} else {
		kinds := make([]string, len(keys))
		for i, k := range keys {
			kinds[i], _, _ = strings.Cut(k, "_")
			kinds[i] += "_…"
		}
		fmt.Fprintf(out, "  signatures: verified with %s\n", strings.Join(kinds, ", "))
	}
	if len(cfg.Statuses) == 0 {
		fmt.Fprintln(out, "  answering:  204, or 401 when the signature is invalid")
	} else {
		codes := make([]string, len(cfg.Statuses))
		for i, s := range cfg.Statuses {
			codes[i] = fmt.Sprint(s)
		}
		fmt.Fprintf(out, "  answering:  %s in turn, then again from the first, whatever the signature (restart without --status to accept every delivery)\n", strings.Join(codes, ", "))
	}
	fmt.Fprintln(out)
}
