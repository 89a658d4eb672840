package listen

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lmshooks/lmshooks/signature"
)

// maxBody bounds what the receiver reads: generous for webhook payloads,
// small enough that a runaway sender cannot exhaust memory.
const maxBody = 10 << 20

// handler receives deliveries; see Handler.
type handler struct {
	keys     []string
	statuses []int
	now      func() time.Time
	next     atomic.Uint64 // index of the next status in statuses

	mu  sync.Mutex // serialises writes so reports never interleave
	out io.Writer
}

// Handler returns the receiver as an http.Handler: every request, whatever
// its method and path, is verified, printed to cfg.Out and answered. It
// panics if cfg is invalid (see Config.Validate); Run returns the error
// instead.
func Handler(cfg Config) http.Handler {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	h := &handler{keys: cfg.keys(), statuses: cfg.Statuses, now: cfg.Now, out: cfg.Out}
	if h.now == nil {
		h.now = time.Now
	}
	if h.out == nil {
		h.out = os.Stdout
	}
	return h
}

// verdict is the outcome of checking one request's signature.
type verdict struct {
	checked bool  // false when no key is configured
	err     error // nil when valid
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := h.now()
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))

	var v verdict
	switch {
	case readErr != nil:
		v = verdict{checked: true, err: readErr}
	case len(h.keys) > 0:
		v = verdict{checked: true, err: signature.VerifyRequest(h.keys, r.Header, body, now, signature.DefaultTolerance)}
	}
	status := h.status(v, readErr)

	rep := report{
		now:     now,
		req:     r,
		body:    body,
		verdict: v,
		status:  status,
	}
	h.mu.Lock()
	// A failed write to the terminal must not change the answer: the
	// sender under test cares about the status, not our output.
	_, _ = h.out.Write(rep.render())
	h.mu.Unlock()

	w.WriteHeader(status)
}

// status picks the answer: configured codes cycle and win; otherwise a
// delivery that cannot be trusted gets 401 (413 if it was too large) and
// any other gets 204.
func (h *handler) status(v verdict, readErr error) int {
	if len(h.statuses) > 0 {
		i := h.next.Add(1) - 1
		return h.statuses[i%uint64(len(h.statuses))]
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(readErr, &tooLarge):
		return http.StatusRequestEntityTooLarge
	case readErr != nil:
		return http.StatusBadRequest
	case v.err != nil:
		return http.StatusUnauthorized
	}
	return http.StatusNoContent
}

// reason turns a verification error into a short human phrase, dropping
// the package prefix the signature errors carry.
func reason(err error) string {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return "body larger than 10 MiB"
	}
	return strings.TrimPrefix(err.Error(), "signature: ")
}
