package outbound

import (
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"120", 2 * time.Minute},
		{" 30 ", 30 * time.Second},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"999999999", 7 * 24 * time.Hour},
		{"99999999999999999999999", 7 * 24 * time.Hour},
		{"Wed, 21 Oct 2015 07:30:00 GMT", 2 * time.Minute},    // IMF-fixdate
		{"Wednesday, 21-Oct-15 07:29:00 GMT", time.Minute},    // RFC 850
		{"Wed Oct 21 07:28:45 2015", 45 * time.Second},        // asctime
		{"Wed, 21 Oct 2015 07:00:00 GMT", 0},                  // in the past
		{"Wed, 21 Oct 2035 07:28:00 GMT", 7 * 24 * time.Hour}, // far future: capped
	}
	for _, tt := range tests {
		if got := ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
