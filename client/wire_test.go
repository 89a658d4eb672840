package client_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/client"
)

// wireOp is what one route of the API takes and answers, in the client's
// types. TestEveryRoute checks the statuses against the real server; the
// types are what a comparison with the API's description (OpenAPI) walks.
type wireOp struct {
	query    any   // the query parameters (query tags), or nil
	body     any   // the request body (json tags), or nil
	statuses []int // the success statuses, the usual one first
	answer   any   // the success body, or nil for 204
}

// Every error answer is a client.ErrorResponse.
var wire = map[string]wireOp{
	"POST /api/v1/tenants":            {body: client.TenantRequest{}, statuses: []int{201}, answer: client.Tenant{}},
	"GET /api/v1/tenants":             {query: client.ListParams{}, statuses: []int{200}, answer: client.Page[client.Tenant]{}},
	"GET /api/v1/tenants/{tenant}":    {statuses: []int{200}, answer: client.Tenant{}},
	"PATCH /api/v1/tenants/{tenant}":  {body: client.TenantUpdate{}, statuses: []int{200}, answer: client.Tenant{}},
	"DELETE /api/v1/tenants/{tenant}": {statuses: []int{204}},

	"POST /api/v1/tenants/{tenant}/api-keys":        {body: client.APIKeyRequest{}, statuses: []int{201}, answer: client.CreatedAPIKey{}},
	"GET /api/v1/tenants/{tenant}/api-keys":         {statuses: []int{200}, answer: client.APIKeyList{}},
	"DELETE /api/v1/tenants/{tenant}/api-keys/{id}": {statuses: []int{204}},

	"POST /api/v1/tenants/{tenant}/webhooks":                    {body: client.WebhookRequest{}, statuses: []int{201}, answer: client.WebhookWithSecret{}},
	"GET /api/v1/tenants/{tenant}/webhooks":                     {query: client.ListParams{}, statuses: []int{200}, answer: client.Page[client.Webhook]{}},
	"POST /api/v1/tenants/{tenant}/webhooks/test":               {body: client.UnsavedTestRequest{}, statuses: []int{200}, answer: client.TestResult{}},
	"GET /api/v1/tenants/{tenant}/webhooks/{id}":                {statuses: []int{200}, answer: client.Webhook{}},
	"PATCH /api/v1/tenants/{tenant}/webhooks/{id}":              {body: client.WebhookUpdate{}, statuses: []int{200}, answer: client.UpdatedWebhook{}},
	"DELETE /api/v1/tenants/{tenant}/webhooks/{id}":             {statuses: []int{204}},
	"GET /api/v1/tenants/{tenant}/webhooks/{id}/secret":         {statuses: []int{200}, answer: client.WebhookSecret{}},
	"POST /api/v1/tenants/{tenant}/webhooks/{id}/rotate-secret": {body: client.RotateSecretRequest{}, statuses: []int{200}, answer: client.WebhookWithSecret{}},
	"POST /api/v1/tenants/{tenant}/webhooks/{id}/test":          {body: client.TestRequest{}, statuses: []int{200}, answer: client.TestResult{}},
	"POST /api/v1/tenants/{tenant}/webhooks/{id}/recover":       {body: client.RecoverRequest{}, statuses: []int{202}, answer: client.Recovered{}},

	// A replayed idempotency key answers 200.
	"POST /api/v1/tenants/{tenant}/events":       {body: client.PublishRequest{}, statuses: []int{202, 200}, answer: client.PublishedEvent{}},
	"POST /api/v1/tenants/{tenant}/events/batch": {body: client.BatchRequest{}, statuses: []int{202}, answer: client.BatchResponse{}},
	"GET /api/v1/tenants/{tenant}/events/{id}":   {statuses: []int{200}, answer: client.Event{}},

	"GET /api/v1/tenants/{tenant}/deliveries":              {query: client.DeliveryParams{}, statuses: []int{200}, answer: client.DeliveryPage{}},
	"GET /api/v1/tenants/{tenant}/deliveries/{id}":         {statuses: []int{200}, answer: client.DeliveryDetail{}},
	"POST /api/v1/tenants/{tenant}/deliveries/{id}/resend": {statuses: []int{202}, answer: client.Delivery{}},
	"POST /api/v1/tenants/{tenant}/deliveries/{id}/skip":   {statuses: []int{200}, answer: client.Delivery{}},
	"GET /api/v1/tenants/{tenant}/blocked-keys":            {query: client.BlockedKeyParams{}, statuses: []int{200}, answer: client.Page[client.BlockedKey]{}},

	"GET /api/v1/tenants/{tenant}/stats":                {query: client.StatsParams{}, statuses: []int{200}, answer: client.Stats{}},
	"POST /api/v1/tenants/{tenant}/portal-links":        {body: client.PortalLinkRequest{}, statuses: []int{201}, answer: client.PortalLink{}},
	"POST /api/v1/tenants/{tenant}/portal-links/revoke": {statuses: []int{204}},

	"GET /api/v1/event-types":                            {query: client.EventTypeParams{}, statuses: []int{200}, answer: client.Page[client.EventTypeSummary]{}},
	"GET /api/v1/event-types/{type}":                     {statuses: []int{200}, answer: client.EventType{}},
	"GET /api/v1/tenants/{tenant}/event-types":           {query: client.EventTypeParams{}, statuses: []int{200}, answer: client.Page[client.EventTypeSummary]{}},
	"GET /api/v1/tenants/{tenant}/event-types/{type}":    {statuses: []int{200}, answer: client.EventType{}},
	"PUT /api/v1/tenants/{tenant}/event-types/{type}":    {body: client.EventTypeRequest{}, statuses: []int{201, 200}, answer: client.EventType{}},
	"DELETE /api/v1/tenants/{tenant}/event-types/{type}": {statuses: []int{204}},
	"POST /api/v1/tenants/{tenant}/filters/check":        {body: client.FilterCheckRequest{}, statuses: []int{200}, answer: client.FilterCheck{}},
}

// The wire table names exactly the routes the API registers.
func TestWireTableNamesEveryRoute(t *testing.T) {
	routes := apiRoutes(t)
	slices.Sort(routes)
	table := slices.Sorted(maps.Keys(wire))
	if !slices.Equal(routes, table) {
		var missing, extra []string
		for _, r := range routes {
			if _, ok := wire[r]; !ok {
				missing = append(missing, r)
			}
		}
		for _, r := range table {
			if !slices.Contains(routes, r) {
				extra = append(extra, r)
			}
		}
		t.Fatalf("the wire table differs from %s\nmissing:\n%s\nnot registered:\n%s",
			routesFile, strings.Join(missing, "\n"), strings.Join(extra, "\n"))
	}
}
