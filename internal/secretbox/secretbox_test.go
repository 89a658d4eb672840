package secretbox

import (
	"errors"
	"strings"
	"testing"
)

func ring(t *testing.T, keys ...Key) *Keyring {
	t.Helper()
	k, err := New(keys)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpensUnderAnyKeyOfTheRing(t *testing.T) {
	old, fresh := GenerateKey("old"), GenerateKey("new")
	before := ring(t, old)
	sealed := before.Seal("whsec_abc")
	if !IsSealed(sealed) || strings.Contains(sealed, "whsec_abc") || !strings.HasPrefix(sealed, "enc:v1:old:") {
		t.Fatalf("sealed = %q", sealed)
	}
	if before.Seal("whsec_abc") == sealed {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	after := ring(t, fresh, old)
	if got, err := after.Open(sealed); err != nil || got != "whsec_abc" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if after.Current(sealed) || !after.Current(after.Seal("x")) || !after.Current("") {
		t.Error("Current judges the key wrongly")
	}
	if after.Seal("") != "" {
		t.Error("the empty value is sealed")
	}
	if got, err := after.Open("clear text"); err != nil || got != "clear text" {
		t.Errorf("clear text: %q, %v", got, err)
	}
}

func TestOpenFailsClearlyRatherThanReturnAWrongValue(t *testing.T) {
	k := GenerateKey("k1")
	sealed := ring(t, k).Seal("secret value")

	_, err := ring(t, GenerateKey("k2")).Open(sealed)
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `"k1"`) {
		t.Errorf("unknown key: %v", err)
	}
	// Another key under the same id.
	if _, err := ring(t, GenerateKey("k1")).Open(sealed); err == nil || !strings.Contains(err.Error(), `"k1"`) {
		t.Errorf("wrong key: %v", err)
	}
	// One character changed in the ciphertext.
	b := []byte(sealed)
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	if got, err := ring(t, k).Open(string(b)); err == nil {
		t.Errorf("tampered value opened: %q", got)
	}
	for _, bad := range []string{"enc:v1:k1", "enc:v1:k1:!!", "enc:v1:k1:AAAA"} {
		if got, err := ring(t, k).Open(bad); err == nil {
			t.Errorf("Open(%q) = %q", bad, got)
		}
	}
}

func TestParseKeys(t *testing.T) {
	a, b := GenerateKey("a"), GenerateKey("b-2")
	keys, err := ParseKeys(" " + Format([]Key{a, b}) + " ,")
	if err != nil || len(keys) != 2 || keys[0].ID != "a" || keys[1].ID != "b-2" || string(keys[1].Secret) != string(b.Secret) {
		t.Fatalf("ParseKeys = %v, %v", keys, err)
	}
	for _, bad := range []string{"", "nokey", "a:notbase64!", "a:c2hvcnQ=", "bad id:" + Format([]Key{a})[2:], Format([]Key{a, a})} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted", bad)
		} else if strings.Contains(err.Error(), Format([]Key{a})[2:]) {
			t.Errorf("error quotes the key: %v", err)
		}
	}
}
