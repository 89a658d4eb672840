package ui

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// bucket is one bar of the deliveries chart.
type bucket struct {
	Start  time.Time
	Counts map[domain.DeliveryState]int
}

func (b bucket) total() int {
	n := 0
	for _, v := range b.Counts {
		n += v
	}
	return n
}

// chartOrder stacks states bottom-up: successes at the base, failures on
// top where the eye lands first.
var chartOrder = []domain.DeliveryState{domain.Succeeded, domain.Scheduled, domain.Canceled, domain.Failed}

// chartSVG draws deliveries over time as stacked bars, one per bucket, in
// plain SVG (no script, no library). Labels carry their time so the page
// script can show them in the viewer's time zone.
func chartSVG(buckets []bucket, step time.Duration) template.HTML {
	const (
		w, h        = 720, 200
		left, right = 36, 8
		top, bottom = 10, 24
	)
	max := 0
	for _, b := range buckets {
		max = maxInt(max, b.total())
	}
	scale := niceCeil(max)
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	bw := plotW / float64(len(buckets))
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="Deliveries per %s by state">`, w, h, stepName(step))
	for i := 0; i <= 4; i++ {
		y := float64(top) + plotH*float64(i)/4
		v := scale * (4 - i) / 4
		fmt.Fprintf(&sb, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, left, w-right, y, y)
		fmt.Fprintf(&sb, `<text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, count(v))
	}
	labelEvery := maxInt(1, len(buckets)/6)
	for i, b := range buckets {
		x := float64(left) + bw*float64(i)
		y := float64(top) + plotH
		var title []string
		sb.WriteString(`<g class="bar">`)
		for _, st := range chartOrder {
			n := b.Counts[st]
			if n == 0 {
				continue
			}
			bh := plotH * float64(n) / float64(scale)
			y -= bh
			fmt.Fprintf(&sb, `<rect class="s-%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="1.5"/>`, st, x+bw*0.15, y, bw*0.7, bh)
			title = append(title, fmt.Sprintf("%d %s", n, st))
		}
		if len(title) == 0 {
			title = append(title, "no deliveries")
		}
		fmt.Fprintf(&sb, `<rect class="hit" x="%.1f" y="%d" width="%.1f" height="%.0f"><title>%s UTC: %s</title></rect>`,
			x, top, bw, plotH, b.Start.UTC().Format("Jan 2 15:04"), template.HTMLEscapeString(strings.Join(title, ", ")))
		sb.WriteString(`</g>`)
		if i%labelEvery == 0 {
			fmt.Fprintf(&sb, `<text class="axis js-chart-time" data-step="%s" data-datetime="%s" x="%.1f" y="%d" text-anchor="middle">%s</text>`,
				stepName(step), b.Start.UTC().Format(time.RFC3339), x+bw/2, h-6, b.Start.UTC().Format(labelFormat(step)))
		}
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func stepName(step time.Duration) string {
	if step >= 24*time.Hour {
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

// niceCeil rounds a chart maximum up to 4 × a round step (1, 2 or 5 ×
// 10ⁿ), so grid lines fall on round numbers.
func niceCeil(n int) int {
	for mag := 1; ; mag *= 10 {
		for _, m := range []int{1, 2, 5} {
			if step := m * mag; step*4 >= n {
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
