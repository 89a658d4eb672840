package service

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// builtinCatalog is loaded once for the package's tests.
var builtinCatalog = sync.OnceValues(catalog.Load)

func newEventTypes(t *testing.T, e *deliveriesEnv) *EventTypes {
	t.Helper()
	builtin, err := builtinCatalog()
	if err != nil {
		t.Fatal(err)
	}
	cats := catalog.NewViews(catalog.ViewsConfig{Store: e.st, Builtin: builtin, Clock: e.clock})
	return NewEventTypes(e.deps, EventTypesConfig{Catalogs: cats})
}

const gradeSchema = `{"type":"object","required":["grade"],"properties":{"grade":{"type":"number"}}}`

// A tenant's own type is created, then replaced (keeping its creation
// time), seen in its catalog and no other, and deleted.
func TestEventTypesPutAndDelete(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		s := newEventTypes(t, e)
		in := EventTypeInput{Title: "  Grade posted ", Schema: json.RawMessage(gradeSchema), Example: json.RawMessage(`{"grade":3}`)}
		et, created, err := s.Put(e.ctx, "acme", "grade.posted", in)
		if err != nil || !created || et.Title != "Grade posted" || !et.Custom {
			t.Fatalf("put: %+v, %v, %v", et, created, err)
		}
		e.clock.Advance(time.Minute)
		in.Description = "A grade was posted."
		if _, created, err = s.Put(e.ctx, "acme", "grade.posted", in); err != nil || created {
			t.Fatalf("replace: created %v, %v", created, err)
		}
		stored, err := e.st.ListEventTypes(e.ctx, "acme")
		if err != nil || len(stored) != 1 || !stored[0].CreatedAt.Equal(deliveriesStart) || !stored[0].UpdatedAt.Equal(e.clock.Now()) {
			t.Fatalf("stored %+v, %v: want created at the start, updated now", stored, err)
		}
		got, err := s.Get(e.ctx, "acme", "grade.posted")
		if err != nil || got.Description != "A grade was posted." {
			t.Fatalf("get: %+v, %v", got, err)
		}
		if _, err := s.GetBuiltin("grade.posted"); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Fatalf("a tenant's type is builtin: %v", err)
		}
		list, err := s.List(e.ctx, "acme", "grade")
		if err != nil || len(list) != 1 || list[0].Type != "grade.posted" {
			t.Fatalf("list of entity grade: %+v, %v", list, err)
		}

		wantError(t, s.Delete(e.ctx, "acme", "user.created"), domain.EINVALID, "")
		if err := s.Delete(e.ctx, "acme", "grade.posted"); err != nil {
			t.Fatal(err)
		}
		_, err = s.Get(e.ctx, "acme", "grade.posted")
		wantError(t, err, domain.ENOTFOUND, "")
		wantError(t, s.Delete(e.ctx, "acme", "grade.posted"), domain.ENOTFOUND, "")
	})
}

// Put refuses, naming the field, what cannot be a tenant's type.
func TestEventTypesPutRefuses(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		s := newEventTypes(t, e)
		schema := json.RawMessage(gradeSchema)
		for _, c := range []struct {
			name, typ string
			in        EventTypeInput
			field     string
		}{
			{"long title", "grade.posted", EventTypeInput{Title: strings.Repeat("x", 201), Schema: schema}, "title"},
			{"long description", "grade.posted", EventTypeInput{Description: strings.Repeat("x", 2001), Schema: schema}, "description"},
			{"example not an object", "grade.posted", EventTypeInput{Schema: schema, Example: json.RawMessage(`[1]`)}, "example"},
			{"example breaks the schema", "grade.posted", EventTypeInput{Schema: schema, Example: json.RawMessage(`{"grade":"A"}`)}, "example/grade"},
			// A schema no data can meet would refuse every publish.
			{"schema false", "grade.posted", EventTypeInput{Schema: json.RawMessage(`false`)}, "schema"},
			{"schema not anything", "grade.posted", EventTypeInput{Schema: json.RawMessage(`{"not": {}}`)}, "schema"},
			{"type and enum disagree", "grade.posted", EventTypeInput{Schema: json.RawMessage(`{"type": "object", "enum": [1, 2]}`)}, "schema"},
			{"required property forbidden", "grade.posted", EventTypeInput{Schema: json.RawMessage(`{"type": "object", "required": ["a"], "properties": {"a": false}}`)}, "schema"},
			{"not an object", "grade.posted", EventTypeInput{Schema: json.RawMessage(`{"type": "string"}`)}, "schema"},
		} {
			_, _, err := s.Put(e.ctx, "acme", c.typ, c.in)
			if domain.ErrorCode(err) != domain.EINVALID || !strings.HasPrefix(domain.ErrorField(err), c.field) {
				t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
			}
		}
		if _, _, err := s.Put(e.ctx, "acme", "user.created", EventTypeInput{Schema: schema}); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("a builtin name: %v, want invalid", err)
		}
		// A null example is no example.
		if _, _, err := s.Put(e.ctx, "acme", "grade.posted", EventTypeInput{Schema: schema, Example: json.RawMessage(" null")}); err != nil {
			t.Errorf("null example: %v", err)
		}
		// A schema only an example shows can be met is kept with it.
		patterned := json.RawMessage(`{"type": "object", "required": ["code"], "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"}}}`)
		if _, _, err := s.Put(e.ctx, "acme", "grade.coded", EventTypeInput{Schema: patterned}); domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "schema" || !strings.Contains(err.Error(), "example") {
			t.Errorf("a pattern without an example: %v, want invalid schema asking for an example", err)
		}
		if _, _, err := s.Put(e.ctx, "acme", "grade.coded", EventTypeInput{Schema: patterned, Example: json.RawMessage(`{"code": "ABC-1234"}`)}); err != nil {
			t.Errorf("a pattern with an example: %v", err)
		}
	})
}

// Reading the catalog: suggestions for a typo, 404 for an unknown tenant,
// 503 without a catalog.
func TestEventTypesRead(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		s := newEventTypes(t, e)
		_, err := s.Get(e.ctx, "acme", "user.craeted")
		wantError(t, err, domain.ENOTFOUND, "")
		if !strings.Contains(domain.ErrorMessage(err), `did you mean "user.created"`) {
			t.Errorf("no suggestion in %q", domain.ErrorMessage(err))
		}
		_, err = s.List(e.ctx, "nobody", "")
		wantError(t, err, domain.ENOTFOUND, "")
		all, err := s.ListBuiltin("")
		if err != nil || len(all) < 50 {
			t.Fatalf("builtin: %d types, %v", len(all), err)
		}
		users, err := s.ListBuiltin(" user ")
		if err != nil || len(users) == 0 || len(users) >= len(all) {
			t.Fatalf("user types: %d of %d, %v", len(users), len(all), err)
		}

		none := NewEventTypes(e.deps, EventTypesConfig{})
		_, err = none.List(e.ctx, "acme", "")
		wantError(t, err, domain.EUNAVAILABLE, "")
		_, _, err = none.Put(e.ctx, "acme", "grade.posted", EventTypeInput{})
		wantError(t, err, domain.EUNAVAILABLE, "")
	})
}
