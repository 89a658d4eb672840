// Package signature signs and verifies webhook deliveries as specified by
// Standard Webhooks v1 (https://www.standardwebhooks.com).
//
// A delivery carries three headers:
//
//	webhook-id:        msg_2KWPBgLlAfxdpx2AI54pPJ85f4W   (stable across retries)
//	webhook-timestamp: 1674087231                        (unix seconds of this attempt)
//	webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=
//
// The signature covers the bytes "<webhook-id>.<webhook-timestamp>.<body>",
// where body is the exact request body as sent. The header holds one
// space-separated entry per signing key, so a receiver keeps working while
// the sender rotates its secret: it accepts the delivery if any entry
// matches any of its keys.
//
// Two schemes exist:
//
//   - v1: HMAC-SHA256 with a shared secret "whsec_" + base64(24–64 random
//     bytes). Sender and receiver hold the same secret.
//   - v1a: ed25519. The sender holds "whsk_" + base64(private key) and the
//     receiver only needs "whpk_" + base64(32-byte public key). The private
//     key is encoded as Go's 64-byte ed25519.PrivateKey (seed followed by
//     public key), the same layout Svix uses; a bare 32-byte seed is accepted
//     too.
//
// The package only depends on the standard library, so receivers can import
// it without pulling in the rest of lmshooks.
package signature
