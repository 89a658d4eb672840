package signature

// The Go ed25519 snippet of docs/SIGNATURES.md, verbatim:
// TestDocsGoEd25519Snippet checks that the page prints exactly this
// function and runs it against the test vectors. Keep it as the page has
// it.

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
)

func verifyEd25519(publicKey, msgID, timestamp, signatures string, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(publicKey, "whpk_"))
	if err != nil || len(key) != ed25519.PublicKeySize {
		return errors.New("invalid whpk_ public key")
	}
	content := append([]byte(msgID+"."+timestamp+"."), body...)
	for _, entry := range strings.Fields(signatures) {
		version, sig, _ := strings.Cut(entry, ",")
		raw, err := base64.StdEncoding.DecodeString(sig)
		if version == "v1a" && err == nil && ed25519.Verify(ed25519.PublicKey(key), content, raw) {
			return nil
		}
	}
	return errors.New("no matching signature")
}
