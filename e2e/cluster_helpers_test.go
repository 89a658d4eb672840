package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
	"github.com/lmshooks/lmshooks/internal/testsupport/syncbuf"
)

// clusterDSN returns the test PostgreSQL's DSN, skipping the test when
// LMSHOOKS_TEST_POSTGRES is unset or -short is given.
func clusterDSN(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs several lmshooks processes")
	}
	dsn := os.Getenv("LMSHOOKS_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("LMSHOOKS_TEST_POSTGRES is not set")
	}
	return dsn
}

// withSchema returns dsn with its search_path set to a fresh schema, which
// is dropped when the test ends (after the nodes, registered later, stop).
func withSchema(t *testing.T, dsn string) string { return pgtest.WithSchema(t, dsn, "e2e_") }

// node is one lmshooks process of a cluster.
type node struct {
	*child
	id string
}

// startNode starts lmshooks serve on dsn with the given role and node id,
// and waits until it is ready. Its output is logged if the test fails.
func startNode(t *testing.T, bin, dsn, role, id string, extra ...string) *node {
	t.Helper()
	addr := freePort(t)
	args := append([]string{"serve", "--addr", addr, "--db", dsn, "--role", role, "--node-id", id,
		"--allow-private-targets", "--log-level", "warn", "--shutdown-timeout", "10s"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LMSHOOKS_API_KEY="+operatorKey, "LMSHOOKS_ENCRYPTION_KEYS="+pgtest.EncryptionKeys)
	out := &syncbuf.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr
	n := &node{child: &child{cmd: cmd, base: base, api: newClient(base, operatorKey)}, id: id}
	t.Cleanup(func() {
		if n.cmd.ProcessState == nil {
			_ = n.cmd.Process.Kill()
			_ = n.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("node %s output (last 4 KiB):\n%s", id, tail(out.String(), 4096))
		}
	})
	eventually(t, 30*time.Second, "node "+id+" to be ready", func() bool {
		resp, err := http.Get(n.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return n
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// stop ends a node gracefully (SIGTERM) and fails the test if it does not
// exit cleanly.
func (n *node) stop(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("interrupt node %s: %v", n.id, err)
	}
	if err := n.cmd.Wait(); err != nil {
		t.Fatalf("node %s did not stop cleanly: %v", n.id, err)
	}
}

// createAcme creates the tenant acme through the API at base, with a
// webhook of every event type to each receiver, which then verifies
// signatures with that webhook's secret.
func createAcme(t *testing.T, base string, recvs ...*receiver) {
	t.Helper()
	c := newClient(base, operatorKey)
	if _, err := c.CreateTenant(t.Context(), client.TenantRequest{ID: "acme", Name: "Acme"}); err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	for i, rc := range recvs {
		w, err := c.CreateWebhook(t.Context(), "acme", client.WebhookRequest{Name: fmt.Sprint("hris ", i), URL: rc.URL, EventTypes: []string{"*"}})
		if err != nil {
			t.Fatalf("create webhook: %v", err)
		}
		rc.setSecret(w.Secret)
	}
}

// publishBatch publishes events as one batch through c and returns the
// answer's status and the accepted ids (status 202 only); the status is 0
// and the error set when no answer came.
func publishBatch(ctx context.Context, c *client.Client, tenant string, events []client.PublishRequest) (int, []string, error) {
	items, err := c.PublishBatch(ctx, tenant, events)
	var refused *client.Error
	switch {
	case errors.As(err, &refused):
		return refused.Status, nil, nil
	case err != nil:
		return 0, nil, err
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return http.StatusAccepted, ids, nil
}

// events returns n small events numbered from seq.
func events(seq, n int) []client.PublishRequest {
	evs := make([]client.PublishRequest, n)
	for i := range evs {
		evs[i] = client.PublishRequest{Type: "user.created", Data: map[string]any{"id": fmt.Sprintf("u_%d", seq+i), "seq": seq + i}}
	}
	return evs
}

// queryInts runs a query answering rows of (text, bigint) on dsn.
func queryInts(t *testing.T, dsn, sql string, args ...any) map[string]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	out := map[string]int64{}
	var k *string
	var v int64
	_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error {
		key := ""
		if k != nil {
			key = *k
		}
		out[key] = v
		return nil
	})
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	return out
}

// missing returns the accepted event ids that rc has not received.
func missing(rc *receiver, accepted map[string]bool) []string {
	got, _ := rc.snapshot()
	seen := make(map[string]bool, len(got))
	for _, r := range got {
		seen[r.EventID] = true
	}
	var out []string
	for id := range accepted {
		if !seen[id] {
			out = append(out, id)
		}
	}
	return out
}

// awaitDelivered waits until every accepted event has reached rc. On
// timeout it fails the test with what the database says of the deliveries
// of the events still missing, so that a stuck delivery can be told from a
// slow one.
func awaitDelivered(t *testing.T, dsn string, rc *receiver, accepted map[string]bool, timeout time.Duration) {
	t.Helper()
	var gone []string
	if poll.Until(timeout, func() bool { gone = missing(rc, accepted); return len(gone) == 0 }) {
		return
	}
	states := queryInts(t, dsn, `SELECT format('state=%s owner=%s lease_expired=%s attempts=%s',
			state, coalesce(lease_owner, '-'), coalesce((lease_until <= now())::text, '-'), attempts), count(*)
		FROM deliveries WHERE event_id = ANY($1) GROUP BY 1`, gone)
	t.Fatalf("after %s, %d accepted events never reached the receiver; their deliveries: %v", timeout, len(gone), states)
}

// privatePostgres is a PostgreSQL server of the test's own, in a temporary
// data directory on a free port, so that stopping it disturbs no other
// test running against the shared server at the same time.
type privatePostgres struct {
	dir, bin, port string
	asUser         []string // command prefix to run as the postgres user
}

// startPrivatePostgres initialises and starts a private server, or skips
// the test when PostgreSQL's programs are not installed.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		t.Skip("PostgreSQL server programs (initdb) are not installed")
	}
	p := &privatePostgres{bin: filepath.Dir(matches[len(matches)-1])}
	dir, err := os.MkdirTemp("", "lmshooks-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	p.port = strings.TrimPrefix(freePort(t), "127.0.0.1:")
	p.run(t, "initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
	p.start(t)
	t.Cleanup(func() { p.pgctl("stop", "-m", "immediate") })
	return p
}

func (p *privatePostgres) command(prog string, args ...string) *exec.Cmd {
	full := append(append([]string{}, p.asUser...), append([]string{filepath.Join(p.bin, prog)}, args...)...)
	return exec.Command(full[0], full[1:]...)
}

func (p *privatePostgres) run(t *testing.T, prog string, args ...string) {
	t.Helper()
	if out, err := p.command(prog, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", prog, err, out)
	}
}

func (p *privatePostgres) pgctl(args ...string) ([]byte, error) {
	full := append([]string{"-D", filepath.Join(p.dir, "data"), "-w", "-t", "60"}, args...)
	return p.command("pg_ctl", full...).CombinedOutput()
}

// start starts the server and waits until it accepts connections.
func (p *privatePostgres) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c max_connections=100", p.port, p.dir)
	if out, err := p.pgctl("start", "-l", filepath.Join(p.dir, "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// stop stops the server at once (fast shutdown: sessions are ended).
func (p *privatePostgres) stop(t *testing.T) {
	t.Helper()
	if out, err := p.pgctl("stop", "-m", "fast"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// dsn is the server's URL for the postgres database.
func (p *privatePostgres) dsn() string {
	return "postgres://postgres@127.0.0.1:" + p.port + "/postgres?sslmode=disable&connect_timeout=5"
}
