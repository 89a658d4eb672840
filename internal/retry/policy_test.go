package retry

import (
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// fixed returns a random source that always answers v.
func fixed(v float64) func() float64 { return func() float64 { return v } }

func TestPresetSchedules(t *testing.T) {
	s, m, h := time.Second, time.Minute, time.Hour
	tests := []struct {
		name    string
		waits   []time.Duration
		retries int
		total   time.Duration
	}{
		{"standard", []time.Duration{0, 5 * s, 5 * m, 30 * m, 2 * h, 5 * h, 10 * h, 10 * h}, 8, 27*h + 35*m + 5*s},
		{"riseup", []time.Duration{5 * s, 5 * m, 30 * m, 2 * h, 5 * h, 10 * h, 10 * h}, 7, 27*h + 35*m + 5*s},
		{"articulate", []time.Duration{m, 2 * m, 4 * m, 8 * m, 16 * m, 32 * m, h, 2 * h, 4 * h, 8 * h, 8 * h, 8 * h, 8 * h, 8 * h}, 14, 48*h + 3*m},
		{"innovative-educators", []time.Duration{20 * s, 40 * s, 80 * s, 160 * s, 320 * s, 640 * s, 1280 * s, 2560 * s, 3600 * s, 3600 * s}, 10, 12300 * s},
		{"cypher", []time.Duration{5 * s, 10 * s, 20 * s, 40 * s, 80 * s, 160 * s, 320 * s, 640 * s, 1280 * s, 2560 * s}, 10, 5115 * s},
		{"none", nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := Lookup(tt.name)
			if !ok {
				t.Fatalf("Lookup(%q) not found", tt.name)
			}
			if len(p.Waits) != tt.retries || p.Attempts() != tt.retries+1 {
				t.Fatalf("retries = %d, attempts = %d; want %d, %d", len(p.Waits), p.Attempts(), tt.retries, tt.retries+1)
			}
			for i := range tt.waits {
				if p.Waits[i] != tt.waits[i] {
					t.Errorf("Waits[%d] = %v, want %v", i, p.Waits[i], tt.waits[i])
				}
			}
			if p.Total() != tt.total {
				t.Errorf("Total = %v, want %v", p.Total(), tt.total)
			}
			// The description must spell out the whole schedule and its total.
			if !strings.Contains(p.Description, FormatWait(tt.total)) && tt.total > 0 {
				t.Errorf("description %q lacks the total %s", p.Description, FormatWait(tt.total))
			}
			for _, w := range p.Waits {
				if !strings.Contains(p.Description, FormatWait(w)) {
					t.Errorf("description %q lacks wait %s", p.Description, FormatWait(w))
				}
			}
		})
	}
	if got, want := strings.Join(Names(), ","), "standard,riseup,articulate,innovative-educators,cypher,none"; got != want {
		t.Errorf("Names = %s, want %s", got, want)
	}
}

func TestInnovativeEducatorsTotalIsAboutThreeAndAHalfHours(t *testing.T) {
	p, _ := Lookup("innovative-educators")
	if got := p.Total(); got < 3*time.Hour || got > 3*time.Hour+30*time.Minute {
		t.Fatalf("total %v is not about 3.5 hours", got)
	}
}

func TestPresetsAreCopies(t *testing.T) {
	p, _ := Lookup("cypher")
	p.Waits[0] = time.Hour
	q, _ := Lookup("cypher")
	if q.Waits[0] != 5*time.Second {
		t.Fatalf("changing a looked-up policy changed the preset: %v", q.Waits[0])
	}
	if _, ok := Lookup("custom"); ok {
		t.Fatal("custom must not be a preset")
	}
	if _, ok := Lookup("Standard"); ok {
		t.Fatal("names are case-sensitive")
	}
}

