package domain

import "testing"

func TestRetryPositionLeavesOutProxyFailures(t *testing.T) {
	proxy := func(n int) Attempt {
		return Attempt{Number: n, Error: ProxyFailurePrefix + "407 Proxy Authentication Required"}
	}
	target := func(n int) Attempt {
		return Attempt{Number: n, StatusCode: 500, Error: "status 500 is outside the success range 200-299"}
	}
	tests := []struct {
		name    string
		d       Delivery
		n       int
		earlier []Attempt
		want    int
	}{
		{"first attempt", Delivery{}, 1, nil, 1},
		{"target failures count", Delivery{Attempts: 2}, 3, []Attempt{target(1), target(2)}, 3},
		{"proxy failures do not", Delivery{Attempts: 3}, 4, []Attempt{proxy(1), proxy(2), target(3)}, 2},
		{"after a resend, only the new schedule", Delivery{Attempts: 4, RetryFrom: 2}, 5, []Attempt{proxy(1), target(2), proxy(3), target(4)}, 2},
		{"no list: every attempt counts", Delivery{Attempts: 3}, 4, nil, 4},
		{"a timeout mentioning the proxy elsewhere counts", Delivery{Attempts: 1}, 2,
			[]Attempt{{Number: 1, Error: "the egress proxy could not open a tunnel to 203.0.113.9:443: 500 Unable to connect"}}, 2},
	}
	for _, tt := range tests {
		if got := RetryPosition(&tt.d, tt.n, tt.earlier); got != tt.want {
			t.Errorf("%s: RetryPosition = %d, want %d", tt.name, got, tt.want)
		}
	}
}
