package format

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// RiseUp renders seed 000's wire format (Rise Up):
//
//	{"webhook_version":"1.0.0","content":{…},"sent_at":"2024-10-10T16:18:59.116893Z",
//	 "event_type":"course_registration_created","company_id":6499,"id":237857}
//
// content is the event's data reshaped to Rise Up's field names
// (firstname, edu_duration, state, progress, total_time, nested user and
// course, created_date/updated_date/deleted_date) with integer ids; id is
// derived from the delivery id, so it is the same on every retry (Rise Up's
// idempotency key); sent_at is the attempt's time with microseconds.
// X-RISEUP-SIGNATURE carries an HMAC of the body (hex HMAC-SHA256 with the
// secret string by default: Rise Up does not publish its algorithm), and
// the webhook's basic_auth gives seed 000's "Enable Authentication".
// Standard Webhooks headers are left out unless asked for. Every event
// type renders: see riseUpEventType for the names.
type RiseUp struct{}

// riseUpOptions are the riseup format_options.
type riseUpOptions struct {
	commonOptions
	hmacOptions
	// Signature sends X-RISEUP-SIGNATURE (seed 000's "Enable Hmac
	// Signature"); default true.
	Signature *bool `json:"signature"`
	// CompanyID is company_id; default the tenant id when it is numeric.
	CompanyID *int64 `json:"company_id"`
	// WebhookVersion is webhook_version; default "1.0.0".
	WebhookVersion string `json:"webhook_version"`
	// EventNames overrides event_type per catalog type.
	EventNames map[string]string `json:"event_names"`
	// DurationUnit is the unit of edu_duration: "hours" (default) or
	// "minutes". Rise Up does not document it.
	DurationUnit string `json:"edu_duration_unit"`
}

func (RiseUp) options(w *domain.Webhook) (riseUpOptions, error) {
	o := riseUpOptions{
		hmacOptions:    hmacOptions{Algorithm: "sha256", Encoding: "hex", Key: keySecret},
		WebhookVersion: "1.0.0",
		DurationUnit:   "hours",
	}
	if err := decodeOptions("riseup", w.FormatOptions, &o); err != nil {
		return o, err
	}
	if err := o.check(); err != nil {
		return o, err
	}
	if o.CompanyID != nil && (*o.CompanyID < 0 || *o.CompanyID > maxSafeInteger) {
		return o, domain.FieldErrorf("format_options.company_id", "must be between 0 and %d", int64(maxSafeInteger))
	}
	for t, name := range o.EventNames {
		if !domain.ValidEventType(t) || name == "" {
			return o, domain.FieldErrorf("format_options.event_names", "maps event types (<entity>.<action>) to non-empty Rise Up names; %q → %q is not", t, name)
		}
	}
	return o, oneOf("edu_duration_unit", o.DurationUnit, "hours", "minutes")
}

// Name returns "riseup".
func (RiseUp) Name() string { return "riseup" }

// Defaults: Rise Up retries up to 7 times (the "riseup" preset); its
// timeout is not published, so the domain's 15 s applies.
func (RiseUp) Defaults() Defaults { return Defaults{RetryPolicy: "riseup"} }

// ValidateWebhook checks the options and warns when company_id can only be
// a hash of a non-numeric tenant id.
func (r RiseUp) ValidateWebhook(w *domain.Webhook) ([]string, error) {
	o, err := r.options(w)
	if err != nil {
		return nil, err
	}
	if err := checkSecret("riseup", w); err != nil {
		return nil, err
	}
	if o.CompanyID == nil && w.TenantID != "" && !isDigits(w.TenantID) {
		return []string{fmt.Sprintf("tenant id %q is not a number, so company_id will be a stable hash of it (%d); set format_options.company_id to Rise Up's company id", w.TenantID, hash53(w.TenantID))}, nil
	}
	return nil, nil
}

// Render builds the Rise Up request.
func (r RiseUp) Render(ev *domain.Event, d *domain.Delivery, w *domain.Webhook, now time.Time) (Request, error) {
	o, err := r.options(w)
	if err != nil {
		return Request{}, err
	}
	data, err := parseObject(ev.Data)
	if err != nil {
		return Request{}, fmt.Errorf("riseup format: event %s: %w", ev.ID, err)
	}
	entity, action := splitType(ev.Type)
	c := riseUpContent{occurred: ev.OccurredAt.UTC().Format(microsLayout), action: action, hours: o.DurationUnit == "hours"}
	name := riseUpEventType(ev.Type)
	if n, ok := o.EventNames[ev.Type]; ok {
		name = n
	}
	var company any = intID(w.TenantID)
	if o.CompanyID != nil {
		company = *o.CompanyID
	}
	deliveryID := ev.ID
	if d != nil && d.ID != "" {
		deliveryID = d.ID
	}
	body := marshal(obj{
		{"webhook_version", o.WebhookVersion},
		{"content", c.build(entity, data)},
		{"sent_at", now.UTC().Format(microsLayout)},
		{"event_type", name},
		{"company_id", company},
		{"id", hash53(deliveryID)},
	})
	req := Request{ContentType: o.contentType("application/json"), Body: body, SkipStandardSignature: o.skipStandard(false)}
	if (o.Signature == nil || *o.Signature) && w.Secret != "" {
		sig, err := o.sign(w.Secret, body)
		if err != nil {
			return Request{}, fmt.Errorf("riseup format: %w", err)
		}
		req.Header = http.Header{}
		req.Header.Set("X-RISEUP-SIGNATURE", sig)
	}
	return req, nil
}

