package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/config"
)

// rekey re-encrypts every stored secret under the newest key of
// LMSHOOKS_ENCRYPTION_KEYS, while servers keep running (they must already
// hold that key: see docs/OPERATIONS.md). It takes the serve flags, so
// that --db names the database the same way.
func rekey(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	cfg, err := config.LoadFor("rekey", args, getenv, stderr)
	if err != nil {
		return err
	}
	r, err := app.Rekey(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "re-encrypted the secrets of %d webhooks", r.Webhooks)
	if r.Console {
		fmt.Fprint(stdout, " and the console credential")
	}
	fmt.Fprintln(stdout, " under the newest key")
	if r.Changed > 0 {
		fmt.Fprintf(stdout, "%d webhooks changed meanwhile (and were encrypted by that change); run rekey again to check\n", r.Changed)
	}
	return nil
}
