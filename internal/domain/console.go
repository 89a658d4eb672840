package domain

import "time"

// Sizes of a ConsoleCredential's random parts.
const (
	ConsoleSaltBytes    = 16
	ConsoleKeySeedBytes = 32
)

// ConsoleCredential is the console's generated operator password as it is
// stored, so that it outlives a restart and every node sharing the database
// accepts it. It holds a PBKDF2 verifier, never the password; the console's
// session, CSRF and portal-link keys are derived from KeySeed, which is
// random rather than derived from the password so that reading the
// verifier does not give them away (reading the seed does).
//
// A password set by the operator (LMSHOOKS_ADMIN_PASSWORD) has no
// credential: its keys are derived from it in memory and never stored.
type ConsoleCredential struct {
	// Salt is random, ConsoleSaltBytes long.
	Salt []byte
	// Iterations is the PBKDF2-SHA256 work factor Verifier was made with,
	// kept so that raising the default later does not lock anyone out.
	Iterations int
	// Verifier is PBKDF2-SHA256(password, Salt, Iterations), 32 bytes.
	Verifier []byte
	// KeySeed is random, ConsoleKeySeedBytes long. Secret.
	KeySeed   []byte
	CreatedAt time.Time
}

// Validate checks that c is whole, so that a damaged row fails at start
// with a clear message rather than locking the operator out silently.
func (c *ConsoleCredential) Validate() error {
	switch {
	case len(c.Salt) < ConsoleSaltBytes:
		return Errorf(EINVALID, "console credential: the salt must be at least %d bytes", ConsoleSaltBytes)
	case c.Iterations < 1:
		return Errorf(EINVALID, "console credential: the iteration count must be positive")
	case len(c.Verifier) != 32:
		return Errorf(EINVALID, "console credential: the verifier must be 32 bytes")
	case len(c.KeySeed) != ConsoleKeySeedBytes:
		return Errorf(EINVALID, "console credential: the key seed must be %d bytes", ConsoleKeySeedBytes)
	}
	return nil
}