// riseUpEntities maps catalog entities to Rise Up's entity names.
var riseUpEntities = map[string]string{
	"user":                 "user",
	"course":               "course",
	"course_enrollment":    "course_registration",
	"classroom_session":    "classroom_session",
	"session_enrollment":   "classroom_session_registration",
	"learning_path":        "learning_path",
	"path_enrollment":      "learning_path_registration",
	"objective_enrollment": "objective_registration",
	"training_request":     "course_request",
	"group":                "group",
}

// riseUpEventType names an event type the Rise Up way, <entity>_<action>:
// Rise Up's entity name, and its action when it is created, updated,
// deleted or completed; every other action (started, progressed,
// published, approved…) changes the entity's state, which Rise Up sends as
// _updated. step_progress is always "step_progress", as Rise Up sends it.
// An entity Rise Up does not have keeps its catalog name and action
// (certificate.awarded → certificate_awarded), following the same pattern.
func riseUpEventType(t string) string {
	entity, action := splitType(t)
	if entity == "step_progress" {
		return "step_progress"
	}
	name, ok := riseUpEntities[entity]
	if !ok {
		return entity + "_" + action
	}
	switch action {
	case "created", "updated", "deleted", "completed":
	default:
		action = "updated"
	}
	return name + "_" + action
}

// riseUpContent reshapes event data into Rise Up's content objects.
type riseUpContent struct {
	occurred string // the event's time, µs layout
	action   string
	hours    bool // edu_duration in hours rather than minutes
}

func (c riseUpContent) build(entity string, d obj) obj {
	switch entity {
	case "user":
		return c.user(d, true)
	case "course":
		return c.course(d, true)
	case "course_enrollment":
		return c.base(d, true, "enrolled_at").
			set("state", riseUpState(d.get("status"))).
			set("progress", d.get("progress_percent")).
			set("reference", d.get("reference")).
			set("score", path(d, "score", "raw")).
			set("total_time", d.get("time_spent_seconds")).
			set("user_validator", nil).
			set("course", c.course(objOf(d.get("course")), false)).
			set("user", c.user(objOf(d.get("user")), false))
	case "classroom_session":
		return c.session(d, true)
	case "session_enrollment":
		return c.base(d, true, "registered_at").
			set("state", riseUpState(d.get("status"))).
			set("edu_duration", c.duration(d.get("attendance_minutes"))).
			set("reference", d.get("reference")).
			set("attended", d.get("attended")).
			set("user", c.user(objOf(d.get("user")), false)).
			set("classroom_session", c.session(objOf(d.get("session")), false))
	case "training_request":
		users := []any{}
		if a, ok := d.get("concerned_users").([]any); ok {
			for _, u := range a {
				users = append(users, c.user(objOf(u), false))
			}
		}
		var course any
		if co, ok := d.get("course").(obj); ok {
			course = c.course(co, false)
		}
		return c.base(d, true, "requested_at").
			set("description", d.get("description")).
			set("reason", d.get("reason")).
			set("duration", d.get("duration")).
			set("location", d.get("location")).
			set("theme", d.get("theme")).
			set("objectives", d.get("objectives")).
			set("organism_request", d.get("provider")).
			set("state", riseUpState(d.get("status"))).
			set("concerned_users", users).
			set("requester", c.user(objOf(d.get("user")), false)).
			set("course", course)
	case "group":
		return c.base(d, true).
			set("name", d.get("name")).
			set("id_partner", d.get("external_id")).
			set("reference", d.get("reference"))
	case "learning_path":
		return c.learningPath(d, true)
	case "path_enrollment":
		return c.base(d, true, "enrolled_at").
			set("state", riseUpState(d.get("status"))).
			set("progress", d.get("progress_percent")).
			set("score", path(d, "score", "raw")).
			set("total_time", d.get("time_spent_seconds")).
			set("learning_path", c.learningPath(objOf(d.get("learning_path")), false)).
			set("user", c.user(objOf(d.get("user")), false))
	case "step_progress":
		o := c.base(d, true, "started_at").
			set("course_subscription_id", intID(d.get("enrollment_id"))).
			set("progression", d.get("progress_percent")).
			set("timespent", d.get("time_spent_seconds"))
		if done := d.get("completed_at"); done != nil && c.action != "deleted" {
			o = o.set("updated_date", retime(done, microsLayout))
		}
		return o
	case "objective_enrollment":
		ob := objOf(d.get("objective"))
		return c.base(d, true, "enrolled_at").
			set("state", riseUpState(d.get("status"))).
			set("progress", d.get("progress_percent")).
			set("end_date", c.date(d.get("ends_at"))).
			set("experience_points", d.get("experience_points")).
			set("objective", c.base(ob, false).
				set("title", ob.get("title")).
				set("start_date", c.date(ob.get("starts_at"))).
				set("end_date", c.date(ob.get("ends_at"))).
				set("experience_points", ob.get("experience_points"))).
			set("user", c.user(objOf(d.get("user")), false))
	default:
		// No Rise Up entity: the common fields, then the data as it is,
		// except that the user, course and learning path it refers to
		// take Rise Up's shape, so a receiver parses them as it parses
		// Rise Up's own objects.
		o := c.base(d, true)
		for _, m := range d {
			ref, isObj := m.v.(obj)
			switch {
			case m.k == "id" || m.k == "created_at" || m.k == "updated_at":
			case isObj && m.k == "user":
				o = o.set(m.k, c.user(ref, false))
			case isObj && m.k == "course":
				o = o.set(m.k, c.course(ref, false))
			case isObj && m.k == "learning_path":
				o = o.set(m.k, c.learningPath(ref, false))
			default:
				o = o.set(m.k, m.v)
			}
		}
		return o
	}
}

