package config

import (
	"io"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1048576": 1 << 20, "64MiB": 64 << 20, "512KiB": 512 << 10, "2GiB": 2 << 30,
		"500MB": 500e6, "3KB": 3000, "1GB": 1e9, "10B": 10, " 8 MiB ": 8 << 20,
	} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1MiB", "1.5GiB", "64mb", "64 megs", "99999999999GiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
	for _, n := range []int64{64 << 20, 3 << 30, 5 << 10, 1000} {
		if got, err := ParseSize(FormatSize(n)); err != nil || got != n {
			t.Errorf("ParseSize(FormatSize(%d)) = %d, %v", n, got, err)
		}
	}
}

func TestMemoryBudget(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil || c.MemoryBudget != 64<<20 {
		t.Fatalf("default budget = %d, %v; want 64 MiB", c.MemoryBudget, err)
	}
	c, err = Load([]string{"--memory-budget", "256MiB"}, env(map[string]string{"LMSHOOKS_MEMORY_BUDGET": "1GiB"}), io.Discard)
	if err != nil || c.MemoryBudget != 256<<20 {
		t.Fatalf("flag over env: budget = %d, %v; want 256 MiB", c.MemoryBudget, err)
	}
	c, err = Load(nil, env(map[string]string{"LMSHOOKS_MEMORY_BUDGET": "1GiB"}), io.Discard)
	if err != nil || c.MemoryBudget != 1<<30 {
		t.Fatalf("env: budget = %d, %v; want 1 GiB", c.MemoryBudget, err)
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--memory-budget", "lots"}, nil, "not a size"},
		{nil, map[string]string{"LMSHOOKS_MEMORY_BUDGET": "64 megs"}, "LMSHOOKS_MEMORY_BUDGET"},
		{[]string{"--memory-budget", "1MiB"}, nil, "at least 4MiB"},
	} {
		_, err := Load(tc.args, env(tc.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%v, %v) = %v, want an error saying %q", tc.args, tc.env, err, tc.want)
		}
	}
}
