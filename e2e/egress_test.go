package e2e

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/testsupport/syncbuf"
	"github.com/lmshooks/lmshooks/internal/testsupport/tinyproxy"
)

// Deliveries go out through a real egress proxy (tinyproxy). While the
// proxy refuses lmshooks' credentials, attempts fail as the proxy's and
// are retried without using up the webhook's retry schedule; once it is
// fixed, the receiver's own failures count as usual. A proxy that is down
// fails as the proxy too. The password never reaches the logs. On SQLite,
// and on PostgreSQL when LMSHOOKS_TEST_POSTGRES is set.
func TestEgressProxy(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { egressProxy(t, nil) })
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("LMSHOOKS_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("LMSHOOKS_TEST_POSTGRES is not set")
		}
		egressProxy(t, func(c *config.Config) { c.DB = withSchema(t, dsn) })
	})
}

func egressProxy(t *testing.T, db func(*config.Config)) {
	const password = "egress-pass-1"
	proxy := tinyproxy.Start(t, tinyproxy.Options{User: "lmshooks", Password: "another-pass"})
	clk := clock.NewFake(time.Now())
	var logs syncbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := startServerWith(t, log, app.Options{Clock: clk}, func(c *config.Config) {
		c.EgressProxy = proxy.URL("lmshooks", password)
		if db != nil {
			db(c)
		}
	})
	if want := "egress_proxy=http://lmshooks:***@" + proxy.Addr(); !strings.Contains(logs.String(), want) {
		t.Fatalf("start-up log lacks %s:\n%s", want, logs.String())
	}

	s.createTenant("acme")
	rc := newReceiver(t, func(n int, r *http.Request) int {
		if n == 1 {
			return 500
		}
		return 200
	})
	// One retry: two attempts in all, if proxy failures counted.
	s.createWebhook("acme", client.WebhookRequest{Name: "hris", URL: rc.URL + "/hook", EventTypes: []string{"*"},
		RetryPolicy: "custom", RetrySchedule: []float64{1}})
	s.publishBatch("acme", "user.created", 1, 0)

	// attempted waits for the delivery's n-th attempt to be recorded and
	// returns the delivery then.
	var id string
	attempted := func(n int) *client.DeliveryDetail {
		t.Helper()
		var d *client.DeliveryDetail
		eventually(t, 20*time.Second, "attempt "+string(rune('0'+n)), func() bool {
			if id == "" {
				l := s.deliveries("acme", client.DeliveryParams{})
				if len(l.Data) == 0 {
					return false
				}
				id = l.Data[0].ID
			}
			// The delivery and its attempts are read apart: wait until
			// both show the attempt.
			d = s.delivery("acme", id)
			return len(d.Attempts) == n && d.Delivery.Attempts == n
		})
		return d
	}
	for n := 1; n <= 3; n++ {
		d := attempted(n)
		a := d.Attempts[n-1]
		// tinyproxy before 1.11.2 answers wrong credentials with 401.
		if a.Response != nil || a.Success ||
			!(strings.HasPrefix(a.Error, "egress proxy: 407 Proxy Authentication Required (") || strings.HasPrefix(a.Error, "egress proxy: 401 Unauthorized (")) {
			t.Fatalf("attempt %d = %+v, want a proxy authentication failure", n, a)
		}
		if d.Delivery.State != client.Scheduled || d.Delivery.NextAttemptAt == nil {
			t.Fatalf("after proxy failure %d the delivery is %s, want scheduled", n, d.Delivery.State)
		}
		if wait := d.Delivery.NextAttemptAt.Sub(a.StartedAt); wait < domain.ProxyRetryWait {
			t.Fatalf("retry after a proxy failure in %s, want %s", wait, domain.ProxyRetryWait)
		}
		if n < 3 {
			clk.Advance(domain.ProxyRetryWait + time.Second)
		}
	}
	if rc.count() != 0 {
		t.Fatalf("the receiver got %d requests while the proxy refused", rc.count())
	}

	// The operator fixes the proxy. The receiver's 500 is the first
	// failure of the schedule, so the delivery is retried, and succeeds.
	proxy.Restart(tinyproxy.Options{User: "lmshooks", Password: password})
	clk.Advance(domain.ProxyRetryWait + time.Second)
	d := attempted(4)
	if a := d.Attempts[3]; a.Response == nil || a.Response.Status != 500 || d.Delivery.State != client.Scheduled {
		t.Fatalf("attempt 4 = %+v, delivery %s; want the receiver's 500 and a retry", a, d.Delivery.State)
	}
	clk.Advance(2 * time.Second)
	d = attempted(5)
	if !d.Attempts[4].Success || d.Delivery.State != client.Succeeded || rc.count() != 2 {
		t.Fatalf("attempt 5 = %+v, delivery %s, %d requests; want a success", d.Attempts[4], d.Delivery.State, rc.count())
	}
	// Both requests went through the proxy, to the receiver's IP.
	u, _ := url.Parse(rc.URL)
	if cs := proxy.Connects(); !slices.Contains(cs, u.Host) {
		t.Fatalf("proxy got CONNECT %q, want %s", cs, u.Host)
	}

	// A proxy that is down fails as the proxy. A tunnel the client kept
	// from before may die with the proxy and fail its one request as the
	// receiver's; the next request dials the proxy and is refused.
	proxy.Stop()
	s.publishBatch("acme", "user.created", 2, 1)
	want := "egress proxy: connection refused (" + proxy.Addr() + ")"
	eventually(t, 20*time.Second, "an attempt refused by the proxy that is down", func() bool {
		for _, d := range s.deliveries("acme", client.DeliveryParams{State: client.Scheduled}).Data {
			for _, a := range s.delivery("acme", d.ID).Attempts {
				if a.Error == want {
					return true
				}
			}
		}
		return false
	})

	// At debug level, the password shows neither as is nor in the
	// Proxy-Authorization header sent.
	header := base64.StdEncoding.EncodeToString([]byte("lmshooks:" + password))
	if l := logs.String(); !strings.Contains(l, "egress proxy failing") || strings.Contains(l, password) || strings.Contains(l, header) {
		t.Fatalf("logs lack the proxy warning or show the password:\n%s", l)
	}
}