// base starts a content object with Rise Up's common fields. top is the
// event's own object (its dates fall back to the event's time); created
// lists data fields that may hold the creation time besides created_at.
func (c riseUpContent) base(d obj, top bool, created ...string) obj {
	createdAt := d.get("created_at")
	for _, k := range created {
		createdAt = firstOf(createdAt, d.get(k))
	}
	updated := d.get("updated_at")
	var deleted any
	if top {
		if updated == nil {
			updated = c.occurred
		}
		if c.action == "deleted" {
			deleted = c.occurred
		}
		if createdAt == nil && c.action == "created" {
			createdAt = c.occurred
		}
	}
	return obj{
		{"created_date", c.date(createdAt)},
		{"updated_date", c.date(updated)},
		{"deleted_date", deleted},
		{"id", intID(d.get("id"))},
	}
}

func (c riseUpContent) user(u obj, top bool) obj {
	var role any
	if roles, ok := u.get("roles").([]any); ok && len(roles) > 0 {
		role = roles[0]
	}
	return c.base(u, top).
		set("firstname", u.get("first_name")).
		set("lastname", u.get("last_name")).
		set("email", u.get("email")).
		set("username", u.get("username")).
		set("role", role).
		set("id_partner", nil).
		set("language", u.get("locale")).
		set("rhid", u.get("external_id"))
}

func (c riseUpContent) course(co obj, top bool) obj {
	return c.base(co, top).
		set("title", co.get("title")).
		set("language", co.get("language")).
		set("skills", orEmpty(co.get("skills"))).
		set("reference", co.get("reference")).
		set("categories", orEmpty(co.get("categories"))).
		set("keywords", orEmpty(co.get("keywords"))).
		set("edu_duration", c.duration(co.get("duration_minutes")))
}

func (c riseUpContent) session(s obj, top bool) obj {
	loc := objOf(s.get("location"))
	return c.base(s, top).
		set("title", s.get("title")).
		set("start_date", c.date(s.get("starts_at"))).
		set("end_date", c.date(s.get("ends_at"))).
		set("timezone", s.get("timezone")).
		set("state", riseUpState(s.get("status"))).
		set("meeting_url", loc.get("virtual_url")).
		set("location", loc.get("name")).
		set("language", s.get("language")).
		set("room", loc.get("room")).
		set("edu_duration", c.duration(s.get("duration_minutes"))).
		set("seats", s.get("capacity")).
		set("reference", s.get("reference"))
}

func (c riseUpContent) learningPath(p obj, top bool) obj {
	return c.base(p, top).
		set("title", p.get("title")).
		set("id_partner", p.get("external_id"))
}

// date renders a timestamp with microseconds, as Rise Up does.
func (c riseUpContent) date(v any) any { return retime(v, microsLayout) }

// duration converts minutes to edu_duration's unit.
func (c riseUpContent) duration(v any) any {
	n, ok := v.(json.Number)
	if !ok || !c.hours {
		return v
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return v
	}
	return f / 60
}

// riseUpState maps catalog statuses to Rise Up's state values where they
// differ (Rise Up shows "validated", "pending" and "cancelled").
func riseUpState(v any) any {
	switch v {
	case "completed":
		return "validated"
	case "not_started":
		return "pending"
	case "withdrawn", "canceled":
		return "cancelled"
	}
	return v
}

// objOf returns v as an object; absent or other values give an empty one.
func objOf(v any) obj {
	o, _ := v.(obj)
	return o
}

// orEmpty returns v, or an empty array when v is absent.
func orEmpty(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

// ReplaysBody reports that the body reads only what the stores keep
// (see Replayable).
func (RiseUp) ReplaysBody() bool { return true }
