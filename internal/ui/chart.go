package ui

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/service"
)

// total is how many deliveries a bar of the chart counts.
func total(b service.Bucket) int {
	n := 0
	for _, v := range b.Counts {
		n += v
	}
	return n
}

// chartOrder stacks states bottom-up: successes at the base, failures on
// top where the eye lands first.
var chartOrder = []domain.DeliveryState{domain.Succeeded, domain.Scheduled, domain.Canceled, domain.Failed}

// chartLayout is one size of the chart: laptops get a wide one, phones a
// narrow one whose text stays legible when it is scaled to the screen.
type chartLayout struct {
	class     string
	w, h      int
	labels    int // at most this many time labels
	barMargin float64
}

var (
	wideChart   = chartLayout{class: "chart wide", w: 720, h: 200, labels: 8, barMargin: 0.15}
	narrowChart = chartLayout{class: "chart narrow", w: 340, h: 210, labels: 4, barMargin: 0.1}
)

// chartHTML draws the chart in both sizes; the stylesheet shows the one
// that fits the screen. Each bar with deliveries links to link(start,
// end), the audit of its time span.
func chartHTML(buckets []service.Bucket, step time.Duration, link func(start, end time.Time) string) template.HTML {
	return chartSVG(buckets, step, wideChart, link) + chartSVG(buckets, step, narrowChart, link)
}

// chartSVG draws deliveries over time as stacked bars, one per bucket, in
// plain SVG (no script, no library). Labels carry their time so the page
// script can show them in the viewer's time zone.
func chartSVG(buckets []service.Bucket, step time.Duration, l chartLayout, link func(start, end time.Time) string) template.HTML {
	const (
		right       = 8
		top, bottom = 10, 24
	)
	w, h := l.w, l.h
	max := 0
	for _, b := range buckets {
		max = maxInt(max, total(b))
	}
	scale := niceCeil(max)
	// The axis needs room for its widest number.
	left := 14 + 7*len(count(scale))
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	bw := plotW / float64(len(buckets))
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="%s" viewBox="0 0 %d %d" role="img" aria-label="Deliveries per %s by state">`, l.class, w, h, stepName(step))
	for i := 0; i <= 4; i++ {
		y := float64(top) + plotH*float64(i)/4
		v := scale * (4 - i) / 4
		fmt.Fprintf(&sb, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, left, w-right, y, y)
		fmt.Fprintf(&sb, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, count(v))
	}
	// Label whole days on day labels, and at most l.labels bars.
	unit := 1
	if labelKind(step) == "day" && step < 24*time.Hour {
		unit = int(24 * time.Hour / step)
	}
	units := (len(buckets) + unit - 1) / unit
	labelEvery := unit * maxInt(1, (units+l.labels-1)/l.labels)
	for i, b := range buckets {
		x := float64(left) + bw*float64(i)
		y := float64(top) + plotH
		var parts []string
		for _, st := range chartOrder {
			if n := b.Counts[st]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, st))
			}
		}
		if len(parts) == 0 {
			parts = append(parts, "no deliveries")
		}
		title := template.HTMLEscapeString(b.Start.UTC().Format("Jan 2 15:04") + " UTC: " + strings.Join(parts, ", "))
		if total(b) > 0 {
			fmt.Fprintf(&sb, `<a href="%s" aria-label="%s">`, template.HTMLEscapeString(link(b.Start, b.Start.Add(step))), title)
		}
		sb.WriteString(`<g class="bar">`)
		for _, st := range chartOrder {
			n := b.Counts[st]
			if n == 0 {
				continue
			}
			bh := plotH * float64(n) / float64(scale)
			y -= bh
			fmt.Fprintf(&sb, `<rect class="s-%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="1.5"/>`, st, x+bw*l.barMargin, y, bw*(1-2*l.barMargin), bh)
		}
		fmt.Fprintf(&sb, `<rect class="hit" x="%.1f" y="%d" width="%.1f" height="%.0f"><title>%s</title></rect>`, x, top, bw, plotH, title)
		sb.WriteString(`</g>`)
		if total(b) > 0 {
			sb.WriteString(`</a>`)
		}
		if i%labelEvery == 0 {
			fmt.Fprintf(&sb, `<text class="axis js-chart-time" data-step="%s" data-datetime="%s" x="%.1f" y="%d" text-anchor="middle">%s</text>`,
				labelKind(step), b.Start.UTC().Format(time.RFC3339), x+bw/2, h-6, b.Start.UTC().Format(labelFormat(step)))
		}
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// stepName says how long one bar lasts, for the chart's label.
func stepName(step time.Duration) string {
	switch {
	case step == 24*time.Hour:
		return "day"
	case step == time.Hour:
		return "hour"
	}
	return fmt.Sprintf("%d hours", int(step/time.Hour))
}

// labelKind tells the page script how to show a bar's time in the
// viewer's zone: as a time of day, or as a date for bars of 6 hours and
// more, whose labels fall on days.
func labelKind(step time.Duration) string {
	if step >= 6*time.Hour {
		return "day"
	}
	return "hour"
}

func labelFormat(step time.Duration) string {
	if step >= 6*time.Hour {
		return "Jan 2"
	}
	return "15:04"
}

// niceSteps are the grid steps per power of ten, as tenths: 1, 1.5, 2,
// 2.5, 3, 4, 5, 6 and 8. Finer than 1-2-5, so that the axis ends close
// above the data (950 → 1,000, not 2,000; never 1.5 times it) yet on
// round numbers.
var niceSteps = []int{10, 15, 20, 25, 30, 40, 50, 60, 80}

// niceCeil rounds a chart maximum up to the smallest 4 × a whole nice step
// (niceSteps × 10ⁿ) that holds it, so the four grid lines fall on round
// numbers; 0 gives 4.
func niceCeil(n int) int {
	for mag := 1; ; mag *= 10 {
		for _, tenths := range niceSteps {
			if tenths*mag%10 != 0 {
				continue // 1.5 or 2.5 is no count of deliveries
			}
			if step := tenths * mag / 10; step*4 >= n {
				return step * 4
			}
		}
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
