package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// stat is a /proc/<pid>/stat line with the given command name, utime and
// stime (clock ticks).
func stat(pid int, comm string, utime, stime int) string {
	return strconv.Itoa(pid) + " (" + comm + ") S 1 1 1 0 -1 4194560 1200 0 0 0 " +
		strconv.Itoa(utime) + " " + strconv.Itoa(stime) + " 0 0 20 0 12 0 3456 123456789 2000 18446744073709551615\n"
}

func TestStatCPUIsUserPlusSystemTime(t *testing.T) {
	for _, comm := range []string{"lmshooks", "a (b) c", "x)y", ") S 1 2 3"} {
		d, err := parseStatCPU([]byte(stat(42, comm, 250, 50)))
		if err != nil || d != 3*time.Second {
			t.Errorf("comm %q: %v, %v; want 3s", comm, d, err)
		}
	}
	for _, bad := range []string{"", "42 lmshooks S 1", "42 (lmshooks) S 1 2 3", "42 (x) S 1 1 1 0 -1 4 1 0 0 0 u s"} {
		if _, err := parseStatCPU([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestStatusKBReadsTheNamedLine(t *testing.T) {
	status := "Name:\tlmshooks\nVmPeak:\t 1300000 kB\nVmHWM:\t   71234 kB\nVmRSS:\t   65000 kB\nThreads:\t12\n"
	if got, err := parseStatusKB([]byte(status), "VmHWM"); err != nil || got != 71234*1024 {
		t.Errorf("VmHWM: %d, %v", got, err)
	}
	if _, err := parseStatusKB([]byte(status), "VmSwap"); err == nil {
		t.Error("a missing line parsed")
	}
	if _, err := parseStatusKB([]byte(status), "Threads"); err == nil {
		t.Error("a line without kB parsed")
	}
}

func TestThisProcessHasCPUTimeAndAPeakRSS(t *testing.T) {
	if _, err := procCPU(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if rss, err := peakRSS(os.Getpid()); err != nil || rss <= 0 {
		t.Fatalf("peak RSS %d, %v", rss, err)
	}
	if d := procsCPU([]int{os.Getpid(), 1 << 30}); d < 0 {
		t.Fatalf("procsCPU %v", d)
	}
	before, _ := peakRSS(os.Getpid())
	if err := resetPeakRSS(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	if after, err := peakRSS(os.Getpid()); err != nil || after > before {
		t.Fatalf("peak RSS %d before the reset, %d (%v) after", before, after, err)
	}
}

// fakeProc writes a /proc-like tree: pid → command line and stat.
func fakeProc(t *testing.T, root string, procs map[int][2]string) {
	t.Helper()
	for pid, p := range procs {
		dir := filepath.Join(root, strconv.Itoa(pid))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cmdline"), []byte(p[0]), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "stat"), []byte(p[1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPostgresCPUSumsItsProcessesSinceASnapshot(t *testing.T) {
	root := t.TempDir()
	fakeProc(t, root, map[int][2]string{
		10: {"/usr/lib/postgresql/15/bin/postgres\x00-D\x00/var/lib/postgresql/15/main\x00", stat(10, "postgres", 500, 500)},
		11: {"postgres: 15/main: checkpointer \x00", stat(11, "postgres", 100, 100)},
		12: {"postgres: 15/main: postgres test 127.0.0.1(5555) idle\x00", stat(12, "postgres", 200, 0)},
		13: {"lmshooks\x00serve\x00", stat(13, "lmshooks", 900, 900)},
	})
	if err := os.MkdirAll(filepath.Join(root, "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := postgresCPU(root)
	if len(before) != 2 || before[11] != 2*time.Second || before[12] != 2*time.Second {
		t.Fatalf("before: %v, want the checkpointer's and the backend's", before)
	}
	// The backend works 1 s more, the checkpointer ends, a new backend
	// starts and works 0.5 s, and pid 11 goes to a new backend with 0.3 s.
	fakeProc(t, root, map[int][2]string{
		11: {"postgres: 15/main: postgres test 127.0.0.1(6666) idle\x00", stat(11, "postgres", 30, 0)},
		12: {"postgres: 15/main: postgres test 127.0.0.1(5555) idle\x00", stat(12, "postgres", 250, 50)},
		14: {"postgres: 15/main: postgres test 127.0.0.1(7777) idle\x00", stat(14, "postgres", 40, 10)},
	})
	if got, want := postgresCPU(root).since(before), 1800*time.Millisecond; got != want {
		t.Fatalf("since: %v, want %v", got, want)
	}
}
