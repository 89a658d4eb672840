package client

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"time"
)

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// encodeQuery renders the fields of a params struct (requests.go) that
// have a query tag, leaving out zero values: every query parameter of the
// API is optional, and its zero means "not given". Embedded structs
// (ListParams) are walked into.
func encodeQuery(params any) url.Values {
	q := url.Values{}
	addQuery(q, reflect.ValueOf(params))
	return q
}

func addQuery(q url.Values, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			addQuery(q, fv)
			continue
		}
		name := f.Tag.Get("query")
		if name == "" || fv.IsZero() {
			continue
		}
		q.Set(name, queryValue(fv))
	}
}

// queryValue renders one non-zero parameter as the API reads it.
func queryValue(v reflect.Value) string {
	switch {
	case v.Type() == timeType:
		return v.Interface().(time.Time).Format(time.RFC3339Nano)
	case v.Type() == durationType:
		return v.Interface().(time.Duration).String()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	}
	// A programming error in this package's own types, which the tests
	// encode: not something a caller can cause.
	panic(fmt.Sprintf("lmshooks client: no query encoding for %s", v.Type()))
}
