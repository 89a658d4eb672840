package config

import (
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/secretbox"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.MaxBodyBytes != 256<<10 || c.MaxBatchBodyBytes != 16<<20 || c.Role != RoleAll {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	kind, path, err := c.Store()
	if err != nil || kind != "sqlite" || path != "./lmshooks.db" {
		t.Fatalf("Store() = %q %q %v", kind, path, err)
	}
	if c.NodeID == "" {
		t.Fatal("node id not defaulted")
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	c, err := Load([]string{"--addr", "127.0.0.1:9999", "--lease", "5s"},
		env(map[string]string{"LMSHOOKS_ADDR": "127.0.0.1:1", "LMSHOOKS_ALLOW_PRIVATE_TARGETS": "true", "LMSHOOKS_DB": "postgres://u:pw@h/db"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || !c.AllowPrivateTargets || c.LeaseFor != 5*time.Second {
		t.Fatalf("got %+v", c)
	}
	if kind, _, _ := c.Store(); kind != "postgres" {
		t.Fatalf("kind = %q", kind)
	}
	if strings.Contains(c.Redacted(), "pw") {
		t.Fatalf("password not redacted: %s", c.Redacted())
	}
}

func TestMaxBatchBodyBytes(t *testing.T) {
	c, err := Load(nil, env(map[string]string{"LMSHOOKS_MAX_BATCH_BODY_BYTES": "1048576"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxBatchBodyBytes != 1<<20 {
		t.Fatalf("MaxBatchBodyBytes = %d, want 1 MiB from the environment", c.MaxBatchBodyBytes)
	}
	c, err = Load([]string{"--max-batch-body-bytes", "4194304"}, env(map[string]string{"LMSHOOKS_MAX_BATCH_BODY_BYTES": "1048576"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxBatchBodyBytes != 4<<20 {
		t.Fatalf("MaxBatchBodyBytes = %d, want the flag's 4 MiB over the environment", c.MaxBatchBodyBytes)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--role", "boss"}, nil, "--role"},
		{nil, map[string]string{"LMSHOOKS_LEASE": "soon"}, "LMSHOOKS_LEASE"},
		{[]string{"--db", "mysql://x"}, nil, "--db"},
		{[]string{"--log-format", "xml"}, nil, "--log-format"},
		{nil, map[string]string{"LMSHOOKS_API_KEY": "short"}, "LMSHOOKS_API_KEY"},
		{nil, map[string]string{"LMSHOOKS_MAX_BATCH_BODY_BYTES": "lots"}, "LMSHOOKS_MAX_BATCH_BODY_BYTES"},
		{[]string{"--max-batch-body-bytes", "2048"}, nil, "--max-batch-body-bytes"},
	}
	for _, tc := range cases {
		_, err := Load(tc.args, env(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%v, %v) error = %v, want mention of %s", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestUsageNamesTheCommand(t *testing.T) {
	var out strings.Builder
	if _, err := LoadFor("migrate", []string{"-h"}, env(nil), &out); err == nil {
		t.Fatal("-h parsed without error")
	}
	if !strings.Contains(out.String(), "Usage of migrate") {
		t.Fatalf("usage = %q, want it to name migrate", out.String())
	}
}

func TestPortalSettings(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.PortalLinkTTL != 15*time.Minute || c.PortalSessionTTL != time.Hour || c.PublicURL != "" {
		t.Fatalf("portal defaults: link %s, session %s, public URL %q", c.PortalLinkTTL, c.PortalSessionTTL, c.PublicURL)
	}
	c, err = Load([]string{"--portal-link-ttl", "2m", "--public-url", "https://hooks.example.com/lms/"},
		env(map[string]string{"LMSHOOKS_PORTAL_SESSION_TTL": "3h", "LMSHOOKS_PUBLIC_URL": "http://ignored.example", "LMSHOOKS_PORTAL_LINK_TTL": "1m"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.PortalLinkTTL != 2*time.Minute || c.PortalSessionTTL != 3*time.Hour || c.PublicURL != "https://hooks.example.com/lms/" {
		t.Fatalf("portal settings: link %s, session %s, public URL %q", c.PortalLinkTTL, c.PortalSessionTTL, c.PublicURL)
	}
	if c, err := Load(nil, env(map[string]string{"LMSHOOKS_PUBLIC_URL": "http://127.0.0.1:8080"}), io.Discard); err != nil || c.PublicURL != "http://127.0.0.1:8080" {
		t.Fatalf("public URL from the environment: %q, %v", c.PublicURL, err)
	}
}

func TestPortalSettingErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--portal-link-ttl", "25h"}, "--portal-link-ttl must be between 1s and 24h"},
		{[]string{"--portal-link-ttl", "0s"}, "--portal-link-ttl"},
		{[]string{"--portal-session-ttl", "30s"}, "--portal-session-ttl must be between 1m and 24h"},
		{[]string{"--public-url", "hooks.example.com"}, "must be an absolute http:// or https:// URL"},
		{[]string{"--public-url", "/hooks"}, "must be an absolute http:// or https:// URL"},
		{[]string{"--public-url", "ftp://hooks.example.com"}, "must be an absolute http:// or https:// URL"},
		{[]string{"--public-url", "https://"}, "must name a host"},
		{[]string{"--public-url", "https://:8080/"}, "must name a host"},
		{[]string{"--public-url", "https://user:pw@hooks.example.com"}, "must not hold credentials"},
		{[]string{"--public-url", "https://hooks.example.com/?a=b"}, "must not have a query"},
		{[]string{"--public-url", "https://hooks.example.com/?"}, "must not have a query"},
		{[]string{"--public-url", "https://hooks.example.com/#top"}, "must not have a fragment"},
		{[]string{"--public-url", "https://hooks.example.com/#"}, "must not have a fragment"},
		{[]string{"--public-url", "https://hooks example.com"}, "is not a URL"},
	} {
		_, err := Load(tc.args, env(nil), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%v) error = %v, want %q", tc.args, err, tc.want)
		}
	}
	_, err := Load(nil, env(map[string]string{"LMSHOOKS_PUBLIC_URL": "https://hooks.example.com?x"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--public-url") {
		t.Errorf("bad LMSHOOKS_PUBLIC_URL: %v", err)
	}
}

func TestAutoDisableAfter(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil || c.AutoDisableAfter != 5*24*time.Hour {
		t.Fatalf("default = %v, %v; want 5 days", c.AutoDisableAfter, err)
	}
	c, err = Load(nil, env(map[string]string{"LMSHOOKS_AUTO_DISABLE_AFTER": "0"}), io.Discard)
	if err != nil || c.AutoDisableAfter != 0 {
		t.Fatalf("env 0 = %v, %v; want never", c.AutoDisableAfter, err)
	}
	c, err = Load([]string{"--auto-disable-after", "36h"}, env(map[string]string{"LMSHOOKS_AUTO_DISABLE_AFTER": "0"}), io.Discard)
	if err != nil || c.AutoDisableAfter != 36*time.Hour {
		t.Fatalf("flag = %v, %v; want 36h", c.AutoDisableAfter, err)
	}
	if _, err := Load([]string{"--auto-disable-after", "-1h"}, env(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "auto-disable-after") {
		t.Fatalf("negative period: err = %v, want one naming --auto-disable-after", err)
	}
}

func TestEgressProxy(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil || c.EgressProxy != nil || c.EgressProxyRedacted() != "" {
		t.Fatalf("default: proxy %v, %q, %v; want none", c.EgressProxy, c.EgressProxyRedacted(), err)
	}
	c, err = Load(nil, env(map[string]string{"LMSHOOKS_EGRESS_PROXY": "http://egress:p%40ss@proxy.internal:3128/"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if pw, _ := c.EgressProxy.User.Password(); c.EgressProxy.Host != "proxy.internal:3128" || c.EgressProxy.User.Username() != "egress" || pw != "p@ss" {
		t.Fatalf("EgressProxy = %#v", c.EgressProxy)
	}
	if got := c.EgressProxyRedacted(); got != "http://egress:***@proxy.internal:3128" {
		t.Fatalf("redacted = %q", got)
	}
	// The flag wins over the environment.
	c, err = Load([]string{"--egress-proxy", "http://10.0.0.7:8888"}, env(map[string]string{"LMSHOOKS_EGRESS_PROXY": "http://a:b@proxy.internal:3128"}), io.Discard)
	if err != nil || c.EgressProxyRedacted() != "http://10.0.0.7:8888" || c.EgressProxy.User != nil {
		t.Fatalf("flag over env: %q, %v", c.EgressProxyRedacted(), err)
	}
	c, err = Load([]string{"--egress-proxy", "http://[fd00::7]:3128"}, env(nil), io.Discard)
	if err != nil || c.EgressProxy.Host != "[fd00::7]:3128" {
		t.Fatalf("IPv6 proxy: %v, %v", c.EgressProxy, err)
	}
}

// A refused proxy says what is wrong and where, without the password,
// whether it came from a flag or the environment; -h never shows one.
func TestEgressProxyErrorsHideThePassword(t *testing.T) {
	for raw, want := range map[string]string{
		"https://u:hunter2@proxy.internal:3128":  "https://u:***@proxy.internal:3128: the proxy must be reached over http://",
		"socks5://u:hunter2@proxy.internal:1080": "socks5://u:***@proxy.internal:1080: the proxy must be reached over http://",
		"http://u:hunter2@proxy.internal":        "http://u:***@proxy.internal needs a port from 1 to 65535",
		"http://u:hunter2@proxy.internal:99999":  "http://u:***@proxy.internal:99999 needs a port",
		"http://u:hunter2@:3128":                 "http://u:***@:3128 has no host",
		"http://u:hunter2@proxy.internal:3128/x": "http://u:***@proxy.internal:3128 has a path, query or fragment",
		"http://u:hunter2@proxy.internal:3128?a": "has a path, query or fragment",
		"http://:hunter2@proxy.internal:3128":    "http://:***@proxy.internal:3128 has a password but no user",
		"http://u:hunter2@proxy internal:3128":   "http://***@proxy internal:3128 is not a URL",
		"proxy.internal:3128":                    "the proxy must be reached over http://",
	} {
		for _, src := range []struct {
			args []string
			env  map[string]string
			name string
		}{
			{[]string{"--egress-proxy", raw}, nil, "--egress-proxy: "},
			{nil, map[string]string{"LMSHOOKS_EGRESS_PROXY": raw}, "LMSHOOKS_EGRESS_PROXY: "},
		} {
			var stderr strings.Builder
			_, err := Load(src.args, env(src.env), &stderr)
			if err == nil || !strings.HasPrefix(err.Error(), src.name) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s %q: error = %v, want %s…%s", src.name, raw, err, src.name, want)
				continue
			}
			if strings.Contains(err.Error()+stderr.String(), "hunter2") {
				t.Errorf("%s %q: the password shows: %v %s", src.name, raw, err, stderr.String())
			}
		}
	}
	var usage strings.Builder
	LoadFor("serve", []string{"-h"}, env(map[string]string{"LMSHOOKS_EGRESS_PROXY": "http://u:hunter2@proxy.internal:3128"}), &usage)
	if !strings.Contains(usage.String(), "-egress-proxy") || strings.Contains(usage.String(), "hunter2") {
		t.Fatalf("usage = %s", usage.String())
	}
}

func TestEncryptionKeys(t *testing.T) {
	k2, k1 := secretbox.GenerateKey("k2"), secretbox.GenerateKey("k1")
	c, err := Load(nil, env(map[string]string{"LMSHOOKS_ENCRYPTION_KEYS": secretbox.Format([]secretbox.Key{k2, k1})}), io.Discard)
	if err != nil || len(c.EncryptionKeys) != 2 || c.EncryptionKeys[0].ID != "k2" {
		t.Fatalf("Load = %v, %v", c.EncryptionKeys, err)
	}
	bad := "k1:" + base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	_, err = Load(nil, env(map[string]string{"LMSHOOKS_ENCRYPTION_KEYS": bad}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "LMSHOOKS_ENCRYPTION_KEYS") || !strings.Contains(err.Error(), "32 bytes") || strings.Contains(err.Error(), bad[3:]) {
		t.Errorf("a short key: %v", err)
	}
}

func TestOperatorTenant(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil || c.OperatorTenant != "" {
		t.Fatalf("default = %q, %v; want none", c.OperatorTenant, err)
	}
	c, err = Load(nil, env(map[string]string{"LMSHOOKS_OPERATOR_TENANT": "lms-ops"}), io.Discard)
	if err != nil || c.OperatorTenant != "lms-ops" {
		t.Fatalf("env = %q, %v; want lms-ops", c.OperatorTenant, err)
	}
	c, err = Load([]string{"--operator-tenant", "ops2"}, env(map[string]string{"LMSHOOKS_OPERATOR_TENANT": "lms-ops"}), io.Discard)
	if err != nil || c.OperatorTenant != "ops2" {
		t.Fatalf("flag = %q, %v; want the flag's ops2", c.OperatorTenant, err)
	}
}
