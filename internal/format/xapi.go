package format

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// XAPI renders an xAPI 1.0.3 statement per event, for the event types
// that map to a verb (registered, attempted, progressed, completed,
// passed, failed, scored, attended, earned):
//
//	{"id":"<uuid>","timestamp":"…","actor":{"objectType":"Agent","name":"Ana López",
//	  "account":{"homePage":"https://lms.example.com","name":"u_2187"}},
//	 "verb":{"id":"http://adlnet.gov/expapi/verbs/completed","display":{"en-US":"completed"}},
//	 "object":{"objectType":"Activity","id":"https://lms.example.com/courses/c_1042",
//	  "definition":{"type":"http://adlnet.gov/expapi/activities/course","name":{"en-US":"Workplace Safety 101"}}},
//	 "result":{…},"context":{…}}
//
// with X-Experience-API-Version: 1.0.3. The statement id is the UUIDv5 of
// the event id (stable across retries and webhooks, so an LRS refuses
// duplicates), context.registration the UUIDv5 of the enrollment id.
// Subscribing to a type without a verb is refused when the webhook is
// saved. Standard Webhooks headers are kept unless
// format_options.standard_webhooks is false.
type XAPI struct{}

// xapiVersion is the xAPI version the statements follow.
const xapiVersion = "1.0.3"

// xapiVerb is an xAPI verb IRI and its display name.
type xapiVerb struct{ id, display string }

var (
	verbRegistered = xapiVerb{"http://adlnet.gov/expapi/verbs/registered", "registered"}
	verbAttempted  = xapiVerb{"http://adlnet.gov/expapi/verbs/attempted", "attempted"}
	verbProgressed = xapiVerb{"http://adlnet.gov/expapi/verbs/progressed", "progressed"}
	verbCompleted  = xapiVerb{"http://adlnet.gov/expapi/verbs/completed", "completed"}
	verbPassed     = xapiVerb{"http://adlnet.gov/expapi/verbs/passed", "passed"}
	verbFailed     = xapiVerb{"http://adlnet.gov/expapi/verbs/failed", "failed"}
	verbScored     = xapiVerb{"http://adlnet.gov/expapi/verbs/scored", "scored"}
	verbAttended   = xapiVerb{"http://adlnet.gov/expapi/verbs/attended", "attended"}
	verbEarned     = xapiVerb{"http://id.tincanapi.com/verb/earned", "earned"}
)

// xapiVerbs maps the catalog types that have a verb. A graded assessment
// is passed or failed by data.passed (scored when it is null).
var xapiVerbs = map[string]xapiVerb{
	"course_enrollment.created":      verbRegistered,
	"course_enrollment.started":      verbAttempted,
	"course_enrollment.progressed":   verbProgressed,
	"course_enrollment.completed":    verbCompleted,
	"course_enrollment.failed":       verbFailed,
	"path_enrollment.created":        verbRegistered,
	"path_enrollment.completed":      verbCompleted,
	"session_enrollment.created":     verbRegistered,
	"session_enrollment.attended":    verbAttended,
	"session_enrollment.completed":   verbCompleted,
	"objective_enrollment.created":   verbRegistered,
	"objective_enrollment.completed": verbCompleted,
	"step_progress.updated":          verbProgressed,
	"step_progress.completed":        verbCompleted,
	"assessment_attempt.created":     verbAttempted,
	"assessment_attempt.completed":   verbCompleted,
	"assessment_attempt.graded":      verbScored,
	"certificate.awarded":            verbEarned,
	"badge.awarded":                  verbEarned,
	"competency.awarded":             verbEarned,
	"credit.awarded":                 verbEarned,
}

// Activity types of the ADL vocabulary.
const (
	activityCourse     = "http://adlnet.gov/expapi/activities/course"
	activityModule     = "http://adlnet.gov/expapi/activities/module"
	activityMeeting    = "http://adlnet.gov/expapi/activities/meeting"
	activityObjective  = "http://adlnet.gov/expapi/activities/objective"
	activityAssessment = "http://adlnet.gov/expapi/activities/assessment"
)

