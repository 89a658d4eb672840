package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// loadOnce shares one builtin catalog between tests: a Catalog is
// immutable, and compiling every schema for every test would only be slow.
var loadOnce = sync.OnceValues(Load)

// load returns the builtin catalog or stops the test.
func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := loadOnce()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// recommendedV1 is every ● row of the entities × actions table (§2.3) of
// shared/reference/lms-events.md: the types the catalog must have.
var recommendedV1 = []string{
	"user.created", "user.updated", "user.deleted",
	"course.created", "course.updated", "course.deleted", "course.published", "course.unpublished",
	"curriculum.created", "curriculum.published", "curriculum.unpublished",
	"course_bundle.deleted", "course_bundle.published", "course_bundle.unpublished",
	"learning_path.created", "learning_path.updated", "learning_path.deleted",
	"classroom_session.created", "classroom_session.updated", "classroom_session.deleted",
	"course_enrollment.created", "course_enrollment.updated", "course_enrollment.deleted",
	"course_enrollment.started", "course_enrollment.progressed", "course_enrollment.completed",
	"session_enrollment.created", "session_enrollment.updated", "session_enrollment.deleted", "session_enrollment.completed",
	"path_enrollment.created", "path_enrollment.updated", "path_enrollment.deleted", "path_enrollment.completed",
	"objective_enrollment.created", "objective_enrollment.updated", "objective_enrollment.deleted",
	"step_progress.created", "step_progress.updated", "step_progress.completed",
	"assessment_attempt.submitted", "assessment_attempt.graded", "assessment_attempt.completed",
	"training_request.created", "training_request.updated", "training_request.deleted",
	"group.created", "group.updated", "group.deleted",
	"group_membership.created", "group_membership.deleted",
	"department.created", "department.deleted",
	"certificate.awarded",
	"competency.awarded",
	"credit.awarded",
}

func TestEveryRecommendedTypeIsPresent(t *testing.T) {
	c := load(t)
	if len(recommendedV1) != 56 {
		t.Fatalf("the reference table has 56 ● rows, the test lists %d", len(recommendedV1))
	}
	for _, typ := range recommendedV1 {
		if _, ok := c.Lookup(typ); !ok {
			t.Errorf("missing %s", typ)
		}
	}
}

func TestBuiltinTypesAreWellFormed(t *testing.T) {
	c := load(t)
	for _, et := range c.All() {
		if !domain.ValidEventType(et.Type) {
			t.Errorf("%q is not a valid event type name", et.Type)
		}
		if et.Type != et.Entity+"."+et.Action {
			t.Errorf("%s: entity %q and action %q disagree with the name", et.Type, et.Entity, et.Action)
		}
		if et.Title == "" || et.Description == "" {
			t.Errorf("%s: title and description are required", et.Type)
		}
		if et.Custom {
			t.Errorf("%s: builtin type marked custom", et.Type)
		}
		var schema struct {
			Schema string `json:"$schema"`
			Title  string `json:"title"`
			Type   string `json:"type"`
		}
		if err := json.Unmarshal(et.Schema, &schema); err != nil {
			t.Fatalf("%s: schema: %v", et.Type, err)
		}
		if schema.Schema != "https://json-schema.org/draft/2020-12/schema" || schema.Type != "object" || schema.Title != et.Title {
			t.Errorf("%s: schema header = %+v", et.Type, schema)
		}
		// Self-contained: every reference is local, so the schema can be
		// served alone by the API.
		for _, ref := range strings.Split(string(et.Schema), `"$ref":`)[1:] {
			if !strings.HasPrefix(ref, `"#/$defs/`) {
				t.Errorf("%s: non-local $ref %.40s", et.Type, ref)
			}
		}
	}
}

func TestEveryExampleValidates(t *testing.T) {
	c := load(t)
	for _, et := range c.All() {
		if err := c.Validate(et.Type, et.Example); err != nil {
			t.Errorf("%s: example does not validate: %v", et.Type, err)
		}
		var obj map[string]any
		if err := json.Unmarshal(et.Example, &obj); err != nil {
			t.Fatalf("%s: example: %v", et.Type, err)
		}
		if id, _ := obj["id"].(string); id == "" {
			t.Errorf("%s: example has no string id", et.Type)
		}
	}
}

