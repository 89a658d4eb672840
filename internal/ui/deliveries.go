package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store"
)

// auditPageSize is how many deliveries a page of the audit shows.
const auditPageSize = 50

// tab is one state tab of the audit with its count.
type tab struct {
	State  domain.DeliveryState // "" for all
	Label  string
	Count  int
	More   bool // Count is a lower bound: there are more
	URL    string
	Active bool
}

// auditData is the audit page's data.
type auditData struct {
	Tabs       []tab
	Deliveries []domain.Delivery
	Names      map[string]string // webhook id → name
	Webhooks   []domain.Webhook
	Filter     auditFilter
	Ranges     any
	NextURL    string
	FirstURL   string
	Types      []string
	Filtered   bool
	// Ordered is set when a webhook orders its deliveries: the page links
	// to the blocked keys.
	Ordered bool
	// From and To fill the custom range's fields.
	From, To timeField
	// Example is how the LMS publishes its first event, for the empty
	// audit of a tenant with webhooks.
	Example publishExample
}

// auditFilter is the audit's filter as given in the query.
type auditFilter struct {
	State     string
	WebhookID string
	EventType string
	EventID   string
	Range     string // a preset key, rangeCustom or ""
	// Since and Until bound a custom range, as RFC 3339 instants.
	Since, Until string
}

// query renders the filter as a query string, with the state replaced.
func (f auditFilter) query(state string) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"state": state, "webhook_id": f.WebhookID, "event_type": f.EventType, "event_id": f.EventID, "range": f.Range} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Range == rangeCustom {
		for k, v := range map[string]string{"since": f.Since, "until": f.Until} {
			if v != "" {
				q.Set(k, v)
			}
		}
	}
	return q
}

// parseAuditFilter reads the audit's filter from the query: what the
// page shows, and the filter the service checks. A custom range comes as
// since/until (or, without the page script, as from/to in UTC); these
// alone imply a custom range, so that the dashboard's bars can link to
// their deliveries.
func (c *Console) parseAuditFilter(q url.Values, tenantID string) (auditFilter, service.AuditFilter, error) {
	af := auditFilter{State: q.Get("state"), WebhookID: q.Get("webhook_id"), EventType: strings.TrimSpace(q.Get("event_type")),
		EventID: strings.TrimSpace(q.Get("event_id")), Range: q.Get("range")}
	f := service.AuditFilter{TenantID: tenantID, State: domain.DeliveryState(af.State), WebhookID: af.WebhookID,
		EventType: af.EventType, EventID: af.EventID, Page: store.Page{Cursor: q.Get("cursor"), Limit: auditPageSize}}
	if af.Range == "" && (q.Get("since") != "" || q.Get("until") != "" || q.Get("from") != "" || q.Get("to") != "") {
		af.Range = rangeCustom
	}
	switch {
	case af.Range == rangeCustom:
		var err error
		if f.Since, err = formTime(q, "since", "from"); err != nil {
			return af, f, err
		}
		if f.Until, err = formTime(q, "until", "to"); err != nil {
			return af, f, err
		}
		af.Since, af.Until = newTimeField(f.Since).UTC, newTimeField(f.Until).UTC
	case af.Range != "":
		d := presetRange(af.Range)
		if d == 0 {
			return af, f, domain.FieldErrorf("range", "%q is not a time range", af.Range)
		}
		f.Since = c.clock.Now().UTC().Add(-d)
	}
	return af, f, nil
}

