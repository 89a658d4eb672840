package format

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// FuzzRender renders arbitrary event data, types and format options in
// every format. No input may panic a renderer. When the webhook's options
// are valid (it could be saved) and the data is a JSON object (as ingest
// lets through), every format renders, twice alike; the body is JSON for
// the JSON formats and a form for cypher; and no header or content type
// carries a line break (which would split the request's headers).
func FuzzRender(f *testing.F) {
	f.Add("course_enrollment.completed", []byte(`{"user":{"id":42,"email":"a&b@example.com"},"course":{"id":"c_1","title":"<Intro> à Go"},"score":0.95}`), []byte(`{}`))
	f.Add("user.created", []byte(`{"user":{"id":"u_1","email":"ana@example.com","first_name":"Ana"}}`), []byte(`{"content_type":"application/vnd.acme+json"}`))
	f.Add("certificate.awarded", []byte(`{"id":"cert_1","user":{"id":"u_1"},"source":{"type":"course","id":"c_1"},"certificate":{"id":"cert_1"}}`), []byte(`{"signature":true,"signature_algorithm":"sha512","signature_encoding":"base64","signing_key":"secret_bytes"}`))
	f.Add("badge.earned", []byte(`{"badge":{"level":3},"n":1e308,"s":"\u2028"}`), []byte(`{"parameters":{"level":"@badge_level","x":"@{/n}","mail":"a@b.c"}}`))
	f.Add("", []byte(`{}`), []byte(`null`))
	f.Add("x", []byte(`[1,2]`), []byte(`{"mode":"binary"}`))
	f.Add("course.created", []byte(`{"course":{"id":"c"}}`), []byte(`{"base_url":"https://lms.example.com","field_names":{"eventName":"evt"}}`))
	reg := Default()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, eventType string, data, options []byte) {
		ev := &domain.Event{ID: "evt_01HZX3K8Q4V7N2M5P9R0S1T2U3", TenantID: "6499", Type: eventType,
			OccurredAt: now.Add(-time.Minute), ReceivedAt: now, Data: data}
		object := json.Valid(data) && bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
		if object {
			var compact bytes.Buffer
			_ = json.Compact(&compact, data) // as ingest stores it
			ev.Data = compact.Bytes()
		}
		d := &domain.Delivery{ID: "dlv_01HZX3K8Q4V7N2M5P9R0S1T2U4", EventID: ev.ID, WebhookID: "wh_1", Attempts: 1}
		for _, name := range reg.Names() {
			r, _ := reg.Lookup(name)
			w := &domain.Webhook{ID: "wh_1", TenantID: "6499", Format: name, URL: "https://hooks.example.com/in",
				EventTypes: []string{"*"}, FormatOptions: options, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
			_, verr := reg.Validate(w)
			req, err := r.Render(ev, d, w, now)
			if verr != nil || !object || !domain.ValidEventType(eventType) {
				continue // must only not panic
			}
			if err != nil {
				// A format may not express every event; it says why.
				if err.Error() == "" {
					t.Fatalf("%s: an error without a message", name)
				}
				continue
			}
			again, err := r.Render(ev, d, w, now)
			if err != nil || !bytes.Equal(again.Body, req.Body) || again.ContentType != req.ContentType {
				t.Fatalf("%s: rendering twice differs: %q then %q (%v)", name, req.Body, again.Body, err)
			}
			if name == "cypher" {
				if _, err := url.ParseQuery(string(req.Body)); err != nil {
					t.Fatalf("cypher: body %q is not a form: %v", req.Body, err)
				}
			} else if !json.Valid(req.Body) {
				t.Fatalf("%s: body %q is not JSON", name, req.Body)
			}
			if strings.ContainsAny(req.ContentType, "\r\n") {
				t.Fatalf("%s: content type %q has a line break", name, req.ContentType)
			}
			for k, vs := range req.Header {
				for _, v := range vs {
					if strings.ContainsAny(k+v, "\r\n") {
						t.Fatalf("%s: header %q: %q has a line break", name, k, v)
					}
				}
			}
		}
	})
}
