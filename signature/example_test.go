package signature_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/lmshooks/lmshooks/signature"
)

// A receiver verifies each delivery before trusting it: read the raw body,
// check the signature and timestamp, then de-duplicate on webhook-id.
func ExampleVerifyRequest() {
	// The webhook's secret, copied from the lmshooks console. During a
	// rotation, list the old and the new secret.
	secrets := []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}

	receiver := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		err = signature.VerifyRequest(secrets, r.Header, body, time.Now(), signature.DefaultTolerance)
		if err != nil {
			fmt.Println("rejected:", errors.Is(err, signature.ErrNoMatch))
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		fmt.Println("accepted", r.Header.Get(signature.HeaderID), string(body))
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(receiver)
	defer srv.Close()

	// What lmshooks sends (here signed by hand to drive the example).
	send := func(signed, sent string) int {
		now := time.Now()
		sig, err := signature.Sign(secrets, "msg_p5jXN8AQM9LWM0D4loKWxJek", now, []byte(signed))
		if err != nil {
			panic(err)
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewBufferString(sent))
		req.Header.Set(signature.HeaderID, "msg_p5jXN8AQM9LWM0D4loKWxJek")
		req.Header.Set(signature.HeaderTimestamp, fmt.Sprint(now.Unix()))
		req.Header.Set(signature.HeaderSignature, sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println(send(`{"type":"user.created"}`, `{"type":"user.created"}`))
	fmt.Println(send(`{"type":"user.created"}`, `{"type":"user.deleted"}`)) // tampered in transit
	// Output:
	// accepted msg_p5jXN8AQM9LWM0D4loKWxJek {"type":"user.created"}
	// 204
	// rejected: true
	// 401
}

// Sign computes the webhook-signature header. This is the example from the
// Standard Webhooks specification's reference libraries.
func ExampleSign() {
	sig, err := signature.Sign(
		[]string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
		"msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0),
		[]byte(`{"test": 2432232314}`),
	)
	fmt.Println(sig, err)
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= <nil>
}

// Verify reports why a delivery is refused; test the reason with errors.Is.
func ExampleVerify() {
	keys := []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	const id, ts, sig = "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	body := []byte(`{"test": 2432232314}`)
	sent := time.Unix(1614265330, 0)

	fmt.Println(signature.Verify(keys, id, ts, sig, body, sent.Add(10*time.Second), signature.DefaultTolerance))

	err := signature.Verify(keys, id, ts, sig, body, sent.Add(time.Hour), signature.DefaultTolerance)
	fmt.Println(errors.Is(err, signature.ErrTimestamp))

	err = signature.Verify(keys, id, ts, sig, []byte(`{"test":2432232314}`), sent, signature.DefaultTolerance)
	fmt.Println(errors.Is(err, signature.ErrNoMatch))
	// Output:
	// <nil>
	// true
	// true
}

// With ed25519 (v1a) the sender keeps the whsk_ secret and receivers only
// get the whpk_ public key, which cannot sign.
func ExampleNewKeyPair() {
	secret, public, err := signature.NewKeyPair()
	if err != nil {
		panic(err)
	}
	now := time.Now()
	sig, _ := signature.Sign([]string{secret}, "msg_1", now, []byte("{}"))
	err = signature.Verify([]string{public}, "msg_1", fmt.Sprint(now.Unix()), sig, []byte("{}"), now, 0)
	fmt.Println(secret[:5], public[:5], sig[:4], err)
	// Output: whsk_ whpk_ v1a, <nil>
}