// deliveriesPage is the audit list (seed 000): deliveries newest first,
// state tabs with counts, filters, and cursor pagination, which stays fast
// however many deliveries there are.
func (c *Console) deliveriesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	af, f, err := c.parseAuditFilter(q, rc.tenant.ID)
	if err != nil {
		return err
	}
	audit, err := c.deliveries.Audit(ctx, f, service.CappedCounts)
	if err != nil {
		return err
	}
	ds, next, counts := audit.Deliveries, audit.Next, audit.Counts
	hooks, err := c.webhooks.All(ctx, rc.tenant.ID)
	if err != nil {
		return err
	}
	base := tenantBase(rc.tenant.ID) + "/deliveries"
	d := auditData{Deliveries: ds, Names: map[string]string{}, Webhooks: hooks, Filter: af, Ranges: ranges,
		Filtered: af.WebhookID != "" || af.EventType != "" || af.EventID != "" || af.Range != ""}
	if af.Range == rangeCustom {
		d.From, d.To = newTimeField(f.Since), newTimeField(f.Until)
	}
	for _, h := range hooks {
		d.Names[h.ID] = h.Name
		d.Ordered = d.Ordered || h.Ordered()
	}
	// A count that is a lower bound (past service.CountCap) shows as
	// "10,000+"; All adds them up, a lower bound too.
	total, more := 0, false
	for _, st := range domain.DeliveryStates {
		total += counts[st]
		more = more || audit.AtLeast[st]
	}
	d.Tabs = append(d.Tabs, tab{Label: "All", Count: total, More: more, URL: base + "?" + af.query("").Encode(), Active: af.State == ""})
	for _, st := range domain.DeliveryStates {
		d.Tabs = append(d.Tabs, tab{State: st, Label: stateLabel(st), Count: counts[st], More: audit.AtLeast[st],
			URL: base + "?" + af.query(string(st)).Encode(), Active: af.State == string(st)})
	}
	if next != "" {
		nq := af.query(af.State)
		nq.Set("cursor", next)
		d.NextURL = base + "?" + nq.Encode()
	}
	if q.Get("cursor") != "" {
		d.FirstURL = base + "?" + af.query(af.State).Encode()
	}
	cat := c.catalogFor(ctx, rc.tenant.ID)
	for _, et := range cat.All() {
		d.Types = append(d.Types, et.Type)
	}
	if len(ds) == 0 && len(hooks) > 0 {
		d.Example = newPublishExample(r, c.publicURL, rc.tenant.ID, hooks, c.catalog)
	}
	return c.page(w, r, rc, "deliveries", "Deliveries", "deliveries", d)
}

// recoverDeliveries re-schedules the failed (and canceled) deliveries
// created since a time, for one webhook or all of them ("retry failed
// since…").
func (c *Console) recoverDeliveries(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rg := service.RecoverRange{TenantID: rc.tenant.ID, WebhookID: r.PostFormValue("webhook_id")}
	switch key := r.PostFormValue("since"); key {
	case rangeCustom:
		var err error
		if rg.Since, err = formTime(r.PostForm, "since_time", "since_local"); err != nil {
			return err
		}
	default:
		d := presetRange(key)
		if d == 0 {
			return domain.FieldErrorf("since", "choose how far back to retry")
		}
		rg.Since = c.clock.Now().UTC().Add(-d)
	}
	n, err := c.deliveries.Recover(r.Context(), rg)
	if err != nil {
		return err
	}
	c.setFlash(w, rc, plural(n, "failed or canceled delivery was", "failed or canceled deliveries were")+" scheduled again.")
	return redirect(w, r, tenantBase(rc.tenant.ID)+"/deliveries?state=scheduled")
}

// deliveryData is the delivery detail page's data.
type deliveryData struct {
	Delivery *domain.Delivery
	Event    *domain.Event
	Webhook  *domain.Webhook // nil if deleted since
	Attempts []domain.Attempt
}

// deliveryPage shows one delivery: the event, every attempt's request and
// response, the next attempt, and Resend.
func (c *Console) deliveryPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := c.deliveries.Get(r.Context(), rc.tenant.ID, r.PathValue("id"), service.Include{Event: true, Webhook: true})
	if err != nil {
		return err
	}
	data := deliveryData{Delivery: d.Delivery, Event: d.Event, Webhook: d.Webhook, Attempts: d.Attempts}
	// Newest attempt first: it is the one people come for.
	slices.Reverse(data.Attempts)
	return c.page(w, r, rc, "delivery", "Delivery "+d.Delivery.ID, "deliveries", data)
}

// resendDelivery makes the delivery due now with a fresh retry schedule.
func (c *Console) resendDelivery(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := c.deliveries.Resend(r.Context(), rc.tenant.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	c.setFlash(w, rc, "Delivery scheduled to be sent again now.")
	return redirect(w, r, afterDeliveryAction(r, rc, d))
}
