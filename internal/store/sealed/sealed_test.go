package sealed_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/secretbox"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/postgres"
	"github.com/lmshooks/lmshooks/internal/store/sealed"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
)

var now = time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC)

// The secrets the tests store, each unlikely to appear by chance.
var secrets = []string{
	"whsec_CurrentSigningSecret0001", "whsk_PreviousEd25519Key0002", "BasicAuthPassword0003",
	"Bearer AuthorizationHeader0004", "ApiKeyHeaderValue0005", "FlaggedHeaderValue0006", "ConsoleKeySeed-32-bytes-long-007",
}

func keyring(t *testing.T, keys ...secretbox.Key) *secretbox.Keyring {
	t.Helper()
	k, err := secretbox.New(keys)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// backend is a database under test: how to open a store on it (again),
// and how to read every secret-holding byte it stores, raw.
type backend struct {
	open func(t *testing.T) store.Store
	raw  func(t *testing.T) []byte
}

func sqliteBackend(t *testing.T) backend {
	dir := t.TempDir()
	path := filepath.Join(dir, "lmshooks.db")
	return backend{
		open: func(t *testing.T) store.Store {
			st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		// Every file of the database, the write-ahead log included.
		raw: func(t *testing.T) []byte {
			var all []byte
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, b...)
			}
			return all
		},
	}
}

func postgresBackend(t *testing.T) backend {
	dsn := pgtest.SchemaDSN(t, "sealed_")
	return backend{
		open: func(t *testing.T) store.Store {
			st, err := postgres.Open(context.Background(), dsn, postgres.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		// Both tables, every column, as text.
		raw: func(t *testing.T) []byte {
			conn, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var out []byte
			for _, q := range []string{`SELECT w::text FROM webhooks w`, `SELECT c::text FROM console_credentials c`} {
				rows, err := conn.Query(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					out = append(out, s...)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
			}
			return out
		},
	}
}

func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteBackend(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgresBackend(t)) })
}

// seed stores a tenant, a webhook holding every kind of secret and the
// console credential through st.
func seed(t *testing.T, st store.Store) *domain.Webhook {
	t.Helper()
	ctx := context.Background()
	tn := &domain.Tenant{ID: "tn_sealed", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	w := &domain.Webhook{
		ID: "wh_sealed", TenantID: tn.ID, Name: "HRIS", URL: "https://hris.example.com/hooks", EventTypes: []string{"*"},
		Enabled: true, Format: domain.DefaultFormat, Timeout: domain.DefaultTimeout, RetryPolicy: domain.DefaultRetryPolicy,
		SuccessRule: domain.DefaultSuccessRule, CreatedAt: now, UpdatedAt: now,
		Secret: secrets[0], PreviousSecret: secrets[1], PreviousSecretExpiresAt: now.Add(time.Hour),
		BasicAuth:     &domain.BasicAuth{Username: "hris", Password: secrets[2]},
		Headers:       map[string]string{"Authorization": secrets[3], "X-Api-Key": secrets[4], "X-Shared": secrets[5], "X-Tenant": "acme"},
		SecretHeaders: []string{"X-Shared"},
	}
	if err := st.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	c := &domain.ConsoleCredential{Salt: bytes.Repeat([]byte{1}, 16), Iterations: 1, Verifier: bytes.Repeat([]byte{2}, 32), KeySeed: []byte(secrets[6]), CreatedAt: now}
	if _, _, err := st.EnsureConsoleCredential(ctx, c); err != nil {
		t.Fatal(err)
	}
	return w
}

// checkOpened checks that st reads the seeded secrets back whole.
func checkOpened(t *testing.T, st store.Store, want *domain.Webhook) {
	t.Helper()
	ctx := context.Background()
	got, err := st.WebhookByID(ctx, want.ID)
	if err != nil {
		t.Fatalf("WebhookByID: %v", err)
	}
	hooks, err := st.EnabledWebhooks(ctx, want.TenantID)
	if err != nil || len(hooks) != 1 {
		t.Fatalf("EnabledWebhooks = %v, %v", hooks, err)
	}
	for _, w := range []*domain.Webhook{got, &hooks[0]} {
		if w.Secret != want.Secret || w.PreviousSecret != want.PreviousSecret || w.BasicAuth.Password != want.BasicAuth.Password ||
			w.Headers["Authorization"] != secrets[3] || w.Headers["X-Api-Key"] != secrets[4] || w.Headers["X-Shared"] != secrets[5] || w.Headers["X-Tenant"] != "acme" {
			t.Errorf("opened webhook = %+v", w)
		}
	}
	c, err := st.GetConsoleCredential(ctx)
	if err != nil || string(c.KeySeed) != secrets[6] {
		t.Errorf("console credential = %v, %v", c, err)
	}
}

// noClearSecret fails if any secret is in raw.
func noClearSecret(t *testing.T, raw []byte) {
	t.Helper()
	for _, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("%q is stored in clear", s)
		}
	}
	if !bytes.Contains(raw, []byte("acme")) {
		t.Error("the raw read found not even the clear header value: it reads the wrong place")
	}
}

