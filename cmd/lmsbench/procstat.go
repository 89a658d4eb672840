package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: Linux reports
// them in USER_HZ, fixed at 100 on every architecture lmshooks runs on.
const userHZ = 100

// parseStatCPU returns utime+stime of a /proc/<pid>/stat line. The command
// name (field 2) is in parentheses and may hold spaces and parentheses
// itself, so the fields are counted from the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("proc stat: no command name")
	}
	// After ") " come field 3 (state) onwards; utime and stime are fields
	// 14 and 15.
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("proc stat: %d fields after the command name, want at least 13", len(f))
	}
	utime, err := strconv.ParseInt(f[11], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat: utime: %w", err)
	}
	stime, err := strconv.ParseInt(f[12], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat: stime: %w", err)
	}
	return time.Duration(utime+stime) * time.Second / userHZ, nil
}

// procCPU returns the CPU time (user and system, every thread) that
// process pid has used so far.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// procsCPU sums procCPU over pids; processes that have gone count as 0.
func procsCPU(pids []int) time.Duration {
	var sum time.Duration
	for _, p := range pids {
		if d, err := procCPU(p); err == nil {
			sum += d
		}
	}
	return sum
}

// parseStatusKB returns the value in bytes of a "Name:   123 kB" line of
// a /proc/<pid>/status file.
func parseStatusKB(status []byte, name string) (int64, error) {
	for _, line := range strings.Split(string(status), "\n") {
		rest, ok := strings.CutPrefix(line, name+":")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("proc status: %s: unexpected %q", name, line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc status: %s: %w", name, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("proc status: no %s line", name)
}

// peakRSS returns the most resident memory process pid has held since it
// started (VmHWM), in bytes.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusKB(b, "VmHWM")
}

// resetPeakRSS makes process pid's VmHWM start again from its resident
// memory now (Linux 4.0 and later), so that a later peakRSS covers only
// what came after.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// cpuSnapshot is the CPU time of a set of processes at one moment, by pid,
// so that a later snapshot can tell the processes that started between.
type cpuSnapshot map[int]time.Duration

// postgresCPU snapshots every process of the machine whose command line
// starts with "postgres:": PostgreSQL's backends and its background
// workers (the postmaster itself is named by its path and does almost
// nothing). Every PostgreSQL on the machine counts, whoever uses it.
func postgresCPU(procRoot string) cpuSnapshot {
	out := cpuSnapshot{}
	dirs, _ := filepath.Glob(filepath.Join(procRoot, "[0-9]*"))
	for _, dir := range dirs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil || !bytes.HasPrefix(cmd, []byte("postgres:")) {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		if d, err := parseStatCPU(stat); err == nil {
			out[pid] = d
		}
	}
	return out
}

// since returns the CPU the processes of s used after before: all of it
// for a process that started in between. A process that ended in between
// is missing from s and its CPU is lost.
func (s cpuSnapshot) since(before cpuSnapshot) time.Duration {
	var sum time.Duration
	for pid, d := range s {
		if b, ok := before[pid]; ok && b <= d {
			d -= b // else a new process took an old one's pid
		}
		sum += d
	}
	return sum
}
