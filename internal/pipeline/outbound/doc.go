// Package outbound is the HTTP client that delivers webhooks.
//
// It is built for one job: POST a signed body to a URL a tenant admin typed
// in, safely and fast, and report what happened in words fit for the
// attempt log. Concretely it
//
//   - refuses private, loopback, link-local (cloud metadata), CGNAT,
//     unspecified, multicast and reserved addresses, checked on the IP the
//     socket is about to connect to (net.Dialer.Control), so neither DNS
//     tricks nor a host name that resolves to 127.0.0.1 nor DNS rebinding
//     between a check and the connect can reach the operator's network
//     (Options.AllowPrivate lifts this for development and tests);
//   - never uses a proxy, not even one from HTTP_PROXY/HTTPS_PROXY: the
//     dial-time check would then see only the proxy's address, and the
//     proxy would happily connect to 169.254.169.254 on our behalf, which
//     defeats the check (and a proxy on a private address would make every
//     delivery fail). Operators who need egress control should route at
//     the network layer instead;
//   - never follows redirects: a 3xx is returned as is, because following
//     one would re-send a signed body to a URL nobody configured;
//   - bounds everything: one timeout covers connect, TLS, request, response
//     headers and the logged body; at most domain.MaxResponseBody bytes of
//     the answer are kept and a bounded amount more is drained so the
//     connection can be reused;
//   - keeps many connections alive per host, because one LMS often sends
//     thousands of events per minute to the same receiver.
package outbound
