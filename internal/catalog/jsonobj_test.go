package catalog

import (
	"encoding/json"
	"testing"
)

func TestMergePatchKeepsOrder(t *testing.T) {
	for _, tc := range []struct{ target, patch, want string }{
		{`{"id":"a","status":"x","n":1}`, `{"status":"y","extra":true}`, `{"id":"a","status":"y","n":1,"extra":true}`},
		{`{"id":"a","user":{"id":"u","email":"e"}}`, `{"user":{"email":"f"}}`, `{"id":"a","user":{"id":"u","email":"f"}}`},
		{`{"id":"a","gone":1}`, `{"gone":null}`, `{"id":"a"}`},
		{`{"id":"a","list":[1,2]}`, `{"list":[3]}`, `{"id":"a","list":[3]}`},
		{`{"id":"a"}`, `[1]`, `[1]`},
		{`"x"`, `{"b":1,"c":null}`, `{"b":1}`},
	} {
		got, err := mergePatch(json.RawMessage(tc.target), json.RawMessage(tc.patch))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("mergePatch(%s, %s) = %s, want %s", tc.target, tc.patch, got, tc.want)
		}
	}
}

func TestMembersRejectsNonObjects(t *testing.T) {
	for _, raw := range []string{`[]`, `"x"`, `{"a":`, `{1:2}`} {
		if _, err := members(json.RawMessage(raw)); err == nil {
			t.Errorf("members(%s) succeeded", raw)
		}
	}
}
