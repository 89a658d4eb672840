package config

import (
	"fmt"
	"strconv"
	"strings"
)

// sizeUnits are the suffixes a size may carry, longest first so that
// "MiB" is not read as "B".
var sizeUnits = []struct {
	suffix string
	factor int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
	{"B", 1},
}

// ParseSize reads a size in bytes: a whole number, optionally followed by
// B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), like
// 64MiB.
func ParseSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	factor := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, factor = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/factor {
		return 0, fmt.Errorf("%q is not a size like 64MiB, 500MB or 1048576", v)
	}
	return n * factor, nil
}

// FormatSize writes n in the largest binary unit that divides it, so that
// ParseSize(FormatSize(n)) == n.
func FormatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		factor int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.factor == 0 {
			return strconv.FormatInt(n/u.factor, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// sizeFlag is a flag.Value holding a size.
type sizeFlag struct{ n *int64 }

func (f sizeFlag) String() string {
	if f.n == nil {
		return ""
	}
	return FormatSize(*f.n)
}

func (f sizeFlag) Set(v string) error {
	n, err := ParseSize(v)
	if err != nil {
		return err
	}
	*f.n = n
	return nil
}
