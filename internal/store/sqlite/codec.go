package sqlite

import (
	"encoding/json"
	"fmt"
	"time"
)

// micros encodes a time as unix microseconds, UTC; the zero time is 0 so
// that "none" stays distinguishable and cheap to test in SQL.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros decodes what micros encoded.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// encodeJSON encodes v for a TEXT column; empty maps and lists are stored as
// "" so that the common case costs nothing to encode or decode.
func encodeJSON[T any](v T, empty bool) (string, error) {
	if empty {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	return string(b), nil
}

// decodeJSON decodes a TEXT column written by encodeJSON into dst.
func decodeJSON(s string, dst any) error {
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), dst); err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	return nil
}

// headersJSON encodes HTTP headers (attempt requests and responses).
func headersJSON(h map[string][]string) (string, error) { return encodeJSON(h, len(h) == 0) }

// durationsJSON encodes durations as a list of nanoseconds.
func durationsJSON(ds []time.Duration) (string, error) {
	if len(ds) == 0 {
		return "", nil
	}
	ns := make([]int64, len(ds))
	for i, d := range ds {
		ns[i] = int64(d)
	}
	return encodeJSON(ns, false)
}

// parseDurations decodes durationsJSON.
func parseDurations(s string) ([]time.Duration, error) {
	var ns []int64
	if err := decodeJSON(s, &ns); err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		return nil, nil
	}
	ds := make([]time.Duration, len(ns))
	for i, n := range ns {
		ds[i] = time.Duration(n)
	}
	return ds, nil
}

// boolInt encodes a bool for an INTEGER column.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullBytes keeps an empty body NULL rather than an empty BLOB.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
