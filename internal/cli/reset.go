package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/config"
)

// resetConsolePassword replaces the stored console password with a new
// generated one and prints it once, for an operator who lost it. It takes
// the serve flags, so that --db and LMSHOOKS_DB name the database the same
// way.
func resetConsolePassword(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	cfg, err := config.LoadFor("reset-console-password", args, getenv, stderr)
	if err != nil {
		return err
	}
	password, err := app.ResetConsolePassword(ctx, cfg, newLogger(cfg, stderr), time.Now())
	if err != nil {
		return err
	}
	// Printed once, to stdout and not to the log: only its hash is stored.
	fmt.Fprintf(stdout, "\nNew console password for %s (shown only now; only its hash is stored):\n\n    %s\n\n"+
		"Restart every lmshooks node of this database to use it: running nodes keep the old one until then.\n"+
		"Console sessions and portal links issued before the restart stop working.\n\n", cfg.Redacted(), password)
	if cfg.AdminPassword != "" {
		fmt.Fprintln(stderr, "lmshooks: note: LMSHOOKS_ADMIN_PASSWORD is set; nodes started with it use that password and ignore the stored one.")
	}
	return nil
}
