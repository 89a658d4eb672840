package format

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// CloudEvents renders CloudEvents 1.0 over HTTP. Structured mode (the
// default) sends the event as application/cloudevents+json:
//
//	{"specversion":"1.0","id":"evt_…","source":"/tenants/acme",
//	 "type":"lmshooks.course_enrollment.completed","subject":"course_enrollments/enr_4711",
//	 "time":"2025-03-14T09:26:53.000Z","datacontenttype":"application/json",
//	 "tenantid":"acme","actortype":"learner","actorid":"u_2187","data":{…}}
//
// actortype and actorid (extension attributes) say who caused the event,
// from data.actor, when the data says. Binary mode (format_options.mode
// "binary") sends data as the body (application/json) and every other
// attribute as a ce-* header. id is the event id (the same for every webhook and every retry, which the
// spec allows), data is sent as stored (as published, compacted). CloudEvents does
// not define signing, so the Standard Webhooks headers are kept unless
// format_options.standard_webhooks is false. Every event type renders.
type CloudEvents struct{}

// cloudEventsOptions are the cloudevents format_options.
type cloudEventsOptions struct {
	commonOptions
	// Mode is "structured" (default) or "binary".
	Mode string `json:"mode"`
	// Source is the source attribute; "{tenant_id}" is replaced by the
	// tenant id. Default "/tenants/{tenant_id}".
	Source string `json:"source"`
	// TypePrefix goes before the catalog type; default "lmshooks.". Use
	// your own reverse-DNS name ("com.example.lms.").
	TypePrefix string `json:"type_prefix"`
}

func (CloudEvents) options(w *domain.Webhook) (cloudEventsOptions, error) {
	o := cloudEventsOptions{Mode: "structured", Source: "/tenants/{tenant_id}", TypePrefix: "lmshooks."}
	if err := decodeOptions("cloudevents", w.FormatOptions, &o); err != nil {
		return o, err
	}
	if err := oneOf("mode", o.Mode, "structured", "binary"); err != nil {
		return o, err
	}
	if o.Source == "" || strings.ContainsAny(o.Source, "\r\n") {
		return o, domain.FieldErrorf("format_options.source", "must be a non-empty URI reference such as \"https://lms.example.com/tenants/{tenant_id}\"")
	}
	if strings.ContainsAny(o.TypePrefix, "\r\n ") {
		return o, domain.FieldErrorf("format_options.type_prefix", "must not contain spaces or line breaks")
	}
	return o, nil
}

// Name returns "cloudevents".
func (CloudEvents) Name() string { return "cloudevents" }

// ValidateWebhook checks the options.
func (c CloudEvents) ValidateWebhook(w *domain.Webhook) ([]string, error) {
	_, err := c.options(w)
	return nil, err
}

// Render builds the CloudEvents request.
func (c CloudEvents) Render(ev *domain.Event, _ *domain.Delivery, w *domain.Webhook, _ time.Time) (Request, error) {
	o, err := c.options(w)
	if err != nil {
		return Request{}, err
	}
	if len(ev.Data) == 0 {
		return Request{}, fmt.Errorf("cloudevents format: event %s has no data", ev.ID)
	}
	entity, _ := splitType(ev.Type)
	attrs := obj{
		{"specversion", "1.0"},
		{"id", ev.ID},
		{"source", strings.ReplaceAll(o.Source, "{tenant_id}", ev.TenantID)},
		{"type", o.TypePrefix + ev.Type},
	}
	// subject names the object the event is about, when data has an id;
	// data itself is sent as it is.
	d, derr := parseObject(ev.Data)
	if derr == nil {
		switch id := d.get("id").(type) {
		case string, json.Number:
			attrs = append(attrs, member{"subject", entity + "s/" + text(id)})
		}
	}
	attrs = append(attrs,
		member{"time", ev.OccurredAt.UTC().Format(millisLayout)},
		member{"datacontenttype", "application/json"},
		member{"tenantid", ev.TenantID},
	)
	// Who caused the event, as extension attributes, so that a router can
	// tell learner activity from admin changes without reading data.
	if derr == nil {
		if t, ok := path(d, "actor", "type").(string); ok && t != "" {
			attrs = append(attrs, member{"actortype", t})
		}
		if id, ok := path(d, "actor", "id").(string); ok && id != "" {
			attrs = append(attrs, member{"actorid", id})
		}
	}
	skip := o.skipStandard(true)
	if o.Mode == "binary" {
		h := http.Header{}
		for _, a := range attrs {
			if a.k == "datacontenttype" {
				continue // it is the Content-Type
			}
			h.Set("ce-"+a.k, ceHeaderValue(a.v.(string)))
		}
		return Request{ContentType: o.contentType("application/json"), Header: h, Body: append([]byte(nil), ev.Data...), SkipStandardSignature: skip}, nil
	}
	body := marshal(append(attrs, member{"data", ev.Data}))
	return Request{ContentType: o.contentType("application/cloudevents+json; charset=utf-8"), Body: body, SkipStandardSignature: skip}, nil
}

// ceHeaderValue percent-encodes an attribute for a ce-* header, as the
// HTTP binding requires: space, '"', '%' and every byte outside printable
// ASCII.
func ceHeaderValue(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '%' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// ReplaysBody reports that the body reads only what the stores keep
// (see Replayable).
func (CloudEvents) ReplaysBody() bool { return true }
