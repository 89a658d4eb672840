package app

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

// blockedKeysAPI is the API's answer of GET …/blocked-keys.
type blockedKeysAPI struct {
	Data []struct {
		WebhookID string `json:"webhook_id"`
		Head      struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"head"`
		Waiting int `json:"waiting"`
	} `json:"data"`
}

// A blocked key from the console and the portal: the delivery page says
// which delivery a waiting one waits for and offers Skip next to Resend;
// the blocked keys page lists the failed head; a tenant admin skips it in
// the portal and the next one goes; the operator resends the new head
// from the blocked keys page, which unblocks the key once it succeeds.
func TestConsoleAndPortalUnblockKeys(t *testing.T) {
	onBothStores(t, func(t *testing.T, db string) {
		n := portalNode(t, db, func(c *config.Config) { c.AllowPrivateTargets, c.Addr = true, "127.0.0.1:0" })
		// The dispatcher sends the deliveries.
		if err := n.app.Start(); err != nil {
			t.Fatal(err)
		}
		var up atomic.Bool
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if !up.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(rcv.Close)
		n.api("POST", "/api/v1/tenants", portalOperatorKey, `{"id":"acme","name":"Acme"}`, nil)
		var wh struct{ ID string }
		n.api("POST", "/api/v1/tenants/acme/webhooks", portalOperatorKey,
			`{"name":"HRIS","url":"`+rcv.URL+`","event_types":["user.*"],"retry_policy":"none","ordering":"webhook"}`, &wh)
		ids := make([]string, 2)
		for i, typ := range []string{"user.created", "user.updated"} {
			var pub struct{ ID string }
			n.api("POST", "/api/v1/tenants/acme/events", portalOperatorKey, `{"type":"`+typ+`","data":{"id":"u_1","email":"ana@acme.com"}}`, &pub)
			var ev struct{ Deliveries []struct{ ID string } }
			n.api("GET", "/api/v1/tenants/acme/events/"+pub.ID, portalOperatorKey, "", &ev)
			if len(ev.Deliveries) != 1 {
				t.Fatalf("event %s has %d deliveries, want 1", typ, len(ev.Deliveries))
			}
			ids[i] = ev.Deliveries[0].ID
		}
		head, next := ids[0], ids[1]
		waitHead := func(id string) {
			t.Helper()
			poll.For(t, 15*time.Second, "delivery "+id+" to fail and block the key", func() bool {
				var bk blockedKeysAPI
				n.api("GET", "/api/v1/tenants/acme/blocked-keys", portalOperatorKey, "", &bk)
				return len(bk.Data) == 1 && bk.Data[0].Head.ID == id
			})
		}
		waitHead(head)

		// The operator's console.
		_, page := n.open(n.client, "/t/acme/deliveries/"+next)
		if !strings.Contains(page, `waits for <a class="mono" href="/t/acme/deliveries/`+head+`">`) || !strings.Contains(page, `id="skip"`) {
			t.Errorf("the waiting delivery's page does not say it waits for %s, or offers no Skip:\n%s", head, excerpt(page, "Ordering key"))
		}
		_, page = n.open(n.client, "/t/acme/deliveries/"+head)
		if !strings.Contains(page, `id="skip"`) || !strings.Contains(page, "blocks its key") {
			t.Errorf("the failed head's page offers no Skip or does not say it blocks:\n%s", excerpt(page, "Ordering key"))
		}
		_, page = n.open(n.client, "/t/acme/deliveries")
		if !strings.Contains(page, `id="blocked-keys-link"`) {
			t.Error("the audit of a tenant with an ordered webhook does not link to the blocked keys")
		}
		_, page = n.open(n.client, "/t/acme/blocked-keys")
		if !strings.Contains(page, `data-delivery="`+head+`"`) || !strings.Contains(page, `/deliveries/`+head+`/skip"`) {
			t.Fatalf("the blocked keys page does not list %s with Skip:\n%s", head, excerpt(page, "<table"))
		}

		// The tenant's portal: Skip from the blocked keys page comes back
		// to it, and the next delivery goes (and fails in turn).
		portal := n.wantLink(n.apiLink("acme"), http.StatusSeeOther, "portal link")
		status, loc := n.postAs(portal, "/t/acme/blocked-keys", "/t/acme/deliveries/"+head+"/skip", url.Values{"back": {"blocked-keys"}})
		if status != http.StatusSeeOther || loc != "/t/acme/blocked-keys" {
			t.Fatalf("portal skip = %d to %q, want 303 to the blocked keys", status, loc)
		}
		waitHead(next)
		if _, page = n.open(portal, "/t/acme/deliveries/"+head); !strings.Contains(page, "skipped") || strings.Contains(page, `id="skip"`) {
			t.Errorf("the skipped delivery's page does not say it was skipped, or still offers Skip:\n%s", excerpt(page, "Ordering key"))
		}
		// Skip again: a conflict, shown as such.
		if status, _ := n.postAs(portal, "/t/acme/blocked-keys", "/t/acme/deliveries/"+head+"/skip", nil); status != http.StatusConflict {
			t.Errorf("second skip = %d, want 409", status)
		}

		// The operator resends the new head from the blocked keys page,
		// filtered by webhook.
		up.Store(true)
		status, loc = n.postAs(n.client, "/t/acme/blocked-keys", "/t/acme/deliveries/"+next+"/resend",
			url.Values{"back": {"blocked-keys"}, "webhook_id": {wh.ID}})
		if status != http.StatusSeeOther || loc != "/t/acme/blocked-keys?webhook_id="+wh.ID {
			t.Fatalf("console resend = %d to %q, want 303 to the filtered blocked keys", status, loc)
		}
		poll.For(t, 15*time.Second, "the resent delivery to succeed and unblock the key", func() bool {
			var bk blockedKeysAPI
			n.api("GET", "/api/v1/tenants/acme/blocked-keys", portalOperatorKey, "", &bk)
			var d struct{ Delivery struct{ State string } }
			n.api("GET", "/api/v1/tenants/acme/deliveries/"+next, portalOperatorKey, "", &d)
			return len(bk.Data) == 0 && d.Delivery.State == "succeeded"
		})
		if _, page = n.open(n.client, "/t/acme/blocked-keys?webhook_id="+wh.ID); !strings.Contains(page, "No blocked keys") {
			t.Errorf("the blocked keys page still lists a key:\n%s", excerpt(page, "<table"))
		}
	})
}

