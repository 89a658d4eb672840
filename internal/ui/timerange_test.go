package ui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// publishAt stores n events of the tenant created at t, each delivered to
// every enabled webhook, and returns their deliveries' ids.
func (b *bundle) publishAt(tenant string, at time.Time, n int) []string {
	b.t.Helper()
	evs := make([]domain.Event, n)
	for i := range evs {
		evs[i] = domain.Event{ID: testIDs.NewAt(id.Event, at), TenantID: tenant, Type: "user.created", OccurredAt: at, ReceivedAt: at, Data: []byte(`{"id":"u1"}`)}
	}
	res, err := storetest.Seed{TenantID: tenant, Events: evs, Now: at,
		Match: func(*domain.Webhook, *domain.Event) bool { return true }}.Publish(context.Background(), b.store)
	if err != nil {
		b.t.Fatal(err)
	}
	var ids []string
	for _, r := range res {
		for _, d := range r.Deliveries {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

var rowID = regexp.MustCompile(`data-delivery="([^"]+)"`)

// rows returns the delivery ids an audit page lists.
func rows(p page) []string {
	var out []string
	for _, m := range rowID.FindAllStringSubmatch(p.body, -1) {
		out = append(out, m[1])
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		if seen[x]--; seen[x] < 0 {
			return false
		}
	}
	return true
}

// The audit's custom time range shows the deliveries created between its
// bounds, however they were given: as instants (the page script converts
// the viewer's zone), as zone-less field values read as UTC (no script),
// or from a bar of the dashboard's chart.
func TestAuditTimeRange(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	b.webhook("acme", "crm")
	now := time.Now().UTC().Truncate(time.Second)
	old := b.publishAt("acme", now.Add(-5*time.Hour), 2)
	mid := b.publishAt("acme", now.Add(-150*time.Minute), 3)
	recent := b.publishAt("acme", now.Add(-10*time.Minute), 4)

	since, until := now.Add(-3*time.Hour), now.Add(-2*time.Hour)
	q := url.Values{"range": {"custom"}, "since": {since.Format(time.RFC3339)}, "until": {until.Format(time.RFC3339)}}
	p := b.get("/t/acme/deliveries?" + q.Encode())
	wantStatus(t, p, http.StatusOK)
	if got := rows(p); !sameSet(got, mid) {
		t.Fatalf("custom range lists %v, want the 3 deliveries created 2.5 h ago %v", got, mid)
	}
	mustContain(t, p, `All <span class="count">3</span>`, `<option value="custom" selected>`,
		`value="`+since.Format(localInput)+`" data-utc="`+since.Format(time.RFC3339)+`"`)
	// The state tabs keep the range.
	if !strings.Contains(p.body, "state=scheduled&amp;until="+url.QueryEscape(until.Format(time.RFC3339))) {
		t.Fatalf("state tabs drop the range:\n%s", p.body)
	}

	// Without the page script the fields' own values arrive, read as UTC.
	p = b.get("/t/acme/deliveries?" + url.Values{"range": {"custom"}, "from": {now.Add(-6 * time.Hour).Format(localInput)}, "to": {now.Add(-4 * time.Hour).Format(localInput)}}.Encode())
	if got := rows(p); !sameSet(got, old) {
		t.Fatalf("from/to lists %v, want the 2 oldest %v", got, old)
	}
	// An open end: everything since.
	p = b.get("/t/acme/deliveries?" + url.Values{"since": {now.Add(-time.Hour).Format(time.RFC3339)}}.Encode())
	if got := rows(p); !sameSet(got, recent) {
		t.Fatalf("since alone lists %v, want the 4 recent %v", got, recent)
	}
	// A preset range.
	if got := rows(b.get("/t/acme/deliveries?range=1h")); !sameSet(got, recent) {
		t.Fatalf("last hour lists %v, want %v", got, recent)
	}

	for _, bad := range []url.Values{
		{"range": {"custom"}, "since": {"yesterday"}},
		{"range": {"custom"}, "from": {"2025-13-40T99:00"}},
		{"since": {now.Format(time.RFC3339)}, "until": {now.Add(-time.Hour).Format(time.RFC3339)}},
		{"range": {"fortnight"}},
	} {
		if p := b.get("/t/acme/deliveries?" + bad.Encode()); p.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", bad, p.status)
		}
	}
}

// Each bar of the dashboard's chart links to the audit of its hour, which
// lists exactly the deliveries the bar counts.
func TestChartBarsLinkToTheirDeliveries(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	b.webhook("acme", "crm")
	now := time.Now().UTC()
	hourAgo := now.Truncate(time.Hour).Add(-2 * time.Hour).Add(20 * time.Minute)
	want := b.publishAt("acme", hourAgo, 3)
	b.publishAt("acme", now, 1)

	d := b.get("/t/acme/")
	wantStatus(t, d, http.StatusOK)
	start := hourAgo.Truncate(time.Hour)
	link := "/t/acme/deliveries?" + url.Values{"since": {start.Format(time.RFC3339)}, "until": {start.Add(time.Hour).Format(time.RFC3339)}}.Encode()
	// html/template escapes & in attributes; the chart writes it the same way.
	if !strings.Contains(d.body, `<a href="`+strings.ReplaceAll(link, "&", "&amp;")+`" aria-label="`+start.Format("Jan 2 15:04")+` UTC: 3 scheduled">`) {
		t.Fatalf("dashboard has no bar linking to %s", link)
	}
	if got := rows(b.get(link)); !sameSet(got, want) {
		t.Fatalf("the bar's audit lists %v, want %v", got, want)
	}
}

// "Retry failed since…" with a time of its own re-schedules the failed
// deliveries created since then, and not the older ones.
func TestRetryFailedSinceATime(t *testing.T) {
	b := setup(t)
	b.login()
	b.tenant("acme")
	w := b.webhook("acme", "crm")
	now := time.Now().UTC()
	old := b.publishAt("acme", now.Add(-3*time.Hour), 2)
	recent := b.publishAt("acme", now.Add(-30*time.Minute), 3)
	ctx := context.Background()
	// Disabling cancels all five.
	wantStatus(t, b.post("/t/acme/webhooks/"+w.ID+"/enabled", url.Values{"enabled": {"false"}, "confirm": {"yes"}}), http.StatusSeeOther)
	if counts, _ := b.store.CountDeliveries(ctx, store.DeliveryFilter{TenantID: "acme"}, 0); counts[domain.Canceled] != 5 {
		t.Fatalf("after disabling: %v", counts)
	}
	since := now.Add(-time.Hour).Format(time.RFC3339)
	p := b.post("/t/acme/deliveries/recover", url.Values{"since": {"custom"}, "since_time": {since}})
	wantStatus(t, p, http.StatusSeeOther)
	for _, id := range recent {
		if d, _ := b.store.GetDelivery(ctx, "acme", id); d.State != domain.Scheduled {
			t.Errorf("recent delivery %s is %s after the retry, want scheduled", id, d.State)
		}
	}
	for _, id := range old {
		if d, _ := b.store.GetDelivery(ctx, "acme", id); d.State != domain.Canceled {
			t.Errorf("older delivery %s is %s after the retry, want still canceled", id, d.State)
		}
	}
	// Without the page script: the field's own value, read as UTC.
	p = b.post("/t/acme/deliveries/recover", url.Values{"since": {"custom"}, "since_local": {now.Add(-4 * time.Hour).Format(localInput)}})
	wantStatus(t, p, http.StatusSeeOther)
	if d, _ := b.store.GetDelivery(ctx, "acme", old[0]); d.State != domain.Scheduled {
		t.Errorf("older delivery is %s after retrying since 4 h ago, want scheduled", d.State)
	}
	for _, bad := range []url.Values{
		{"since": {"custom"}},
		{"since": {"custom"}, "since_time": {now.Add(time.Hour).Format(time.RFC3339)}},
		{"since": {"forever"}},
	} {
		if p := b.post("/t/acme/deliveries/recover", bad); p.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", bad, p.status)
		}
	}
}
