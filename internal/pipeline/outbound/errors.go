package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// attemptError carries a message written for the attempt log while keeping
// the underlying cause for errors.Is and errors.As.
type attemptError struct {
	msg string
	err error
}

func (e *attemptError) Error() string { return e.msg }
func (e *attemptError) Unwrap() error { return e.err }

// describe turns a transport error into an attemptError whose message a
// tenant admin can act on. parent is the caller's context, tctx the one
// bounded by the request's timeout.
func describe(parent, tctx context.Context, timeout time.Duration, err error) error {
	wrap := func(format string, args ...any) error {
		return &attemptError{msg: fmt.Sprintf(format, args...), err: err}
	}

	var forbidden *ForbiddenTargetError
	if errors.As(err, &forbidden) {
		return wrap("%s", forbidden.Error())
	}
	// The caller gave up (shutdown): say so rather than blame the receiver.
	if parent.Err() != nil {
		if errors.Is(parent.Err(), context.DeadlineExceeded) {
			return wrap("timeout: the caller's deadline passed before the receiver answered")
		}
		return wrap("canceled before the receiver answered")
	}
	// Before the timeout check: a proxy that cannot be reached in time is
	// the proxy's failure, not the receiver's.
	var proxyErr *proxyError
	if errors.As(err, &proxyErr) {
		return wrap("%s", proxyErr.Error())
	}
	var netErr net.Error
	if errors.Is(tctx.Err(), context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return wrap("timeout after %s", timeout)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return wrap("DNS lookup of %s failed: no such host", dnsErr.Name)
		}
		return wrap("DNS lookup of %s failed: %s", dnsErr.Name, dnsErr.Err)
	}
	if msg, ok := tlsProblem(err); ok {
		return wrap("TLS handshake failed: %s", msg)
	}
	if msg, ok := connProblem(err, "the receiver"); ok {
		return wrap("%s", msg)
	}
	// Anything else: drop net/http's `Post "https://…":` prefix, which
	// repeats the URL the attempt log already shows.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return wrap("%s", urlErr.Err)
	}
	return wrap("%s", err)
}

// connProblem recognises a failure to connect to, or to hear back from,
// peer ("the receiver", "the proxy") and says it in words.
func connProblem(err error, peer string) (string, bool) {
	addr := ""
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Addr != nil {
		addr = " (" + opErr.Addr.String() + ")"
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused" + addr, true
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by " + peer + addr, true
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable" + addr, true
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable" + addr, true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return peer + " closed the connection without answering", true
	}
	return "", false
}

// notTLS describes an https URL whose server speaks plain HTTP.
const notTLS = "the server did not answer with TLS (does the URL need http:// instead of https://?)"

// tlsProblem recognises TLS and certificate failures and returns their
// cause without the "tls:" and "x509:" noise.
func tlsProblem(err error) (string, bool) {
	var (
		verify    *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
		alert     tls.AlertError
	)
	switch {
	case errors.As(err, &record):
		return notTLS, true
	case errors.As(err, &unknownCA):
		return "certificate signed by an unknown authority", true
	case errors.As(err, &hostname):
		return strings.TrimPrefix(hostname.Error(), "x509: "), true
	case errors.As(err, &invalid):
		return strings.TrimPrefix(invalid.Error(), "x509: "), true
	case errors.As(err, &verify):
		return strings.TrimPrefix(verify.Err.Error(), "x509: "), true
	case errors.As(err, &alert):
		return "the server sent alert: " + strings.TrimPrefix(alert.Error(), "tls: "), true
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		msg := urlErr.Err.Error()
		switch {
		case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
			// net/http replaces the tls.RecordHeaderError with this text.
			return notTLS, true
		case strings.HasPrefix(msg, "tls: "):
			return strings.TrimPrefix(msg, "tls: "), true
		}
	}
	return "", false
}
