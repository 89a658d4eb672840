package domain

import (
	"strings"
	"testing"
	"time"
)

func TestAutoDisableAfter(t *testing.T) {
	def := 5 * 24 * time.Hour
	for _, c := range []struct {
		hours int
		want  time.Duration
	}{{0, def}, {AutoDisableNever, 0}, {12, 12 * time.Hour}} {
		tn := Tenant{AutoDisableAfterHours: c.hours}
		if got := tn.AutoDisableAfter(def); got != c.want {
			t.Errorf("hours %d: got %v, want %v", c.hours, got, c.want)
		}
	}
	if got := (&Tenant{}).AutoDisableAfter(0); got != 0 {
		t.Errorf("server default 0: got %v, want never", got)
	}
}

func TestShouldAutoDisable(t *testing.T) {
	since := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	period := 5 * 24 * time.Hour
	for _, c := range []struct {
		name   string
		since  time.Time
		now    time.Time
		period time.Duration
		want   bool
	}{
		{"not failing", time.Time{}, since.Add(30 * 24 * time.Hour), period, false},
		{"failing shorter than the period", since, since.Add(period - time.Second), period, false},
		{"failing for the period", since, since.Add(period), period, true},
		{"never", since, since.Add(365 * 24 * time.Hour), 0, false},
	} {
		if got := ShouldAutoDisable(c.since, c.now, c.period); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if r := AutoDisableReason(since, period); !strings.Contains(r, "2024-03-01T10:00:00Z") || !strings.Contains(r, "5 days") {
		t.Errorf("reason %q does not say since when and how long", r)
	}
}

func TestTenantValidateAutoDisable(t *testing.T) {
	for _, h := range []int{-2, MaxAutoDisableAfterHours + 1} {
		tn := Tenant{Name: "x", Environment: Production, AutoDisableAfterHours: h}
		if err := tn.Validate(); err == nil || !strings.Contains(err.Error(), "auto_disable_after_hours") {
			t.Errorf("hours %d: got %v, want an auto_disable_after_hours error", h, err)
		}
	}
}
