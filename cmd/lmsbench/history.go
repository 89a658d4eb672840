package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
)

// A history is what a database holds after lmshooks has served several
// tenants for a week: events, their deliveries and attempts, with
// retries, failures and cancellations, spread over the last seven days.
// It is written straight into the database (seed_sqlite.go,
// seed_postgres.go) from a repeating pattern of historySlots event slots,
// so that millions of rows take minutes rather than hours through the API.

const (
	// historySlots is the pattern's period: event n follows slot n % historySlots.
	historySlots = 1000
	// historyDays is how far back the history goes.
	historyDays = 7
	// historyGap leaves the last hour before the seed empty, so that every
	// retry of the history (the last one 30 minutes after its event) lies
	// in the past.
	historyGap = time.Hour
)

// historyTenant is a tenant of the history and its webhooks.
type historyTenant struct {
	id, name string
	weight   int // share of the events
	hooks    []historyHook
}

// historyHook is a webhook of a history tenant; id is known once created.
type historyHook struct {
	name  string
	types []string
	id    string
}

func (h historyHook) url(tenant string) string {
	return "https://hooks." + strings.TrimPrefix(tenant, "hist_") + ".example/lmshooks/" + strings.ToLower(strings.ReplaceAll(h.name, " ", "-"))
}

func (h historyHook) subscribes(t string) bool {
	for _, p := range h.types {
		if domain.MatchEventType(p, t) {
			return true
		}
	}
	return false
}

// historyTenants returns the tenants of a history, the biggest first: its
// dashboard and audit log are the ones timed.
func historyTenants() []historyTenant {
	hooks := func() []historyHook {
		return []historyHook{
			{name: "Data warehouse", types: []string{"*"}},
			{name: "HR system", types: []string{"course_enrollment.completed", "certificate.awarded"}},
			{name: "CRM", types: []string{"user.*"}},
			{name: "Learning analytics", types: []string{"course_enrollment.*"}},
		}
	}
	return []historyTenant{
		{id: "hist_acme", name: "Acme Corporation", weight: 50, hooks: hooks()},
		{id: "hist_globex", name: "Globex", weight: 20, hooks: hooks()},
		{id: "hist_initech", name: "Initech", weight: 15, hooks: hooks()},
		{id: "hist_umbrella", name: "Umbrella Academy", weight: 10, hooks: hooks()},
		{id: "hist_hooli", name: "Hooli University", weight: 5, hooks: hooks()},
	}
}

// historyTypes are the event types of a history, with their shares.
var historyTypes = []struct {
	name   string
	weight int
}{
	{"course_enrollment.progressed", 30},
	{"course_enrollment.completed", 25},
	{"user.updated", 15},
	{"user.created", 10},
	{"certificate.awarded", 10},
	{"course_enrollment.created", 10},
}

// historySlot is one event of the pattern: its tenant, type and deliveries.
type historySlot struct {
	tenant     int
	typ        int
	deliveries []historyDelivery
}

// historyDelivery is a delivery of a slot's event to webhook hook (an
// index into its tenant's hooks), ending in state after its attempts.
type historyDelivery struct {
	hook     int
	state    string
	attempts []historyAttempt
}

// historyAttempt is one HTTP try, offset after its event was received.
type historyAttempt struct {
	offset   time.Duration
	duration time.Duration
	status   int    // 0: no answer
	err      string // why it failed
	sig      string // a Webhook-Signature value
}

func (a historyAttempt) success() bool { return a.status >= 200 && a.status < 300 }

// responseHeaders is what a receiver answering status sends, as the
// stores keep headers (JSON of a map of lists); "" without an answer.
func (a historyAttempt) responseHeaders() string {
	if a.status == 0 {
		return ""
	}
	return `{"Content-Type":["text/plain; charset=utf-8"],"Server":["nginx"]}`
}

func (a historyAttempt) responseBody() string {
	switch a.status {
	case 0, 204:
		return ""
	case 200:
		return "ok"
	default:
		return http.StatusText(a.status)
	}
}

