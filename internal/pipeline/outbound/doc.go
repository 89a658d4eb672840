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
//   - never uses a proxy from HTTP_PROXY/HTTPS_PROXY, nor net/http's proxy
//     support: the dial-time check would then see only the proxy's
//     address, and the proxy, given the target's name, would happily
//     connect to 169.254.169.254 on our behalf. An egress proxy
//     (Options.Proxy, for static egress IPs) is instead reached by the
//     dialer: it resolves the target's name itself, checks every address
//     with the same rules, and asks the proxy with CONNECT for a tunnel to
//     the checked IP, never to the name, so a DNS answer that changes in
//     between cannot slip past. Plain http and https targets both go
//     through a tunnel; TLS runs end to end inside it, with SNI and the
//     certificate checked against the name. A failure of the proxy
//     itself (unreachable, 407, no valid answer) matches ErrProxy and is
//     worded "egress proxy: …", so the dispatcher can tell it from the
//     receiver's failure;
//   - never follows redirects: a 3xx is returned as is, because following
//     one would re-send a signed body to a URL nobody configured;
//   - bounds everything: one timeout covers connect, TLS, request, response
//     headers and the logged body; at most domain.MaxResponseBody bytes of
//     the answer are kept and a bounded amount more is drained so the
//     connection can be reused;
//   - keeps many connections alive per host, because one LMS often sends
//     thousands of events per minute to the same receiver.
package outbound
