// Receiver compatibility tests: for each vendor format, an HTTP receiver
// written the way that vendor's public page tells its customers to check
// requests (seed 001's HMAC-SHA1 hex of the re-serialized body, seed 003's
// form decoding, …) must accept what the dispatcher really sends. They live
// in the external test package because they drive the dispatcher, which
// imports format.
package format_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/format"
	"github.com/lmshooks/lmshooks/internal/pipeline/dispatch"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/signature"
)

var t0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// receiver is an HTTP handler that returns nil when it accepts the request.
type receiver func(r *http.Request, body []byte) error

// deliver sends the catalog example of typ to a receiver through the real
// dispatcher (the path of the webhook test call and of every delivery),
// and returns the attempt and the receiver's verdict.
func deliver(t *testing.T, w *domain.Webhook, typ string, status int, check receiver) (domain.Attempt, error) {
	t.Helper()
	return deliverData(t, w, typ, nil, status, check)
}

// deliverData is deliver with the catalog example's data replaced by data
// (a JSON Merge Patch would hide what is sent: the data is given whole),
// or the example itself when data is nil. The data must follow the type's
// schema, as the API would require.
func deliverData(t *testing.T, w *domain.Webhook, typ string, data json.RawMessage, status int, check receiver) (domain.Attempt, error) {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	et, ok := cat.Lookup(typ)
	if !ok {
		t.Fatalf("no catalog type %s", typ)
	}
	if data == nil {
		data = et.Example
	}
	if err := cat.Validate(typ, data); err != nil {
		t.Fatalf("test data does not follow the schema of %s: %v", typ, err)
	}
	verdict := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := check(r, body)
		verdict <- err
		if err != nil {
			http.Error(rw, err.Error(), http.StatusUnauthorized)
			return
		}
		if status >= 300 && status < 400 {
			rw.Header().Set("Location", "/elsewhere")
		}
		rw.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)

	reg := format.Default()
	d := reg.Defaults(w.Format)
	w.ID, w.TenantID, w.Name, w.URL, w.Enabled = "wh_compat", "6499", "compat", srv.URL+"/hook", true
	w.EventTypes = []string{typ}
	w.Timeout, w.RetryPolicy, w.SuccessRule = d.Timeout, d.RetryPolicy, d.SuccessRule
	if w.Secret == "" {
		w.Secret, _ = signature.NewSecret()
	}
	w.Normalize()
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Validate(w); err != nil {
		t.Fatalf("format refuses the webhook: %v", err)
	}
	client := outbound.New(outbound.Options{AllowPrivate: true})
	t.Cleanup(client.CloseIdleConnections)
	disp := dispatch.New(dispatch.Config{Owner: "compat", Sender: client, Formats: reg, Clock: clock.NewFake(t0)})
	ev := &domain.Event{ID: "evt_test_compat", TenantID: w.TenantID, Type: typ, OccurredAt: t0.Add(-time.Second), ReceivedAt: t0, Data: data}
	att := disp.Test(context.Background(), w, ev)
	select {
	case err := <-verdict:
		return att, err
	default:
		t.Fatalf("the receiver got no request: %s", att.Error)
		return att, nil
	}
}

// accept fails the test unless the receiver accepted and the attempt
// counts as delivered.
func accept(t *testing.T, att domain.Attempt, verdict error) {
	t.Helper()
	if verdict != nil {
		t.Fatalf("receiver refused the delivery: %v", verdict)
	}
	if !att.Success {
		t.Fatalf("attempt not successful: status %d, %s", att.StatusCode, att.Error)
	}
}

// noStandardHeaders refuses requests carrying Standard Webhooks headers,
// for formats that reproduce a vendor's request.
func noStandardHeaders(r *http.Request) error {
	for k := range r.Header {
		if strings.HasPrefix(strings.ToLower(k), "webhook-") {
			return fmt.Errorf("unexpected header %s", k)
		}
	}
	return nil
}

