package listen

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/signature"
)

// DefaultAddr is where Run listens when Config.Addr is empty: loopback
// only, since the receiver is a development tool.
const DefaultAddr = "127.0.0.1:9000"

// Config configures the receiver.
type Config struct {
	// Addr is the host:port to listen on; empty means DefaultAddr.
	Addr string
	// Secret is the webhook's "whsec_" secret or "whpk_" public key (a
	// "whsk_" secret works too). Several keys, separated by spaces or
	// commas, are all accepted, as during a rotation. Empty means signatures
	// are not checked.
	Secret string
	// Statuses are the codes to answer with, in turn, cycling: {200, 500}
	// answers 200, 500, 200, … They win over signature checking: a bad
	// signature is printed as such but still answered with the next code
	// here, so failure scenarios stay reproducible. Empty means 204, or 401
	// for a delivery whose signature does not verify.
	Statuses []int
	// Out receives the printed requests; nil means os.Stdout.
	Out io.Writer
	// Now tells the time for the timestamp check; nil means time.Now.
	Now func() time.Time
}

// Validate reports whether the configuration can be served. It never
// repeats key material in its errors.
func (c Config) Validate() error {
	for _, k := range c.keys() {
		if err := signature.ValidateKey(k); err != nil {
			return fmt.Errorf("listen: secret: %w", err)
		}
	}
	for _, s := range c.Statuses {
		// 1xx are interim responses, not answers; above 599 is not HTTP.
		if s < 200 || s > 599 {
			return fmt.Errorf("listen: status %d: must be between 200 and 599", s)
		}
	}
	return nil
}

// keys splits Secret into the individual keys.
func (c Config) keys() []string {
	return strings.FieldsFunc(c.Secret, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}
