package format

// The receiver functions of docs/FORMATS.md, verbatim: TestFormatsDoc
// checks that every ```go block of that page appears in this file and runs
// these functions against the golden requests the page shows. Keep each
// function exactly as the page prints it.

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/lmshooks/lmshooks/signature"
)

func verifyStandard(r *http.Request, body []byte, now time.Time) bool {
	// The webhook's secret; during a rotation, the old and the new one.
	secrets := []string{os.Getenv("WEBHOOK_SECRET")}
	return signature.VerifyRequest(secrets, r.Header, body, now, signature.DefaultTolerance) == nil
}

func verifyRiseUp(r *http.Request, body []byte) bool {
	mac := hmac.New(sha256.New, []byte(os.Getenv("RISEUP_SECRET"))) // the whole "whsec_…" string
	mac.Write(body)                                                 // the raw request body
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(r.Header.Get("X-RISEUP-SIGNATURE")), []byte(want))
}

func verifyArticulate(r *http.Request, body []byte) bool {
	mac := hmac.New(sha1.New, []byte(os.Getenv("WEBHOOK_SHARED_SECRET")))
	mac.Write(body) // the raw body: it is what JSON.stringify(request.body) gives back
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(r.Header.Get("X-Hook-Signature")), []byte(want))
}

// Innovative Educators' published addresses. Behind a proxy, check the
// client address the proxy forwards instead of RemoteAddr.
var ieAddresses = []string{"54.243.7.71", "3.83.213.76"}

func fromInnovativeEducators(r *http.Request, body []byte) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	var p struct{ Event, NotifiableID, User string }
	return err == nil && slices.Contains(ieAddresses, host) &&
		json.Unmarshal(body, &p) == nil && p.Event == "courseCompletion"
}

func readCypher(r *http.Request) (email string, ok bool) {
	if err := r.ParseForm(); err != nil {
		return "", false
	}
	token := r.PostForm.Get("token") // a parameter the admin set to a shared secret
	ok = hmac.Equal([]byte(token), []byte(os.Getenv("CYPHER_TOKEN")))
	return r.PostForm.Get("email"), ok
}

func readAbsorb(r *http.Request, body []byte, now time.Time) (eventName string, ok bool) {
	secrets := []string{os.Getenv("WEBHOOK_SECRET")}
	if signature.VerifyRequest(secrets, r.Header, body, now, signature.DefaultTolerance) != nil {
		return "", false
	}
	var p struct {
		EventName, UserID, ClientID, CorrelationID string
		AdminID                                    *string // null for learner events
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return "", false
	}
	return p.EventName, true
}

func readCloudEvent(r *http.Request, body []byte, now time.Time) (ceType string, ok bool) {
	secrets := []string{os.Getenv("WEBHOOK_SECRET")}
	if signature.VerifyRequest(secrets, r.Header, body, now, signature.DefaultTolerance) != nil {
		return "", false
	}
	if t := r.Header.Get("ce-type"); t != "" { // binary mode: body is data
		return t, true
	}
	var ce struct { // structured mode
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &ce); err != nil {
		return "", false
	}
	return ce.Type, true
}

func readStatement(r *http.Request, body []byte, now time.Time) (verb string, ok bool) {
	secrets := []string{os.Getenv("WEBHOOK_SECRET")}
	if signature.VerifyRequest(secrets, r.Header, body, now, signature.DefaultTolerance) != nil ||
		r.Header.Get("X-Experience-API-Version") != "1.0.3" {
		return "", false
	}
	var s struct {
		Verb struct{ ID string } `json:"verb"`
	}
	if err := json.Unmarshal(body, &s); err != nil {
		return "", false
	}
	return s.Verb.ID, true
}
