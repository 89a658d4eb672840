package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/lmshooks/lmshooks/internal/auth"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// ensureConsoleCredential returns the stored console credential, storing
// one for a newly generated password when there is none. The password is
// returned only when this call stored it; a node that lost the race to
// another starting at the same moment gets the winner's credential and no
// password (the winner shows it).
func ensureConsoleCredential(ctx context.Context, st store.Store, now time.Time) (*domain.ConsoleCredential, string, error) {
	c, err := st.GetConsoleCredential(ctx)
	if err == nil {
		return c, "", nil
	}
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		return nil, "", fmt.Errorf("read the console password: %w", err)
	}
	// Generating costs a PBKDF2 run, so it happens only when none is
	// stored, not at every start.
	password, fresh, err := auth.GenerateCredential(now)
	if err != nil {
		return nil, "", err
	}
	stored, created, err := st.EnsureConsoleCredential(ctx, fresh)
	if err != nil {
		return nil, "", fmt.Errorf("store the console password: %w", err)
	}
	if !created {
		return stored, "", nil
	}
	return stored, password, nil
}

// ResetConsolePassword replaces the stored console password of the
// configured database with a newly generated one and returns it, to be
// shown once. Running nodes keep the old keys until they restart; sessions
// and portal links signed with them stop working then.
func ResetConsolePassword(ctx context.Context, cfg config.Config, log *slog.Logger, now time.Time) (password string, err error) {
	st, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			password, err = "", fmt.Errorf("close the database: %w", cerr)
		}
	}()
	password, c, err := auth.GenerateCredential(now)
	if err != nil {
		return "", err
	}
	if err := st.ReplaceConsoleCredential(ctx, c); err != nil {
		return "", fmt.Errorf("store the console password: %w", err)
	}
	return password, nil
}
