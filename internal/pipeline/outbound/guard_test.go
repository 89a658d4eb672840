package outbound

import (
	"errors"
	"net/netip"
	"testing"
)

// CheckAddr refuses what the domain's classification refuses.
func TestCheckAddr(t *testing.T) {
	for _, c := range []struct {
		ip      string
		refused bool
	}{{"8.8.8.8", false}, {"2606:4700:4700::1111", false}, {"127.0.0.1", true}, {"::ffff:10.0.0.5", true}, {"169.254.169.254", true}} {
		err := CheckAddr(netip.MustParseAddr(c.ip))
		if (err != nil) != c.refused || err != nil && !errors.Is(err, ErrForbiddenTarget) {
			t.Errorf("CheckAddr(%s) = %v", c.ip, err)
		}
	}
}

func TestForbiddenTargetErrorMessage(t *testing.T) {
	err := CheckAddr(netip.MustParseAddr("10.0.0.5"))
	want := "refused to connect to 10.0.0.5: private address (start lmshooks with --allow-private-targets to allow)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	var fe *ForbiddenTargetError
	if !errors.As(err, &fe) || fe.Addr != netip.MustParseAddr("10.0.0.5") {
		t.Fatalf("errors.As = %+v", fe)
	}
}

func TestGuardControl(t *testing.T) {
	if err := guardControl("tcp4", "93.184.216.34:443", nil); err != nil {
		t.Fatalf("public address refused: %v", err)
	}
	if err := guardControl("tcp6", "[::1]:80", nil); !errors.Is(err, ErrForbiddenTarget) {
		t.Fatalf("[::1]:80 = %v", err)
	}
	if err := guardControl("tcp", "not-an-address", nil); !errors.Is(err, ErrForbiddenTarget) {
		t.Fatalf("unparseable address = %v, want refused (fail closed)", err)
	}
}