// historyPattern builds the repeating pattern, the same every time: most
// deliveries succeed at once, some after a retry, a few fail after four
// attempts (the last 30 minutes after the event) and a few are canceled.
func historyPattern(tenants []historyTenant) []historySlot {
	rng := rand.New(rand.NewPCG(2026, 12))
	pick := func(weights []int) int {
		total := 0
		for _, w := range weights {
			total += w
		}
		r := rng.IntN(total)
		for i, w := range weights {
			if r < w {
				return i
			}
			r -= w
		}
		return len(weights) - 1
	}
	var tw, yw []int
	for _, t := range tenants {
		tw = append(tw, t.weight)
	}
	for _, t := range historyTypes {
		yw = append(yw, t.weight)
	}
	ms := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Millisecond }
	sig := func() string {
		var b [32]byte
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return "v1," + base64.StdEncoding.EncodeToString(b[:])
	}
	ok := func(at time.Duration) historyAttempt {
		return historyAttempt{offset: at, duration: ms(15, 400), status: []int{200, 204}[rng.IntN(2)], sig: sig()}
	}
	fail := func(at time.Duration) historyAttempt {
		if rng.IntN(3) == 0 {
			return historyAttempt{offset: at, duration: 15 * time.Second, err: "timeout after 15s", sig: sig()}
		}
		status := []int{500, 503}[rng.IntN(2)]
		return historyAttempt{offset: at, duration: ms(5, 900), status: status, sig: sig(),
			err: fmt.Sprintf("status %d is outside the success range 2xx", status)}
	}
	slots := make([]historySlot, historySlots)
	for i := range slots {
		s := historySlot{tenant: pick(tw), typ: pick(yw)}
		for h, hook := range tenants[s.tenant].hooks {
			if !hook.subscribes(historyTypes[s.typ].name) {
				continue
			}
			first := ms(2, 40)
			d := historyDelivery{hook: h}
			switch r := rng.IntN(1000); {
			case r < 940:
				d.state, d.attempts = "succeeded", []historyAttempt{ok(first)}
			case r < 980:
				d.state, d.attempts = "succeeded", []historyAttempt{fail(first), ok(first + 5*time.Second)}
			case r < 995:
				d.state = "failed"
				for _, at := range []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute} {
					d.attempts = append(d.attempts, fail(first+at))
				}
			default:
				d.state, d.attempts = "canceled", []historyAttempt{fail(first)}
			}
			s.deliveries = append(s.deliveries, d)
		}
		slots[i] = s
	}
	return slots
}

// historyEvents returns how many events make at least attempts attempts
// with pattern, and how many attempts exactly they make.
func historyEvents(pattern []historySlot, attempts int64) (events, made int64) {
	var perPeriod int64
	for _, s := range pattern {
		perPeriod += slotAttempts(s)
	}
	if perPeriod == 0 || attempts <= 0 {
		return 0, 0
	}
	periods := attempts / perPeriod
	events, made = periods*int64(len(pattern)), periods*perPeriod
	for i := 0; made < attempts; i++ {
		made += slotAttempts(pattern[i])
		events++
	}
	return events, made
}

func slotAttempts(s historySlot) int64 {
	var n int64
	for _, d := range s.deliveries {
		n += int64(len(d.attempts))
	}
	return n
}

// historyData returns each history type's data: the catalog's example,
// compact, so that every event validates against its type's schema.
func historyData() ([]string, error) {
	c, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(historyTypes))
	for i, t := range historyTypes {
		et, ok := c.Lookup(t.name)
		if !ok || len(et.Example) == 0 {
			return nil, fmt.Errorf("history: the catalog has no example of %s", t.name)
		}
		var b bytes.Buffer
		if err := json.Compact(&b, et.Example); err != nil {
			return nil, fmt.Errorf("history: example of %s: %w", t.name, err)
		}
		out[i] = b.String()
	}
	return out, nil
}

// historySpan is the window the history's events are spread over: the
// last historyDays before now, less historyGap.
func historySpan(now time.Time) (start, end time.Time) {
	return now.AddDate(0, 0, -historyDays), now.Add(-historyGap)
}

// createHistoryTenants creates the history's tenants and webhooks through
// the API and fills in the webhooks' ids.
func createHistoryTenants(ctx context.Context, c *benchClient, tenants []historyTenant) error {
	for ti := range tenants {
		t := &tenants[ti]
		if _, err := c.api.CreateTenant(ctx, client.TenantRequest{ID: t.id, Name: t.name}); err != nil {
			return err
		}
		for hi := range t.hooks {
			h := &t.hooks[hi]
			wh, err := c.api.CreateWebhook(ctx, t.id, client.WebhookRequest{Name: h.name, URL: h.url(t.id), EventTypes: h.types})
			if err != nil {
				return err
			}
			h.id = wh.ID
		}
	}
	return nil
}

// historyID spells the id with prefix made at ms whose randomness is
// unique (unique among the history's ids of that kind): the seeders make
// each id more than once, for its row and for the rows that refer to it.
func historyID(prefix string, ms, unique int64) string {
	var r [10]byte
	binary.BigEndian.PutUint64(r[2:], uint64(unique))
	return id.Spell(prefix, time.UnixMilli(ms), r)
}

// historyHeadersJSON is an attempt's request headers, as the stores keep
// them (JSON of a map of lists): those of the standard format, with the
// delivery id, the signature and the time sent (unix seconds) for the %s.
const historyHeadersJSON = `{"Content-Type":["application/json"],"User-Agent":["lmshooks/bench"],"Webhook-Id":["%s"],` +
	`"Webhook-Signature":["%s"],"Webhook-Timestamp":["%s"]}`

// historyHeaders spells historyHeadersJSON for the delivery made at ms,
// unique.
func historyHeaders(ms, unique int64, sig string, sentMS int64) string {
	return fmt.Sprintf(historyHeadersJSON, historyID("dlv_", ms, unique), sig, strconv.FormatInt(sentMS/1000, 10))
}

// sqlTemplate is an SQL expression that spells template (no quotes in
// it) with its %s replaced by the text of exprs.
func sqlTemplate(template string, exprs ...string) string {
	parts := strings.Split(template, "%s")
	var b strings.Builder
	b.WriteString("('" + parts[0] + "'")
	for i, e := range exprs {
		b.WriteString(" || (" + e + ") || '" + parts[i+1] + "'")
	}
	b.WriteString(")")
	return b.String()
}