func TestLookupAllEntitiesActions(t *testing.T) {
	c := load(t)
	et, ok := c.Lookup("course_enrollment.completed")
	if !ok || et.Title != "Course enrollment completed" || et.Entity != "course_enrollment" || et.Action != "completed" {
		t.Fatalf("Lookup(course_enrollment.completed) = %+v, %v", et, ok)
	}
	// What Lookup returns is the caller's to change.
	et.Example[0] = 'X'
	et.Variables[0].Name = "@changed"
	again, _ := c.Lookup("course_enrollment.completed")
	if again.Example[0] != '{' || again.Variables[0].Name == "@changed" {
		t.Error("changing a looked-up type changed the catalog")
	}
	if _, ok := c.Lookup("course_enrollment.finished"); ok {
		t.Error("Lookup found a type that does not exist")
	}

	all := c.All()
	if !slices.IsSortedFunc(all, func(a, b EventType) int { return strings.Compare(a.Type, b.Type) }) {
		t.Error("All is not sorted")
	}
	entities := c.Entities()
	if !slices.IsSorted(entities) || len(entities) != 22 || !slices.Contains(entities, "course_enrollment") || !slices.Contains(entities, "webhook") {
		t.Errorf("Entities = %v", entities)
	}
	want := []string{"completed", "created", "deleted", "expired", "failed", "progressed", "started", "updated", "withdrawn"}
	if got := c.Actions("course_enrollment"); !slices.Equal(got, want) {
		t.Errorf("Actions(course_enrollment) = %v, want %v", got, want)
	}
	if got := c.Actions("order"); got != nil {
		t.Errorf("Actions(order) = %v, want nil", got)
	}
	if !strings.Contains(c.EntityDescription("course_enrollment"), "registration") {
		t.Errorf("EntityDescription(course_enrollment) = %q", c.EntityDescription("course_enrollment"))
	}
}

func TestMatch(t *testing.T) {
	c := load(t)
	got := c.Match("course_enrollment.*")
	if len(got) != 9 {
		t.Errorf("course_enrollment.* selects %d types, want 9: %v", len(got), got)
	}
	for _, typ := range got {
		if !strings.HasPrefix(typ, "course_enrollment.") {
			t.Errorf("course_enrollment.* selected %s", typ)
		}
	}
	want := []string{
		"assessment_attempt.completed", "course_enrollment.completed", "objective_enrollment.completed",
		"path_enrollment.completed", "session_enrollment.completed", "step_progress.completed",
	}
	if got := c.Match("*.completed"); !slices.Equal(got, want) {
		t.Errorf("*.completed = %v, want %v", got, want)
	}
	if got := c.Match("*"); len(got) != len(c.All()) {
		t.Errorf("* selects %d of %d types", len(got), len(c.All()))
	}
	if got := c.Match("user.created"); !slices.Equal(got, []string{"user.created"}) {
		t.Errorf("user.created = %v", got)
	}
	if got := c.Match("order.*"); len(got) != 0 {
		t.Errorf("order.* = %v, want none", got)
	}
}

