package e2e

import (
	"bytes"
	"github.com/lmshooks/lmshooks/client"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Event data reaches a standard webhook's receiver as published, less its
// insignificant whitespace: key order, number spellings and string escapes
// are kept (docs/API.md, "Publish an event").
func TestDataKeepsItsSpellingLessWhitespace(t *testing.T) {
	s := startServer(t)
	s.createTenant("acme")
	_, _, err := s.api.PutEventType(t.Context(), "acme", "acme_quiz.scored", client.EventTypeRequest{})
	s.must(err)
	rc := newReceiver(t, nil)
	s.createWebhook("acme", client.WebhookRequest{Name: "quiz", URL: rc.URL, EventTypes: []string{"acme_quiz.scored"}})

	const published = "{ \"z\": 1.0,\n\t\"a\": [1e2, 100.50, -0, 12345678901234567890123],\n" +
		` "s": "caf\u00e9 \/ <b> & \"q\" \u0000", "n": null }`
	const sent = `{"z":1.0,"a":[1e2,100.50,-0,12345678901234567890123],"s":"caf\u00e9 \/ <b> & \"q\" \u0000","n":null}`
	// Sent raw: the client would re-encode the data.
	body := `{"type": "acme_quiz.scored", "data": ` + published + `}`
	req, err := http.NewRequest("POST", s.base+"/api/v1/tenants/acme/events", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("publish = %d, want 202", resp.StatusCode)
	}
	eventually(t, 10*time.Second, "the delivery", func() bool { return rc.count() == 1 })
	got, _ := rc.snapshot()
	if want := `,"data":` + sent + `}`; !strings.HasSuffix(string(got[0].Body), want) {
		t.Fatalf("the receiver got\n%s\nwant it to end with\n%s", got[0].Body, want)
	}
}
