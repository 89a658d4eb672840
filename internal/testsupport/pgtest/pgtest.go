// Package pgtest gives each test a PostgreSQL schema of its own on the
// server named by LMSHOOKS_TEST_POSTGRES, so that tests of every package can
// run in parallel against one database. It is for tests only.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/secretbox"
)

// EnvDSN names the variable holding the test database's URL.
const EnvDSN = "LMSHOOKS_TEST_POSTGRES"

// DSN returns the test database's URL, skipping the test when it is unset.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		t.Skip(EnvDSN + " is not set")
	}
	return dsn
}

// Schema returns a fresh schema name starting with prefix; the schema (which
// the store creates on first open) is dropped with everything in it when
// the test ends, after cleanups registered later (the stores using it).
func Schema(t testing.TB, dsn, prefix string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := prefix + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// SchemaDSN returns the test database's URL with its search_path set to a
// fresh schema (see Schema), skipping the test when the variable is unset:
// for code that takes a DSN, such as lmshooks processes.
func SchemaDSN(t testing.TB, prefix string) string {
	t.Helper()
	return WithSchema(t, DSN(t), prefix)
}

// WithSchema returns dsn with its search_path set to a fresh schema of the
// same server (see Schema).
func WithSchema(t testing.TB, dsn, prefix string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("the PostgreSQL DSN must be a URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", Schema(t, dsn, prefix))
	u.RawQuery = q.Encode()
	return u.String()
}

// EncryptionKeys is the key tests configure (LMSHOOKS_ENCRYPTION_KEYS) for
// servers on PostgreSQL, which refuse to start without one.
const EncryptionKeys = "test1:bG1zaG9va3MtdGVzdC1lbmNyeXB0aW9uLWtleS0zMmI="

// Keys returns EncryptionKeys parsed, for a config.Config.
func Keys(t testing.TB) []secretbox.Key {
	keys, err := secretbox.ParseKeys(EncryptionKeys)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
