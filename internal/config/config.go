// Package config parses lmshooks' server settings once, from environment
// variables and then command-line flags (flags win), into a typed struct
// that is passed down explicitly. Nothing reads configuration globally.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/secretbox"
)

// Roles a node can take.
const (
	RoleAll        = "all"
	RoleAPI        = "api"
	RoleDispatcher = "dispatcher"
)

// Config is the server's configuration. Each field's flag and environment
// variable are listed in Usage.
type Config struct {
	// Addr is the HTTP listen address (default 127.0.0.1:8080).
	Addr string
	// DB selects the store: "sqlite:<path>" (or a bare path) or a
	// "postgres://" URL (default sqlite:./lmshooks.db).
	DB string
	// APIKey, when set, becomes the operator key; otherwise one is
	// generated on first start and printed once. Secret.
	APIKey string
	// Role is all, api or dispatcher (default all).
	Role string
	// AllowPrivateTargets lets webhooks reach private, loopback and
	// link-local addresses (development and tests only).
	AllowPrivateTargets bool
	// MaxBodyBytes bounds API request bodies (default 256 KiB).
	MaxBodyBytes int64
	// MaxBatchBodyBytes bounds the body of a batch publish, up to 1,000
	// events (default 16 MiB); each event in it stays within MaxBodyBytes.
	MaxBatchBodyBytes int64
	// MemoryBudget bounds, in bytes, the deliveries a node's dispatcher
	// holds in memory, those handed over by ingest included (default
	// 64 MiB); past it, work waits in the store.
	MemoryBudget int64
	// ShutdownTimeout bounds a graceful stop, the drain of attempts in
	// flight included (default 30s).
	ShutdownTimeout time.Duration
	// LeaseFor is how long claimed work stays reserved to a node without
	// renewal (default 60s).
	LeaseFor time.Duration
	// PollInterval is how often due work is looked for (default 1s).
	PollInterval time.Duration
	// RotationOverlap is how long a rotated-out secret keeps signing
	// (default 24h).
	RotationOverlap time.Duration
	// NodeID names this node in leases (default host-pid).
	NodeID string
	// LogLevel is debug, info, warn or error (default info).
	LogLevel string
	// LogFormat is text or json (default text).
	LogFormat string
	// AdminPassword is the operator's console password; generated and
	// printed once on first start when empty (only its hash is stored).
	// Secret.
	AdminPassword string
	// PortalOrigins lists the origins allowed to embed tenant portal pages
	// in a frame (Content-Security-Policy frame-ancestors).
	PortalOrigins []string
	// PortalLinkTTL is how long a portal link may be opened when its
	// request does not say (default 15m, at most 24h).
	PortalLinkTTL time.Duration
	// PortalSessionTTL is how long the console session a portal link
	// opens lasts (default 1h).
	PortalSessionTTL time.Duration
	// PublicURL is where users reach this server, e.g.
	// https://hooks.example.com: the base of every absolute URL it hands
	// out (portal links). Without it, such URLs are made only for requests
	// from loopback, from their Host header.
	PublicURL string
	// SecureCookies marks console cookies Secure (default true; turn off
	// only for plain-HTTP development on loopback).
	SecureCookies bool
	// RetentionDays is how long events, deliveries and attempts are kept
	// (default 30; a tenant may override it).
	RetentionDays int
	// AutoDisableAfter is how long a webhook's attempts may all fail
	// before lmshooks disables it (default 5 days; 0 never; a tenant may
	// override it).
	AutoDisableAfter time.Duration
	// OperatorTenant, when set, is the tenant that also receives a copy
	// of every other tenant's operational events (webhook.failing, …), so
	// that the operator can subscribe one webhook to all of them.
	OperatorTenant string
	// DebugAddr, when set, serves Go's pprof profiles on this address
	// (keep it on loopback).
	DebugAddr string
	// EgressProxy, when set, is the HTTP proxy every delivery goes through
	// in CONNECT tunnels, so that deliveries leave from its IP:
	// http://[user:password@]host:port. Its password is a secret: log
	// EgressProxyRedacted instead.
	EgressProxy *url.URL
	// EncryptionKeys seal the secrets stored in the database, newest
	// first (LMSHOOKS_ENCRYPTION_KEYS, "id:base64key,…"); see
	// docs/OPERATIONS.md. None on SQLite means a key file beside the
	// database. Secret: environment only, never a flag.
	EncryptionKeys []secretbox.Key

	// egressProxyErr is a refused --egress-proxy, reported by Validate:
	// returned from the flag's parser, the flag package would print the
	// value given, password included.
	egressProxyErr error
}

