package e2e

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
)

// buildBinary compiles cmd/lmshooks once per test run.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lmshooks-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "lmshooks")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/lmshooks").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// child is lmshooks running as a separate process.
type child struct {
	cmd  *exec.Cmd
	base string
	api  *client.Client // with the operator key
	log  *bytes.Buffer
}

// startChild starts the binary on SQLite file db, with extra flags, and
// waits until it is ready.
func startChild(t *testing.T, bin, addr, db string, extra ...string) *child {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--db", "sqlite:" + db, "--allow-private-targets",
		"--poll-interval", "50ms", "--lease", "5s", "--log-level", "warn"}, extra...)...)
	cmd.Env = append(os.Environ(), "LMSHOOKS_API_KEY="+operatorKey)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr
	c := &child{cmd: cmd, base: base, api: newClient(base, operatorKey), log: &buf}
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
	})
	eventually(t, 30*time.Second, "the child server to be ready", func() bool {
		resp, err := http.Get(c.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return c
}

// TestCrashLosesNoAcceptedEvent SIGKILLs the server while deliveries are in
// flight, restarts it on the same database, and checks that every event
// answered 202 reaches every webhook (at least once).
func TestCrashLosesNoAcceptedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "crash.db")
	addr := freePort(t)
	c := startChild(t, bin, addr, db)

	// Receivers that take a moment to answer, so that deliveries are in
	// flight when the kill comes: the delay is the condition under test,
	// not a wait.
	slow := func(int, *http.Request) int { time.Sleep(time.Millisecond); return 200 }
	recvs := []*receiver{newReceiver(t, slow), newReceiver(t, slow)}
	createAcme(t, c.base, recvs...)

	var mu sync.Mutex
	accepted := map[string]bool{}
	publish := func(c *child, seq int) error {
		status, ids, err := publishBatch(t.Context(), c.api, "acme", events(seq*20, 20))
		if err != nil {
			return err
		}
		if status != http.StatusAccepted {
			return fmt.Errorf("status %d", status)
		}
		mu.Lock()
		for _, id := range ids {
			accepted[id] = true
		}
		mu.Unlock()
		return nil
	}

	// Publish continuously until the kill makes publishing fail.
	done := make(chan int)
	go func() {
		seq := 0
		for ; seq < 500; seq++ {
			if publish(c, seq) != nil {
				break
			}
		}
		done <- seq
	}()
	eventually(t, 60*time.Second, "deliveries to be flowing", func() bool { return recvs[0].count() >= 400 })
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	seq := <-done
	mu.Lock()
	beforeCrash := len(accepted)
	mu.Unlock()
	t.Logf("killed the server after %d accepted events; receiver 0 had %d deliveries", beforeCrash, recvs[0].count())

	c2 := startChild(t, bin, addr, db)
	for i := 0; i < 5; i++ {
		if err := publish(c2, seq+1+i); err != nil {
			t.Fatalf("publish after restart: %v", err)
		}
	}
	mu.Lock()
	want := make([]string, 0, len(accepted))
	for id := range accepted {
		want = append(want, id)
	}
	mu.Unlock()

	for i, rc := range recvs {
		eventually(t, 60*time.Second, fmt.Sprintf("receiver %d to get every accepted event", i), func() bool {
			got, _ := rc.snapshot()
			seen := make(map[string]bool, len(got))
			for _, r := range got {
				seen[r.EventID] = true
			}
			for _, id := range want {
				if !seen[id] {
					return false
				}
			}
			return true
		})
		got, bad := rc.snapshot()
		if len(bad) > 0 {
			t.Fatalf("receiver %d: bad signatures: %v", i, bad[0])
		}
		perDelivery := map[string]int{}
		for _, r := range got {
			perDelivery[r.WebhookID]++
		}
		dups := len(got) - len(perDelivery)
		t.Logf("receiver %d: %d requests, %d deliveries, %d duplicates (at-least-once)", i, len(got), len(perDelivery), dups)
		if len(perDelivery) < len(want) {
			t.Fatalf("receiver %d: %d distinct deliveries for %d accepted events", i, len(perDelivery), len(want))
		}
	}
	if err := c2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c2.cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v\n%s", err, c2.log)
	}
}