func TestNext(t *testing.T) {
	p := Custom([]time.Duration{0, 10 * time.Second, time.Minute})
	tests := []struct {
		name       string
		failed     int
		retryAfter time.Duration
		rnd        float64
		want       time.Duration
		ok         bool
	}{
		{"first failure, immediate stays immediate", 1, 0, 0.99, 0, true},
		{"no jitter at the midpoint", 2, 0, 0.5, 10 * time.Second, true},
		{"jitter low end is -10%", 2, 0, 0, 9 * time.Second, true},
		{"jitter high end is +10%", 2, 0, 1, 11 * time.Second, true},
		{"last wait", 3, 0, 0.5, time.Minute, true},
		{"exhausted", 4, 0, 0.5, 0, false},
		{"zero failures count as one", 0, 0, 0.5, 0, true},
		{"retry-after raises the wait", 2, 30 * time.Second, 0.5, 30 * time.Second, true},
		{"retry-after raises an immediate retry", 1, 20 * time.Second, 0.5, 20 * time.Second, true},
		{"retry-after is capped at the largest wait", 2, time.Hour, 0.5, time.Minute, true},
		{"retry-after below the wait changes nothing", 3, 5 * time.Second, 0.5, time.Minute, true},
		{"retry-after does not revive an exhausted policy", 4, time.Second, 0.5, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := p.Next(tt.failed, tt.retryAfter, fixed(tt.rnd))
			if got != tt.want || ok != tt.ok {
				t.Fatalf("Next(%d, %v) = %v, %v; want %v, %v", tt.failed, tt.retryAfter, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNextWalksTheWholeSchedule(t *testing.T) {
	for _, p := range Presets() {
		for i, want := range p.Waits {
			got, ok := p.Next(i+1, 0, fixed(0.5))
			if !ok || got != want {
				t.Errorf("%s: Next(%d) = %v, %v; want %v, true", p.Name, i+1, got, ok, want)
			}
		}
		if _, ok := p.Next(len(p.Waits)+1, 0, fixed(0.5)); ok {
			t.Errorf("%s: still retrying after %d failures", p.Name, len(p.Waits)+1)
		}
	}
}

func TestNextWithRealRandomnessStaysWithinJitter(t *testing.T) {
	p, _ := Lookup("standard")
	for range 1000 {
		got, ok := p.Next(3, 0, nil) // 5m
		if !ok || got < 270*time.Second || got > 330*time.Second {
			t.Fatalf("Next = %v, %v; want within 5m ± 10%%", got, ok)
		}
		if got, _ := p.Next(1, 0, nil); got != 0 {
			t.Fatalf("immediate retry jittered to %v", got)
		}
	}
}

func TestCustom(t *testing.T) {
	waits := []time.Duration{5 * time.Second, time.Hour}
	p := Custom(waits)
	waits[0] = 0
	if p.Name != "custom" || p.Waits[0] != 5*time.Second || p.Attempts() != 3 {
		t.Fatalf("Custom = %+v", p)
	}
	if want := "Custom schedule: 2 retries after 5s, 1h (1h5s in total)."; p.Description != want {
		t.Fatalf("description %q, want %q", p.Description, want)
	}
	if p := Custom(nil); p.Attempts() != 1 || !strings.Contains(p.Description, "no retries") {
		t.Fatalf("Custom(nil) = %+v", p)
	}
}

func TestFormatWait(t *testing.T) {
	tests := map[time.Duration]string{
		0:                                   "immediately",
		250 * time.Millisecond:              "250ms",
		5 * time.Second:                     "5s",
		80 * time.Second:                    "1m20s",
		2 * time.Hour:                       "2h",
		48*time.Hour + 3*time.Minute:        "48h3m",
		5115 * time.Second:                  "1h25m15s",
		time.Minute + 1500*time.Millisecond: "1m1s",
	}
	for d, want := range tests {
		if got := FormatWait(d); got != want {
			t.Errorf("FormatWait(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestForWebhook(t *testing.T) {
	p, err := ForWebhook(&domain.Webhook{})
	if err != nil || p.Name != "standard" {
		t.Fatalf("default = %v, %v", p.Name, err)
	}
	p, err = ForWebhook(&domain.Webhook{RetryPolicy: "cypher"})
	if err != nil || p.Name != "cypher" {
		t.Fatalf("cypher = %v, %v", p.Name, err)
	}
	p, err = ForWebhook(&domain.Webhook{RetryPolicy: "custom", RetryWaits: []time.Duration{time.Second}})
	if err != nil || p.Name != "custom" || len(p.Waits) != 1 {
		t.Fatalf("custom = %+v, %v", p, err)
	}
	_, err = ForWebhook(&domain.Webhook{RetryPolicy: "forever"})
	if domain.ErrorField(err) != "retry_policy" || domain.ErrorCode(err) != domain.EINVALID ||
		!strings.Contains(err.Error(), "innovative-educators") {
		t.Fatalf("unknown policy error = %v", err)
	}
}

// Every preset names its vendor or standard for people, apart from the
// API's name.
func TestPresetsHaveLabels(t *testing.T) {
	for _, p := range append(Presets(), Custom(nil)) {
		if p.Label == "" || p.Label == p.Name {
			t.Errorf("preset %s has label %q", p.Name, p.Label)
		}
	}
}
