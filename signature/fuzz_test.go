package signature

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary headers and bodies to Verify: it must never
// panic, and it may only accept a fresh timestamp plus an entry that a
// trusted key really produced over exactly these inputs.
func FuzzVerify(f *testing.F) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	priv := ed25519.NewKeyFromSeed(seeded("fuzz"))
	pub := PublicKeyPrefix + base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
	now := time.Unix(1614265330, 0)

	f.Add("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", []byte(`{"test": 2432232314}`))
	f.Add("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1a,"+base64.StdEncoding.EncodeToString(
		ed25519.Sign(priv, []byte(`msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{}`))), []byte(`{}`))
	f.Add("msg_1", "1614265330", "v1a,AAAA v1, v1,,, ,", []byte{})
	f.Add("", "", "", []byte(nil))
	f.Add("a.b", "-1", "v1a,"+strings.Repeat("A", 88), []byte{0xff, 0x00})
	f.Fuzz(func(t *testing.T, id, stamp, header string, body []byte) {
		err := Verify([]string{secret, pub}, id, stamp, header, body, now, 0)
		if err != nil {
			return
		}
		if err := checkTimestamp(stamp, now, DefaultTolerance); err != nil {
			t.Fatalf("accepted a bad timestamp %q: %v", stamp, err)
		}
		key, _ := decodeHMACSecret(secret)
		content := signedContent(id, stamp, body)
		mac := computeHMAC(key, content)
		for _, e := range strings.Fields(header) {
			version, value, _ := strings.Cut(e, ",")
			sig, derr := decodeBase64(value)
			if derr != nil {
				continue
			}
			if version == "v1" && bytes.Equal(sig, mac) {
				return
			}
			if version == "v1a" && len(sig) == ed25519.SignatureSize && ed25519.Verify(priv.Public().(ed25519.PublicKey), content, sig) {
				return
			}
		}
		t.Fatalf("accepted %q without a genuine entry", header)
	})
}

// FuzzSignVerify checks that whatever Sign produces, Verify accepts, and
// that changing one byte of the body is always detected.
func FuzzSignVerify(f *testing.F) {
	f.Add("msg_1", int64(1614265330), []byte(`{"test": 2432232314}`))
	f.Add("evt_01J8Z3K4M5N6P7Q8R9S0T1V2W3", int64(0), []byte{})
	secrets := []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsk_" + strings.Repeat("A", 43) + "="}
	f.Fuzz(func(t *testing.T, id string, unix int64, body []byte) {
		if id == "" || strings.Contains(id, ".") || unix < 0 || unix > 1<<40 {
			t.Skip()
		}
		ts := time.Unix(unix, 0)
		h, err := Sign(secrets, id, ts, body)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := PublicKey(secrets[1])
		if err != nil {
			t.Fatal(err)
		}
		stamp := strconv.FormatInt(unix, 10)
		for _, keys := range [][]string{{secrets[0]}, {pub}} {
			if err := Verify(keys, id, stamp, h, body, ts, 0); err != nil {
				t.Fatalf("Verify(%.5s…) = %v", keys[0], err)
			}
			altered := append([]byte{0}, body...)
			if err := Verify(keys, id, stamp, h, altered, ts, 0); !errors.Is(err, ErrNoMatch) {
				t.Fatalf("altered body: %v, want ErrNoMatch", err)
			}
		}
	})
}
