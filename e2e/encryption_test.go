package e2e

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/cli"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/secretbox"
	"github.com/lmshooks/lmshooks/signature"
)

// TestSecretsAreEncryptedAtRest runs the two-command set-up on SQLite
// (a key file is generated beside the database), stores every kind of
// secret through the API, and then reads the database files: no secret is
// in them. Rekey under a new key keeps deliveries verifying; a start with
// a key that does not open them fails, naming the key.
func TestSecretsAreEncryptedAtRest(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "lmshooks.db")
	const password, headerToken, flagged = "receiver-basic-password-1", "tok-api-key-header-2", "flagged-secret-header-3"
	rc := newReceiver(t, nil)

	s := startServer(t, func(c *config.Config) { c.DB = "sqlite:" + db })
	info, err := os.Stat(db + ".key")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want one of mode 0600", info, err)
	}
	s.createTenant("acme")
	w := s.createWebhook("acme", client.WebhookRequest{Name: "sealed", URL: rc.URL, EventTypes: []string{"user.*"},
		BasicAuth: &client.BasicAuthRequest{Username: "lms", Password: password},
		Headers:   map[string]client.HeaderValue{"X-Api-Key": client.Plain(headerToken), "X-Shared": client.SecretHeader(flagged)}})
	rotated, err := s.api.RotateSecret(t.Context(), "acme", w.ID, client.RotateSecretRequest{OverlapSeconds: new(3600)})
	s.must(err)
	rc.setSecret(rotated.Secret)
	s.publishBatch("acme", "user.created", 1, 0)
	eventually(t, 10*time.Second, "the first delivery", func() bool { return rc.count() == 1 })
	s.must(s.app.Close())

	files, _ := filepath.Glob(db + "*")
	var raw []byte
	for _, f := range files {
		if f == db+".key" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	for name, secret := range map[string]string{"signing secret": rotated.Secret, "previous secret": w.Secret,
		"basic auth password": password, "credential header": headerToken, "flagged header": flagged} {
		if bytes.Contains(raw, []byte(strings.TrimPrefix(strings.TrimPrefix(secret, "whsec_"), "whsk_"))) {
			t.Errorf("the %s is stored in clear", name)
		}
	}
	if !bytes.Contains(raw, []byte(secretbox.Prefix)) {
		t.Error("no sealed value in the database files: the test reads the wrong files")
	}

	// Rekey under a new key, the file's kept to open what it sealed.
	fileKey, err := os.ReadFile(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	keys := secretbox.Format([]secretbox.Key{secretbox.GenerateKey("k2")}) + "," + strings.TrimSpace(string(fileKey))
	env := func(k string) string {
		if k == "LMSHOOKS_ENCRYPTION_KEYS" {
			return keys
		}
		return ""
	}
	var out, errOut bytes.Buffer
	if code := cli.Main([]string{"rekey", "--db", "sqlite:" + db}, env, nil, &out, &errOut); code != 0 || !strings.Contains(out.String(), "re-encrypted the secrets of 1 webhooks and the console credential") {
		t.Fatalf("rekey: %d\n%s%s", code, out.String(), errOut.String())
	}
	// Only k2 is needed now.
	newest, err := secretbox.ParseKeys(keys)
	if err != nil {
		t.Fatal(err)
	}
	s = startServer(t, func(c *config.Config) { c.DB = "sqlite:" + db; c.EncryptionKeys = newest[:1] })
	s.publishBatch("acme", "user.created", 1, 1)
	eventually(t, 10*time.Second, "the delivery after rekey", func() bool { return rc.count() == 2 })
	got, bad := rc.snapshot()
	if len(bad) > 0 {
		t.Fatalf("deliveries that do not verify: %v", bad)
	}
	last := got[1]
	if err := signature.VerifyRequest([]string{w.Secret}, last.Header, last.Body, time.Now(), signature.DefaultTolerance); err != nil {
		t.Errorf("the previous secret no longer signs after rekey: %v", err)
	}
	if last.Header.Get("X-Api-Key") != headerToken || last.Header.Get("X-Shared") != flagged || !strings.HasPrefix(last.Header.Get("Authorization"), "Basic ") {
		t.Errorf("headers after rekey: %v", last.Header)
	}
	s.must(s.app.Close())

	// The key file's key alone no longer opens anything: the start fails.
	cfg := config.Default()
	cfg.DB, cfg.Addr = "sqlite:"+db, "127.0.0.1:0"
	_, err = app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{})
	if err == nil || !strings.Contains(err.Error(), `"k2"`) {
		t.Fatalf("start without k2: %v; want an error naming the key", err)
	}
}