// MinMemoryBudget is the smallest --memory-budget: room for a few of the
// largest events.
const MinMemoryBudget = 4 << 20

// Default returns the defaults.
func Default() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DB:                "sqlite:./lmshooks.db",
		Role:              RoleAll,
		MaxBodyBytes:      256 << 10,
		MaxBatchBodyBytes: 16 << 20,
		MemoryBudget:      64 << 20,
		ShutdownTimeout:   30 * time.Second,
		LeaseFor:          60 * time.Second,
		PollInterval:      time.Second,
		RotationOverlap:   24 * time.Hour,
		LogLevel:          "info",
		LogFormat:         "text",
		SecureCookies:     true,
		RetentionDays:     30,
		AutoDisableAfter:  5 * 24 * time.Hour,
		PortalLinkTTL:     15 * time.Minute,
		PortalSessionTTL:  time.Hour,
	}
}

// Load parses env (a getenv function) and then args for the serve command.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	return LoadFor("serve", args, getenv, stderr)
}

// LoadFor is Load for another command that takes serve's settings (migrate,
// reset-console-password), named in its usage message.
func LoadFor(command string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	c := Default()
	if err := c.fromEnv(getenv); err != nil {
		return c, err
	}
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.NodeID == "" {
		host, _ := os.Hostname()
		c.NodeID = fmt.Sprintf("%s-%d", cmpOr(host, "node"), os.Getpid())
	}
	return c, c.Validate()
}

