package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// consoleCredentialID is the one row's id: the table holds at most one.
const consoleCredentialID = 1

const consoleCredentialCols = `salt, iterations, verifier, key_seed, created_at`

func scanConsoleCredential(sc interface{ Scan(...any) error }) (*domain.ConsoleCredential, error) {
	var c domain.ConsoleCredential
	var created int64
	if err := sc.Scan(&c.Salt, &c.Iterations, &c.Verifier, &c.KeySeed, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMicros(created)
	return &c, nil
}

// GetConsoleCredential returns the stored console credential. ENOTFOUND if
// none.
func (s *Store) GetConsoleCredential(ctx context.Context) (*domain.ConsoleCredential, error) {
	c, err := scanConsoleCredential(s.rdb.QueryRowContext(ctx,
		`SELECT `+consoleCredentialCols+` FROM console_credentials WHERE id = ?`, consoleCredentialID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENOTFOUND, "no console credential is stored")
	}
	if err != nil {
		return nil, mapErr("get console credential", err)
	}
	return c, nil
}

// EnsureConsoleCredential stores c unless a credential is stored already,
// and returns the stored one. The writer runs one operation at a time, so
// the insert and the read that follows it see the same row.
func (s *Store) EnsureConsoleCredential(ctx context.Context, c *domain.ConsoleCredential) (*domain.ConsoleCredential, bool, error) {
	var stored *domain.ConsoleCredential
	var created bool
	err := s.write(ctx, "ensure console credential", func(tx *wtx) error {
		n, err := tx.exec(`INSERT INTO console_credentials (id, `+consoleCredentialCols+`) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			consoleCredentialID, c.Salt, c.Iterations, c.Verifier, c.KeySeed, micros(c.CreatedAt))
		if err != nil {
			return err
		}
		if n == 1 {
			stored, created = c, true
			return nil
		}
		stored, err = scanConsoleCredential(tx.queryRow(`SELECT `+consoleCredentialCols+` FROM console_credentials WHERE id = ?`, consoleCredentialID))
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return stored, created, nil
}

// ReplaceConsoleCredential stores c in place of any stored credential.
func (s *Store) ReplaceConsoleCredential(ctx context.Context, c *domain.ConsoleCredential) error {
	return s.write(ctx, "replace console credential", func(tx *wtx) error {
		_, err := tx.exec(`INSERT INTO console_credentials (id, `+consoleCredentialCols+`) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET salt = excluded.salt, iterations = excluded.iterations,
				verifier = excluded.verifier, key_seed = excluded.key_seed, created_at = excluded.created_at`,
			consoleCredentialID, c.Salt, c.Iterations, c.Verifier, c.KeySeed, micros(c.CreatedAt))
		return err
	})
}
