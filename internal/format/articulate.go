package format

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// Articulate renders seed 001's wire format (Articulate Rise.com):
//
//	{"id":"evt_…","createdAt":"2025-03-14T09:26:53.000Z","type":"course.completed",
//	 "webhookId":"wh_…","apiVersion":"2020-07-16","data":{…}}
//
// with a Rise-API-Version header and X-Hook-Signature, the lowercase hex
// HMAC-SHA1 of the exact body keyed with the webhook's secret string. The
// body is written exactly as JavaScript's JSON.stringify would write it,
// so the vendor's own verification sample (which re-serializes the parsed
// body) computes the same signature. Rise.com has four event types:
//
//	course_enrollment.completed → course.completed
//	course.submitted            → course.submitted
//	course_enrollment.created   → enrollments.created (course set, users: [the learner])
//	path_enrollment.created     → enrollments.created (learningPath set, course null)
//	user.created                → user.created
//
// Other types are refused when the webhook is saved. enrollments.created
// carries one learner per event (lmshooks' events are per learner) in
// users, and in groups the group the learner was enrolled through
// (data.group), empty for an individual enrollment. Standard Webhooks
// headers are left out unless asked.
type Articulate struct{}

// articulateTypes maps the catalog types to Rise.com's.
var articulateTypes = map[string]string{
	"course_enrollment.completed": "course.completed",
	"course.submitted":            "course.submitted",
	"course_enrollment.created":   "enrollments.created",
	"path_enrollment.created":     "enrollments.created",
	"user.created":                "user.created",
}

// articulateOptions are the articulate format_options.
type articulateOptions struct {
	commonOptions
	// APIVersion is apiVersion and the version header's value.
	APIVersion string `json:"api_version"`
	// VersionHeader names the version header: "Rise-API-Version" (Rise.com,
	// default) or "API-Version" (Reach 360).
	VersionHeader string `json:"version_header"`
	// APIBaseURL, when set, builds the API links Rise.com puts in its
	// objects (url, groupsUrl, learnerReportUrl, courseReportUrl,
	// authorUrl); they are null otherwise, except a course's url, which is
	// the course's own link.
	APIBaseURL string `json:"api_base_url"`
	// SigningKey is "secret" (default) or "secret_bytes" (see hmac.go).
	SigningKey string `json:"signing_key"`
}

func (Articulate) options(w *domain.Webhook) (articulateOptions, error) {
	o := articulateOptions{APIVersion: "2020-07-16", VersionHeader: "Rise-API-Version", SigningKey: keySecret}
	if err := decodeOptions("articulate", w.FormatOptions, &o); err != nil {
		return o, err
	}
	if o.APIVersion == "" || strings.ContainsAny(o.APIVersion, "\r\n") {
		return o, domain.FieldErrorf("format_options.api_version", "must be a non-empty single-line string such as \"2020-07-16\"")
	}
	if err := oneOf("version_header", o.VersionHeader, "Rise-API-Version", "API-Version"); err != nil {
		return o, err
	}
	if o.APIBaseURL != "" && !strings.HasPrefix(o.APIBaseURL, "https://") && !strings.HasPrefix(o.APIBaseURL, "http://") {
		return o, domain.FieldErrorf("format_options.api_base_url", "must be an http(s) URL such as \"https://api.rise.com\"")
	}
	o.APIBaseURL = strings.TrimRight(o.APIBaseURL, "/")
	return o, oneOf("signing_key", o.SigningKey, keySecret, keySecretBytes)
}

// Name returns "articulate".
func (Articulate) Name() string { return "articulate" }

// Defaults: Rise.com retries 14 times over 48 hours ("articulate").
func (Articulate) Defaults() Defaults { return Defaults{RetryPolicy: "articulate"} }

// ValidateWebhook checks the options and the event types.
func (a Articulate) ValidateWebhook(w *domain.Webhook) ([]string, error) {
	if _, err := a.options(w); err != nil {
		return nil, err
	}
	if err := checkSecret("articulate", w); err != nil {
		return nil, err
	}
	return nil, checkTypes("articulate", w.EventTypes, mapKeys(articulateTypes))
}