// Flags registers the serve flags on fs, with c's values as defaults.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address (env LMSHOOKS_ADDR)")
	fs.StringVar(&c.DB, "db", c.DB, "database: sqlite:<path> or postgres://… URL (env LMSHOOKS_DB)")
	fs.StringVar(&c.Role, "role", c.Role, "node role: all, api or dispatcher (env LMSHOOKS_ROLE)")
	fs.BoolVar(&c.AllowPrivateTargets, "allow-private-targets", c.AllowPrivateTargets, "allow webhooks to private, loopback and link-local addresses, for development (env LMSHOOKS_ALLOW_PRIVATE_TARGETS)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest API request body (env LMSHOOKS_MAX_BODY_BYTES)")
	fs.Int64Var(&c.MaxBatchBodyBytes, "max-batch-body-bytes", c.MaxBatchBodyBytes, "largest batch publish body (env LMSHOOKS_MAX_BATCH_BODY_BYTES)")
	fs.Var(sizeFlag{&c.MemoryBudget}, "memory-budget", "memory for deliveries waiting to be sent, like 64MiB; the rest waits in the database (env LMSHOOKS_MEMORY_BUDGET)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long a graceful stop may take, attempts in flight included (env LMSHOOKS_SHUTDOWN_TIMEOUT)")
	fs.DurationVar(&c.LeaseFor, "lease", c.LeaseFor, "how long claimed work stays reserved to a node without renewal (env LMSHOOKS_LEASE)")
	fs.DurationVar(&c.PollInterval, "poll-interval", c.PollInterval, "how often to look for due retries (env LMSHOOKS_POLL_INTERVAL)")
	fs.DurationVar(&c.RotationOverlap, "rotation-overlap", c.RotationOverlap, "how long a rotated-out signing secret keeps signing (env LMSHOOKS_ROTATION_OVERLAP)")
	fs.StringVar(&c.NodeID, "node-id", c.NodeID, "this node's name in leases (env LMSHOOKS_NODE_ID; default host-pid)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env LMSHOOKS_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (env LMSHOOKS_LOG_FORMAT)")
	fs.Func("portal-origins", "comma-separated origins allowed to embed the tenant portal, e.g. https://lms.example.com (env LMSHOOKS_PORTAL_ORIGINS)", func(v string) error {
		c.PortalOrigins = splitList(v)
		return nil
	})
	fs.DurationVar(&c.PortalLinkTTL, "portal-link-ttl", c.PortalLinkTTL, "how long a portal link may be opened, unless its request says (env LMSHOOKS_PORTAL_LINK_TTL)")
	fs.DurationVar(&c.PortalSessionTTL, "portal-session-ttl", c.PortalSessionTTL, "how long the console session a portal link opens lasts (env LMSHOOKS_PORTAL_SESSION_TTL)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "where users reach this server, e.g. https://hooks.example.com: the base of the links it hands out (env LMSHOOKS_PUBLIC_URL)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "mark console cookies Secure; turn off only for plain-HTTP development (env LMSHOOKS_SECURE_COOKIES)")
	fs.IntVar(&c.RetentionDays, "retention-days", c.RetentionDays, "days to keep events, deliveries and attempts (env LMSHOOKS_RETENTION_DAYS)")
	fs.StringVar(&c.OperatorTenant, "operator-tenant", c.OperatorTenant, "a tenant that also receives a copy of every tenant's operational events (env LMSHOOKS_OPERATOR_TENANT)")
	fs.DurationVar(&c.AutoDisableAfter, "auto-disable-after", c.AutoDisableAfter, "disable a webhook whose attempts have all failed this long, e.g. 120h; 0 never (env LMSHOOKS_AUTO_DISABLE_AFTER)")
	fs.StringVar(&c.DebugAddr, "debug-addr", c.DebugAddr, "serve pprof profiles on this address, e.g. 127.0.0.1:6060 (env LMSHOOKS_DEBUG_ADDR)")
	// A Func flag shows no default, so -h never prints a password set in
	// the environment.
	fs.Func("egress-proxy", "send every delivery through this HTTP proxy (CONNECT tunnels), for static egress IPs: http://[user:password@]host:port (env LMSHOOKS_EGRESS_PROXY)", func(v string) error {
		c.EgressProxy, c.egressProxyErr = nil, nil
		if u, err := parseEgressProxy(v); err != nil {
			c.egressProxyErr = fmt.Errorf("--egress-proxy: %w", err)
		} else {
			c.EgressProxy = u
		}
		return nil
	})
}

