package catalog

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestEveryBuiltinTypeHasAnOrderingKey(t *testing.T) {
	c := load(t)
	for _, et := range c.All() {
		if et.OrderingKey == "" || !validPointer(et.OrderingKey) {
			t.Errorf("%s: ordering key %q is not a JSON Pointer", et.Type, et.OrderingKey)
			continue
		}
		// The example is realistic: its key is there.
		if k := c.OrderingKey(et.Type, "", et.Example); k == "" {
			t.Errorf("%s: the ordering key %s finds nothing in the example %s", et.Type, et.OrderingKey, et.Example)
		}
	}
	for typ, want := range map[string]string{
		"course_enrollment.created":   "/id",
		"course_enrollment.completed": "/id",
		"user.created":                "/id",
		"user.deactivated":            "/id",
	} {
		if et, _ := c.Lookup(typ); et == nil || et.OrderingKey != want {
			t.Errorf("%s: ordering key %v, want %q", typ, et, want)
		}
	}
}

func TestOrderingKeyResolution(t *testing.T) {
	c := load(t)
	const typ = "course_enrollment.completed" // pointer /id
	long := strings.Repeat("x", domain.MaxOrderingKeyLength+1)
	for _, tc := range []struct {
		name, given, data, want string
	}{
		{"given wins", "k1", `{"id":"enr_1"}`, "k1"},
		{"string", "", `{"id":"enr_1","user":{"id":"u_1"}}`, "enr_1"},
		{"number as written", "", `{"id":4711}`, "4711"},
		{"decimal as written", "", `{"id":1.50}`, "1.50"},
		{"negative", "", `{"id":-3e2}`, "-3e2"},
		{"escaped string", "", `{"id":"a\"b\u00e9"}`, "a\"bé"},
		{"first of repeated keys", "", `{"id":"first","id":"second"}`, "first"},
		{"absent", "", `{"user":{"id":"u_1"}}`, ""},
		{"null", "", `{"id":null}`, ""},
		{"boolean", "", `{"id":true}`, ""},
		{"object", "", `{"id":{"a":1}}`, ""},
		{"array", "", `{"id":["a"]}`, ""},
		{"empty string", "", `{"id":""}`, ""},
		{"too long", "", `{"id":"` + long + `"}`, ""},
		{"not text", "", `{"id":"a\u0000b"}`, ""},
	} {
		if got := c.OrderingKey(typ, tc.given, json.RawMessage(tc.data)); got != tc.want {
			t.Errorf("%s: OrderingKey(%s) = %q, want %q", tc.name, tc.data, got, tc.want)
		}
	}
	if got := c.OrderingKey("nobody.knows", "", json.RawMessage(`{"id":"x"}`)); got != "" {
		t.Errorf("an unknown type has no default key, got %q", got)
	}
	if got := c.OrderingKey("nobody.knows", "given", json.RawMessage(`{}`)); got != "given" {
		t.Errorf("a given key is the key whatever the type, got %q", got)
	}
}

func TestKeyAtFollowsPointers(t *testing.T) {
	data := json.RawMessage(`{"a":{"b/c":[10,{"d~e":"deep"}]},"n":7,"":"blank"}`)
	for pointer, want := range map[string]string{
		"/a/b~1c/0":       "10",
		"/a/b~1c/1/d~0e":  "deep",
		"/a/b~1c/2":       "",
		"/a/b~1c/01":      "",
		"/a/b~1c/-":       "",
		"/n":              "7",
		"/":               "blank",
		"/n/x":            "",
		"":                "", // the whole data is an object
		"a":               "",
		"/a/b~1c/1/d~0e/": "",
	} {
		if got := keyAt(data, pointer); got != want {
			t.Errorf("keyAt(%q) = %q, want %q", pointer, got, want)
		}
	}
}

func TestCustomTypeOrderingKey(t *testing.T) {
	c := load(t)
	bt := badgeType()
	bt.OrderingKey = "/user/email"
	view, err := c.WithCustom([]EventType{bt})
	if err != nil {
		t.Fatal(err)
	}
	et, _ := view.Lookup(bt.Type)
	if et.OrderingKey != "/user/email" {
		t.Errorf("ordering key = %q", et.OrderingKey)
	}
	if got := view.OrderingKey(bt.Type, "", et.Example); got != "ana.lopez@acme.com" {
		t.Errorf("key from the example = %q", got)
	}

	// Without one, a custom type's events have no default key.
	view, err = c.WithCustom([]EventType{badgeType()})
	if err != nil {
		t.Fatal(err)
	}
	if got := view.OrderingKey(bt.Type, "", json.RawMessage(`{"badge_id":"b_7","user":{"email":"a@b.c"}}`)); got != "" {
		t.Errorf("no pointer, key %q", got)
	}

	for _, bad := range []string{"user/email", "/user/~2", strings.Repeat("/a", 200)} {
		bt.OrderingKey = bad
		_, err := c.WithCustom([]EventType{bt})
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != "ordering_key" {
			t.Errorf("ordering key %.20q: err = %v, want EINVALID on ordering_key", bad, err)
		}
		other := badgeType()
		other.Type = "acme_badge.lost"
		_, err = c.WithCustom([]EventType{other, bt})
		if domain.ErrorField(err) != "types[1].ordering_key" {
			t.Errorf("ordering key %.20q in a list: field %q", bad, domain.ErrorField(err))
		}
	}
}

func TestFromCustomKeepsOrderingKey(t *testing.T) {
	et := FromCustom(&domain.CustomEventType{Type: "acme_badge.earned", OrderingKey: "/badge_id"})
	if et.OrderingKey != "/badge_id" {
		t.Errorf("FromCustom dropped the ordering key: %+v", et)
	}
}
