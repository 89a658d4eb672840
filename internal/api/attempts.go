package api

import (
	"strings"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// attemptJSON is one HTTP try on the wire.
type attemptJSON struct {
	Number     int           `json:"number"`
	Trigger    string        `json:"trigger"`
	StartedAt  string        `json:"started_at"`
	DurationMS float64       `json:"duration_ms"`
	Request    requestJSON   `json:"request"`
	Response   *responseJSON `json:"response"`
	Error      string        `json:"error"`
	Success    bool          `json:"success"`
}

type requestJSON struct {
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

type responseJSON struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

func toAttemptJSON(at *domain.Attempt) attemptJSON {
	out := attemptJSON{
		Number:     at.Number,
		Trigger:    string(at.Trigger),
		StartedAt:  ts(at.StartedAt),
		DurationMS: millis(at.Duration),
		Request:    toRequestJSON(at),
		Error:      at.Error,
		Success:    at.Success,
	}
	if at.StatusCode != 0 {
		out.Response = &responseJSON{
			Status:  at.StatusCode,
			Headers: flatHeaders(at.ResponseHeaders),
			Body:    string(at.ResponseBody),
		}
	}
	return out
}

func toRequestJSON(at *domain.Attempt) requestJSON {
	return requestJSON{URL: at.RequestURL, Headers: flatHeaders(at.RequestHeaders), Body: string(at.RequestBody)}
}

// millis renders a duration in milliseconds with microsecond precision.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// flatHeaders renders headers one value per name (joined by ", ", as HTTP
// allows). Secret values come masked from the service.
func flatHeaders(h map[string][]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = strings.Join(v, ", ")
	}
	return out
}