func TestVariables(t *testing.T) {
	c := load(t)
	for _, et := range c.All() {
		if len(et.Variables) == 0 {
			t.Errorf("%s has no variables", et.Type)
		}
		if err := checkVariables(et.Variables); err != nil {
			t.Errorf("%s: %v", et.Type, err)
		}
		for _, v := range et.Variables {
			if !schemaDeclares(t, et.Schema, v.Path) {
				t.Errorf("%s: %s points at %s, which the schema does not declare", et.Type, v.Name, v.Path)
			}
		}
	}
	et, _ := c.Lookup("course_enrollment.completed")
	want := map[string]string{"@user_email": "/user/email", "@course_name": "/course/title", "@score": "/score/raw", "@completed_at": "/completed_at"}
	for _, v := range et.Variables {
		if p, ok := want[v.Name]; ok {
			if v.Path != p {
				t.Errorf("%s path = %s, want %s", v.Name, v.Path, p)
			}
			delete(want, v.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("course_enrollment.completed lacks %v", want)
	}
}

// schemaDeclares reports whether the JSON Pointer path names a property that
// the schema declares, following local $refs and array items.
func schemaDeclares(t *testing.T, schema json.RawMessage, path string) bool {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(schema, &root); err != nil {
		t.Fatal(err)
	}
	defs, _ := root["$defs"].(map[string]any)
	node := root
	for _, tok := range strings.Split(path, "/")[1:] {
		props := map[string]any{}
		for n := node; n != nil; {
			if p, ok := n["properties"].(map[string]any); ok {
				for k, v := range p {
					props[k] = v
				}
			}
			ref, _ := n["$ref"].(string)
			n, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		next, ok := props[tok].(map[string]any)
		if !ok {
			return false
		}
		node = next
	}
	return true
}

func TestFieldsAndDefs(t *testing.T) {
	c := load(t)
	et, _ := c.Lookup("course_enrollment.completed")
	fields, err := et.Fields()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	if f := byName["user"]; f.Ref != "user_ref" || !f.Required || f.Description != "The learner." {
		t.Errorf("user field = %+v", f)
	}
	if f := byName["completed_at"]; f.Type != "string" || f.Format != "date-time" || !f.Required {
		t.Errorf("completed_at field = %+v (the completed action makes it a required string)", f)
	}
	if f := byName["status"]; !slices.Contains(f.Enum, `"completed"`) || f.Required {
		t.Errorf("status field = %+v", f)
	}
	if fields[0].Name != "id" {
		t.Errorf("fields are not in schema order: first is %s", fields[0].Name)
	}
	defs, err := et.Defs()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range defs {
		names = append(names, d.Name)
	}
	if !slices.Equal(names, []string{"user_ref", "course_ref", "group_ref", "actor_ref", "score"}) {
		t.Errorf("defs = %v", names)
	}

	// Inline objects expand; a schema extending a shared one lists the
	// shared fields first.
	cs, _ := c.Lookup("classroom_session.created")
	fs, _ := cs.Fields()
	if !slices.ContainsFunc(fs, func(f Field) bool { return f.Name == "location.room" }) {
		t.Error("classroom_session fields lack location.room")
	}
	if !slices.ContainsFunc(fs, func(f Field) bool {
		return f.Name == "instructors" && f.Ref == "user_ref" && f.Type == "array of object"
	}) {
		t.Error("classroom_session instructors is not an array of user_ref")
	}
	u, _ := c.Lookup("user.created")
	uf, _ := u.Fields()
	if uf[0].Name != "id" || !uf[0].Required || !slices.ContainsFunc(uf, func(f Field) bool { return f.Name == "external_refs.crm_contact_id" }) {
		t.Errorf("user fields = %+v", uf[:3])
	}
}

// Every builtin type says who caused it (data/common.json): an optional
// actor property after the entity's own, and its two variables. The
// examples set it, so that formats that tell admin events from learner
// events (Absorb) can be shown with real values.
func TestCommonActor(t *testing.T) {
	c := load(t)
	for _, et := range c.All() {
		fields, err := et.Fields()
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(fields, func(f Field) bool { return f.Name == "actor" })
		if i < 0 {
			t.Errorf("%s has no actor field", et.Type)
			continue
		}
		if f := fields[i]; f.Ref != "actor_ref" || f.Required {
			t.Errorf("%s: actor = %+v, want an optional actor_ref", et.Type, f)
		}
		var names []string
		for _, v := range et.Variables {
			names = append(names, v.Name)
		}
		if !slices.Contains(names, "@actor_type") || !slices.Contains(names, "@actor_id") {
			t.Errorf("%s: variables %v lack @actor_type and @actor_id", et.Type, names)
		}
		var ex struct {
			Actor *struct{ Type string } `json:"actor"`
		}
		if err := json.Unmarshal(et.Example, &ex); err != nil || ex.Actor == nil || ex.Actor.Type == "" {
			t.Errorf("%s: example has no actor (%v)", et.Type, err)
		}
	}
	for typ, want := range map[string]string{
		"course_enrollment.created":   "admin",
		"course_enrollment.completed": "learner",
		"course_enrollment.expired":   "system",
	} {
		et, _ := c.Lookup(typ)
		var ex struct{ Actor struct{ Type string } }
		if err := json.Unmarshal(et.Example, &ex); err != nil || ex.Actor.Type != want {
			t.Errorf("%s: example actor %q, want %q (%v)", typ, ex.Actor.Type, want, err)
		}
	}
}

// A property an entity defines itself is not replaced by the common one
// of the same name.
func TestAddMissingMembers(t *testing.T) {
	got, err := addMissingMembers(json.RawMessage(`{"id":{"type":"string"},"actor":{"type":"string"}}`),
		json.RawMessage(`{"actor":{"$ref":"#/$defs/actor_ref"},"extra":{"type":"integer"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":{"type":"string"},"actor":{"type":"string"},"extra":{"type":"integer"}}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