// Render builds the Rise.com request.
func (a Articulate) Render(ev *domain.Event, _ *domain.Delivery, w *domain.Webhook, _ time.Time) (Request, error) {
	o, err := a.options(w)
	if err != nil {
		return Request{}, err
	}
	typ, ok := articulateTypes[ev.Type]
	if !ok {
		return Request{}, fmt.Errorf("articulate format: Rise.com has no event type for %s", ev.Type)
	}
	d, err := parseObject(ev.Data)
	if err != nil {
		return Request{}, fmt.Errorf("articulate format: event %s: %w", ev.ID, err)
	}
	var data obj
	switch ev.Type {
	case "course_enrollment.completed":
		course := o.course(objOf(d.get("course"))).set("source", "rise").set("quiz", quiz(d))
		data = obj{{"course", course}, {"user", o.user(objOf(d.get("user")), "learner")}}
	case "course.submitted":
		data = obj{
			{"isInitialSubmission", d.get("is_initial_submission")},
			{"course", o.course(d)},
			{"submitter", o.userOrNil(d.get("submitted_by"), "author")},
			{"reviewer", o.userOrNil(d.get("reviewer"), "admin")},
		}
	case "course_enrollment.created", "path_enrollment.created":
		var course, path any
		if ev.Type == "course_enrollment.created" {
			course = o.course(objOf(d.get("course")))
		} else {
			lp := objOf(d.get("learning_path"))
			path = obj{{"id", lp.get("id")}, {"title", lp.get("title")}, {"url", lp.get("url")}}
		}
		groups := []any{}
		if g, ok := d.get("group").(obj); ok {
			groups = append(groups, o.group(g))
		}
		data = obj{
			{"course", course},
			{"enrolledBy", o.enrolledBy(objOf(d.get("enrolled_by")))},
			{"groups", groups},
			{"learningPath", path},
			{"users", []any{o.user(objOf(d.get("user")), "learner")}},
		}
	case "user.created":
		data = obj{{"user", o.user(d, "learner")}}
	}
	body := marshal(obj{
		{"id", ev.ID},
		{"createdAt", ev.OccurredAt.UTC().Format(millisLayout)},
		{"type", typ},
		{"webhookId", w.ID},
		{"apiVersion", o.APIVersion},
		{"data", data},
	})
	h := http.Header{}
	h.Set(o.VersionHeader, o.APIVersion)
	if w.Secret != "" {
		sig, err := hmacOptions{Algorithm: "sha1", Encoding: "hex", Key: o.SigningKey}.sign(w.Secret, body)
		if err != nil {
			return Request{}, fmt.Errorf("articulate format: %w", err)
		}
		h.Set("X-Hook-Signature", sig)
	}
	return Request{ContentType: o.contentType("application/json"), Header: h, Body: body, SkipStandardSignature: o.skipStandard(false)}, nil
}

// link returns base + the formatted path, or nil without a base URL.
func (o articulateOptions) link(id any, format string) any {
	s := text(id)
	if o.APIBaseURL == "" || s == "" {
		return nil
	}
	return o.APIBaseURL + fmt.Sprintf(format, s)
}

// user renders Rise.com's User Object; role falls back to def.
func (o articulateOptions) user(u obj, def string) obj {
	role := any(def)
	if roles, ok := u.get("roles").([]any); ok && len(roles) > 0 {
		role = roles[0]
	}
	id := u.get("id")
	return obj{
		{"email", u.get("email")},
		{"firstName", u.get("first_name")},
		{"groupsUrl", o.link(id, "/users/%s/groups")},
		{"id", id},
		{"lastName", u.get("last_name")},
		{"lastActiveAt", retime(u.get("last_active_at"), millisLayout)},
		{"learnerReportUrl", o.link(id, "/reports/learners/%s")},
		{"role", role},
		{"url", o.link(id, "/users/%s")},
	}
}

func (o articulateOptions) userOrNil(v any, def string) any {
	u, ok := v.(obj)
	if !ok {
		return nil
	}
	return o.user(u, def)
}

// enrolledBy is the user who enrolled the learner, or null when the
// enrollment came from an API or an automatic rule (as Rise.com does).
func (o articulateOptions) enrolledBy(by obj) any {
	switch by.get("type") {
	case "admin", "manager", "learner", "instructor":
		if by.get("id") == nil {
			return nil
		}
		return o.user(obj{{"id", by.get("id")}, {"roles", []any{by.get("type")}}}, "admin")
	}
	return nil
}

// group renders a Group Object of enrollments.created. Rise.com does not
// list its fields; these are the group's id, name and API link.
func (o articulateOptions) group(g obj) obj {
	id := g.get("id")
	return obj{
		{"id", id},
		{"name", g.get("name")},
		{"url", o.link(id, "/groups/%s")},
	}
}

// course renders Rise.com's Course Object.
func (o articulateOptions) course(c obj) obj {
	id := c.get("id")
	url := c.get("url")
	if url == nil {
		url = o.link(id, "/courses/%s")
	}
	return obj{
		{"authorUrl", o.link(c.get("author_id"), "/users/%s")},
		{"coverImageUrl", c.get("cover_image_url")},
		{"id", id},
		{"courseReportUrl", o.link(id, "/reports/courses/%s")},
		{"title", c.get("title")},
		{"url", url},
	}
}

// quiz is Rise.com's {passed, score}, empty when the course has no result.
func quiz(d obj) obj {
	q := obj{}
	if p, ok := d.get("passed").(bool); ok {
		q = q.set("passed", p)
	}
	if s := path(d, "score", "raw"); s != nil {
		q = q.set("score", s)
	}
	return q
}

// mapKeys returns the keys of m.
func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ReplaysBody reports that the body reads only what the stores keep
// (see Replayable).
func (Articulate) ReplaysBody() bool { return true }
