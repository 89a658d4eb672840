package e2e

import (
	"bytes"
	"encoding/json"
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
	c := &child{cmd: cmd, base: "http://" + addr, log: &buf}
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
	callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants", map[string]any{"id": "acme", "name": "Acme"}, nil)
	for i, rc := range recvs {
		var w webhookResp
		if code := callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/acme/webhooks",
			map[string]any{"name": fmt.Sprint("h", i), "url": rc.URL, "event_types": []string{"*"}}, &w); code != 201 {
			t.Fatalf("create webhook = %d", code)
		}
		rc.setSecret(w.Secret)
	}

	var mu sync.Mutex
	accepted := map[string]bool{}
	publish := func(base string, seq int) error {
		events := make([]map[string]any, 20)
		for i := range events {
			events[i] = map[string]any{"type": "user.created", "data": map[string]any{"id": fmt.Sprintf("u_%d", seq*20+i), "seq": seq*20 + i}}
		}
		body, _ := json.Marshal(map[string]any{"events": events})
		req, _ := http.NewRequest("POST", base+"/api/v1/tenants/acme/events/batch", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+operatorKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 202 {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		var out struct {
			Data []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return err
		}
		mu.Lock()
		for _, d := range out.Data {
			accepted[d.ID] = true
		}
		mu.Unlock()
		return nil
	}

	// Publish continuously until the kill makes publishing fail.
	done := make(chan int)
	go func() {
		seq := 0
		for ; seq < 500; seq++ {
			if publish(c.base, seq) != nil {
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
		if err := publish(c2.base, seq+1+i); err != nil {
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