func (c *Config) fromEnv(getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	var errs []error
	dur := func(name string, dst *time.Duration) {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration like 30s", name, v))
				return
			}
			*dst = d
		}
	}
	byteCount := func(name string, dst *int64) {
		if v := getenv(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a number of bytes", name, v))
			}
			*dst = n
		}
	}
	str("LMSHOOKS_ADDR", &c.Addr)
	str("LMSHOOKS_DB", &c.DB)
	str("LMSHOOKS_API_KEY", &c.APIKey)
	str("LMSHOOKS_ROLE", &c.Role)
	str("LMSHOOKS_NODE_ID", &c.NodeID)
	str("LMSHOOKS_OPERATOR_TENANT", &c.OperatorTenant)
	str("LMSHOOKS_LOG_LEVEL", &c.LogLevel)
	str("LMSHOOKS_LOG_FORMAT", &c.LogFormat)
	str("LMSHOOKS_DEBUG_ADDR", &c.DebugAddr)
	str("LMSHOOKS_ADMIN_PASSWORD", &c.AdminPassword)
	str("LMSHOOKS_PUBLIC_URL", &c.PublicURL)
	if v := getenv("LMSHOOKS_PORTAL_ORIGINS"); v != "" {
		c.PortalOrigins = splitList(v)
	}
	if v := getenv("LMSHOOKS_SECURE_COOKIES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("LMSHOOKS_SECURE_COOKIES: %q is not true or false", v))
		}
		c.SecureCookies = b
	}
	if v := getenv("LMSHOOKS_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("LMSHOOKS_RETENTION_DAYS: %q is not a number of days", v))
		}
		c.RetentionDays = n
	}
	if v := getenv("LMSHOOKS_ALLOW_PRIVATE_TARGETS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("LMSHOOKS_ALLOW_PRIVATE_TARGETS: %q is not true or false", v))
		}
		c.AllowPrivateTargets = b
	}
	if v := getenv("LMSHOOKS_EGRESS_PROXY"); v != "" {
		u, err := parseEgressProxy(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("LMSHOOKS_EGRESS_PROXY: %w", err))
		}
		c.EgressProxy = u
	}
	if v := getenv("LMSHOOKS_ENCRYPTION_KEYS"); v != "" {
		keys, err := secretbox.ParseKeys(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("LMSHOOKS_ENCRYPTION_KEYS: %w", err))
		}
		c.EncryptionKeys = keys
	}
	byteCount("LMSHOOKS_MAX_BODY_BYTES", &c.MaxBodyBytes)
	byteCount("LMSHOOKS_MAX_BATCH_BODY_BYTES", &c.MaxBatchBodyBytes)
	if v := getenv("LMSHOOKS_MEMORY_BUDGET"); v != "" {
		n, err := ParseSize(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("LMSHOOKS_MEMORY_BUDGET: %w", err))
		}
		c.MemoryBudget = n
	}
	dur("LMSHOOKS_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	dur("LMSHOOKS_LEASE", &c.LeaseFor)
	dur("LMSHOOKS_POLL_INTERVAL", &c.PollInterval)
	dur("LMSHOOKS_AUTO_DISABLE_AFTER", &c.AutoDisableAfter)
	dur("LMSHOOKS_ROTATION_OVERLAP", &c.RotationOverlap)
	dur("LMSHOOKS_PORTAL_LINK_TTL", &c.PortalLinkTTL)
	dur("LMSHOOKS_PORTAL_SESSION_TTL", &c.PortalSessionTTL)
	return errors.Join(errs...)
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.egressProxyErr != nil {
		return c.egressProxyErr
	}
	switch c.Role {
	case RoleAll, RoleAPI, RoleDispatcher:
	default:
		return fmt.Errorf("--role must be all, api or dispatcher, not %q", c.Role)
	}
	if _, _, err := c.Store(); err != nil {
		return err
	}
	if c.MaxBodyBytes < 1024 {
		return fmt.Errorf("--max-body-bytes must be at least 1024")
	}
	if c.MaxBatchBodyBytes < c.MaxBodyBytes {
		return fmt.Errorf("--max-batch-body-bytes must be at least --max-body-bytes (%d)", c.MaxBodyBytes)
	}
	if c.MemoryBudget < MinMemoryBudget {
		return fmt.Errorf("--memory-budget must be at least %s", FormatSize(MinMemoryBudget))
	}
	if c.LeaseFor < time.Second {
		return fmt.Errorf("--lease must be at least 1s")
	}
	if c.PollInterval <= 0 {
		return fmt.Errorf("--poll-interval must be positive")
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("--shutdown-timeout must be positive")
	}
	if c.AutoDisableAfter < 0 {
		return fmt.Errorf("--auto-disable-after must be 0 (never) or positive")
	}
	if c.RetentionDays < 1 || c.RetentionDays > 3650 {
		return fmt.Errorf("--retention-days must be between 1 and 3650")
	}
	if c.AdminPassword != "" && len(c.AdminPassword) < 12 {
		return fmt.Errorf("LMSHOOKS_ADMIN_PASSWORD must be at least 12 characters")
	}
	if _, err := c.Level(); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json")
	}
	if c.APIKey != "" && len(c.APIKey) < 16 {
		return fmt.Errorf("LMSHOOKS_API_KEY must be at least 16 characters")
	}
	if c.PortalLinkTTL < time.Second || c.PortalLinkTTL > 24*time.Hour {
		return fmt.Errorf("--portal-link-ttl must be between 1s and 24h")
	}
	if c.PortalSessionTTL < time.Minute || c.PortalSessionTTL > 24*time.Hour {
		return fmt.Errorf("--portal-session-ttl must be between 1m and 24h")
	}
	if c.PublicURL != "" {
		if err := checkPublicURL(c.PublicURL); err != nil {
			return fmt.Errorf("--public-url %q %w", c.PublicURL, err)
		}
	}
	return nil
}