// The webhook form saves the ordering settings and shows them again; an
// event type's page names its default ordering key.
func TestConsoleWebhookFormOrdering(t *testing.T) {
	n := portalNode(t, "sqlite:"+t.TempDir()+"/app.db")
	n.api("POST", "/api/v1/tenants", portalOperatorKey, `{"id":"acme","name":"Acme"}`, nil)
	if _, page := n.open(n.client, "/t/acme/event-types/course_enrollment.completed"); !strings.Contains(page, `Default ordering key: <code>/id</code>`) {
		t.Errorf("the event type page does not name its default ordering key:\n%s", excerpt(page, "<h1"))
	}
	_, page := n.open(n.client, "/t/acme/webhooks/new")
	if !strings.Contains(page, `name="ordering" value="none" checked`) || !strings.Contains(page, `name="ordering_failure" value="block" checked`) {
		t.Fatalf("a new webhook's form does not default to no ordering and block:\n%s", excerpt(page, "Ordering"))
	}
	status, _ := n.consolePost("/t/acme/webhooks", url.Values{
		"name": {"CRM"}, "url": {"https://crm.example.com/hook"}, "event_types": {"user.*"}, "enabled": {"on"},
		"format": {"standard"}, "signature_scheme": {"hmac-sha256"}, "timeout_seconds": {"10"}, "retry_policy": {"standard"},
		"success_status": {"2xx"}, "ordering": {"key"}, "ordering_failure": {"skip"},
	})
	if status != http.StatusSeeOther && status != http.StatusOK {
		t.Fatalf("create = %d", status)
	}
	var list struct {
		Data []struct{ ID, Name, Ordering, OrderingFailure string }
	}
	n.api("GET", "/api/v1/tenants/acme/webhooks", portalOperatorKey, "", &list)
	if len(list.Data) != 1 {
		t.Fatalf("%d webhooks, want 1", len(list.Data))
	}
	var wh struct {
		Ordering        string `json:"ordering"`
		OrderingFailure string `json:"ordering_failure"`
	}
	n.api("GET", "/api/v1/tenants/acme/webhooks/"+list.Data[0].ID, portalOperatorKey, "", &wh)
	if wh.Ordering != "key" || wh.OrderingFailure != "skip" {
		t.Errorf("saved ordering %q, failure %q; want key, skip", wh.Ordering, wh.OrderingFailure)
	}
	_, page = n.open(n.client, "/t/acme/webhooks/"+list.Data[0].ID)
	if !strings.Contains(page, `name="ordering" value="key" checked`) || !strings.Contains(page, `name="ordering_failure" value="skip" checked`) {
		t.Errorf("the edit form does not show the saved ordering:\n%s", excerpt(page, "Ordering"))
	}
}

// postAs posts form to path with c's session, taking the CSRF token from
// the page at from; it returns the status and the redirect's location.
func (n *consoleNode) postAs(c *http.Client, from, path string, form url.Values) (int, string) {
	n.t.Helper()
	_, page := n.open(c, from)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		n.t.Fatalf("no CSRF token on %s", from)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", html.UnescapeString(m[1]))
	req, _ := http.NewRequest("POST", n.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

// excerpt returns the part of page around marker, for failure messages.
func excerpt(page, marker string) string {
	i := strings.Index(page, marker)
	if i < 0 {
		return "(no " + marker + " on the page)"
	}
	return page[max(0, i-200):min(len(page), i+1500)]
}
