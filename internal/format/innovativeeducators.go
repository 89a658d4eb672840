package format

import (
	"fmt"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// InnovativeEducators renders seed 002's wire format (Innovative
// Educators "Live Event Webhooks"): one flat courseCompletion object per
// completed course,
//
//	{"id":"<uuid>","source":"course_completed","timestamp":"2025-03-14T09:26:53.000Z",
//	 "type":"status_change","user":"<learner email>","companyId":"<tenant>",
//	 "event":"courseCompletion","notifiableId":"<course id>","title":"<course title>",
//	 "userDetail":{"id","firstName","lastName","externalCustomerId","sfContactId",
//	               "sfAccountId","client","ref1","ref2","ref3"}}
//
// id is the event id when it is a UUID, else its stable UUIDv5. The
// vendor signs nothing (receivers allow-list source IPs), so neither does
// this format unless format_options.standard_webhooks is true. Only
// course_enrollment.completed can be subscribed. Defaults: 15 s timeout,
// success on 200–308, the "innovative-educators" retry preset.
type InnovativeEducators struct{}

// ieOptions are the innovative-educators format_options.
type ieOptions struct {
	commonOptions
	// CompanyID is companyId; default the tenant id.
	CompanyID string `json:"company_id"`
	// Client is userDetail.client; default the learner's
	// custom_fields.client, else null.
	Client string `json:"client"`
	// Ref1…Ref3 are JSON Pointers into the event data for userDetail.ref1…3
	// (SSO attributes); default /user/custom_fields/ref1…3.
	Ref1 string `json:"ref1"`
	Ref2 string `json:"ref2"`
	Ref3 string `json:"ref3"`
}

func (InnovativeEducators) options(w *domain.Webhook) (ieOptions, error) {
	o := ieOptions{Ref1: "/user/custom_fields/ref1", Ref2: "/user/custom_fields/ref2", Ref3: "/user/custom_fields/ref3"}
	if err := decodeOptions("innovative-educators", w.FormatOptions, &o); err != nil {
		return o, err
	}
	for name, p := range map[string]string{"ref1": o.Ref1, "ref2": o.Ref2, "ref3": o.Ref3} {
		if p != "" && !strings.HasPrefix(p, "/") {
			return o, domain.FieldErrorf("format_options."+name, "must be a JSON Pointer into the event data such as \"/user/custom_fields/%s\"", name)
		}
	}
	return o, nil
}

// ieType is the one event type the vendor sends.
const ieType = "course_enrollment.completed"

// Name returns "innovative-educators".
func (InnovativeEducators) Name() string { return "innovative-educators" }

// Defaults are the vendor's published ones.
func (InnovativeEducators) Defaults() Defaults {
	return Defaults{Timeout: 15 * time.Second, RetryPolicy: "innovative-educators", SuccessRule: domain.SuccessRule{Min: 200, Max: 308}}
}

// ValidateWebhook checks the options and the event types.
func (f InnovativeEducators) ValidateWebhook(w *domain.Webhook) ([]string, error) {
	if _, err := f.options(w); err != nil {
		return nil, err
	}
	return nil, checkTypes("innovative-educators", w.EventTypes, []string{ieType})
}

// Render builds the courseCompletion request.
func (f InnovativeEducators) Render(ev *domain.Event, _ *domain.Delivery, w *domain.Webhook, _ time.Time) (Request, error) {
	o, err := f.options(w)
	if err != nil {
		return Request{}, err
	}
	if ev.Type != ieType {
		return Request{}, fmt.Errorf("innovative-educators format: only %s can be sent, not %s", ieType, ev.Type)
	}
	d, err := parseObject(ev.Data)
	if err != nil {
		return Request{}, fmt.Errorf("innovative-educators format: event %s: %w", ev.ID, err)
	}
	u := objOf(d.get("user"))
	company := o.CompanyID
	if company == "" {
		company = w.TenantID
	}
	var client any = path(u, "custom_fields", "client")
	if o.Client != "" {
		client = o.Client
	}
	ref := func(p string) any {
		if p == "" {
			return nil
		}
		return at(d, p)
	}
	course := objOf(d.get("course"))
	body := marshal(obj{
		{"id", stableUUID(ev.ID)},
		{"source", "course_completed"},
		{"timestamp", ev.OccurredAt.UTC().Format(millisLayout)},
		{"type", "status_change"},
		{"user", u.get("email")},
		{"companyId", company},
		{"event", "courseCompletion"},
		{"notifiableId", course.get("id")},
		{"title", course.get("title")},
		{"userDetail", obj{
			{"id", u.get("id")},
			{"firstName", u.get("first_name")},
			{"lastName", u.get("last_name")},
			{"externalCustomerId", u.get("external_id")},
			{"sfContactId", path(u, "external_refs", "crm_contact_id")},
			{"sfAccountId", path(u, "external_refs", "crm_account_id")},
			{"client", client},
			{"ref1", ref(o.Ref1)},
			{"ref2", ref(o.Ref2)},
			{"ref3", ref(o.Ref3)},
		}},
	})
	return Request{ContentType: o.contentType("application/json"), Body: body, SkipStandardSignature: o.skipStandard(false)}, nil
}

// ReplaysBody reports that the body reads only what the stores keep
// (see Replayable).
func (InnovativeEducators) ReplaysBody() bool { return true }