func TestNoSecretIsStoredInClear(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		st := sealed.New(b.open(t), keyring(t, secretbox.GenerateKey("k1")))
		w := seed(t, st)
		checkOpened(t, st, w)
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		noClearSecret(t, b.raw(t))
	})
}

func TestClearRowsAreSealedByTheFirstPass(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		plain := b.open(t)
		w := seed(t, plain) // as stored before encryption at rest
		plain.Close()
		if !bytes.Contains(b.raw(t), []byte(secrets[0])) {
			t.Fatal("the unsealed store did not store the secret in clear: the test proves nothing")
		}
		st := sealed.New(b.open(t), keyring(t, secretbox.GenerateKey("k1")))
		checkOpened(t, st, w) // clear values read as they are
		r, err := st.Reseal(context.Background(), false)
		if err != nil || r.Webhooks != 1 || !r.Console {
			t.Fatalf("Reseal = %+v, %v", r, err)
		}
		if r, err := st.Reseal(context.Background(), false); err != nil || r.Webhooks != 0 || r.Console {
			t.Fatalf("second Reseal = %+v, %v; want nothing to do", r, err)
		}
		checkOpened(t, st, w)
		st.Close()
		noClearSecret(t, b.raw(t))
	})
}

func TestTheWrongKeyIsAClearErrorNeverAWrongSecret(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		st := sealed.New(b.open(t), keyring(t, secretbox.GenerateKey("k1")))
		w := seed(t, st)
		st.Close()
		for _, other := range []secretbox.Key{secretbox.GenerateKey("k2"), secretbox.GenerateKey("k1")} {
			st := sealed.New(b.open(t), keyring(t, other))
			_, err := st.Reseal(context.Background(), false)
			if err == nil || !strings.Contains(err.Error(), `"k1"`) {
				t.Errorf("Reseal under key %s: %v; want an error naming k1", other.ID, err)
			}
			if got, err := st.WebhookByID(context.Background(), w.ID); err == nil || !strings.Contains(err.Error(), w.ID) {
				t.Errorf("WebhookByID under key %s = %+v, %v; want an error naming the webhook", other.ID, got, err)
			}
			if _, err := st.GetConsoleCredential(context.Background()); err == nil {
				t.Errorf("GetConsoleCredential under key %s opened", other.ID)
			}
			st.Close()
		}
	})
}

func TestRekeyMovesEverySecretToTheNewestKey(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k1, k2 := secretbox.GenerateKey("k1"), secretbox.GenerateKey("k2")
		st := sealed.New(b.open(t), keyring(t, k1))
		w := seed(t, st)
		st.Close()

		st = sealed.New(b.open(t), keyring(t, k2, k1))
		if r, err := st.Reseal(context.Background(), false); err != nil || r.Webhooks != 0 {
			t.Fatalf("start-up pass = %+v, %v; want nothing resealed", r, err)
		}
		r, err := st.Reseal(context.Background(), true)
		if err != nil || r.Webhooks != 1 || !r.Console {
			t.Fatalf("rekey = %+v, %v", r, err)
		}
		st.Close()
		raw := b.raw(t)
		if bytes.Contains(raw, []byte(secretbox.Prefix+"k1:")) || !bytes.Contains(raw, []byte(secretbox.Prefix+"k2:")) {
			t.Error("a secret is still sealed under k1 after rekey")
		}
		noClearSecret(t, raw)
		// k1 is no longer needed.
		st = sealed.New(b.open(t), keyring(t, k2))
		defer st.Close()
		checkOpened(t, st, w)
	})
}

// The sealed store is a store like the others.
func TestConformance(t *testing.T) {
	keys := keyring(t, secretbox.GenerateKey("k1"))
	storetest.Exercise(t, func(t *testing.T) store.Store {
		return sealed.New(sqliteBackend(t).open(t), keys)
	})
}
