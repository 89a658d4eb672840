package api

import "testing"

// The single-event publish reads the plain bodies LMSs send in one pass,
// and leaves every other body to decodeStrict (FuzzDecode checks that
// both agree).
func TestDecodeEventFast(t *testing.T) {
	for body, want := range map[string]bool{
		`{"type":"user.created","data":{"id":"u_1","tags":["a",{"b":null}]},"idempotency_key":"k1","occurred_at":"2024-05-01T12:00:00Z"}`: true,
		" {\n \"data\" : {} , \"type\" : \"user.created\" }\n ":                                                                           true,
		`{"type":"user.created","data":{"id":"u_1"},"ordering_key":"u_1"}`:                                                                true,
		`{"type":"user.created","data":{"id":"é"}}`:                                                                                       true,
		`{"type":"user.cre\u0061ted","data":{}}`:                                                                                          false,
		`{"Type":"user.created","data":{}}`:                                                                                               false,
		`{"type":"user.created","type":"user.created","data":{}}`:                                                                         false,
		`{"type":"user.created","data":[]}`:                                                                                               false,
		`{"type":"user.created","data":{"a":}}`:                                                                                           false,
		`{"type":"user.created","data":{}} {}`:                                                                                            false,
		`{"type":"user.created","data":{},}`:                                                                                              false,
		`{"type":null,"data":{}}`:                                                                                                         false,
		`{"type":"user.created","data":{},"extra":1}`:                                                                                     false,
		`{"type":"user.created","data":{},"ordering_key":"a","ordering_key":"b"}`:                                                         false,
		`{}`: false,
		``:   false,
	} {
		var in eventInput
		if got := decodeEventFast([]byte(body), &in); got != want {
			t.Errorf("%s: fast = %v, want %v", body, got, want)
		}
	}
}
