package signature

import "errors"

// Errors returned by Verify and VerifyRequest, and by the key functions.
// They are wrapped with details; test them with errors.Is. No error message
// ever contains key material.
var (
	// ErrMissingHeader means webhook-id, webhook-timestamp or
	// webhook-signature is absent or empty.
	ErrMissingHeader = errors.New("missing webhook header")
	// ErrTimestamp means webhook-timestamp is not unix seconds or lies
	// outside the allowed tolerance (a replay, or a badly skewed clock).
	ErrTimestamp = errors.New("invalid webhook timestamp")
	// ErrNoMatch means no entry of webhook-signature matched any key: the
	// body, id or timestamp was altered, or the keys are wrong.
	ErrNoMatch = errors.New("no matching signature")
	// ErrInvalidKey means a secret or public key is malformed: unknown
	// prefix, bad base64 or wrong length.
	ErrInvalidKey = errors.New("invalid key")
	// ErrNoKeys means Sign or Verify got no keys at all.
	ErrNoKeys = errors.New("no keys given")
	// ErrInvalidMessageID means the message id given to Sign is empty or
	// contains a '.', which would make the signed content ambiguous.
	ErrInvalidMessageID = errors.New("invalid message id")
)
