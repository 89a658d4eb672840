package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// failingPublish is a store whose Publish fails: the injected failure.
type failingPublish struct{ store.Store }

func (failingPublish) Publish(context.Context, store.PublishParams) ([]store.PublishResult, error) {
	return nil, errors.New("disk full")
}

// Room the dispatcher gives a publish is held until its jobs are handed
// over, then given back, with the arguments it was given for; a publish
// that fails gives it back too.
func TestPublishReleasesTheRoomItWasGiven(t *testing.T) {
	st, webhookID := setup(t)
	type ask struct {
		id   string
		n    int
		data int64
	}
	var held []ask
	var atHandoff int
	cfg := Config{Store: st, Clock: clock.NewFake(now), Owner: "node-1", LeaseFor: time.Minute,
		Handoff:      func([]domain.Job) { atHandoff = len(held) },
		AcceptingFor: func(id string, n int, data int64) bool { held = append(held, ask{id, n, data}); return true },
		Release: func(id string, n int, data int64) {
			for i, a := range held {
				if a == (ask{id, n, data}) {
					held = append(held[:i], held[i+1:]...)
					return
				}
			}
			t.Errorf("released room never given: %s, %d deliveries, %d bytes", id, n, data)
		}}
	in := []Input{
		{Type: "user.created", Data: json.RawMessage(`{"user":{"id":"u_1"}}`)},
		{Type: "user.updated", Data: json.RawMessage(`{"user":{"id":"u_2"}}`)},
	}
	if _, err := New(cfg).Publish(context.Background(), "acme", in, true); err != nil {
		t.Fatal(err)
	}
	if atHandoff != 1 {
		t.Errorf("room held at the handover = %d webhooks, want 1 (%s): released only once its jobs count", atHandoff, webhookID)
	}
	if len(held) != 0 {
		t.Errorf("room still held after the publish: %+v", held)
	}

	cfg.Store = failingPublish{st}
	if _, err := New(cfg).Publish(context.Background(), "acme", in, true); err == nil {
		t.Fatal("publish on a failing store succeeded")
	}
	if len(held) != 0 {
		t.Errorf("room still held after a failed publish: %+v", held)
	}
}
