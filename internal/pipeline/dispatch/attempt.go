package dispatch

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/retry"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/signature"
)

// attempt renders, signs and sends one delivery, and describes what
// happened as an Attempt (not yet stored).
func (d *Dispatcher) attempt(ctx context.Context, w *domain.Webhook, ev *domain.Event, dl *domain.Delivery, trigger domain.AttemptTrigger) (domain.Attempt, outbound.Result) {
	now := d.cfg.Clock.Now()
	att := domain.Attempt{
		ID:         d.cfg.IDs.NewAt(id.Attempt, now),
		DeliveryID: dl.ID,
		TenantID:   dl.TenantID,
		WebhookID:  w.ID,
		EventID:    ev.ID,
		Number:     dl.Attempts + 1,
		Trigger:    trigger,
		StartedAt:  now,
		RequestURL: w.URL,
	}
	req, err := d.buildRequest(w, ev, dl, now)
	if err != nil {
		att.Error = err.Error()
		return att, outbound.Result{Err: err}
	}
	att.RequestBody = req.Body

	res := d.cfg.Sender.Do(ctx, req)
	// After the send, so as not to delay it: the store keeps a reference
	// instead of the body when rendering again gives the same bytes.
	att.RequestBodyRef = d.cfg.Formats.BodyRef(w, ev, dl, now, req.Body)
	att.Duration = res.Duration
	att.StatusCode = res.StatusCode
	att.RequestHeaders = req.Header
	att.ResponseHeaders = res.Header
	att.ResponseBody = res.Body
	// Credentials are sent, never recorded: the attempt keeps what was
	// sent but for the values of secret headers.
	att.MaskSecrets(w.SecretHeader)
	switch {
	case res.Err != nil:
		att.Error = res.Err.Error()
	case w.SuccessRule.Accepts(res.StatusCode):
		att.Success = true
	case res.StatusCode >= 300 && res.StatusCode < 400:
		att.Error = fmt.Sprintf("status %d is a redirect: redirects are not followed, update the webhook URL", res.StatusCode)
	default:
		att.Error = fmt.Sprintf("status %d is outside the success range %s", res.StatusCode, w.SuccessRule)
	}
	return att, res
}

// buildRequest renders the body in the webhook's format and adds the
// signature, authentication and custom headers. The signature covers
// exactly the bytes returned in Body.
func (d *Dispatcher) buildRequest(w *domain.Webhook, ev *domain.Event, dl *domain.Delivery, now time.Time) (outbound.Request, error) {
	r, ok := d.cfg.Formats.Lookup(w.Format)
	if !ok {
		return outbound.Request{}, fmt.Errorf("unknown format %q", w.Format)
	}
	rendered, err := r.Render(ev, dl, w, now)
	if err != nil {
		return outbound.Request{}, fmt.Errorf("render %s: %w", w.Format, err)
	}
	h := http.Header{}
	for k, v := range w.Headers {
		h.Set(k, v)
	}
	for k, vs := range rendered.Header {
		h[k] = vs
	}
	h.Set("Content-Type", rendered.ContentType)
	// Set here rather than by the HTTP client, so that the attempt log
	// shows it; a webhook's own User-Agent header wins.
	if h.Get("User-Agent") == "" && d.cfg.UserAgent != "" {
		h.Set("User-Agent", d.cfg.UserAgent)
	}
	if w.BasicAuth != nil {
		cred := base64.StdEncoding.EncodeToString([]byte(w.BasicAuth.Username + ":" + w.BasicAuth.Password))
		h.Set("Authorization", "Basic "+cred)
	}
	// Vendor formats whose receivers expect the vendor's request exactly
	// (or none) leave the Standard Webhooks headers out; they sign with
	// their own header, set by the renderer over the same bytes.
	if w.Secret != "" && !rendered.SkipStandardSignature {
		sig, err := signature.Sign(w.ActiveSecrets(now), dl.ID, now, rendered.Body)
		if err != nil {
			return outbound.Request{}, fmt.Errorf("sign: %w", err)
		}
		h.Set(signature.HeaderID, dl.ID)
		h.Set(signature.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
		h.Set(signature.HeaderSignature, sig)
	}
	return outbound.Request{
		URL:     w.URL,
		Method:  http.MethodPost,
		Header:  h,
		Body:    rendered.Body,
		Timeout: w.Timeout,
	}, nil
}

// outcome decides the delivery's next state after an attempt. earlier
// holds the delivery's earlier attempts when some may have failed at the
// egress proxy (see earlierAttempts), nil otherwise.
func (d *Dispatcher) outcome(w *domain.Webhook, dl *domain.Delivery, att domain.Attempt, res outbound.Result, earlier []domain.Attempt) store.AttemptRecord {
	rec := store.AttemptRecord{Attempt: att}
	if att.Success {
		rec.State = domain.Succeeded
		return rec
	}
	if att.FailedAtProxy() {
		// Not the receiver's failure: the schedule is not consulted, so
		// the delivery neither moves along it nor ends.
		rec.State = domain.Scheduled
		rec.NextAttemptAt = att.StartedAt.Add(att.Duration).Add(domain.ProxyRetryWait)
		return rec
	}
	if res.StatusCode == http.StatusGone {
		rec.State = domain.Failed
		return rec
	}
	var retryAfter time.Duration
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable {
		retryAfter = res.RetryAfter
	}
	wait, ok := policyOf(w).Next(domain.RetryPosition(dl, att.Number, earlier), retryAfter, d.cfg.Rand)
	if !ok {
		rec.State = domain.Failed
		return rec
	}
	rec.State = domain.Scheduled
	rec.NextAttemptAt = att.StartedAt.Add(att.Duration).Add(wait)
	return rec
}

// policyOf returns the webhook's retry policy; an unknown preset name (only
// possible after a downgrade) falls back to the default preset.
func policyOf(w *domain.Webhook) retry.Policy {
	if w.RetryPolicy == domain.CustomRetryPolicy {
		return retry.Custom(w.RetryWaits)
	}
	if p, ok := retry.Lookup(w.RetryPolicy); ok {
		return p
	}
	p, _ := retry.Lookup(domain.DefaultRetryPolicy)
	return p
}

// Test sends ev to w now, outside the audit log, and reports what happened.
func (d *Dispatcher) Test(ctx context.Context, w *domain.Webhook, ev *domain.Event) domain.Attempt {
	now := d.cfg.Clock.Now()
	dl := &domain.Delivery{
		ID:        d.cfg.IDs.NewAt("msg_test_", now),
		TenantID:  w.TenantID,
		EventID:   ev.ID,
		WebhookID: w.ID,
		EventType: ev.Type,
		State:     domain.Scheduled,
		CreatedAt: now,
	}
	att, _ := d.attempt(ctx, w, ev, dl, domain.TriggerManual)
	return att
}
