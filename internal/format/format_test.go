package format

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func sampleEvent(t *testing.T) *domain.Event {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CEST", 2*60*60)
	}
	return &domain.Event{
		ID:       "evt_01HZX3K8Q4V7N2M5P9R0S1T2U3",
		TenantID: "acme",
		Type:     "course_enrollment.completed",
		// A non-UTC zone and nanoseconds: the envelope must show UTC with
		// exactly three fractional digits.
		OccurredAt: time.Date(2024, 5, 1, 14, 30, 15, 123456789, paris),
		ReceivedAt: time.Date(2024, 5, 1, 12, 30, 16, 0, time.UTC),
		// Characters json.Marshal would escape (<, >, &) and non-ASCII text:
		// data must be sent verbatim.
		Data: json.RawMessage(`{"user":{"id":42,"email":"a&b@example.com"},"course":{"title":"<Intro> à Go"},"score":0.95}`),
	}
}

func TestStandardGolden(t *testing.T) {
	ev := sampleEvent(t)
	req, err := Standard{}.Render(ev, &domain.Delivery{ID: "dlv_x"}, &domain.Webhook{}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if req.ContentType != "application/json" {
		t.Errorf("ContentType = %q", req.ContentType)
	}
	if len(req.Header) != 0 {
		t.Errorf("Header = %v, want none", req.Header)
	}
	golden := filepath.Join("testdata", "standard.json")
	if *update {
		if err := os.WriteFile(golden, req.Body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(req.Body, want) {
		t.Fatalf("body differs from %s\n got: %s\nwant: %s", golden, req.Body, want)
	}
	if !json.Valid(req.Body) {
		t.Fatalf("body is not valid JSON: %s", req.Body)
	}
	if !bytes.Contains(req.Body, ev.Data) {
		t.Fatalf("data was not sent verbatim: %s", req.Body)
	}
}

func TestStandardEscapesStrings(t *testing.T) {
	ev := sampleEvent(t)
	ev.ID = `evt_"quoted"`
	req, err := Standard{}.Render(ev, nil, nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ ID string }
	if err := json.Unmarshal(req.Body, &env); err != nil || env.ID != ev.ID {
		t.Fatalf("id round trip = %q, %v (body %s)", env.ID, err, req.Body)
	}
}

func TestStandardRejectsMissingData(t *testing.T) {
	ev := sampleEvent(t)
	ev.Data = nil
	if _, err := (Standard{}).Render(ev, nil, nil, time.Time{}); err == nil || !strings.Contains(err.Error(), ev.ID) {
		t.Fatalf("err = %v, want one naming the event", err)
	}
}

// other is a stand-in renderer for registry tests.
type other struct{ name, tag string }

func (o other) Name() string { return o.name }
func (o other) Render(*domain.Event, *domain.Delivery, *domain.Webhook, time.Time) (Request, error) {
	return Request{Body: []byte(o.tag)}, nil
}

func TestRegistry(t *testing.T) {
	d := Default()
	if got := strings.Join(d.Names(), ","); got != "absorb,articulate,cloudevents,cypher,innovative-educators,riseup,standard,xapi" {
		t.Fatalf("Default().Names() = %s", got)
	}
	if r, ok := d.Lookup(domain.DefaultFormat); !ok || r.Name() != "standard" {
		t.Fatalf("Lookup(standard) = %v, %v", r, ok)
	}
	if _, ok := d.Lookup("soap"); ok {
		t.Fatal("Lookup(soap) found a renderer")
	}

	r := NewRegistry(other{"zeta", ""}, Standard{}, other{"alpha", ""})
	if got := strings.Join(r.Names(), ","); got != "alpha,standard,zeta" {
		t.Fatalf("Names = %s", got)
	}
	names := r.Names()
	names[0] = "mutated"
	if r.Names()[0] != "alpha" {
		t.Fatal("Names exposes the registry's slice")
	}

	if err := r.Check("zeta"); err != nil {
		t.Fatalf("Check(zeta) = %v", err)
	}
	err := r.Check("cloudevents")
	if domain.ErrorField(err) != "format" || !strings.Contains(err.Error(), "alpha, standard, zeta") {
		t.Fatalf("Check(cloudevents) = %v", err)
	}
}

func TestRegistryLastDuplicateWins(t *testing.T) {
	r := NewRegistry(other{"x", "first"}, other{"x", "second"})
	if len(r.Names()) != 1 {
		t.Fatalf("Names = %v", r.Names())
	}
	x, _ := r.Lookup("x")
	if req, _ := x.Render(nil, nil, nil, time.Time{}); string(req.Body) != "second" {
		t.Fatalf("Lookup(x) rendered %q, want the later renderer's", req.Body)
	}
}
