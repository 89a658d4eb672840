//go:build linux

package e2e

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// setFileSizeLimit sets the soft RLIMIT_FSIZE of process pid to cur bytes
// (prlimit(2)), keeping its hard limit, and returns the soft limit it had.
// A write past the limit fails with EFBIG — for SQLite, a real "disk
// full": every commit fails.
func setFileSizeLimit(t *testing.T, pid int, cur uint64) (was uint64) {
	t.Helper()
	var old syscall.Rlimit
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_FSIZE,
		0, uintptr(unsafe.Pointer(&old)), 0, 0); errno != 0 {
		t.Skipf("prlimit: %v", errno)
	}
	lim := syscall.Rlimit{Cur: cur, Max: old.Max}
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), syscall.RLIMIT_FSIZE,
		uintptr(unsafe.Pointer(&lim)), 0, 0, 0); errno != 0 {
		if errors.Is(errno, syscall.EPERM) {
			t.Skipf("prlimit on the child: %v", errno)
		}
		t.Fatalf("prlimit: %v", errno)
	}
	return old.Cur
}

// readyz returns /readyz's status and reason.
func readyz(t *testing.T, base string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("/readyz answered %q: %v", raw, err)
	}
	return resp.StatusCode, body.Reason
}

// When the database cannot commit (here every file write of the server
// fails, as on a full disk), /readyz answers 503 with a reason so that a
// load balancer stops sending publishes; once writes work again it answers
// 200 by itself. The real binary runs on a real SQLite file; the failure is
// a real one, made by the kernel.
func TestReadinessFollowsWhetherTheDatabaseCanCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	c := startChild(t, bin, freePort(t), filepath.Join(t.TempDir(), "ready.db"))
	callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants", map[string]any{"id": "acme", "name": "Acme"}, nil)
	publish := func(id string) int {
		return callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/acme/events",
			map[string]any{"type": "user.created", "data": map[string]any{"id": id}}, nil)
	}
	if code := publish("u_1"); code != 202 {
		t.Fatalf("publish = %d, want 202\n%s", code, c.log)
	}
	if code, reason := readyz(t, c.base); code != 200 {
		t.Fatalf("/readyz = %d (%s) while writes work, want 200", code, reason)
	}

	// The disk is "full": no write of the server's reaches a file.
	unlimited := setFileSizeLimit(t, c.cmd.Process.Pid, 1)
	if code := publish("u_2"); code != 503 {
		t.Fatalf("publish on a full disk = %d, want 503", code)
	}
	code, reason := readyz(t, c.base)
	if code != 503 || !strings.Contains(reason, "write") {
		t.Fatalf("/readyz while every write fails = %d (%q), want 503 with a reason about writes", code, reason)
	}

	// Space again: readiness comes back by itself (its probe commits), and
	// so do publishes.
	setFileSizeLimit(t, c.cmd.Process.Pid, unlimited)
	eventually(t, 30*time.Second, "/readyz to answer 200 again", func() bool {
		code, _ := readyz(t, c.base)
		return code == 200
	})
	if code := publish("u_3"); code != 202 {
		t.Fatalf("publish once writes work again = %d, want 202", code)
	}
}
