package domain

import (
	"fmt"
	"net/netip"
)

// forbiddenPrefixes lists the address ranges that no delivery may reach
// beyond what netip.Addr's predicates already cover, with the reason shown
// in the attempt log. It is a read-only table.
var forbiddenPrefixes = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified address"}, // Linux connects 0.x to the local host
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (CGNAT)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved address (benchmarking)"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved address"}, // includes 255.255.255.255
	{netip.MustParsePrefix("fec0::/10"), "private address (site-local)"},
	{netip.MustParsePrefix("::/96"), "reserved address (IPv4-compatible IPv6)"},
}

// NonPublicAddress returns why deliveries must not reach ip (e.g.
// "loopback address", "private address (10.0.0.5 embedded in a NAT64
// address)"), or "" when it is a public unicast address. It is the one
// classification of targets: the outbound client refuses such addresses
// when it dials, unless private targets are allowed, and saving a webhook
// warns of a URL that names one (TargetWarning).
func NonPublicAddress(ip netip.Addr) string {
	ip = ip.WithZone("")
	// IPv4-mapped (::ffff:10.0.0.5) connects to the IPv4 address: judge that.
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "invalid address"
	case ip.IsUnspecified():
		return "unspecified address"
	case ip.IsLoopback():
		return "loopback address"
	case ip.IsPrivate():
		return "private address"
	case ip.Is4() && ip.As4() == [4]byte{169, 254, 169, 254}:
		return "link-local address (cloud metadata service)"
	case ip.IsLinkLocalUnicast():
		return "link-local address"
	case ip.IsMulticast():
		return "multicast address"
	}
	for _, f := range forbiddenPrefixes {
		if f.prefix.Contains(ip) {
			return f.reason
		}
	}
	// Translation prefixes carry an IPv4 address that a gateway will
	// connect to: judge the embedded address.
	if v4, kind, ok := embeddedIPv4(ip); ok {
		if reason := NonPublicAddress(v4); reason != "" {
			return fmt.Sprintf("%s (%s embedded in a %s address)", reason, v4, kind)
		}
	}
	return ""
}

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// embeddedIPv4 extracts the IPv4 address from NAT64 (64:ff9b::a.b.c.d) and
// 6to4 (2002:aabb:ccdd::) addresses.
func embeddedIPv4(ip netip.Addr) (netip.Addr, string, bool) {
	if !ip.Is6() {
		return netip.Addr{}, "", false
	}
	b := ip.As16()
	switch {
	case nat64Prefix.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), "NAT64", true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), "6to4", true
	}
	return netip.Addr{}, "", false
}
