package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lmshooks/lmshooks/internal/listen"
)

func listenCmd(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlagSet("listen", "listen [--addr host:port] [--secret whsec_…|whpk_…] [--status codes]", stderr)
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on")
	secret := fs.String("secret", getenv("LMSHOOKS_LISTEN_SECRET"), "the webhook's signing secret (whsec_…) or public key (whpk_…) to verify deliveries; several may be given, comma-separated, to try a rotation; empty skips verification (env LMSHOOKS_LISTEN_SECRET)")
	statuses := fs.String("status", "", "comma-separated status codes to answer in turn, cycling for as long as it runs: 500,500,200 answers 500, 500, 200, 500, 500, 200, … to see retries; restart without --status to accept every delivery again (default 204, or 401 for a bad signature)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	codes, err := parseStatuses(*statuses)
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "tip: a webhook on this machine needs the server started with --allow-private-targets")
	return listen.Run(ctx, listen.Config{Addr: *addr, Secret: *secret, Statuses: codes, Out: stdout})
}

func parseStatuses(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var codes []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 200 || n > 599 {
			return nil, fmt.Errorf("--status: %q is not an HTTP status code", part)
		}
		codes = append(codes, n)
	}
	return codes, nil
}
