package rawjson

import (
	"slices"
	"testing"
)

func TestMembersAndElements(t *testing.T) {
	var got []string
	for k, v := range Members([]byte(` { "a" : [1, {"x":"}"}] , "b\u0021":"s\"", "a":null } `)) {
		got = append(got, k+"="+string(v))
	}
	if want := []string{`a=[1, {"x":"}"}]`, `b!="s\""`, `a=null`}; !slices.Equal(got, want) {
		t.Errorf("Members = %q, want %q", got, want)
	}
	got = nil
	for i, v := range Elements([]byte(`[ 1.5e3 ,"]",{}, [[]] ]`)) {
		got = append(got, string(rune('0'+i))+"="+string(v))
	}
	if want := []string{`0=1.5e3`, `1="]"`, `2={}`, `3=[[]]`}; !slices.Equal(got, want) {
		t.Errorf("Elements = %q, want %q", got, want)
	}
	// Not an object, or broken: nothing past the break.
	for _, data := range []string{`[1]`, `"s"`, ``, `{"a":1 "b":2}`, `{"a":"unterminated}`} {
		n := 0
		for k := range Members([]byte(data)) {
			if k != "a" {
				t.Errorf("Members(%s) yielded %q", data, k)
			}
			n++
		}
		if n > 1 {
			t.Errorf("Members(%s) yielded %d members", data, n)
		}
	}
}