// keysInOrder returns the top-level keys of a JSON object in order.
func keysInOrder(body []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("body is not a JSON object")
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// Seed 000 (Rise Up): check Basic auth and X-RISEUP-SIGNATURE, an HMAC of
// the payload with "a secret of your choice" (lmshooks' documented
// default: hex HMAC-SHA256 of the raw body, keyed with the secret string).
func TestRiseUpReceiver(t *testing.T) {
	w := &domain.Webhook{Format: "riseup", BasicAuth: &domain.BasicAuth{Username: "riseup", Password: "pa55"}}
	idPattern := regexp.MustCompile(`"id":(\d+)}$`)
	var first string
	check := func(r *http.Request, body []byte) error {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "riseup" || pass != "pa55" {
			return fmt.Errorf("basic auth %q/%q", user, pass)
		}
		m := hmac.New(sha256.New, []byte(w.Secret))
		m.Write(body)
		if got := r.Header.Get("X-RISEUP-SIGNATURE"); !hmac.Equal([]byte(got), []byte(hex.EncodeToString(m.Sum(nil)))) {
			return fmt.Errorf("bad signature %q", got)
		}
		if err := noStandardHeaders(r); err != nil {
			return err
		}
		keys, err := keysInOrder(body)
		if err != nil {
			return err
		}
		if strings.Join(keys, ",") != "webhook_version,content,sent_at,event_type,company_id,id" {
			return fmt.Errorf("keys %v", keys)
		}
		var env struct {
			Version   string `json:"webhook_version"`
			SentAt    string `json:"sent_at"`
			EventType string `json:"event_type"`
			CompanyID int64  `json:"company_id"`
			ID        int64  `json:"id"`
			Content   struct {
				ID    int64  `json:"id"`
				State string `json:"state"`
				User  struct {
					Firstname string `json:"firstname"`
				} `json:"user"`
			} `json:"content"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			return err
		}
		if env.Version != "1.0.0" || env.EventType != "course_registration_completed" || env.CompanyID != 6499 ||
			env.SentAt != "2026-05-04T10:00:00.000000Z" || env.Content.State != "validated" || env.Content.User.Firstname != "Ana" || env.ID <= 0 {
			return fmt.Errorf("envelope %+v", env)
		}
		first = idPattern.FindStringSubmatch(string(body))[1]
		return nil
	}
	att, verdict := deliver(t, w, "course_enrollment.completed", 200, check)
	accept(t, att, verdict)
	if first == "" {
		t.Fatal("no id")
	}
}

// jsStringify re-serializes a parsed JSON body as JavaScript's
// JSON.stringify does (key order kept, compact, no HTML escaping): what
// seed 001's verification sample signs.
func jsStringify(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			closing := byte('}')
			if v == '[' {
				closing = ']'
			}
			out.WriteByte(byte(v))
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				if v == '{' {
					k, _ := dec.Token()
					_ = enc.Encode(k)
					out.Truncate(out.Len() - 1) // Encode's newline
					out.WriteByte(':')
				}
				if err := walk(); err != nil {
					return err
				}
			}
			_, _ = dec.Token()
			out.WriteByte(closing)
		case json.Number:
			out.WriteString(v.String())
		default:
			_ = enc.Encode(v)
			out.Truncate(out.Len() - 1)
		}
		return nil
	}
	err := walk()
	return out.Bytes(), err
}

// Seed 001 (Articulate Rise): the vendor's Node.js sample, in Go:
// createHmac('sha1', secret).update(Buffer.from(JSON.stringify(request.body))).digest('hex')
// compared with X-Hook-Signature.
func TestArticulateReceiver(t *testing.T) {
	for _, typ := range []string{"course_enrollment.completed", "course_enrollment.created", "path_enrollment.created", "course.submitted", "user.created"} {
		t.Run(typ, func(t *testing.T) {
			w := &domain.Webhook{Format: "articulate"}
			check := func(r *http.Request, body []byte) error {
				again, err := jsStringify(body)
				if err != nil {
					return err
				}
				m := hmac.New(sha1.New, []byte(w.Secret))
				m.Write(again)
				if r.Header.Get("x-hook-signature") != hex.EncodeToString(m.Sum(nil)) {
					return fmt.Errorf("X-Hook-Signature does not match the re-serialized body")
				}
				var env struct {
					ID, CreatedAt, Type, WebhookID, APIVersion string
					Data                                       map[string]json.RawMessage
				}
				if err := json.Unmarshal(body, &env); err != nil {
					return err
				}
				if r.Header.Get("Rise-API-Version") != env.APIVersion || env.APIVersion != "2020-07-16" || env.WebhookID != "wh_compat" {
					return fmt.Errorf("version header %q, envelope %+v", r.Header.Get("Rise-API-Version"), env)
				}
				if env.Type == "enrollments.created" {
					for _, k := range []string{"course", "learningPath", "enrolledBy", "groups", "users"} {
						if _, ok := env.Data[k]; !ok {
							return fmt.Errorf("enrollments.created lacks %s", k)
						}
					}
					var users, groups []struct{ ID, Name string }
					if err := json.Unmarshal(env.Data["users"], &users); err != nil || len(users) != 1 || users[0].ID == "" {
						return fmt.Errorf("users %s", env.Data["users"])
					}
					// The path example enrolls the learner through a group.
					wantGroups := map[string]int{"course_enrollment.created": 0, "path_enrollment.created": 1}[typ]
					if err := json.Unmarshal(env.Data["groups"], &groups); err != nil || len(groups) != wantGroups ||
						(wantGroups == 1 && (groups[0].ID != "g_88" || groups[0].Name != "EMEA Sales")) {
						return fmt.Errorf("groups %s, want %d", env.Data["groups"], wantGroups)
					}
				}
				return noStandardHeaders(r)
			}
			att, verdict := deliver(t, w, typ, 200, check)
			accept(t, att, verdict)
		})
	}
}

// Seed 002 (Innovative Educators): no signature (receivers allow-list
// IPs); a flat courseCompletion object; any status in 200–308 is success.
func TestInnovativeEducatorsReceiver(t *testing.T) {
	w := &domain.Webhook{Format: "innovative-educators"}
	check := func(r *http.Request, body []byte) error {
		if err := noStandardHeaders(r); err != nil {
			return err
		}
		var p struct {
			ID, Source, Type, User, Event, NotifiableID, Title string
			UserDetail                                         struct{ ExternalCustomerID string }
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return err
		}
		if p.Event != "courseCompletion" || p.Source != "course_completed" || p.Type != "status_change" ||
			p.User != "ana.lopez@acme.com" || p.NotifiableID != "c_1042" || p.UserDetail.ExternalCustomerID != "HR-00417" || len(p.ID) != 36 {
			return fmt.Errorf("payload %+v", p)
		}
		return nil
	}
	// A 302 is a success for this vendor's receivers (200–308).
	att, verdict := deliver(t, w, "course_enrollment.completed", http.StatusFound, check)
	accept(t, att, verdict)
}

// Seed 003 (CYPHER Learning): an application/x-www-form-urlencoded body
// of the admin's parameters, decoded with the standard form parser.
func TestCypherReceiver(t *testing.T) {
	w := &domain.Webhook{Format: "cypher", FormatOptions: json.RawMessage(`{"parameters":{"email":"@user_email","course":"@course_name","done":"@completed_at","who":"@user_first_name @user_last_name"}}`)}
	check := func(r *http.Request, body []byte) error {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			return fmt.Errorf("content type %q", ct)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseForm(); err != nil {
			return err
		}
		want := map[string]string{"email": "ana.lopez@acme.com", "course": "Workplace Safety 101", "done": "2025-03-14T09:26:53.000Z", "who": "Ana López"}
		for k, v := range want {
			if got := r.PostForm.Get(k); got != v {
				return fmt.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		if !strings.HasPrefix(string(body), "email=") {
			return fmt.Errorf("parameters out of order: %s", body)
		}
		return noStandardHeaders(r)
	}
	att, verdict := deliver(t, w, "course_enrollment.completed", 200, check)
	accept(t, att, verdict)
}

// Seed 004 (Absorb): a lean payload — event name, learner, admin, client
// and correlation id; Absorb publishes no signature scheme, so lmshooks
// signs with Standard Webhooks, verified here with the signature package
// as a receiver would. The same completion is "by Learner" or "by Admin"
// depending on the event's actor.
func TestAbsorbReceiver(t *testing.T) {
	const completedByAdmin = `{"id":"enr_4711","user":{"id":"u_2187"},"course":{"id":"c_1042"},"status":"completed",` +
		`"completed_at":"2026-05-04T09:00:00.000Z","completion_source":"admin","actor":{"type":"admin","id":"u_1015"}}`
	for _, tt := range []struct {
		typ, data, name string
		user, admin     any
	}{
		{"course_enrollment.completed", "", "Enrollment Completed by Learner", "u_2187", nil},
		{"course_enrollment.completed", completedByAdmin, "Enrollment Completed by Admin", "u_2187", "u_1015"},
		{"user.created", "", "User Created", "u_2187", "u_1015"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &domain.Webhook{Format: "absorb"}
			check := func(r *http.Request, body []byte) error {
				if err := signature.VerifyRequest([]string{w.Secret}, r.Header, body, t0, 5*time.Minute); err != nil {
					return err
				}
				var p map[string]any
				if err := json.Unmarshal(body, &p); err != nil {
					return err
				}
				if p["eventName"] != tt.name || p["userId"] != tt.user || p["adminId"] != tt.admin ||
					p["clientId"] != "6499" || p["correlationId"] != "evt_test_compat" {
					return fmt.Errorf("payload %v", p)
				}
				return nil
			}
			var data json.RawMessage
			if tt.data != "" {
				data = json.RawMessage(tt.data)
			}
			att, verdict := deliverData(t, w, tt.typ, data, 200, check)
			accept(t, att, verdict)
		})
	}
}

// CloudEvents in both modes, as a CloudEvents SDK reads them, with the
// Standard Webhooks signature alongside.
func TestCloudEventsReceiver(t *testing.T) {
	for _, mode := range []string{"structured", "binary"} {
		t.Run(mode, func(t *testing.T) {
			w := &domain.Webhook{Format: "cloudevents", FormatOptions: json.RawMessage(`{"mode":"` + mode + `"}`)}
			check := func(r *http.Request, body []byte) error {
				if err := signature.VerifyRequest([]string{w.Secret}, r.Header, body, t0, 5*time.Minute); err != nil {
					return err
				}
				var id, typ, actor string
				var data map[string]any
				if mode == "binary" {
					id, typ, actor = r.Header.Get("ce-id"), r.Header.Get("ce-type"), r.Header.Get("ce-actortype")
					if r.Header.Get("ce-specversion") != "1.0" || r.Header.Get("Content-Type") != "application/json" {
						return fmt.Errorf("binary headers %v", r.Header)
					}
					if err := json.Unmarshal(body, &data); err != nil {
						return err
					}
				} else {
					if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/cloudevents+json") {
						return fmt.Errorf("content type %q", r.Header.Get("Content-Type"))
					}
					var ce struct {
						SpecVersion, ID, Type, ActorType string
						Data                             map[string]any
					}
					if err := json.Unmarshal(body, &ce); err != nil {
						return err
					}
					if ce.SpecVersion != "1.0" {
						return fmt.Errorf("specversion %q", ce.SpecVersion)
					}
					id, typ, actor, data = ce.ID, ce.Type, ce.ActorType, ce.Data
				}
				if id != "evt_test_compat" || typ != "lmshooks.course_enrollment.completed" || actor != "learner" || data["id"] != "enr_4711" {
					return fmt.Errorf("id %q type %q actortype %q data %v", id, typ, actor, data)
				}
				return nil
			}
			att, verdict := deliver(t, w, "course_enrollment.completed", 202, check)
			accept(t, att, verdict)
		})
	}
}

// xAPI: what an LRS checks first, the version header and the statement's
// actor, verb and object.
func TestXAPIReceiver(t *testing.T) {
	w := &domain.Webhook{Format: "xapi", FormatOptions: json.RawMessage(`{"base_url":"https://learn.acme.com"}`)}
	check := func(r *http.Request, body []byte) error {
		if r.Header.Get("X-Experience-API-Version") != "1.0.3" {
			return fmt.Errorf("version %q", r.Header.Get("X-Experience-API-Version"))
		}
		var s struct {
			ID    string
			Actor struct {
				Account struct{ HomePage, Name string }
			}
			Verb   struct{ ID string }
			Object struct {
				ID string
			}
			Result struct {
				Success    *bool
				Completion bool
				Score      struct{ Scaled float64 }
			}
		}
		if err := json.Unmarshal(body, &s); err != nil {
			return err
		}
		if s.Verb.ID != "http://adlnet.gov/expapi/verbs/completed" || s.Actor.Account.Name != "u_2187" ||
			s.Object.ID != "https://learn.acme.com/courses/c_1042" || s.Result.Success == nil || !*s.Result.Success || s.Result.Score.Scaled != 0.8 || len(s.ID) != 36 {
			return fmt.Errorf("statement %+v", s)
		}
		return signature.VerifyRequest([]string{w.Secret}, r.Header, body, t0, 5*time.Minute)
	}
	att, verdict := deliver(t, w, "course_enrollment.completed", 200, check)
	accept(t, att, verdict)
}

// A receiver holding the raw key ("secret_bytes") verifies Rise Up
// signatures made with the decoded whsec_ bytes, in base64 when asked.
func TestRiseUpSecretBytesBase64(t *testing.T) {
	w := &domain.Webhook{Format: "riseup", FormatOptions: json.RawMessage(`{"signing_key":"secret_bytes","signature_encoding":"base64"}`)}
	check := func(r *http.Request, body []byte) error {
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(w.Secret, "whsec_"))
		m := hmac.New(sha256.New, key)
		m.Write(body)
		if r.Header.Get("X-Riseup-Signature") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			return fmt.Errorf("bad signature")
		}
		return nil
	}
	att, verdict := deliver(t, w, "user.created", 200, check)
	accept(t, att, verdict)
}
