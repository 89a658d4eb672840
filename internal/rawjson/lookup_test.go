package rawjson

import "testing"

func TestLookup(t *testing.T) {
	data := []byte(` {"id":"u_1","n":1.50,"a/b":{"~":[10,{"x":"\u00e9"}]},"id":"second","list":[0,1,2,3,4,5,6,7,8,9,10,11]} `)
	for _, tc := range []struct {
		pointer, want string
		ok            bool
	}{
		{"/id", `"u_1"`, true}, // the first of repeated members
		{"/n", `1.50`, true},   // as written
		{"/a~1b/~0/1/x", `"\u00e9"`, true},
		{"/a~1b/~0/0", `10`, true},
		{"/list/11", `11`, true},
		{"/list/01", ``, false}, // leading zero
		{"/list/-", ``, false},
		{"/list/+1", ``, false},
		{"/list/12", ``, false},
		{"/id/x", ``, false}, // into a string
		{"/missing", ``, false},
		{"id", ``, false}, // not a pointer
	} {
		got, ok := Lookup(data, tc.pointer)
		if ok != tc.ok || (ok && string(got) != tc.want) {
			t.Errorf("Lookup(%q) = %s, %v; want %s, %v", tc.pointer, got, ok, tc.want, tc.ok)
		}
	}
	if got, ok := Lookup(data, ""); !ok || string(got) != string(data) {
		t.Errorf(`Lookup("") = %s, %v; want the document`, got, ok)
	}
}
