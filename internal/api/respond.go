package api

import (
	"encoding/json"
	"net/http"
	"time"
)

// timeFormat is RFC 3339 with milliseconds, always in UTC ("Z").
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// ts renders t for the wire.
func ts(t time.Time) string { return t.UTC().Format(timeFormat) }

// tsOrNil renders t, or null when t is zero.
func tsOrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := ts(t)
	return &s
}

// list is the shape of every list answer.
type list[T any] struct {
	Data []T `json:"data"`
	// NextCursor fetches the next page; "" on the last page.
	NextCursor string `json:"next_cursor"`
}

// newList makes a list answer whose data is never null.
func newList[T any](data []T, next string) list[T] {
	if data == nil {
		data = []T{}
	}
	return list[T]{Data: data, NextCursor: next}
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// The status is sent: an encoding error can only be a broken
	// connection, which nobody is left to hear about.
	_ = json.NewEncoder(w).Encode(v)
	return nil
}

// mapList converts each element of in with f.
func mapList[In, Out any](in []In, f func(*In) Out) []Out {
	out := make([]Out, len(in))
	for i := range in {
		out[i] = f(&in[i])
	}
	return out
}
