package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// fuzzLimit is the body limit of FuzzDecode: small, so that the fuzzer
// reaches it.
const fuzzLimit = 4096

// fuzzKinds is a request body with a field of every kind the API's inputs
// use.
type fuzzKinds struct {
	S   string            `json:"s"`
	P   *string           `json:"p"`
	N   *int              `json:"n"`
	F   *float64          `json:"f"`
	B   *bool             `json:"b"`
	L   *[]string         `json:"l"`
	FL  []float64         `json:"fl"`
	M   map[string]string `json:"m"`
	Raw json.RawMessage   `json:"raw"`
	O   *struct {
		X *string `json:"x"`
	} `json:"o"`
}

// FuzzDecode reads arbitrary bodies into the API's request types as its
// handlers do. Nothing may panic. A refusal is a *domain.Error the API
// answers with a 4xx: EMALFORMED or EINVALID, and ETOOLARGE exactly past
// the limit; bytes that are not UTF-8 are always refused. What is accepted holds
// no NUL character in any string and round-trips: encoded again, it
// decodes to the same request.
func FuzzDecode(f *testing.F) {
	for _, body := range []string{
		`{"type":"user.created","data":{"user":{"id":"u_1"}},"idempotency_key":"k1","occurred_at":"2024-05-01T12:00:00Z"}`,
		`{"type":"user.created","data":{"id":"u_1"},"ordering_key":"u_1","ordering_key":"u_2"}`,
		`{"events":[{"type":"user.created","data":{}},{"type":"x","data":[]}]}`,
		`{"name":"HRIS","url":"https://hris.example.com/hooks","event_types":["user.*"],"headers":{"X-A":"b"},"retry_schedule":[1,2.5],"basic_auth":{"username":"u","password":"p"},"format_options":{"parameters":{"a":"@b"}}}`,
		`{"id":"acme","name":"Acme","environment":"production","max_webhooks":3,"retention_days":0}`,
		`{"s":"x","p":null,"n":1,"f":1e308,"b":true,"l":["a"],"fl":[0.1,-0],"m":{"k":"v"},"raw":{"a":[1,{"b":null}]},"o":{"x":"y"}}`,
		`{"Type":"user.created","TYPE":"x"}`, `{"s":"\u0000"}`, `{"m":{"\u0000":"v"}}`, `{"s":"\ud800"}`,
		`{"n":1.5}`, `{"n":"1"}`, `{"unknown":1}`, `{} {}`, `{`, `[]`, `null`, `"s"`, ``, `   `, "\xff",
		`{"raw":<}`, `{"fl":[1e400]}`, `{"events":null}`,
	} {
		f.Add([]byte(body))
	}
	kinds := []func() any{
		func() any { return new(eventInput) },
		func() any { return new(webhookInput) },
		func() any { return new(tenantInput) },
		func() any { return new(fuzzKinds) },
		func() any {
			return new(struct {
				Events *[]json.RawMessage `json:"events"`
			})
		},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// The single-event publish's own reader must agree with readJSON.
		var fast, slow eventInput
		fastErr := readEvent(httptest.NewRequest("POST", "/", bytes.NewReader(body)), fuzzLimit, &fast)
		slowErr := readJSON(httptest.NewRequest("POST", "/", bytes.NewReader(body)), fuzzLimit, &slow)
		if !reflect.DeepEqual(fast, slow) || !reflect.DeepEqual(fastErr, slowErr) {
			t.Fatalf("%q: readEvent gives %+v, %v; readJSON %+v, %v", body, fast, fastErr, slow, slowErr)
		}
		for _, kind := range kinds {
			v := kind()
			err := readJSON(httptest.NewRequest("POST", "/", bytes.NewReader(body)), fuzzLimit, v)
			if len(body) > fuzzLimit && domain.ErrorCode(err) != domain.ETOOLARGE {
				t.Fatalf("%T: %d bytes answered %v, want ETOOLARGE", v, len(body), err)
			}
			if err != nil {
				var de *domain.Error
				if !errors.As(err, &de) || de.Message == "" {
					t.Fatalf("%T: %q: error %v is not a domain error with a message", v, body, err)
				}
				switch de.Code {
				case domain.EMALFORMED, domain.EINVALID:
				case domain.ETOOLARGE:
					if len(body) <= fuzzLimit {
						t.Fatalf("%T: %d bytes refused as too large", v, len(body))
					}
				default:
					t.Fatalf("%T: %q: code %s, want malformed or invalid", v, body, de.Code)
				}
				continue
			}
			if !utf8.Valid(body) {
				t.Fatalf("%T: accepted bytes that are not UTF-8: %q", v, body)
			}
			if err := checkText(reflect.ValueOf(v), ""); err != nil {
				t.Fatalf("%T: accepted %q with a NUL: %v", v, body, err)
			}
			enc, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T: %q decoded to a value that does not encode: %v", v, body, err)
			}
			// Absent optional fields encode as null, which requests may
			// not send: leave them out, as a client would.
			enc = dropNullMembers(t, enc)
			w := kind()
			if err := decodeStrict(enc, w, ""); err != nil {
				t.Fatalf("%T: %q decoded, but its encoding %s does not: %v", v, body, enc, err)
			}
			if again, _ := json.Marshal(w); !bytes.Equal(dropNullMembers(t, again), enc) {
				t.Fatalf("%T: %q round-trips to %s, then %s", v, body, enc, again)
			}
		}
	})
}

// dropNullMembers removes the members whose value is null from the JSON
// object enc, at the top level.
func dropNullMembers(t *testing.T, enc []byte) []byte {
	t.Helper()
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(enc, &obj); err != nil {
		return enc
	}
	for k, v := range obj {
		if string(v) == "null" {
			delete(obj, k)
		}
	}
	out, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