// checkPublicURL checks a public base URL: an absolute http or https URL,
// naming a host and perhaps a path prefix, without credentials, query or
// fragment, since paths are appended to it as they are.
func checkPublicURL(v string) error {
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return errors.New("is not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an absolute http:// or https:// URL")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("must name a host, like https://hooks.example.com")
	case u.User != nil:
		return errors.New("must not hold credentials")
	case u.RawQuery != "" || u.ForceQuery:
		return errors.New("must not have a query")
	case u.Fragment != "" || strings.Contains(v, "#"):
		return errors.New("must not have a fragment")
	}
	return nil
}

// Store returns the kind of store ("sqlite" or "postgres") and its path or
// URL.
func (c *Config) Store() (kind, dsn string, err error) {
	switch {
	case strings.HasPrefix(c.DB, "postgres://"), strings.HasPrefix(c.DB, "postgresql://"):
		return "postgres", c.DB, nil
	case strings.HasPrefix(c.DB, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(c.DB, "sqlite:"), "//")
		if p == "" {
			return "", "", fmt.Errorf("--db sqlite: needs a file path, like sqlite:./lmshooks.db")
		}
		return "sqlite", p, nil
	case strings.Contains(c.DB, "://"):
		return "", "", fmt.Errorf("--db %q: use sqlite:<path> or a postgres:// URL", redactURL(c.DB))
	case c.DB == "":
		return "", "", fmt.Errorf("--db is required")
	default:
		return "sqlite", c.DB, nil
	}
}

// Level returns the slog level.
func (c *Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return l, fmt.Errorf("--log-level must be debug, info, warn or error")
	}
	return l, nil
}

// redactURL hides a password in a URL so it can be shown in errors.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		if j := strings.LastIndex(s, "@"); j > i {
			return s[:i+3] + "***" + s[j:]
		}
	}
	return s
}

// Redacted returns the DB setting with any password hidden, for logs.
func (c *Config) Redacted() string { return redactURL(c.DB) }

// parseEgressProxy parses an egress proxy setting. Its errors show the
// URL with the password hidden, never the text given.
func parseEgressProxy(raw string) (*url.URL, error) {
	const like = "http://[user:password@]host:port, like http://proxy.internal:3128"
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes raw, password included.
		return nil, fmt.Errorf("%s is not a URL: want %s", redactURL(raw), like)
	}
	shown := redactProxy(u)
	switch {
	case u.Scheme != "http":
		return nil, fmt.Errorf("%s: the proxy must be reached over http:// (TLS to receivers still runs end to end inside its tunnels): want %s", shown, like)
	case u.Opaque != "" || u.Hostname() == "":
		return nil, fmt.Errorf("%s has no host: want %s", shown, like)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("%s has a path, query or fragment: want %s", shown, like)
	case u.User != nil && u.User.Username() == "":
		return nil, fmt.Errorf("%s has a password but no user: want %s", shown, like)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("%s needs a port from 1 to 65535: want %s", shown, like)
	}
	return &url.URL{Scheme: "http", User: u.User, Host: u.Host}, nil
}

// redactProxy shows a proxy URL with its password as ***.
func redactProxy(u *url.URL) string {
	if u == nil {
		return ""
	}
	if _, ok := u.User.Password(); ok {
		// Built by hand: url.URL.String would escape the asterisks.
		return u.Scheme + "://" + u.User.Username() + ":***@" + u.Host
	}
	return u.String()
}

// EgressProxyRedacted returns the egress proxy with its password hidden
// (http://user:***@host:port), for logs; "" when there is none.
func (c *Config) EgressProxyRedacted() string { return redactProxy(c.EgressProxy) }

// splitList splits a comma-separated list, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
