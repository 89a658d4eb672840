package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/lmshooks/lmshooks/client"
)

// From a new tenant to a delivered event: the LMS creates the tenant and
// a webhook for it, publishes an event and reads the audit log.
func Example() {
	ctx := context.Background()
	c := client.New(client.WithBaseURL(serverURL()), client.WithKey(operatorKey))

	// The endpoint that receives the deliveries (an HRIS, a CRM…).
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer receiver.Close()

	if _, err := c.CreateTenant(ctx, client.TenantRequest{ID: "example-acme", Name: "Acme Corp"}); err != nil {
		log.Fatal(err)
	}
	wh, err := c.CreateWebhook(ctx, "example-acme", client.WebhookRequest{
		Name:       "HRIS sync",
		URL:        receiver.URL,
		EventTypes: []string{"user.*"},
	})
	if err != nil {
		log.Fatal(err)
	}
	// wh.Secret is what the receiver verifies signatures with.
	ev, err := c.Publish(ctx, "example-acme", client.PublishRequest{
		Type:           "user.created",
		Data:           map[string]any{"id": "u_1042", "email": "ana@acme.com"},
		IdempotencyKey: "u_1042-created",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("scheduled to", ev.Deliveries, "webhook")

	// Wait for the delivery to end.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		page, err := c.ListDeliveries(ctx, "example-acme", client.DeliveryParams{WebhookID: wh.ID, EventID: ev.ID})
		if err != nil {
			log.Fatal(err)
		}
		if len(page.Data) == 1 && page.Data[0].State != client.Scheduled {
			fmt.Println("delivery", page.Data[0].State, "after", page.Data[0].Attempts, "attempt")
			break
		}
	}
	// Output:
	// scheduled to 1 webhook
	// delivery succeeded after 1 attempt
}

// Publishing again with the same idempotency key stores nothing new and
// answers the original event: retrying after a timeout is safe.
func ExampleClient_Publish() {
	ctx := context.Background()
	c := client.New(client.WithBaseURL(serverURL()), client.WithKey(operatorKey))
	if _, err := c.CreateTenant(ctx, client.TenantRequest{ID: "example-publish", Name: "Acme Corp"}); err != nil {
		log.Fatal(err)
	}
	req := client.PublishRequest{
		Type: "course_enrollment.completed",
		Data: map[string]any{
			"id":           "enr_5531",
			"user":         map[string]any{"id": "usr_1042"},
			"course":       map[string]any{"id": "crs_207"},
			"completed_at": "2030-03-04T05:06:07.123Z",
		},
		IdempotencyKey: "enr_5531-completed",
	}
	first, err := c.Publish(ctx, "example-publish", req)
	if err != nil {
		log.Fatal(err)
	}
	again, err := c.Publish(ctx, "example-publish", req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first replayed:", first.Replayed)
	fmt.Println("again replayed:", again.Replayed, "same event:", again.ID == first.ID)
	// Output:
	// first replayed: false
	// again replayed: true same event: true
}

// A refused request is an *Error: its Field says which input is wrong.
func ExampleError() {
	ctx := context.Background()
	c := client.New(client.WithBaseURL(serverURL()), client.WithKey(operatorKey))
	if _, err := c.CreateTenant(ctx, client.TenantRequest{ID: "example-errors", Name: "Acme Corp"}); err != nil {
		log.Fatal(err)
	}
	_, err := c.CreateWebhook(ctx, "example-errors", client.WebhookRequest{
		Name:           "HRIS sync",
		URL:            "https://hris.example.com/lms-hook",
		EventTypes:     []string{"user.created"},
		TimeoutSeconds: 600,
	})
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, apiErr.Field)
	}
	// Output: 422 invalid timeout_seconds
}

// AllWebhooks fetches page after page as the loop goes on; breaking out
// of the loop fetches no more.
func ExampleClient_AllWebhooks() {
	ctx := context.Background()
	c := client.New(client.WithBaseURL(serverURL()), client.WithKey(operatorKey))
	if _, err := c.CreateTenant(ctx, client.TenantRequest{ID: "example-pages", Name: "Acme Corp"}); err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"HRIS", "CRM", "BI"} {
		_, err := c.CreateWebhook(ctx, "example-pages", client.WebhookRequest{
			Name: name, URL: "https://" + name + ".example.com/hook", EventTypes: []string{"user.*"},
			Enabled: new(false),
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	for wh, err := range c.AllWebhooks(ctx, "example-pages", client.ListParams{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(wh.Name) // newest first
	}
	// Output:
	// BI
	// CRM
	// HRIS
}

// In a change, only the fields that are set change: here the webhook is
// disabled and its basic auth removed, and nothing else.
func ExampleClient_UpdateWebhook() {
	ctx := context.Background()
	c := client.New(client.WithBaseURL(serverURL()), client.WithKey(operatorKey))
	if _, err := c.CreateTenant(ctx, client.TenantRequest{ID: "example-update", Name: "Acme Corp"}); err != nil {
		log.Fatal(err)
	}
	wh, err := c.CreateWebhook(ctx, "example-update", client.WebhookRequest{
		Name: "HRIS sync", URL: "https://hris.example.com/lms-hook", EventTypes: []string{"user.*"},
		BasicAuth: &client.BasicAuthRequest{Username: "lms", Password: "s3cret"},
	})
	if err != nil {
		log.Fatal(err)
	}
	changed, err := c.UpdateWebhook(ctx, "example-update", wh.ID, client.WebhookUpdate{
		Enabled:   new(false),
		BasicAuth: client.NoBasicAuth(),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(changed.Name, "enabled:", changed.Enabled, "basic auth:", changed.BasicAuth != nil)
	// Output: HRIS sync enabled: false basic auth: false
}

// A tenant key reaches one tenant only: give it to the tenant's own
// integration, and use a copy of the client with it.
func ExampleClient_With() {
	ctx := context.Background()
	operator := client.New(client.WithBaseURL(serverURL()), client.WithKey(operatorKey))
	for _, id := range []string{"example-keys", "example-other"} {
		if _, err := operator.CreateTenant(ctx, client.TenantRequest{ID: id, Name: id}); err != nil {
			log.Fatal(err)
		}
	}
	key, err := operator.CreateAPIKey(ctx, "example-keys", client.APIKeyRequest{Name: "LMS backend"})
	if err != nil {
		log.Fatal(err)
	}
	tenant := operator.With(client.WithKey(key.Key))
	own, err := tenant.GetTenant(ctx, "example-keys")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("reads", own.ID)
	_, err = tenant.GetTenant(ctx, "example-other")
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		fmt.Println("another tenant:", apiErr.Status, apiErr.Code)
	}
	// Output:
	// reads example-keys
	// another tenant: 404 not_found
}
