package domain

import (
	"net/netip"
	"strings"
	"testing"
)

func TestNonPublicAddress(t *testing.T) {
	tests := []struct {
		ip     string
		reason string // "" means allowed; otherwise a substring of the reason
	}{
		// Public unicast.
		{"8.8.8.8", ""},
		{"203.0.113.9", ""},
		{"172.32.0.1", ""},  // just past 172.16/12
		{"100.128.0.1", ""}, // just past 100.64/10
		{"2606:4700:4700::1111", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
		// IPv4.
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"10.0.0.5", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"169.254.169.254", "cloud metadata"},
		{"169.254.1.1", "link-local"},
		{"100.64.0.1", "CGNAT"},
		{"100.127.255.255", "CGNAT"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.255", "reserved"},
		{"198.18.0.1", "reserved"},
		// IPv6.
		{"::", "unspecified"},
		{"::1", "loopback"},
		{"fc00::1", "private"},
		{"fd00:ec2::254", "private"}, // AWS metadata over IPv6
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"fec0::1", "site-local"},
		{"ff02::1", "multicast"},
		{"::10.0.0.5", "IPv4-compatible"},
		// IPv4-mapped IPv6 and translation prefixes.
		{"::ffff:127.0.0.1", "loopback"},
		{"::ffff:10.0.0.5", "private"},
		{"::ffff:169.254.169.254", "cloud metadata"},
		{"::ffff:100.64.0.1", "CGNAT"},
		{"::ffff:0.0.0.0", "unspecified"},
		{"64:ff9b::a00:5", "private address (10.0.0.5 embedded in a NAT64 address)"},
		{"2002:7f00:1::", "loopback address (127.0.0.1 embedded in a 6to4 address)"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			ip := netip.MustParseAddr(tt.ip)
			got := NonPublicAddress(ip)
			switch {
			case tt.reason == "" && got != "":
				t.Fatalf("NonPublicAddress(%s) = %q, want allowed", tt.ip, got)
			case tt.reason != "" && !strings.Contains(got, tt.reason):
				t.Fatalf("NonPublicAddress(%s) = %q, want %q", tt.ip, got, tt.reason)
			}
		})
	}
}