// xapiPlaceholderBase is the default base_url: a reserved, never
// resolving domain, so that a forgotten setting is obvious.
const xapiPlaceholderBase = "https://lms.invalid"

// xapiOptions are the xapi format_options.
type xapiOptions struct {
	commonOptions
	// BaseURL is the LMS's URL: the actor account's homePage and the
	// prefix of activity and extension IRIs.
	BaseURL string `json:"base_url"`
	// Platform is context.platform (the LMS's name); omitted when empty.
	Platform string `json:"platform"`
	// Language is the language tag of display names; default "en-US".
	Language string `json:"language"`
}

func (XAPI) options(w *domain.Webhook) (xapiOptions, error) {
	o := xapiOptions{BaseURL: xapiPlaceholderBase, Language: "en-US"}
	if err := decodeOptions("xapi", w.FormatOptions, &o); err != nil {
		return o, err
	}
	if !strings.HasPrefix(o.BaseURL, "https://") && !strings.HasPrefix(o.BaseURL, "http://") {
		return o, domain.FieldErrorf("format_options.base_url", "must be the LMS's http(s) URL such as \"https://learn.example.com\"")
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Language == "" {
		return o, domain.FieldErrorf("format_options.language", "must be a language tag such as \"en-US\"")
	}
	return o, nil
}

// Name returns "xapi".
func (XAPI) Name() string { return "xapi" }

// ValidateWebhook checks the options and refuses event types without a
// verb; it warns while base_url is the placeholder.
func (x XAPI) ValidateWebhook(w *domain.Webhook) ([]string, error) {
	o, err := x.options(w)
	if err != nil {
		return nil, err
	}
	if err := checkTypes("xapi", w.EventTypes, verbTypes()); err != nil {
		return nil, err
	}
	if o.BaseURL == xapiPlaceholderBase {
		return []string{"format_options.base_url is not set: statements use " + xapiPlaceholderBase + " for account homePage and activity ids; set it to the LMS's URL"}, nil
	}
	return nil, nil
}

// verbTypes lists the types with a verb.
func verbTypes() []string {
	out := make([]string, 0, len(xapiVerbs))
	for t := range xapiVerbs {
		out = append(out, t)
	}
	return out
}

// Render builds the statement.
func (x XAPI) Render(ev *domain.Event, _ *domain.Delivery, w *domain.Webhook, _ time.Time) (Request, error) {
	o, err := x.options(w)
	if err != nil {
		return Request{}, err
	}
	verb, ok := xapiVerbs[ev.Type]
	if !ok {
		return Request{}, fmt.Errorf("xapi format: %s has no xAPI verb", ev.Type)
	}
	d, err := parseObject(ev.Data)
	if err != nil {
		return Request{}, fmt.Errorf("xapi format: event %s: %w", ev.ID, err)
	}
	passed, hasPassed := d.get("passed").(bool)
	if ev.Type == "assessment_attempt.graded" && hasPassed {
		verb = verbFailed
		if passed {
			verb = verbPassed
		}
	}
	lang := func(s any) obj { return obj{{o.Language, s}} }
	entity, _ := splitType(ev.Type)

	u := objOf(d.get("user"))
	name := u.get("full_name")
	if name == nil {
		if n := strings.TrimSpace(str(u.get("first_name")) + " " + str(u.get("last_name"))); n != "" {
			name = n
		}
	}
	actor := obj{{"objectType", "Agent"}}
	if name != nil {
		actor = actor.set("name", name)
	}
	actor = actor.set("account", obj{{"homePage", o.BaseURL}, {"name", text(u.get("id"))}})

	id, typ, title := xapiActivity(entity, d)
	def := obj{}
	if typ != "" {
		def = def.set("type", typ)
	}
	if title != nil {
		def = def.set("name", lang(title))
	}
	object := obj{{"objectType", "Activity"}, {"id", o.BaseURL + id}}
	if len(def) > 0 {
		object = object.set("definition", def)
	}

	stmt := obj{
		{"id", stableUUID(ev.ID)},
		{"timestamp", ev.OccurredAt.UTC().Format(millisLayout)},
		{"actor", actor},
		{"verb", obj{{"id", verb.id}, {"display", lang(verb.display)}}},
		{"object", object},
	}
	if r := xapiResult(d, verb, hasPassed, passed); len(r) > 0 {
		stmt = stmt.set("result", r)
	}
	ctx := obj{}
	if reg := xapiRegistration(entity, d); reg != "" {
		ctx = ctx.set("registration", stableUUID(reg))
	}
	if o.Platform != "" {
		ctx = ctx.set("platform", o.Platform)
	}
	ctx = ctx.set("language", o.Language)
	ctx = ctx.set("extensions", obj{
		{o.BaseURL + "/xapi/extensions/tenant-id", ev.TenantID},
		{o.BaseURL + "/xapi/extensions/event-id", ev.ID},
		{o.BaseURL + "/xapi/extensions/event-type", ev.Type},
	})
	stmt = stmt.set("context", ctx)

	h := http.Header{}
	h.Set("X-Experience-API-Version", xapiVersion)
	return Request{ContentType: o.contentType("application/json"), Header: h, Body: marshal(stmt), SkipStandardSignature: o.skipStandard(true)}, nil
}

// xapiActivity returns the path (below base_url), activity type and name
// of the statement's object.
func xapiActivity(entity string, d obj) (id, typ string, name any) {
	ref := func(k string) obj { return objOf(d.get(k)) }
	switch entity {
	case "course_enrollment":
		c := ref("course")
		return "/courses/" + text(c.get("id")), activityCourse, c.get("title")
	case "path_enrollment":
		p := ref("learning_path")
		return "/paths/" + text(p.get("id")), activityCourse, p.get("title")
	case "session_enrollment":
		s := ref("session")
		return "/sessions/" + text(s.get("id")), activityMeeting, s.get("title")
	case "objective_enrollment":
		ob := ref("objective")
		return "/objectives/" + text(ob.get("id")), activityObjective, ob.get("title")
	case "step_progress":
		st := ref("step")
		return "/courses/" + text(path(d, "course", "id")) + "/steps/" + text(st.get("id")), activityModule, st.get("title")
	case "assessment_attempt":
		a := ref("assessment")
		return "/assessments/" + text(a.get("id")), activityAssessment, a.get("title")
	case "badge":
		b := ref("badge")
		return "/badges/" + text(b.get("id")), "", b.get("name")
	case "competency":
		c := ref("competency")
		return "/competencies/" + text(c.get("id")), "", c.get("name")
	case "credit":
		return "/credits/" + text(d.get("id")), "", path(d, "course", "title")
	default: // certificate
		return "/" + entity + "s/" + text(d.get("id")), "", d.get("title")
	}
}

// xapiResult builds the result: score, success, completion, duration.
func xapiResult(d obj, verb xapiVerb, hasPassed, passed bool) obj {
	r := obj{}
	if s, ok := d.get("score").(obj); ok {
		score := obj{}
		for _, k := range []string{"scaled", "raw", "min", "max"} {
			if v := s.get(k); v != nil {
				score = score.set(k, v)
			}
		}
		if len(score) > 0 {
			r = r.set("score", score)
		}
	}
	switch verb {
	case verbCompleted, verbPassed, verbFailed, verbScored:
		if hasPassed {
			r = r.set("success", passed)
		}
	}
	switch verb {
	case verbCompleted, verbPassed:
		r = r.set("completion", true)
	}
	if n, ok := d.get("time_spent_seconds").(json.Number); ok {
		if secs, err := strconv.ParseInt(string(n), 10, 64); err == nil && secs > 0 {
			r = r.set("duration", isoDuration(secs))
		}
	}
	return r
}

// xapiRegistration is the enrollment id that groups a learner's
// statements about one enrollment, "" when there is none.
func xapiRegistration(entity string, d obj) string {
	switch entity {
	case "course_enrollment", "path_enrollment", "session_enrollment", "objective_enrollment":
		return text(d.get("id"))
	case "step_progress":
		return text(d.get("enrollment_id"))
	}
	return ""
}

// ReplaysBody reports that the body reads only what the stores keep
// (see Replayable).
func (XAPI) ReplaysBody() bool { return true }
