package outbound

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// ErrForbiddenTarget is matched (errors.Is) by every refusal to connect to a
// private, loopback, link-local or otherwise non-public address.
var ErrForbiddenTarget = errors.New("forbidden target address")

// ForbiddenTargetError is the refusal to connect to one address. Its
// message is meant for the attempt log and tells the operator how to allow
// such targets.
type ForbiddenTargetError struct {
	// Addr is the refused IP, exactly as the socket would have used it.
	Addr netip.Addr
	// Reason names the address class, e.g. "private address".
	Reason string
}

// Error implements error.
func (e *ForbiddenTargetError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s (start lmshooks with --allow-private-targets to allow)", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrForbiddenTarget) true.
func (e *ForbiddenTargetError) Is(target error) bool { return target == ErrForbiddenTarget }

// CheckAddr returns a *ForbiddenTargetError when ip is not a public unicast
// address (domain.NonPublicAddress), and nil when deliveries may connect to
// it.
func CheckAddr(ip netip.Addr) error {
	if reason := domain.NonPublicAddress(ip); reason != "" {
		return &ForbiddenTargetError{Addr: ip, Reason: reason}
	}
	return nil
}

// guardControl is a net.Dialer.Control function: it runs after name
// resolution, right before connect(2), with the literal address the socket
// is about to use. Checking there (not on the URL's host name) is what
// makes the guard immune to DNS answers that point inside the network.
func guardControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Fail closed: an address we cannot parse is not one we vetted.
		return &ForbiddenTargetError{Reason: "unparseable address " + address}
	}
	return CheckAddr(ap.Addr())
}
