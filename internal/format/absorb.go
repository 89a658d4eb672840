package format

import (
	"fmt"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Absorb renders seed 004's wire format (Absorb LMS): a lean object that
// says what happened and gives the keys to look it up through Absorb's
// Integration API,
//
//	{"eventName":"Enrollment Completed by Learner","userId":"u_2187","adminId":null,
//	 "clientId":"<tenant>","correlationId":"evt_…","entityId":"enr_4711"}
//
// eventName is Absorb's display name (its wire keys are not published:
// event_names renames them), userId the learner the event is about,
// adminId the person who acted for an admin event (data.actor.id when
// data.actor.type is admin, manager or instructor; else data.admin_id),
// clientId the tenant, correlationId the event id and entityId (an
// lmshooks addition) the id of the object the event is about. Key names
// can be changed or dropped with field_names. "Enrollment Completed by
// Admin" or "by Learner" follows the event's actor (completedByAdmin).
// Absorb does not publish a signature scheme, so this format keeps the
// Standard Webhooks headers unless format_options.standard_webhooks is
// false. Only the types with an Absorb event can be subscribed.
type Absorb struct{}

// absorbTypes lists the catalog types Absorb has an event for.
var absorbTypes = []string{
	"user.created",
	"course.created", "course.published", "course.unpublished",
	"course_enrollment.completed",
	"department.created", "department.deleted",
	"group.created", "group.deleted",
	"curriculum.created", "curriculum.published", "curriculum.unpublished",
	"course_bundle.published", "course_bundle.unpublished", "course_bundle.deleted",
	"certificate.awarded", "competency.awarded", "credit.awarded",
	"session_enrollment.completed", "assessment_attempt.completed", "path_enrollment.completed",
}

// absorbFixedNames are the names that do not depend on the data.
var absorbFixedNames = map[string]string{
	"user.created":                 "User Created",
	"department.created":           "Department Created",
	"department.deleted":           "Department Deleted",
	"group.created":                "Group Created",
	"group.deleted":                "Group Deleted",
	"curriculum.created":           "Curriculum Added",
	"curriculum.published":         "Curriculum Activated",
	"curriculum.unpublished":       "Curriculum Deactivated",
	"course_bundle.published":      "Course Bundle Activated",
	"course_bundle.unpublished":    "Course Bundle Deactivated",
	"course_bundle.deleted":        "Course Bundle Deleted",
	"certificate.awarded":          "Certificate Awarded",
	"competency.awarded":           "Competency Awarded",
	"credit.awarded":               "Course Credits Awarded",
	"session_enrollment.completed": "Session Enrollment Completed",
	"path_enrollment.completed":    "Learning Path Completed",
}

// absorbEventName returns Absorb's name for an event: fixed for most
// types; for courses it depends on data.kind (instructor_led → "Instructor
// Led Course …", else "Online Course …"), for completions on who completed
// (see completedByAdmin), and for assessments on data.assessment.type.
func absorbEventName(typ string, d obj) (string, bool) {
	if n, ok := absorbFixedNames[typ]; ok {
		return n, true
	}
	course := "Online Course"
	if d.get("kind") == "instructor_led" {
		course = "Instructor Led Course"
	}
	switch typ {
	case "course.created":
		// Absorb has "Instructor Led Course Added" only; online courses get
		// the same pattern, which Absorb receivers will not recognise.
		return course + " Added", true
	case "course.published":
		return course + " Activated", true
	case "course.unpublished":
		return course + " Deactivated", true
	case "course_enrollment.completed":
		if completedByAdmin(d) {
			return "Enrollment Completed by Admin", true
		}
		return "Enrollment Completed by Learner", true
	case "assessment_attempt.completed":
		if path(d, "assessment", "type") == "self_assessment" {
			return "Self-Assessment Completed", true
		}
		return "Assessment Completed", true
	}
	return "", false
}

// completedByAdmin tells Absorb's "Enrollment Completed by Admin" from
// "by Learner" by the event's actor (data.actor.type): a person acting on
// the learner's behalf (admin, manager, instructor) or an API client
// marks the completion as an admin's; the learner, or the LMS itself
// finishing the learner's own progress (system), as the learner's.
// Without an actor, data.completion_source decides ("admin" and "import"
// are the admin's).
func completedByAdmin(d obj) bool {
	switch path(d, "actor", "type") {
	case "admin", "manager", "instructor", "api":
		return true
	case "learner", "system":
		return false
	}
	switch d.get("completion_source") {
	case "admin", "import":
		return true
	}
	return false
}

// adminOf returns the id of the person who performed an admin event: the
// actor when it is an admin, manager or instructor, else data.admin_id;
// nil when neither says.
func adminOf(d obj) any {
	switch path(d, "actor", "type") {
	case "admin", "manager", "instructor":
		if id := path(d, "actor", "id"); id != nil {
			return id
		}
	}
	return d.get("admin_id")
}

// absorbFields are the payload's keys, in order.
var absorbFields = []string{"eventName", "userId", "adminId", "clientId", "correlationId", "entityId"}

// absorbOptions are the absorb format_options.
type absorbOptions struct {
	commonOptions
	// ClientID is clientId; default the tenant id.
	ClientID string `json:"client_id"`
	// EventNames maps Absorb display names to the values sent.
	EventNames map[string]string `json:"event_names"`
	// FieldNames renames payload keys; "" drops the key.
	FieldNames map[string]string `json:"field_names"`
}

func (Absorb) options(w *domain.Webhook) (absorbOptions, error) {
	var o absorbOptions
	if err := decodeOptions("absorb", w.FormatOptions, &o); err != nil {
		return o, err
	}
	for k := range o.FieldNames {
		if err := oneOf("field_names", k, absorbFields...); err != nil {
			return o, err
		}
	}
	for k, v := range o.EventNames {
		if strings.TrimSpace(v) == "" {
			return o, domain.FieldErrorf("format_options.event_names", "the name for %q must not be empty", k)
		}
	}
	return o, nil
}

// Name returns "absorb".
func (Absorb) Name() string { return "absorb" }

// ValidateWebhook checks the options and the event types.
func (a Absorb) ValidateWebhook(w *domain.Webhook) ([]string, error) {
	if _, err := a.options(w); err != nil {
		return nil, err
	}
	return nil, checkTypes("absorb", w.EventTypes, absorbTypes)
}

// Render builds the lean Absorb payload.
func (a Absorb) Render(ev *domain.Event, _ *domain.Delivery, w *domain.Webhook, _ time.Time) (Request, error) {
	o, err := a.options(w)
	if err != nil {
		return Request{}, err
	}
	d, err := parseObject(ev.Data)
	if err != nil {
		return Request{}, fmt.Errorf("absorb format: event %s: %w", ev.ID, err)
	}
	name, ok := absorbEventName(ev.Type, d)
	if !ok {
		return Request{}, fmt.Errorf("absorb format: Absorb has no event for %s", ev.Type)
	}
	if n, ok := o.EventNames[name]; ok {
		name = n
	}
	var user any
	if ev.Type == "user.created" {
		user = d.get("id")
	} else {
		user = path(d, "user", "id")
	}
	admin := adminOf(d)
	client := o.ClientID
	if client == "" {
		client = ev.TenantID
	}
	values := []any{name, user, admin, client, ev.ID, d.get("id")}
	body := obj{}
	for i, k := range absorbFields {
		if n, ok := o.FieldNames[k]; ok {
			k = n
		}
		if k != "" {
			body = body.set(k, values[i])
		}
	}
	return Request{ContentType: o.contentType("application/json"), Body: marshal(body), SkipStandardSignature: o.skipStandard(true)}, nil
}

// ReplaysBody reports that the body reads only what the stores keep
// (see Replayable).
func (Absorb) ReplaysBody() bool { return true }
