package service

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/stats"
)

// On stores that summarize by themselves the tenant-wide total merges the
// webhooks' summaries: exact counts, percentiles between the webhooks'.
func TestMergeSummaries(t *testing.T) {
	got := mergeSummaries(map[string]stats.Summary{
		"a": {WebhookID: "a", Calls: 90, Errors: 9, P50: 10 * time.Millisecond, P95: 50 * time.Millisecond},
		"b": {WebhookID: "b", Calls: 10, Errors: 1, P50: 300 * time.Millisecond, P95: 900 * time.Millisecond},
		"c": {WebhookID: "c"},
	})
	want := stats.Summary{Calls: 100, Errors: 10, P50: 10 * time.Millisecond, P95: 900 * time.Millisecond}
	if got != want {
		t.Fatalf("merged = %+v, want %+v", got, want)
	}
	one := stats.Summary{WebhookID: "a", Calls: 3, Errors: 1, P50: 7, P95: 9}
	if got := mergeSummaries(map[string]stats.Summary{"a": one}); got.P50 != 7 || got.P95 != 9 || got.Calls != 3 {
		t.Fatalf("merging one summary = %+v, want its numbers", got)
	}
	if got := mergeSummaries(nil); got != (stats.Summary{}) {
		t.Fatalf("merging nothing = %+v", got)
	}
}
