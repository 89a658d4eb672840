package ui

import (
	"net/http"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// catalogGroup is one entity of the catalog page.
type catalogGroup struct {
	Entity      string
	Description string
	Types       []catalog.EventType
	Custom      int // how many of Types are the tenant's own
}

// catalogPage lists the event types the tenant can use: the builtin ones
// and its own, marked custom.
func (c *Console) catalogPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	cat, err := c.eventTypes.Catalog(r.Context(), rc.tenant.ID)
	if err != nil {
		return err
	}
	var groups []catalogGroup
	byEntity := map[string]int{}
	for _, et := range cat.All() {
		i, ok := byEntity[et.Entity]
		if !ok {
			i = len(groups)
			byEntity[et.Entity] = i
			groups = append(groups, catalogGroup{Entity: et.Entity, Description: cat.EntityDescription(et.Entity)})
		}
		groups[i].Types = append(groups[i].Types, et)
		if et.Custom {
			groups[i].Custom++
		}
	}
	return c.page(w, r, rc, "catalog", "Event types", "catalog", groups)
}

// standardFirst puts the default format first, where a reader starts.
func standardFirst(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n == domain.DefaultFormat {
			out = append(out, n)
		}
	}
	for _, n := range names {
		if n != domain.DefaultFormat {
			out = append(out, n)
		}
	}
	return out
}

// rendering is an example as one format puts it on the wire.
type rendering struct {
	Format      string
	Label       string // the vendor or standard behind the format
	ContentType string
	Headers     []header
	Body        []byte
	// Signed says the dispatcher adds the Standard Webhooks headers
	// (webhook-id, webhook-timestamp, webhook-signature); vendor formats
	// whose receivers expect the vendor's request exactly do without.
	Signed bool
	Error  string
}

// eventTypeData is an event type's page data.
type eventTypeData struct {
	Type       *catalog.EventType
	Renderings []rendering
}

// eventTypePage shows an event type, builtin or the tenant's own: its
// schema, its example, and the example as each format sends it.
func (c *Console) eventTypePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	et, err := c.eventTypes.Get(r.Context(), rc.tenant.ID, r.PathValue("type"))
	if err != nil {
		return err
	}
	if len(et.Example) == 0 {
		// A custom type registered without an example: nothing to render.
		return c.page(w, r, rc, "event_type", et.Type, "catalog", eventTypeData{Type: et})
	}
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	ev := &domain.Event{ID: "evt_01hx0example0000000000000", TenantID: rc.tenant.ID, Type: et.Type, OccurredAt: now, ReceivedAt: now, Data: et.Example}
	dl := &domain.Delivery{ID: "dlv_01hx0example0000000000000", TenantID: rc.tenant.ID, EventID: ev.ID, WebhookID: "wh_example", EventType: et.Type, State: domain.Scheduled, CreatedAt: now}
	d := eventTypeData{Type: et}
	for _, name := range standardFirst(c.formats.Names()) {
		rd, _ := c.formats.Lookup(name)
		wh := &domain.Webhook{ID: "wh_example", TenantID: rc.tenant.ID, Name: "Example", Format: name, EventTypes: []string{et.Type}}
		req, err := rd.Render(ev, dl, wh, now)
		out := rendering{Format: name, Label: formatLabels[name]}
		if err != nil {
			out.Error = err.Error()
		} else {
			out.ContentType, out.Headers, out.Body = req.ContentType, sortedHeaders(req.Header), req.Body
			out.Signed = !req.SkipStandardSignature
		}
		d.Renderings = append(d.Renderings, out)
	}
	return c.page(w, r, rc, "event_type", et.Type, "catalog", d)
}
