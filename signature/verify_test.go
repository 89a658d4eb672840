package signature

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testKeys is a fixed set of keys for the table tests.
type testKeys struct {
	newSecret, oldSecret, signingKey, publicKey string
}

func newTestKeys(t *testing.T) testKeys {
	t.Helper()
	k := testKeys{
		newSecret:  SecretPrefix + base64.StdEncoding.EncodeToString(seeded("verify new")),
		oldSecret:  SecretPrefix + base64.StdEncoding.EncodeToString(seeded("verify old")),
		signingKey: SigningKeyPrefix + base64.StdEncoding.EncodeToString(ed25519.NewKeyFromSeed(seeded("verify ed"))),
	}
	var err error
	if k.publicKey, err = PublicKey(k.signingKey); err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSign(t *testing.T, secrets []string, id string, ts time.Time, body string) string {
	t.Helper()
	s, err := Sign(secrets, id, ts, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerify(t *testing.T) {
	k := newTestKeys(t)
	ts := time.Unix(1772360104, 0)
	stamp := strconv.FormatInt(ts.Unix(), 10)
	const id, body = "dlv_1", `{"type":"user.created"}`
	v1 := mustSign(t, []string{k.newSecret}, id, ts, body)
	v1a := mustSign(t, []string{k.signingKey}, id, ts, body)
	rotated := mustSign(t, []string{k.newSecret, k.oldSecret}, id, ts, body)
	v1Entry := strings.TrimPrefix(v1, "v1,")

	tests := []struct {
		name      string
		keys      []string
		id, stamp string
		header    string
		body      string
		now       time.Time
		tolerance time.Duration
		want      error // nil means valid
	}{
		{name: "v1 valid", keys: []string{k.newSecret}, header: v1},
		{name: "v1 valid with unpadded secret", keys: []string{strings.TrimRight(k.newSecret, "=")}, header: v1},
		{name: "v1a valid with public key", keys: []string{k.publicKey}, header: v1a},
		{name: "v1a valid with signing key", keys: []string{k.signingKey}, header: v1a},
		{name: "rotation: receiver still on old secret", keys: []string{k.oldSecret}, header: rotated},
		{name: "rotation: receiver already on new secret", keys: []string{k.newSecret}, header: rotated},
		{name: "receiver holds both during overlap", keys: []string{k.oldSecret, k.newSecret}, header: v1},
		{name: "unknown versions are skipped", keys: []string{k.newSecret}, header: "v2,abc v1,!!! nocomma " + v1},
		{name: "extra spaces between entries", keys: []string{k.newSecret}, header: "  v1,AAAA   " + v1 + "  "},
		{name: "unpadded signature", keys: []string{k.newSecret}, header: "v1," + strings.TrimRight(v1Entry, "=")},
		{name: "at the edge of tolerance, old", keys: []string{k.newSecret}, header: v1, now: ts.Add(DefaultTolerance)},
		{name: "at the edge of tolerance, new", keys: []string{k.newSecret}, header: v1, now: ts.Add(-DefaultTolerance)},
		{name: "custom tolerance", keys: []string{k.newSecret}, header: v1, now: ts.Add(time.Hour), tolerance: 2 * time.Hour},

		{name: "tampered body", keys: []string{k.newSecret}, header: v1, body: body + " ", want: ErrNoMatch},
		{name: "tampered id", keys: []string{k.newSecret}, header: v1, id: "dlv_2", want: ErrNoMatch},
		{name: "tampered timestamp", keys: []string{k.newSecret}, header: v1, stamp: strconv.FormatInt(ts.Unix()+1, 10), want: ErrNoMatch},
		{name: "wrong secret", keys: []string{k.oldSecret}, header: v1, want: ErrNoMatch},
		{name: "v1 entry but only a public key", keys: []string{k.publicKey}, header: v1, want: ErrNoMatch},
		{name: "v1a entry but only a secret", keys: []string{k.newSecret}, header: v1a, want: ErrNoMatch},
		{name: "v1a tampered body", keys: []string{k.publicKey}, header: v1a, body: "{}", want: ErrNoMatch},
		{name: "signature relabelled as v1a", keys: []string{k.publicKey}, header: "v1a," + v1Entry, want: ErrNoMatch},
		{name: "truncated signature", keys: []string{k.newSecret}, header: v1[:len(v1)-8], want: ErrNoMatch},
		{name: "garbage header", keys: []string{k.newSecret}, header: "garbage", want: ErrNoMatch},

		{name: "too old", keys: []string{k.newSecret}, header: v1, now: ts.Add(DefaultTolerance + time.Second), want: ErrTimestamp},
		{name: "too new", keys: []string{k.newSecret}, header: v1, now: ts.Add(-DefaultTolerance - time.Second), want: ErrTimestamp},
		{name: "timestamp in milliseconds", keys: []string{k.newSecret}, header: v1, stamp: stamp + "000", want: ErrTimestamp},
		{name: "timestamp with sign", keys: []string{k.newSecret}, header: v1, stamp: "+" + stamp, want: ErrTimestamp},
		{name: "timestamp RFC 3339", keys: []string{k.newSecret}, header: v1, stamp: ts.UTC().Format(time.RFC3339), want: ErrTimestamp},
		{name: "timestamp overflow", keys: []string{k.newSecret}, header: v1, stamp: strings.Repeat("9", 40), want: ErrTimestamp},

		{name: "missing id", keys: []string{k.newSecret}, header: v1, id: "-", want: ErrMissingHeader},
		{name: "missing timestamp", keys: []string{k.newSecret}, header: v1, stamp: "-", want: ErrMissingHeader},
		{name: "missing signature", keys: []string{k.newSecret}, header: "", want: ErrMissingHeader},

		{name: "no keys", keys: nil, header: v1, want: ErrNoKeys},
		{name: "unknown key prefix", keys: []string{"sk_live_abc"}, header: v1, want: ErrInvalidKey},
		{name: "bad public key", keys: []string{"whpk_AAAA"}, header: v1a, want: ErrInvalidKey},
		{name: "bad secret base64", keys: []string{"whsec_***"}, header: v1, want: ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotID, gotStamp, gotBody, now := id, stamp, body, ts
			switch tt.id {
			case "":
			case "-":
				gotID = ""
			default:
				gotID = tt.id
			}
			switch tt.stamp {
			case "":
			case "-":
				gotStamp = ""
			default:
				gotStamp = tt.stamp
			}
			if tt.body != "" {
				gotBody = tt.body
			}
			if !tt.now.IsZero() {
				now = tt.now
			}
			err := Verify(tt.keys, gotID, gotStamp, tt.header, []byte(gotBody), now, tt.tolerance)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want valid", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			for _, key := range append(tt.keys, k.newSecret, k.signingKey) {
				if len(key) > 12 && strings.Contains(err.Error(), key[6:]) {
					t.Fatalf("error %q leaks key material", err)
				}
			}
		})
	}
}

func TestSignErrors(t *testing.T) {
	k := newTestKeys(t)
	now := time.Unix(1772360104, 0)
	tests := []struct {
		name    string
		secrets []string
		id      string
		ts      time.Time
		want    error
	}{
		{"no secrets", nil, "msg_1", now, ErrNoKeys},
		{"empty id", []string{k.newSecret}, "", now, ErrInvalidMessageID},
		{"dot in id", []string{k.newSecret}, "msg.1", now, ErrInvalidMessageID},
		{"public key cannot sign", []string{k.publicKey}, "msg_1", now, ErrInvalidKey},
		{"second secret bad", []string{k.newSecret, "whsec_"}, "msg_1", now, ErrInvalidKey},
		{"before 1970", []string{k.newSecret}, "msg_1", time.Unix(-1, 0), ErrTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Sign(tt.secrets, tt.id, tt.ts, nil); !errors.Is(err, tt.want) {
				t.Fatalf("Sign = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignOrder(t *testing.T) {
	k := newTestKeys(t)
	now := time.Unix(1772360104, 0)
	h := mustSign(t, []string{k.signingKey, k.newSecret, k.oldSecret}, "msg_1", now, "x")
	entries := strings.Split(h, " ")
	if len(entries) != 3 {
		t.Fatalf("header %q: want 3 entries", h)
	}
	for i, want := range []struct {
		version string
		keys    []string
	}{{"v1a,", []string{k.publicKey}}, {"v1,", []string{k.newSecret}}, {"v1,", []string{k.oldSecret}}} {
		if !strings.HasPrefix(entries[i], want.version) {
			t.Errorf("entry %d = %q, want prefix %q", i, entries[i], want.version)
		}
		if err := Verify(want.keys, "msg_1", "1772360104", entries[i], []byte("x"), now, 0); err != nil {
			t.Errorf("entry %d does not verify with its own key: %v", i, err)
		}
	}
}

// TestVerifyRequestOverHTTP signs a real request, sends it through a
// loopback server and verifies what the server received.
func TestVerifyRequestOverHTTP(t *testing.T) {
	k := newTestKeys(t)
	now := time.Unix(1772360104, 0)
	results := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			results <- err
			return
		}
		results <- VerifyRequest([]string{k.newSecret}, r.Header, body, now, DefaultTolerance)
	}))
	defer srv.Close()

	send := func(body, sentBody string) error {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewBufferString(sentBody))
		if err != nil {
			t.Fatal(err)
		}
		// Mixed case on purpose: header names are case-insensitive.
		req.Header.Set("Webhook-Id", "dlv_1")
		req.Header.Set("WEBHOOK-TIMESTAMP", "1772360104")
		req.Header.Set(HeaderSignature, mustSign(t, []string{k.newSecret}, "dlv_1", now, body))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return <-results
	}
	if err := send(`{"a":1}`, `{"a":1}`); err != nil {
		t.Fatalf("signed request: %v", err)
	}
	if err := send(`{"a":1}`, `{"a": 1}`); !errors.Is(err, ErrNoMatch) {
		t.Fatalf("re-encoded body: %v, want ErrNoMatch", err)
	}
}
