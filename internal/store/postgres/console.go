package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// consoleCredentialID is the one row's id: the table holds at most one.
const consoleCredentialID = 1

const consoleCredentialCols = `salt, iterations, verifier, key_seed, created_at`

func scanConsoleCredential(row pgx.Row) (*domain.ConsoleCredential, error) {
	var c domain.ConsoleCredential
	if err := row.Scan(&c.Salt, &c.Iterations, &c.Verifier, &c.KeySeed, &c.CreatedAt); err != nil {
		return nil, err
	}
	c.CreatedAt = utc(c.CreatedAt)
	return &c, nil
}

// GetConsoleCredential returns the stored console credential. ENOTFOUND if
// none.
func (s *Store) GetConsoleCredential(ctx context.Context) (*domain.ConsoleCredential, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	c, err := scanConsoleCredential(s.pool.QueryRow(ctx,
		`SELECT `+consoleCredentialCols+` FROM console_credentials WHERE id = $1`, consoleCredentialID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no console credential is stored")
	}
	return c, mapErr("get console credential", err)
}

// EnsureConsoleCredential stores c unless a credential is stored already,
// and returns the stored one.
//
// Two statements, deliberately outside a transaction: when another node's
// insert wins, ON CONFLICT DO NOTHING waits for it to commit, and only a
// statement started after that sees its row (a single statement, or a
// repeatable-read transaction, would read from a snapshot taken before).
// The row is never deleted (a reset overwrites it), so the read finds one.
func (s *Store) EnsureConsoleCredential(ctx context.Context, c *domain.ConsoleCredential) (*domain.ConsoleCredential, bool, error) {
	if s.closed.Load() {
		return nil, false, errClosed
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO console_credentials (id, `+consoleCredentialCols+`)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
		consoleCredentialID, c.Salt, c.Iterations, c.Verifier, c.KeySeed, c.CreatedAt)
	if err != nil {
		return nil, false, mapErr("ensure console credential", err)
	}
	if tag.RowsAffected() == 1 {
		return c, true, nil
	}
	stored, err := s.GetConsoleCredential(ctx)
	if err != nil {
		return nil, false, err
	}
	return stored, false, nil
}

// ReplaceConsoleCredential stores c in place of any stored credential.
func (s *Store) ReplaceConsoleCredential(ctx context.Context, c *domain.ConsoleCredential) error {
	if s.closed.Load() {
		return errClosed
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO console_credentials (id, `+consoleCredentialCols+`)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET salt = EXCLUDED.salt, iterations = EXCLUDED.iterations,
			verifier = EXCLUDED.verifier, key_seed = EXCLUDED.key_seed, created_at = EXCLUDED.created_at`,
		consoleCredentialID, c.Salt, c.Iterations, c.Verifier, c.KeySeed, c.CreatedAt)
	return mapErr("replace console credential", err)
}
