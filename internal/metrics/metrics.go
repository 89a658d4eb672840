// Package metrics defines lmshooks' Prometheus metrics. One *Metrics is made
// per process (or per test) and passed to the services that update it; a nil
// *Metrics is valid and records nothing.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds the collectors.
type Metrics struct {
	eventsPublished prometheus.Counter
	deliveriesMade  prometheus.Counter
	attempts        *prometheus.CounterVec
	attemptSeconds  prometheus.Histogram
	finished        *prometheus.CounterVec
	recordSeconds   prometheus.Histogram
	leasesLost      prometheus.Counter
}

// New registers the collectors on reg and returns them. queued reports the
// number of deliveries held in memory by the dispatcher.
func New(reg prometheus.Registerer, queued func() float64) *Metrics {
	m := &Metrics{
		eventsPublished: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lmshooks_events_published_total",
			Help: "Events stored (idempotent replays excluded).",
		}),
		deliveriesMade: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lmshooks_deliveries_created_total",
			Help: "Deliveries created by fan-out.",
		}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lmshooks_attempts_total",
			Help: "HTTP delivery attempts by outcome (success, failure).",
		}, []string{"outcome"}),
		attemptSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "lmshooks_attempt_duration_seconds",
			Help:    "Duration of HTTP delivery attempts.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lmshooks_deliveries_finished_total",
			Help: "Deliveries that reached a final state (succeeded, failed).",
		}, []string{"state"}),
		recordSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "lmshooks_record_batch_duration_seconds",
			Help:    "Time to write one batch of attempt outcomes.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		leasesLost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lmshooks_dispatch_leases_lost_total",
			Help: "Deliveries dropped from memory unattempted because their lease ran out before their turn (left for a fresh claim).",
		}),
	}
	reg.MustRegister(m.eventsPublished, m.deliveriesMade, m.attempts, m.attemptSeconds, m.finished, m.recordSeconds, m.leasesLost)
	if queued != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "lmshooks_dispatch_queued",
			Help: "Deliveries held in memory by this node's dispatcher (queued or in flight).",
		}, queued))
	}
	return m
}

// Published counts stored events and their deliveries.
func (m *Metrics) Published(events, deliveries int) {
	if m == nil {
		return
	}
	m.eventsPublished.Add(float64(events))
	m.deliveriesMade.Add(float64(deliveries))
}

// Attempted records one HTTP attempt.
func (m *Metrics) Attempted(success bool, d time.Duration) {
	if m == nil {
		return
	}
	outcome := "failure"
	if success {
		outcome = "success"
	}
	m.attempts.WithLabelValues(outcome).Inc()
	m.attemptSeconds.Observe(d.Seconds())
}

// Finished counts a delivery reaching a final state.
func (m *Metrics) Finished(state string) {
	if m == nil {
		return
	}
	m.finished.WithLabelValues(state).Inc()
}

// Recorded observes the time one batch of outcomes took to write.
func (m *Metrics) Recorded(d time.Duration) {
	if m == nil {
		return
	}
	m.recordSeconds.Observe(d.Seconds())
}

// LeaseLost counts a held delivery dropped because its lease ran out.
func (m *Metrics) LeaseLost() {
	if m == nil {
		return
	}
	m.leasesLost.Inc()
}
