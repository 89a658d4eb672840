package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// PostgreSQL error codes the store reacts to.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
	// Text PostgreSQL cannot store: a NUL character (22P05) or bytes
	// that are not valid UTF-8 (22021). The API refuses both before they
	// get here; this keeps any other path from answering 500.
	codeUntranslatableChar = "22P05"
	codeBadEncoding        = "22021"
)

// errUnavailable is what callers see (and the API turns into 503) when the
// database cannot be reached; the cause stays in the error chain for logs.
var errUnavailable = domain.Errorf(domain.EUNAVAILABLE, "the database is unavailable")

// errClosed is returned by every method called after Close.
var errClosed = fmt.Errorf("postgres: store is closed: %w", errUnavailable)

// mapErr wraps err with the operation's name, turning a lost or refused
// connection into EUNAVAILABLE. *domain.Error values pass through as they
// are, so mapping twice is harmless.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if isUnavailable(err) {
		return fmt.Errorf("postgres: %s: %w: %w", op, errUnavailable, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == codeUntranslatableChar || pgErr.Code == codeBadEncoding) {
		return fmt.Errorf("postgres: %s: %w: %w", op,
			domain.Errorf(domain.EINVALID, "text must be valid UTF-8 without NUL characters"), err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// isUnavailable reports whether err means the database could not be
// reached or the connection was lost, as opposed to a query failing.
func isUnavailable(err error) bool {
	if errors.Is(err, context.Canceled) {
		// The caller gave up; that says nothing about the database.
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"): // connection exception
			return true
		case pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03": // shutting down, starting up
			return true
		case strings.HasPrefix(pgErr.Code, "53"): // insufficient resources: disk full, out of memory, too many connections
			return true
		case strings.HasPrefix(pgErr.Code, "58"): // system error: an I/O error
			return true
		case pgErr.Code == "25006": // read-only transaction: a standby (after a failover) or a read-only database
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connectErr),
		errors.As(err, &netErr),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		pgconn.Timeout(err),
		pgconn.SafeToRetry(err):
		return true
	}
	// pgxpool reports a closed pool with a plain error (puddle's
	// ErrClosedPool); a connection closed under a query says "conn closed".
	msg := err.Error()
	return strings.Contains(msg, "closed pool") || strings.Contains(msg, "conn closed")
}

// pgCode returns the SQLSTATE and constraint of a server error, if err is
// one.
func pgCode(err error) (code, constraint string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code, pgErr.ConstraintName
	}
	return "", ""
}

// pgError returns the server error in err's chain, or nil.
func pgError(err error) *pgconn.PgError {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr
	}
	return nil
}

// unreachable reports whether err means the database could not be reached
// (or the store is closed): retrying at once would fail the same way.
func unreachable(err error) bool {
	return isUnavailable(err) || domain.ErrorCode(err) == domain.EUNAVAILABLE
}

// notFoundIfNoRows turns pgx.ErrNoRows into ENOTFOUND for kind id.
func notFoundIfNoRows(err error, kind, id string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.NotFound(kind, id)
	}
	return err
}
